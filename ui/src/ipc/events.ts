// The events the backend pushes to the UI, and their checks. Their shapes are generated from the
// Rust enum (src-tauri/src/events.rs → bindings/AppEvent.ts); a payload is still checked before
// use, since anything may arrive on the channel.

import type { AppEvent as BackendEvent } from '../bindings/AppEvent';

type RunFinished = Extract<BackendEvent, { kind: 'run_finished' }>;
type RunStatus = RunFinished['status'];

/** A backend → UI notification on the `app-event` channel. */
export type AppEvent =
  | BackendEvent
  /** A kind this UI does not know yet (`name` is the kind as sent); still worth a reload. */
  | { kind: 'other'; name: string };

/** The Tauri event that carries every `AppEvent`. */
export const APP_EVENT = 'app-event';
/** The Tauri event the tray emits to open a screen; its payload is a route such as "history". */
export const NAVIGATE_EVENT = 'navigate';

// Every run status, checked against the generated type both ways (a status added in Rust
// fails the typecheck here until it is listed).
const RUN_STATUS: Record<RunStatus, true> = {
  running: true,
  succeeded: true,
  partial: true,
  failed: true,
  held: true,
  interrupted: true,
};

export function asAppEvent(payload: unknown): AppEvent | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  const { kind } = p;
  if (typeof kind !== 'string') return null;
  return known(kind, p) ?? (isBackendKind(kind) ? null : { kind: 'other', name: kind });
}

/** The event when `kind` is one the backend sends and its fields are sound. */
function known(kind: string, p: Record<string, unknown>): BackendEvent | null {
  switch (kind) {
    case 'sync_progress': {
      const { run_id, done, total } = p;
      return isCount(run_id) && isCount(done) && isCount(total) ? { kind, run_id, done, total } : null;
    }
    case 'run_finished': {
      const { run_id, status } = p;
      return isCount(run_id) && isRunStatus(status) ? { kind, run_id, status } : null;
    }
    case 'connectors_changed':
    case 'settings_changed':
      return { kind };
    default:
      return null;
  }
}

// Every kind of the generated type (a kind added in Rust fails the typecheck here).
const BACKEND_KIND: Record<BackendEvent['kind'], true> = {
  sync_progress: true,
  run_finished: true,
  connectors_changed: true,
  settings_changed: true,
};

function isBackendKind(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(BACKEND_KIND, kind);
}

function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RUN_STATUS, value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function asRouteName(payload: unknown): string | null {
  return typeof payload === 'string' && payload.trim() !== '' ? payload.trim() : null;
}
