import { describe, expect, it } from 'vitest';
import { checkTickets, queueNoun, ticketFormOf } from './ticketForm';

const alerts = { id: 12, name: 'Alerts' };
const off = { enabled: false, queue: null };

describe('ticket form', () => {
  it('round-trips the stored settings', () => {
    const stored = { enabled: true, queue: alerts };
    expect(ticketFormOf(stored)).toEqual({ enabled: true, queueId: '12' });
    expect(checkTickets(ticketFormOf(stored), [alerts], stored, 'board')).toEqual({ ok: true, settings: stored });
    expect(ticketFormOf(off)).toEqual({ enabled: false, queueId: '' });
  });

  it('refuses tickets on without a board or queue', () => {
    const r = checkTickets({ enabled: true, queueId: '' }, [alerts], off, queueNoun('connectwise'));
    expect(r).toEqual({ ok: false, error: 'Choose the service board tickets go into, or turn tickets off.' });
    expect(queueNoun('autotask')).toBe('queue');
  });

  it('keeps a stored choice while the list is unknown, and takes the name from the list', () => {
    const stored = { enabled: true, queue: alerts };
    expect(checkTickets({ enabled: true, queueId: '12' }, null, stored, 'board')).toEqual({ ok: true, settings: stored });
    const renamed = [{ id: 12, name: 'Alerts (new)' }];
    expect(checkTickets({ enabled: true, queueId: '12' }, renamed, stored, 'board')).toEqual({
      ok: true,
      settings: { enabled: true, queue: renamed[0] },
    });
    expect(checkTickets({ enabled: true, queueId: '99' }, [alerts], off, 'board').ok).toBe(false);
  });
});
