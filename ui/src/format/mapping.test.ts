import { describe, expect, it } from 'vitest';
import type { ServiceRow, WorkspaceRow } from '../ipc/types';
import {
  companyNoun,
  productNoun,
  rowMatches,
  serviceSummary,
  staleCompanyText,
  suggestionText,
  summaryText,
  unitOverride,
  workspaceStatus,
  workspaceSummary,
} from './mapping';

const ws = (over: Partial<WorkspaceRow>): WorkspaceRow => ({
  workspace_id: 'ws',
  name: 'WS',
  status: 'subscription',
  archived: false,
  company: null,
  stale: false,
  suggestion: null,
  ...over,
});

const company = { id: 1, name: 'Contoso', identifier: null };

describe('workspaceSummary', () => {
  it('counts mapped billable rows, stale ones apart, archived ones outside the total', () => {
    const rows = [
      ws({ company }),
      ws({ company, stale: true }),
      ws({}),
      ws({ archived: true, company }),
      ws({ archived: true }),
    ];
    expect(workspaceSummary(rows)).toEqual({ mapped: 1, total: 3, stale: 1, archived: 2 });
  });
  it('reads as N of M mapped', () => {
    expect(summaryText({ mapped: 3, total: 12, stale: 0, archived: 0 })).toBe('3 of 12 mapped');
    expect(summaryText({ mapped: 3, total: 12, stale: 1, archived: 2 })).toBe(
      '3 of 12 mapped · 1 needs attention · 2 archived (not billed)',
    );
    expect(summaryText({ mapped: 0, total: 2, stale: 2, archived: 0 })).toBe('0 of 2 mapped · 2 need attention');
  });
});

describe('serviceSummary', () => {
  const svc = (over: Partial<ServiceRow>): ServiceRow => ({
    service_key: 'k',
    name: 'K',
    known: true,
    default_unit: 'device',
    unit: 'device',
    product: null,
    stale: false,
    suggestion: null,
    in_use: null,
    ...over,
  });
  it('counts every service as billable', () => {
    expect(serviceSummary([svc({ product: company }), svc({})])).toEqual({ mapped: 1, total: 2, stale: 0, archived: 0 });
  });
  it('sends a unit only when it differs from the default', () => {
    expect(unitOverride(svc({}))).toBeNull();
    expect(unitOverride(svc({ unit: 'user' }))).toBe('user');
  });
});

describe('suggestionText', () => {
  it('shows the name and a rounded percentage', () => {
    expect(suggestionText({ id: 3, name: 'Contoso Ltd', score: 0.917 })).toBe('Suggested: Contoso Ltd (92%)');
    expect(suggestionText({ id: 3, name: 'X', score: 1.2 })).toBe('Suggested: X (100%)');
  });
});

describe('workspaceStatus', () => {
  it('labels known statuses', () => {
    expect(workspaceStatus('subscription', false)).toEqual({ label: 'Subscription', tone: 'success' });
    expect(workspaceStatus('TRIAL', false)).toEqual({ label: 'Trial', tone: 'info' });
  });
  it('lets archived win', () => {
    expect(workspaceStatus('subscription', true)).toEqual({ label: 'Archived', tone: 'neutral' });
  });
  it('makes unknown statuses readable', () => {
    expect(workspaceStatus('pending_setup', false)).toEqual({ label: 'Pending setup', tone: 'neutral' });
    expect(workspaceStatus('', false)).toEqual({ label: 'Unknown', tone: 'neutral' });
  });
});

describe('nouns and explanations', () => {
  it('uses the PSA words of the vendor guides', () => {
    expect(companyNoun('connectwise')).toBe('ConnectWise company');
    expect(companyNoun('autotask')).toBe('Autotask company');
    expect(productNoun('connectwise')).toBe('ConnectWise product');
    expect(productNoun('autotask')).toBe('Autotask service');
  });
  it('explains a stale mapping', () => {
    expect(staleCompanyText('autotask', 'Contoso')).toMatch(/^Contoso no longer exists in Autotask/);
  });
});

describe('rowMatches', () => {
  it('matches any field case-insensitively, everything for an empty filter', () => {
    expect(rowMatches('', 'a')).toBe(true);
    expect(rowMatches('CON', 'Contoso', null)).toBe(true);
    expect(rowMatches('ws_1', 'Contoso', 'ws_12')).toBe(true);
    expect(rowMatches('zzz', 'Contoso', undefined)).toBe(false);
  });
});
