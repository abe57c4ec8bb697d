// Hash routes (#/connectors, #/sync, …): parsing, building, and a hook that follows the hash.
import { useEffect, useState } from 'preact/hooks';
import type { ConnectorId } from './bindings/ConnectorId';

export type Route =
  | { name: 'connectors' }
  | { name: 'workspace-mapping'; connectorId: ConnectorId }
  | { name: 'service-mapping'; connectorId: ConnectorId }
  | { name: 'sync' }
  | { name: 'reconcile' }
  | { name: 'history' }
  | { name: 'run'; runId: number }
  | { name: 'settings' };

/** The screens reachable from the side navigation, in display order. */
export const TOP_LEVEL = ['connectors', 'sync', 'reconcile', 'history', 'settings'] as const;
export type TopLevel = (typeof TOP_LEVEL)[number];

export const DEFAULT_ROUTE: Route = { name: 'connectors' };

/**
 * Reads a route from a location hash ("#/history") or a bare route name ("history",
 * "history/12", as the tray and notifications send it). Anything unknown falls back to the
 * Connectors page.
 */
export function parseRoute(input: string): Route {
  const parts = input
    .replace(/^#/, '')
    .split(/[?#]/)[0]!
    .split('/')
    .filter((p) => p !== '');
  const [head, second, third] = parts;
  switch (head) {
    case 'sync':
    case 'reconcile':
    case 'settings':
      return parts.length === 1 ? { name: head } : DEFAULT_ROUTE;
    case 'history': {
      if (parts.length === 1) return { name: head };
      const runId = parseId(second);
      return parts.length === 2 && runId !== null ? { name: 'run', runId } : DEFAULT_ROUTE;
    }
    case 'connectors': {
      if (parts.length === 1) return DEFAULT_ROUTE;
      const connectorId = parseId(second);
      if (parts.length === 3 && connectorId !== null) {
        if (third === 'workspaces') return { name: 'workspace-mapping', connectorId };
        if (third === 'services') return { name: 'service-mapping', connectorId };
      }
      return DEFAULT_ROUTE;
    }
    default:
      return DEFAULT_ROUTE;
  }
}

function parseId(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'workspace-mapping':
      return `#/connectors/${route.connectorId}/workspaces`;
    case 'service-mapping':
      return `#/connectors/${route.connectorId}/services`;
    case 'run':
      return `#/history/${route.runId}`;
    default:
      return `#/${route.name}`;
  }
}

/** Which side-navigation entry a route belongs to. */
export function sectionOf(route: Route): TopLevel {
  switch (route.name) {
    case 'workspace-mapping':
    case 'service-mapping':
      return 'connectors';
    case 'run':
      return 'history';
    default:
      return route.name;
  }
}

export function navigate(route: Route): void {
  const href = routeHref(route);
  if (window.location.hash !== href) window.location.hash = href;
}

/** The current route, re-rendering on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    follow();
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
