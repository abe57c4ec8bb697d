// The PSA ticket part of the Billing settings dialog, as form state: on/off and the chosen board
// (ConnectWise) or queue (Autotask). Checked here for the inline error; the backend checks again.
import type { TicketQueue } from '../../bindings/TicketQueue';
import type { TicketSettings } from '../../bindings/TicketSettings';

export type TicketForm = { enabled: boolean; queueId: string };

export function ticketFormOf(s: TicketSettings): TicketForm {
  return { enabled: s.enabled, queueId: s.queue ? String(s.queue.id) : '' };
}

/** What a board or queue is called in this PSA. */
export function queueNoun(kind: 'connectwise' | 'autotask'): string {
  return kind === 'connectwise' ? 'service board' : 'queue';
}

export type TicketCheck = { ok: true; settings: TicketSettings } | { ok: false; error: string };

/**
 * The settings to store. `queues` is the PSA's list (null while it is loading or could not be
 * read): a stored choice that is no longer listed is kept only when the list is unknown.
 */
export function checkTickets(
  f: TicketForm,
  queues: TicketQueue[] | null,
  stored: TicketSettings,
  noun: string,
): TicketCheck {
  const id = f.queueId === '' ? null : Number(f.queueId);
  let queue: TicketQueue | null = null;
  if (id !== null) {
    queue = queues?.find((q) => q.id === id) ?? (stored.queue?.id === id ? stored.queue : null);
  }
  if (f.enabled && queue === null) {
    return { ok: false, error: `Choose the ${noun} tickets go into, or turn tickets off.` };
  }
  return { ok: true, settings: { enabled: f.enabled, queue } };
}
