// Shapes of the events the backend pushes to the UI, and their checks.

/** A backend → UI notification on the `app-event` channel. Only `kind` is relied on so far. */
export type AppEvent = { kind: string };

/** The Tauri event that carries every `AppEvent`. */
export const APP_EVENT = 'app-event';
/** The Tauri event the tray emits to open a screen; its payload is a route such as "history". */
export const NAVIGATE_EVENT = 'navigate';

export function asAppEvent(payload: unknown): AppEvent | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { kind } = payload as Record<string, unknown>;
  return typeof kind === 'string' ? { kind } : null;
}

export function asRouteName(payload: unknown): string | null {
  return typeof payload === 'string' && payload.trim() !== '' ? payload.trim() : null;
}
