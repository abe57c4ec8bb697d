// "Time zone of <connector>": the Autotask database's zone, which "today" and every adjustment's
// effective date follow. The backend checks the IANA name and says what to type when it is wrong.
import { useState } from 'preact/hooks';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import { Modal } from '../../components/Modal';
import { setTimeZone, toApiError } from '../../ipc';
import { timeZoneInput } from './inputs';
import { PsaMark } from './PsaMark';

type Props = { connector: ConnectorSummary; onClose: () => void; onSaved: (connector: ConnectorSummary) => void };

export function TimeZoneDialog({ connector, onClose, onSaved }: Props) {
  const [value, setValue] = useState(connector.time_zone ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (e: Event) => {
    e.preventDefault();
    if (saving) return;
    const checked = timeZoneInput(value);
    if (!checked.ok) {
      setError(checked.message);
      return;
    }
    setError(null);
    setSaving(true);
    setTimeZone(connector.id, checked.input).then(
      (saved) => {
        setSaving(false);
        onSaved(saved);
      },
      (err: unknown) => {
        setSaving(false);
        setError(toApiError(err).message);
      },
    );
  };

  return (
    <Modal
      title={`Time zone of ${connector.name}`}
      icon={<PsaMark kind={connector.kind} />}
      testId="time-zone-dialog"
      onClose={onClose}
    >
      <form class="form" onSubmit={submit} noValidate data-testid="time-zone-form">
        <fieldset class="form__fields" disabled={saving}>
          <div class="field">
            <label class="field__label" for="field-time-zone">
              Time zone
            </label>
            <input
              id="field-time-zone"
              name="time_zone"
              type="text"
              autocomplete="off"
              autocapitalize="off"
              spellcheck={false}
              class={error ? 'input input--invalid' : 'input'}
              placeholder="e.g. America/New_York"
              aria-describedby="field-time-zone-help"
              aria-invalid={error ? true : undefined}
              data-autofocus
              value={value}
              onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
              data-testid="time-zone-input"
            />
            <p id="field-time-zone-help" class="field__help">
              The Autotask database’s time zone, as an IANA name (America/New_York, Europe/London, Pacific/Auckland).
              “Today” and every adjustment’s effective date follow it; a wrong zone puts adjustments on the wrong day.
            </p>
          </div>
        </fieldset>
        {error && (
          <div class="form-error" role="alert" data-testid="time-zone-error">
            {error}
          </div>
        )}
        <footer class="modal__footer">
          <button type="button" class="button" onClick={onClose} data-testid="time-zone-cancel">
            Cancel
          </button>
          <button type="submit" class="button button--primary" disabled={saving} data-testid="time-zone-save">
            {saving && <span class="spinner spinner--light" aria-hidden="true" />}
            {saving ? 'Saving…' : 'Save'}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
