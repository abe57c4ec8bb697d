import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, sectionOf, type Route } from './router';

describe('parseRoute', () => {
  const cases: Array<[string, Route]> = [
    ['', { name: 'connectors' }],
    ['#', { name: 'connectors' }],
    ['#/', { name: 'connectors' }],
    ['#/connectors', { name: 'connectors' }],
    ['#/sync', { name: 'sync' }],
    ['#/history', { name: 'history' }],
    ['#/settings', { name: 'settings' }],
    ['#/settings/', { name: 'settings' }],
    ['history', { name: 'history' }],
    ['connectors', { name: 'connectors' }],
    ['#/connectors/7/workspaces', { name: 'workspace-mapping', connectorId: 7 }],
    ['#/connectors/12/services', { name: 'service-mapping', connectorId: 12 }],
    ['#/connectors/abc/services', { name: 'connectors' }],
    ['#/connectors/7/other', { name: 'connectors' }],
    ['#/history/extra', { name: 'connectors' }],
    ['#/history/42', { name: 'run', runId: 42 }],
    ['history/42', { name: 'run', runId: 42 }],
    ['#/history/42/more', { name: 'connectors' }],
    ['#/nowhere', { name: 'connectors' }],
    ['#/sync?from=tray', { name: 'sync' }],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)}`, () => expect(parseRoute(input)).toEqual(expected));
  }
});

describe('routeHref', () => {
  it('round-trips every route', () => {
    const routes: Route[] = [
      { name: 'connectors' },
      { name: 'sync' },
      { name: 'history' },
      { name: 'settings' },
      { name: 'workspace-mapping', connectorId: 3 },
      { name: 'service-mapping', connectorId: 4 },
      { name: 'run', runId: 9 },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('builds mapping links as the Connectors table expects', () => {
    expect(routeHref({ name: 'workspace-mapping', connectorId: 5 })).toBe('#/connectors/5/workspaces');
    expect(routeHref({ name: 'service-mapping', connectorId: 5 })).toBe('#/connectors/5/services');
  });
});

describe('sectionOf', () => {
  it('keeps mapping pages under Connectors', () => {
    expect(sectionOf({ name: 'service-mapping', connectorId: 1 })).toBe('connectors');
    expect(sectionOf({ name: 'history' })).toBe('history');
    expect(sectionOf({ name: 'run', runId: 3 })).toBe('history');
  });
});
