// The "PSA ticket" fields of the Billing settings dialog: on/off and the ConnectWise service board
// or Autotask queue, a list read from the PSA (an error reading it is shown here, in place).
import type { PsaKind } from '../../bindings/PsaKind';
import type { TicketQueue } from '../../bindings/TicketQueue';
import type { TicketSettings } from '../../bindings/TicketSettings';
import { queueNoun, type TicketForm } from './ticketForm';

type Props = {
  kind: PsaKind;
  form: TicketForm;
  stored: TicketSettings;
  /** null while loading or when the PSA could not be read. */
  queues: TicketQueue[] | null;
  queuesError: string | null;
  error: string | null;
  onChange: (patch: Partial<TicketForm>) => void;
};

export function TicketFields({ kind, form, stored, queues, queuesError, error, onChange }: Props) {
  const noun = queueNoun(kind);
  // A stored choice stays selectable while the list is loading or unreadable.
  const options = queues ?? (stored.queue ? [stored.queue] : []);
  return (
    <div class="field" data-testid="tickets-fields">
      <label class="checkbox">
        <input
          type="checkbox"
          checked={form.enabled}
          onChange={(e) => onChange({ enabled: (e.currentTarget as HTMLInputElement).checked })}
          data-testid="tickets-enabled"
        />
        <span>
          Open a PSA ticket when a sync fails or holds changes: one per problem, noted on later runs, closed by the
          run that no longer has it.
        </span>
      </label>
      <div class="inline-fields">
        <label class="field__label" for="tickets-queue">
          {kind === 'connectwise' ? 'Service board' : 'Queue'}
        </label>
        <select
          id="tickets-queue"
          class={error ? 'select input--invalid' : 'select'}
          aria-invalid={error ? true : undefined}
          value={form.queueId}
          onChange={(e) => onChange({ queueId: (e.currentTarget as HTMLSelectElement).value })}
          data-testid="tickets-queue"
        >
          <option value="">{queues === null && !queuesError ? 'Loading…' : `Choose a ${noun}`}</option>
          {options.map((q) => (
            <option key={q.id} value={String(q.id)}>
              {q.name} ({q.id})
            </option>
          ))}
        </select>
      </div>
      {queuesError && (
        <p class="field__error" role="alert" data-testid="tickets-queues-error">
          Could not read the {noun}s from the PSA: {queuesError}
        </p>
      )}
      {error && (
        <p class="field__error" role="alert" data-testid="tickets-error">
          {error}
        </p>
      )}
      <p class="field__help">
        The ticket is for your own company and names the run, the affected customers and the reasons, never a key or
        secret. A ticket problem never stops the sync; it is shown on the run.
      </p>
    </div>
  );
}
