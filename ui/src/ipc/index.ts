// The only module that talks to Tauri. Everything else imports typed functions from here.
import { invoke, isTauri, type InvokeArgs } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AppInfo } from '../bindings/AppInfo';
import type { ConnectorSummary } from '../bindings/ConnectorSummary';
import { BACKEND_UNAVAILABLE, toApiError } from './errors';
import { APP_EVENT, NAVIGATE_EVENT, asAppEvent, asRouteName, type AppEvent } from './events';

export type { ApiError } from '../bindings/ApiError';
export type { AppEvent } from './events';
export { isApiError, toApiError } from './errors';

/** Calls a backend command; a rejection always arrives as an `ApiError`. */
export async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  if (!isTauri()) throw BACKEND_UNAVAILABLE;
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function listConnectors(): Promise<ConnectorSummary[]> {
  return call<ConnectorSummary[]>('list_connectors');
}

export function syncNow(): Promise<void> {
  return call<void>('sync_now');
}

/** Subscribes to backend events. Resolves to an unsubscribe function (a no-op outside the app). */
export function onEvent(handler: (event: AppEvent) => void): Promise<UnlistenFn> {
  return subscribe(APP_EVENT, (payload) => {
    const event = asAppEvent(payload);
    if (event) handler(event);
  });
}

/** Subscribes to the tray's "open this screen" requests; the handler gets a route name. */
export function onNavigate(handler: (route: string) => void): Promise<UnlistenFn> {
  return subscribe(NAVIGATE_EVENT, (payload) => {
    const route = asRouteName(payload);
    if (route) handler(route);
  });
}

async function subscribe(event: string, handler: (payload: unknown) => void): Promise<UnlistenFn> {
  if (!isTauri()) return () => {};
  return listen<unknown>(event, (e) => handler(e.payload));
}
