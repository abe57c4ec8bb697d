// Shapes of the events the backend pushes to the UI, and their checks.

/** A backend → UI notification on the `app-event` channel. */
export type AppEvent =
  | { kind: 'sync_progress'; run_id: number; done: number; total: number }
  | { kind: 'run_finished'; run_id: number; status: string }
  | { kind: 'connectors_changed' }
  | { kind: 'settings_changed' }
  /** A kind this UI does not know yet (`name` is the kind as sent); still worth a reload. */
  | { kind: 'other'; name: string };

/** The Tauri event that carries every `AppEvent`. */
export const APP_EVENT = 'app-event';
/** The Tauri event the tray emits to open a screen; its payload is a route such as "history". */
export const NAVIGATE_EVENT = 'navigate';

export function asAppEvent(payload: unknown): AppEvent | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  const { kind } = p;
  if (typeof kind !== 'string') return null;
  switch (kind) {
    case 'sync_progress': {
      const { run_id, done, total } = p;
      return isCount(run_id) && isCount(done) && isCount(total) ? { kind, run_id, done, total } : null;
    }
    case 'run_finished': {
      const { run_id, status } = p;
      return isCount(run_id) && typeof status === 'string' ? { kind, run_id, status } : null;
    }
    case 'connectors_changed':
    case 'settings_changed':
      return { kind };
    default:
      return { kind: 'other', name: kind };
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function asRouteName(payload: unknown): string | null {
  return typeof payload === 'string' && payload.trim() !== '' ? payload.trim() : null;
}
