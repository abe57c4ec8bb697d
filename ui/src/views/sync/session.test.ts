import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent, PlanView, RunSummary } from '../../ipc';

// The backend, faked: preview answers a plan; apply waits until the test finishes it.
const backend = vi.hoisted(() => ({
  handler: null as ((e: AppEvent) => void) | null,
  finishApply: null as ((r: RunSummary) => void) | null,
  applyArgs: [] as unknown[],
}));

vi.mock('../../ipc', () => ({
  syncPreview: vi.fn(async (connectorId: number) => plan(connectorId)),
  syncApply: vi.fn((...args: unknown[]) => {
    backend.applyArgs = args;
    return new Promise<RunSummary>((resolve) => (backend.finishApply = resolve));
  }),
  onEvent: vi.fn(async (handler: (e: AppEvent) => void) => {
    backend.handler = handler;
    return () => (backend.handler = null);
  }),
}));

import { apply, chooseConnector, getSession, preview, resetSession, setApproveHeld } from './session';

function plan(connectorId: number): PlanView {
  return {
    plan_id: 'p-1',
    connector_id: connectorId,
    items: [],
    totals: { unchanged: 3, increase: 2, decrease: 1, skip: 0, hold: 2, units_added: 4, units_removed: 1 },
    generated_at: '2025-03-04T10:00:00Z',
  };
}

const summary: RunSummary = {
  run_id: 12,
  connector_id: 5,
  trigger: 'ui',
  dry_run: false,
  status: 'succeeded',
  started_at: '2025-03-04T10:00:00Z',
  finished_at: '2025-03-04T10:00:09Z',
  counts: { planned: 5, applied: 5, failed: 0, skipped: 0, held: 0, unconfirmed: 0, unbilled: 0 },
  first_failure_reason: null,
  attention: [],
};

const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => resetSession());

describe('sync session', () => {
  it('previews the chosen connector', async () => {
    chooseConnector(5);
    await preview();
    expect(getSession().plan?.plan_id).toBe('p-1');
    expect(getSession().previewing).toBe(false);
  });

  it('applies exactly the previewed plan and follows only its own progress', async () => {
    chooseConnector(5);
    await preview();
    setApproveHeld(true);
    const done = apply();
    await flush();
    expect(backend.applyArgs).toEqual([5, 'p-1', true]);
    expect(getSession().progress).toEqual({ runId: null, done: 0, total: 5 });

    backend.handler?.({ kind: 'sync_progress', run_id: 12, done: 2, total: 5 });
    backend.handler?.({ kind: 'sync_progress', run_id: 99, done: 1, total: 1 }); // another run
    expect(getSession().progress).toEqual({ runId: 12, done: 2, total: 5 });

    chooseConnector(6); // ignored while applying
    expect(getSession().connectorId).toBe(5);

    backend.finishApply?.(summary);
    await done;
    expect(getSession()).toMatchObject({ applying: false, applied: true, result: summary });
    expect(backend.handler).toBeNull(); // stopped listening
  });

  it('applies a plan once', async () => {
    chooseConnector(5);
    await preview();
    const first = apply();
    await flush();
    backend.finishApply?.(summary);
    await first;
    backend.applyArgs = [];
    await apply();
    expect(backend.applyArgs).toEqual([]);
  });

  it('drops the plan when another connector is chosen', async () => {
    chooseConnector(5);
    await preview();
    chooseConnector(6);
    expect(getSession()).toMatchObject({ connectorId: 6, plan: null });
  });
});
