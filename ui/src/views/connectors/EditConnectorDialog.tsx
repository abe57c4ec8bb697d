// "Edit <connector>": rename, rotate the key or secret, change the site, user, tracking identifier,
// clientId or time zone, keeping the connector's mappings and history. Connection changes are
// checked live before anything is saved; a failure is shown inline with everything typed kept.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import { Modal } from '../../components/Modal';
import { connectorSettings, editConnector, toApiError } from '../../ipc';
import type { ConnectorSettings } from '../../ipc/types';
import { Field } from './AddConnectorDialog';
import { editFieldsOf, editRequest, editValues } from './editForm';
import type { FormValues } from './inputs';
import { PsaMark } from './PsaMark';

type Props = { connector: ConnectorSummary; onClose: () => void; onSaved: (connector: ConnectorSummary) => void };

export function EditConnectorDialog({ connector, onClose, onSaved }: Props) {
  const [settings, setSettings] = useState<ConnectorSettings | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorBox.current?.scrollIntoView({ block: 'center' });
  }, [error]);

  useEffect(() => {
    let active = true;
    connectorSettings(connector.id).then(
      (s) => {
        if (!active) return;
        setSettings(s);
        setValues(editValues(s));
      },
      (e: unknown) => active && setError(toApiError(e).message),
    );
    return () => {
      active = false;
    };
  }, [connector.id]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (saving || !settings) return;
    const checked = editRequest(settings, values);
    if (!checked.ok) {
      setError(checked.message);
      setInvalid(checked.field);
      return;
    }
    if (checked.changed === 0) {
      onClose();
      return;
    }
    setError(null);
    setInvalid(null);
    setSaving(true);
    editConnector(connector.id, checked.input).then(
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

  const set = (key: string, value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (invalid === key) setInvalid(null);
  };
  const fields = editFieldsOf(connector.kind);
  const basic = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);

  return (
    <Modal title={`Edit ${connector.name}`} icon={<PsaMark kind={connector.kind} />} testId="edit-connector-dialog" onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate data-testid="edit-connector-form">
        <fieldset class="form__fields" disabled={saving || !settings}>
          {basic.map((f) => (
            <Field key={f.key} spec={f} value={values[f.key] ?? ''} invalid={invalid === f.key} onInput={set} />
          ))}
          {advanced.length > 0 && (
            <details class="form__advanced" open={advanced.some((f) => invalid === f.key || values[f.key]) || undefined}>
              <summary>Advanced</summary>
              {advanced.map((f) => (
                <Field key={f.key} spec={f} value={values[f.key] ?? ''} invalid={invalid === f.key} onInput={set} />
              ))}
            </details>
          )}
        </fieldset>
        {error && (
          <div class="form-error" role="alert" data-testid="edit-connector-error" ref={errorBox}>
            {error}
          </div>
        )}
        <p class="form__note muted">Its workspace and service mappings and its history are kept.</p>
        <footer class="modal__footer">
          <button type="button" class="button" onClick={onClose} data-testid="edit-connector-cancel">
            Cancel
          </button>
          <button type="submit" class="button button--primary" disabled={saving || !settings} data-testid="edit-connector-save">
            {saving && <span class="spinner spinner--light" aria-hidden="true" />}
            {saving ? 'Checking…' : 'Save'}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
