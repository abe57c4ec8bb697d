// The Sync screen's state, kept outside the component so a preview, an apply in flight and its
// progress survive leaving the screen and coming back. Progress events are followed from here
// while an apply runs, whatever screen is showing.
import { useEffect, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import { onEvent, syncApply, syncPreview, type PlanView, type RunSummary } from '../../ipc';
import { writeCount } from '../../format/plan';

export type SyncSession = {
  connectorId: ConnectorId | null;
  plan: PlanView | null;
  previewing: boolean;
  approveHeld: boolean;
  applying: boolean;
  /** Set once the plan has been applied: a plan is applied once. */
  applied: boolean;
  progress: { runId: number | null; done: number; total: number } | null;
  result: RunSummary | null;
};

const INITIAL: SyncSession = {
  connectorId: null,
  plan: null,
  previewing: false,
  approveHeld: false,
  applying: false,
  applied: false,
  progress: null,
  result: null,
};

let state: SyncSession = INITIAL;
const listeners = new Set<(s: SyncSession) => void>();

function set(patch: Partial<SyncSession>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener(state);
}

export function getSession(): SyncSession {
  return state;
}

/** Test hook and "start over". */
export function resetSession(): void {
  set(INITIAL);
}

export function useSyncSession(): SyncSession {
  const [snapshot, setSnapshot] = useState(state);
  useEffect(() => {
    listeners.add(setSnapshot);
    setSnapshot(state);
    return () => {
      listeners.delete(setSnapshot);
    };
  }, []);
  return snapshot;
}

/** Choosing another connector drops the plan of the previous one. */
export function chooseConnector(id: ConnectorId): void {
  if (state.connectorId === id || state.applying) return;
  set({ ...INITIAL, connectorId: id });
}

export function setApproveHeld(approve: boolean): void {
  if (!state.applying && !state.applied) set({ approveHeld: approve });
}

/** Reads both sides and plans; nothing is written. Rejects with the backend's error. */
export async function preview(): Promise<void> {
  const id = state.connectorId;
  if (id === null || state.previewing || state.applying) return;
  set({ previewing: true, plan: null, applied: false, approveHeld: false, progress: null, result: null });
  try {
    const plan = await syncPreview(id);
    if (state.connectorId === id) set({ plan });
  } finally {
    set({ previewing: false });
  }
}

/** Applies exactly the previewed plan, following its progress events. */
export async function apply(): Promise<void> {
  const { plan, connectorId, approveHeld } = state;
  if (!plan || connectorId === null || state.applying || state.applied) return;
  set({ applying: true, result: null, progress: { runId: null, done: 0, total: writeCount(plan.totals, approveHeld) } });
  const unlisten = await onEvent((e) => {
    if (e.kind !== 'sync_progress' || !state.applying) return;
    const current = state.progress;
    // The run id is only known from the first event; any other run's progress is not ours.
    if (current?.runId != null && current.runId !== e.run_id) return;
    set({ progress: { runId: e.run_id, done: e.done, total: e.total } });
  }).catch(() => () => {});
  try {
    const result = await syncApply(connectorId, plan.plan_id, approveHeld);
    set({ result, applied: true });
  } finally {
    unlisten();
    set({ applying: false });
  }
}
