import { describe, expect, it } from 'vitest';
import type { WorkspaceRow } from '../../ipc/types';
import { acceptable, unmappable } from './bulk';

const row = (id: string, over: Partial<WorkspaceRow>): WorkspaceRow => ({
  workspace_id: id,
  name: id,
  status: 'subscription',
  archived: false,
  company: null,
  stale: false,
  suggestion: null,
  ...over,
});

describe('bulk mapping', () => {
  const rows = [
    row('a', { suggestion: { id: 1, name: 'A', score: 0.9 } }),
    row('b', { company: { id: 2, name: 'B', identifier: null }, suggestion: null }),
    row('c', { archived: true, suggestion: { id: 3, name: 'C', score: 0.9 } }),
    row('d', {}),
  ];
  it('accepts only the suggestions of unmapped, billable rows', () => {
    expect(acceptable(rows)).toEqual([{ workspace_id: 'a', company_id: 1 }]);
  });
  it('unmaps only mapped rows', () => {
    expect(unmappable(rows)).toEqual([{ workspace_id: 'b', company_id: null }]);
  });
});
