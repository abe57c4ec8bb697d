// "Add ConnectWise connector" / "Add Autotask connector": the vendor guides' fields, a live
// credential check on Connect, and the failure shown inline with everything typed kept.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import type { PsaKind } from '../../bindings/PsaKind';
import { Modal } from '../../components/Modal';
import { addAutotask, addConnectwise, getSettings, machineTimeZone, sandboxDefaults, toApiError } from '../../ipc';
import {
  autotaskInput,
  connectwiseInput,
  emptyValues,
  fieldsOf,
  fillEmpty,
  sandboxValues,
  type Checked,
  type FieldSpec,
  type FormValues,
} from './inputs';
import { PsaMark } from './PsaMark';

const TITLES: Record<PsaKind, string> = {
  connectwise: 'Add ConnectWise connector',
  autotask: 'Add Autotask connector',
};

type Props = { kind: PsaKind; onClose: () => void; onAdded: (connector: ConnectorSummary) => void };

export function AddConnectorDialog({ kind, onClose, onAdded }: Props) {
  const [values, setValues] = useState<FormValues>(() => emptyValues(kind));
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [zoneNote, setZoneNote] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const errorBox = useRef<HTMLDivElement>(null);
  // A failed check must be seen: the dialog's footer is sticky and would cover a message scrolled
  // only to the nearest edge, so centre it.
  useEffect(() => {
    if (error) errorBox.current?.scrollIntoView({ block: 'center' });
  }, [error]);
  const prefix = kind === 'connectwise' ? 'cw' : 'at';

  // Demo mode: every field starts with the sandbox's credentials. Then, for Autotask, a time zone
  // still empty starts as this computer's (the sandbox tenant's zone wins, so it comes first).
  useEffect(() => {
    let active = true;
    sandboxDefaults()
      .then(
        (d) => active && d && setValues((v) => fillEmpty(v, sandboxValues(kind, d))),
        () => {}, // no defaults outside sandbox mode (or from an older backend): the form starts empty
      )
      .then(() => (kind === 'connectwise' ? getSettings() : null))
      .then(
        // The integration's clientId from Settings, when one is saved (a typed one wins).
        (s) => active && s?.connectwise_client_id && setValues((v) => fillEmpty(v, { client_id: s.connectwise_client_id ?? '' })),
        () => {},
      )
      .then(() => (kind === 'autotask' ? machineTimeZone() : null))
      .then(
        (m) => {
          if (!active || !m) return;
          setValues((v) => fillEmpty(v, { time_zone: m.zone }));
          setZoneNote(m.note);
        },
        () => {}, // the backend falls back to this computer's zone itself
      );
    return () => {
      active = false;
    };
  }, [kind]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (checking) return;
    const checked = request(kind, values);
    if (!checked.ok) {
      setError(checked.message);
      setInvalid(checked.field);
      form.current?.querySelector<HTMLInputElement>(`[name="${checked.field}"]`)?.focus();
      return;
    }
    setError(null);
    setInvalid(null);
    setChecking(true);
    checked.input().then(
      (connector) => {
        setChecking(false);
        onAdded(connector);
      },
      (err: unknown) => {
        setChecking(false);
        setError(toApiError(err).message);
      },
    );
  };

  const set = (key: string, value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (invalid === key) {
      setInvalid(null);
      setError(null);
    }
  };

  const fields = fieldsOf(kind);
  const basic = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);

  return (
    <Modal
      title={TITLES[kind]}
      icon={<PsaMark kind={kind} />}
      testId="add-connector-dialog"
      data={{ 'data-kind': kind }}
      onClose={onClose}
    >
      <form ref={form} class="form" onSubmit={submit} noValidate data-testid={`${prefix}-form`}>
        <fieldset class="form__fields" disabled={checking}>
          {basic.map((f) => (
            <Field key={f.key} spec={f} value={values[f.key] ?? ''} invalid={invalid === f.key} error={invalid === f.key ? error : null} onInput={set} />
          ))}
          {advanced.length > 0 && (
            <details
              class="form__advanced"
              open={advanced.some((f) => invalid === f.key) || undefined}
              onToggle={(e) => {
                // The opened fields can sit below the fold (or under the sticky footer): centre them.
                const d = e.currentTarget;
                if (d.open) d.querySelector('input')?.scrollIntoView({ block: 'center' });
              }}
            >
              <summary data-testid={`${prefix}-advanced`}>Advanced</summary>
              {advanced.map((f) => (
                <Field key={f.key} spec={f} value={values[f.key] ?? ''} invalid={invalid === f.key} error={invalid === f.key ? error : null} onInput={set} />
              ))}
            </details>
          )}
        </fieldset>

        {/* A field's own error shows under it; the live check's answer here. */}
        {error && invalid === null && (
          <div class="form-error" role="alert" data-testid="dialog-error" ref={errorBox}>
            {error}
          </div>
        )}

        {zoneNote && (
          <p class="form__note" data-testid="at-time-zone-note">
            {zoneNote}
          </p>
        )}
        <p class="form__note muted">
          Keys and secrets are stored in the operating system's keychain, never in the app's database.
        </p>

        <footer class="modal__footer">
          <button type="button" class="button" onClick={onClose} data-testid="add-connector-close">
            Cancel
          </button>
          <button type="submit" class="button button--primary" disabled={checking} data-testid={`${prefix}-submit`}>
            {checking && <span class="spinner spinner--light" aria-hidden="true" />}
            {checking ? 'Checking credentials…' : 'Connect'}
          </button>
        </footer>
      </form>
    </Modal>
  );
}

/** The add command to call with the checked input, or why the form is not complete. */
function request(kind: PsaKind, values: FormValues): Checked<() => Promise<ConnectorSummary>> {
  if (kind === 'connectwise') {
    const c = connectwiseInput(values);
    return c.ok ? { ok: true, input: () => addConnectwise(c.input) } : c;
  }
  const c = autotaskInput(values);
  return c.ok ? { ok: true, input: () => addAutotask(c.input) } : c;
}

type FieldProps = {
  spec: FieldSpec;
  value: string;
  invalid: boolean;
  /** The field's own error, shown right under it. */
  error?: string | null;
  onInput: (key: string, value: string) => void;
};

export function Field({ spec, value, invalid, error, onInput }: FieldProps) {
  const id = `field-${spec.testId}`;
  const helpId = spec.help ? `${id}-help` : undefined;
  // Preact types `type` per input kind, so the two kinds share everything but it.
  const common = {
    id,
    name: spec.key,
    class: invalid ? 'input input--invalid' : 'input',
    autocapitalize: 'off',
    spellcheck: false,
    placeholder: spec.placeholder,
    'aria-describedby': helpId,
    'aria-invalid': invalid || undefined,
    required: !spec.optional,
    'data-autofocus': spec.key === 'company' || spec.key === 'username' ? true : undefined,
    value,
    onInput: (e: Event) => onInput(spec.key, (e.currentTarget as HTMLInputElement).value),
    'data-testid': spec.testId,
  } as const;
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {spec.label}
        {spec.optional && <span class="field__optional"> (optional)</span>}
      </label>
      {spec.secret ? (
        <input type="password" autocomplete="new-password" {...common} />
      ) : (
        <input type="text" autocomplete="off" {...common} />
      )}
      {error && (
        <p class="field__error" role="alert" data-testid={`${spec.testId}-error`}>
          {error}
        </p>
      )}
      {spec.help && (
        <p id={helpId} class="field__help">
          {spec.help}
        </p>
      )}
    </div>
  );
}
