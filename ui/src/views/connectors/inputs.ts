// The add-connector forms as data: their fields (labels and help as in the vendor guides),
// sandbox pre-fill, and the check that turns typed values into the command's input. Pure.
import type { PsaKind } from '../../bindings/PsaKind';
import type { AutotaskInput, ConnectwiseInput, SandboxDefaults } from '../../ipc/types';

export type FieldSpec = {
  /** The input's key in the form values (and in the command input). */
  key: string;
  label: string;
  testId: string;
  help?: string;
  placeholder?: string;
  secret?: boolean;
  optional?: boolean;
  /** Shown under the collapsed "Advanced" section. */
  advanced?: boolean;
};

export type FormValues = Record<string, string>;

export const CONNECTWISE_FIELDS: readonly FieldSpec[] = [
  {
    key: 'company',
    label: 'Company name',
    testId: 'cw-company',
    help: 'The company id you enter when you sign in to ConnectWise Manage, provided by ConnectWise.',
    placeholder: 'e.g. contoso',
  },
  {
    key: 'site',
    label: 'ConnectWise domain',
    testId: 'cw-site',
    help: 'Your ConnectWise URL without the https:// prefix.',
    placeholder: 'e.g. na.myconnectwise.net',
  },
  {
    key: 'public_key',
    label: 'Public key',
    testId: 'cw-public-key',
    help: 'From System › Members › API Members › your API member › API Keys.',
  },
  {
    key: 'private_key',
    label: 'Private key',
    testId: 'cw-private-key',
    secret: true,
    help: 'Shown only once, when the API key is created. It is kept in the system keychain.',
  },
  {
    key: 'client_id',
    label: 'Integration clientId',
    testId: 'cw-client-id',
    help: 'The clientId of your ConnectWise integration (developer.connectwise.com › Client IDs). Every ConnectWise connector uses the same one; it is saved in Settings when the connection works.',
    placeholder: 'e.g. 3f9b2c71-8d4e-4a6b-9e15-c0a7d2f4b8e6',
  },
  {
    key: 'name',
    label: 'Name',
    testId: 'cw-name',
    optional: true,
    help: 'How this connector is listed. Defaults to “ConnectWise (company name)”.',
  },
];

export const AUTOTASK_FIELDS: readonly FieldSpec[] = [
  {
    key: 'username',
    label: 'User name',
    testId: 'at-username',
    help: 'The Username (Key) generated for your API user in Admin › Resources/Users.',
    placeholder: 'e.g. abcd1234efgh@example.com',
  },
  {
    key: 'secret',
    label: 'Secret',
    testId: 'at-secret',
    secret: true,
    help: 'The Password (Secret) shown once when it is generated. It is kept in the system keychain.',
  },
  {
    key: 'integration_code',
    label: 'API tracking identifier',
    testId: 'at-integration-code',
    help: 'On the API user in Autotask, under API Tracking Identifier choose Custom (Internal Integration) and copy the identifier it generates.',
  },
  {
    key: 'time_zone',
    label: 'Time zone',
    testId: 'at-time-zone',
    optional: true,
    help: 'The Autotask database’s time zone (IANA name). “Today” and every adjustment’s effective date follow it. Defaults to this computer’s zone.',
    placeholder: 'e.g. America/New_York',
  },
  {
    key: 'name',
    label: 'Name',
    testId: 'at-name',
    optional: true,
    help: 'How this connector is listed. Defaults to “Autotask (user name)”.',
  },
  {
    key: 'zone_url',
    label: 'Zone URL',
    testId: 'at-zone-url',
    optional: true,
    advanced: true,
    help: 'Leave empty: the zone is looked up from the user name. Set it only to override that lookup.',
    placeholder: 'e.g. https://webservices5.autotask.net',
  },
];

export function fieldsOf(kind: PsaKind): readonly FieldSpec[] {
  return kind === 'connectwise' ? CONNECTWISE_FIELDS : AUTOTASK_FIELDS;
}

export function emptyValues(kind: PsaKind): FormValues {
  return Object.fromEntries(fieldsOf(kind).map((f) => [f.key, '']));
}

/** The sandbox's demo values for a form, keyed like its fields. */
export function sandboxValues(kind: PsaKind, d: SandboxDefaults): FormValues {
  return kind === 'connectwise'
    ? {
        company: d.connectwise_company,
        site: d.connectwise_site,
        public_key: d.connectwise_public_key,
        private_key: d.connectwise_private_key,
      }
    : {
        username: d.autotask_username,
        secret: d.autotask_secret,
        integration_code: d.autotask_integration_code,
        zone_url: d.autotask_zone_url,
        time_zone: d.autotask_time_zone,
      };
}

/** Fills the fields still empty with `extra` (what the operator typed is never overwritten). */
export function fillEmpty(values: FormValues, extra: FormValues): FormValues {
  const out = { ...values };
  for (const [key, value] of Object.entries(extra)) if ((out[key] ?? '') === '' && value) out[key] = value;
  return out;
}

export type Checked<T> = { ok: true; input: T } | { ok: false; message: string; field: string };

/** Trims every value and checks the required ones; the first missing field is named. */
function check(kind: PsaKind, values: FormValues): Checked<Record<string, string | null>> {
  const input: Record<string, string | null> = {};
  for (const field of fieldsOf(kind)) {
    const value = (values[field.key] ?? '').trim();
    if (value === '' && !field.optional) return { ok: false, message: `Enter the ${field.label}.`, field: field.key };
    input[field.key] = value === '' ? null : value;
  }
  return { ok: true, input };
}

export function connectwiseInput(values: FormValues): Checked<ConnectwiseInput> {
  const c = check('connectwise', values);
  if (!c.ok) return c;
  const v = c.input;
  return {
    ok: true,
    input: {
      name: v.name ?? null,
      company: v.company!,
      site: v.site!,
      public_key: v.public_key!,
      private_key: v.private_key!,
      client_id: v.client_id!,
    },
  };
}

export function autotaskInput(values: FormValues): Checked<AutotaskInput> {
  const c = check('autotask', values);
  if (!c.ok) return c;
  const v = c.input;
  return {
    ok: true,
    input: {
      name: v.name ?? null,
      username: v.username!,
      secret: v.secret!,
      integration_code: v.integration_code!,
      zone_url: v.zone_url ?? null,
      time_zone: v.time_zone ?? null,
    },
  };
}

/** A time zone as typed: trimmed, or why it cannot be one (the backend checks the IANA name). */
export function timeZoneInput(value: string): Checked<string> {
  const zone = value.trim();
  if (zone === '') return { ok: false, message: 'Enter the time zone, e.g. America/New_York.', field: 'time_zone' };
  return { ok: true, input: zone };
}
