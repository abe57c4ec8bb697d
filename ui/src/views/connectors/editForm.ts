// The edit-connector form as data: its fields per PSA, the values it starts with (the stored
// settings; secrets start empty and stay as they are unless typed), and the check that turns the
// typed values into the `edit_connector` input holding only what changed. Pure.
import type { PsaKind } from '../../bindings/PsaKind';
import type { ConnectorEdit, ConnectorSettings } from '../../ipc/types';
import { AUTOTASK_FIELDS, CONNECTWISE_FIELDS, type Checked, type FieldSpec, type FormValues } from './inputs';

const KEEP_SECRET = 'Leave empty to keep the current one; enter a new one to rotate it. Kept in the system keychain.';

function from(fields: readonly FieldSpec[], key: string, patch: Partial<FieldSpec>): FieldSpec {
  const base = fields.find((f) => f.key === key);
  if (!base) throw new Error(`no field ${key}`);
  return { ...base, ...patch, testId: `edit-${key.replace(/_/g, '-')}` };
}

const EDIT_CONNECTWISE: readonly FieldSpec[] = [
  from(CONNECTWISE_FIELDS, 'name', { optional: false, help: 'How this connector is listed.' }),
  from(CONNECTWISE_FIELDS, 'company', {}),
  from(CONNECTWISE_FIELDS, 'site', {}),
  from(CONNECTWISE_FIELDS, 'public_key', {}),
  from(CONNECTWISE_FIELDS, 'private_key', { label: 'New private key', optional: true, help: KEEP_SECRET }),
  from(CONNECTWISE_FIELDS, 'client_id', {}),
];

const EDIT_AUTOTASK: readonly FieldSpec[] = [
  from(AUTOTASK_FIELDS, 'name', { optional: false, help: 'How this connector is listed.' }),
  from(AUTOTASK_FIELDS, 'username', {}),
  from(AUTOTASK_FIELDS, 'secret', { label: 'New secret', optional: true, help: KEEP_SECRET }),
  from(AUTOTASK_FIELDS, 'integration_code', {
    optional: true,
    help: 'Leave empty to keep the current one. Enter it only to change it.',
  }),
  from(AUTOTASK_FIELDS, 'time_zone', { optional: false, help: 'The Autotask database’s time zone (IANA name). “Today” and every adjustment’s effective date follow it.' }),
  from(AUTOTASK_FIELDS, 'zone_url', {}),
];

export function editFieldsOf(kind: PsaKind): readonly FieldSpec[] {
  return kind === 'connectwise' ? EDIT_CONNECTWISE : EDIT_AUTOTASK;
}

/** The form's first values: the stored settings, secrets empty. */
export function editValues(s: ConnectorSettings): FormValues {
  const stored: Record<string, string | null> = {
    name: s.name,
    company: s.company,
    site: s.site,
    public_key: s.public_key,
    client_id: s.client_id,
    username: s.username,
    zone_url: s.zone_url,
    time_zone: s.time_zone,
  };
  return Object.fromEntries(editFieldsOf(s.kind).map((f) => [f.key, f.secret ? '' : (stored[f.key] ?? '')]));
}

const NOTHING: ConnectorEdit = {
  name: null,
  company: null,
  site: null,
  public_key: null,
  private_key: null,
  client_id: null,
  username: null,
  secret: null,
  integration_code: null,
  zone_url: null,
  time_zone: null,
};

/** Only what changed (required fields never emptied); `null` edits nothing. */
export function editRequest(s: ConnectorSettings, values: FormValues): Checked<ConnectorEdit> & { changed?: number } {
  const start = editValues(s);
  const edit: Record<string, string | null> = { ...NOTHING };
  let changed = 0;
  for (const f of editFieldsOf(s.kind)) {
    const value = (values[f.key] ?? '').trim();
    if (value === '' && !f.optional) return { ok: false, message: `Enter the ${f.label}.`, field: f.key };
    const before = (start[f.key] ?? '').trim();
    const keepsSecret = (f.secret || f.key === 'integration_code') && value === '';
    if (keepsSecret || value === before) continue;
    edit[f.key] = value;
    changed += 1;
  }
  return { ok: true, input: edit as ConnectorEdit, changed };
}
