// "Billing of <connector>": when changes are written (daily, or monthly on a day), which changes
// are too small to write (noise threshold), and whether a missing line is proposed (always held
// for approval), and whether a PSA ticket is opened when a sync fails or holds changes (and on
// which board / queue). Each field says inline what is wrong; the backend checks again.
import { useEffect, useState } from 'preact/hooks';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import { Modal } from '../../components/Modal';
import type { TicketQueue } from '../../bindings/TicketQueue';
import type { TicketSettings } from '../../bindings/TicketSettings';
import { getBilling, getTickets, listTicketQueues, setBilling, setTickets, toApiError } from '../../ipc';
import { checkBilling, formOf, type BillingErrors, type BillingForm, type ThresholdKind } from './billingForm';
import { PsaMark } from './PsaMark';
import { TicketFields } from './TicketFields';
import { checkTickets, queueNoun, ticketFormOf, type TicketForm } from './ticketForm';
import './billing.css';

type Props = { connector: ConnectorSummary; onClose: () => void; onSaved: () => void };

export function BillingDialog({ connector, onClose, onSaved }: Props) {
  const [form, setForm] = useState<BillingForm | null>(null);
  const [errors, setErrors] = useState<BillingErrors>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stored, setStored] = useState<TicketSettings | null>(null);
  const [tickets, setTicketForm] = useState<TicketForm | null>(null);
  const [queues, setQueues] = useState<TicketQueue[] | null>(null);
  const [queuesError, setQueuesError] = useState<string | null>(null);
  const [ticketError, setTicketError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([getBilling(connector.id), getTickets(connector.id)]).then(
      ([b, t]) => {
        setForm(formOf(b));
        setStored(t);
        setTicketForm(ticketFormOf(t));
      },
      (err: unknown) => setError(toApiError(err).message),
    );
    listTicketQueues(connector.id).then(setQueues, (err: unknown) => setQueuesError(toApiError(err).message));
  }, [connector.id]);

  const noun = queueNoun(connector.kind);
  const editTickets = (patch: Partial<TicketForm>) => {
    if (!tickets || !stored) return;
    const next = { ...tickets, ...patch };
    setTicketForm(next);
    const r = checkTickets(next, queues, stored, noun);
    setTicketError(r.ok ? null : r.error);
  };

  const edit = (patch: Partial<BillingForm>) => {
    if (!form) return;
    const next = { ...form, ...patch };
    setForm(next);
    // Inline: a field shows its error as soon as it is wrong, and clears when fixed.
    const r = checkBilling(next);
    setErrors(r.ok ? {} : r.errors);
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (saving || !form || !tickets || !stored) return;
    const r = checkBilling(form);
    const t = checkTickets(tickets, queues, stored, noun);
    if (!r.ok || !t.ok) {
      setErrors(r.ok ? {} : r.errors);
      setTicketError(t.ok ? null : t.error);
      return;
    }
    setError(null);
    setSaving(true);
    setBilling(connector.id, r.billing)
      .then(() => setTickets(connector.id, t.settings))
      .then(
      () => {
        setSaving(false);
        onSaved();
      },
      (err: unknown) => {
        setSaving(false);
        setError(toApiError(err).message);
      },
    );
  };

  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <Modal
      title={`Billing of ${connector.name}`}
      icon={<PsaMark kind={connector.kind} />}
      testId="billing-dialog"
      onClose={onClose}
    >
      <form class="form" onSubmit={submit} noValidate data-testid="billing-form">
        {form === null && !error && <p class="muted">Loading…</p>}
        {form && (
          <fieldset class="form__fields" disabled={saving}>
            <div class="field">
              <span class="field__label">Write changes</span>
              <label class="checkbox">
                <input
                  type="radio"
                  name="cadence"
                  checked={form.cadence === 'daily'}
                  onChange={() => edit({ cadence: 'daily' })}
                  data-testid="billing-daily"
                />
                <span>Daily (every run)</span>
              </label>
              <div class="inline-fields">
                <label class="checkbox checkbox--inline">
                  <input
                    type="radio"
                    name="cadence"
                    checked={form.cadence === 'monthly'}
                    onChange={() => edit({ cadence: 'monthly' })}
                    data-testid="billing-monthly"
                  />
                  <span>Monthly, on day</span>
                </label>
                <input
                  type="text"
                  inputMode="numeric"
                  aria-label="Day of the month (1–28)"
                  class={errors.day ? 'input input--invalid input--short' : 'input input--short'}
                  aria-invalid={errors.day ? true : undefined}
                  disabled={form.cadence !== 'monthly'}
                  value={form.day}
                  onInput={(e) => edit({ day: value(e) })}
                  data-testid="billing-day"
                />
              </div>
              {errors.day && (
                <p class="field__error" role="alert" data-testid="billing-day-error">
                  {errors.day}
                </p>
              )}
              <p class="field__help">
                Monthly: the preview still shows every change each day; they are written once, by the first run on or after
                that day (Autotask adjustments then take effect on the 1st).
              </p>
            </div>
            <div class="field">
              <label class="field__label" for="billing-threshold-kind">
                Noise threshold
              </label>
              <div class="inline-fields">
                <select
                  id="billing-threshold-kind"
                  class="select"
                  value={form.thresholdKind}
                  onChange={(e) => edit({ thresholdKind: value(e) as ThresholdKind })}
                  data-testid="billing-threshold-kind"
                >
                  <option value="off">Off: write every change</option>
                  <option value="units">Smaller than N units</option>
                  <option value="percent">Smaller than N % of the quantity</option>
                </select>
                {form.thresholdKind !== 'off' && (
                  <input
                    type="text"
                    inputMode="decimal"
                    aria-label={form.thresholdKind === 'units' ? 'Units' : 'Percent'}
                    class={errors.threshold ? 'input input--invalid input--short' : 'input input--short'}
                    aria-invalid={errors.threshold ? true : undefined}
                    value={form.thresholdValue}
                    onInput={(e) => edit({ thresholdValue: value(e) })}
                    data-testid="billing-threshold-value"
                  />
                )}
              </div>
              {errors.threshold && (
                <p class="field__error" role="alert" data-testid="billing-threshold-error">
                  {errors.threshold}
                </p>
              )}
              <p class="field__help">
                Smaller changes are shown as “below threshold” and not written. A change to or from 0 is always written.
              </p>
            </div>
            <div class="field">
              <label class="checkbox">
                <input
                  type="checkbox"
                  checked={form.createMissing}
                  onChange={(e) => edit({ createMissing: (e.currentTarget as HTMLInputElement).checked })}
                  data-testid="billing-create-missing"
                />
                <span>
                  Create missing lines: where a company’s only agreement or contract has no line for a mapped product,
                  propose one with the Coro count — always held for your approval.
                </span>
              </label>
            </div>
            {tickets && stored && (
              <TicketFields
                kind={connector.kind}
                form={tickets}
                stored={stored}
                queues={queues}
                queuesError={queuesError}
                error={ticketError}
                onChange={editTickets}
              />
            )}
          </fieldset>
        )}
        {error && (
          <div class="form-error" role="alert" data-testid="billing-error">
            {error}
          </div>
        )}
        <footer class="modal__footer">
          <button type="button" class="button" onClick={onClose} data-testid="billing-cancel">
            Cancel
          </button>
          <button
            type="submit"
            class="button button--primary"
            disabled={saving || form === null}
            data-testid="billing-save"
          >
            {saving && <span class="spinner spinner--light" aria-hidden="true" />}
            {saving ? 'Saving…' : 'Save'}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
