import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../bindings/CheckReport';
import type { Problem } from '../bindings/Problem';
import { problemCountText, problemCounts, problemLabel, problemsByWorkspace } from './preflight';

const problem = (workspace_id: string, kind: Problem['kind']): Problem => ({
  kind,
  workspace_id,
  workspace_name: workspace_id,
  company_id: 1,
  company_name: 'Acme',
  service_key: null,
  reason: 'why',
});

const report = (connector_id: number, problems: Problem[]): CheckReport => ({
  connector_id,
  connector_name: 'CW',
  checked_at: '2026-12-07T08:00:00Z',
  companies: 3,
  problems,
  psa_requests: 4,
});

describe('preflight', () => {
  it('counts in words', () => {
    expect(problemCountText(0)).toBe('No problems');
    expect(problemCountText(1)).toBe('1 problem');
    expect(problemCountText(3)).toBe('3 problems');
  });

  it('groups problems by workspace, keeping their order', () => {
    const r = report(1, [problem('a', 'ends_soon'), problem('b', 'no_line'), problem('a', 'several_lines')]);
    const by = problemsByWorkspace(r);
    expect(by.get('a')?.map((p) => p.kind)).toEqual(['ends_soon', 'several_lines']);
    expect(by.get('b')?.length).toBe(1);
    expect(problemsByWorkspace(null).size).toBe(0);
  });

  it('counts per connector', () => {
    const counts = problemCounts([report(1, [problem('a', 'ended')]), report(2, [])]);
    expect(counts.get(1)).toBe(1);
    expect(counts.get(2)).toBe(0);
    expect(counts.get(3)).toBeUndefined();
  });

  it('labels every kind', () => {
    expect(problemLabel('company_inactive')).toBe('Company inactive');
    expect(problemLabel('closed_holds_product')).toBe('Closed agreement holds product');
  });
});
