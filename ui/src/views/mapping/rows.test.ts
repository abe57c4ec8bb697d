import { describe, expect, it } from 'vitest';
import type { PickOption, ServiceRow, WorkspaceRow } from '../../ipc/types';
import { filterRows, heldNote, holders } from './rows';

const contoso: PickOption = { id: 1, name: 'Contoso', identifier: null };
const fabrikam: PickOption = { id: 2, name: 'Fabrikam', identifier: 'FAB' };

const ws = (id: string, name: string, company: PickOption | null): WorkspaceRow => ({
  workspace_id: id,
  name,
  status: 'subscription',
  archived: false,
  company,
  stale: false,
  suggestion: null,
});

const svc = (key: string, name: string, product: PickOption | null): ServiceRow => ({
  service_key: key,
  name,
  known: true,
  default_unit: 'device',
  unit: 'device',
  product,
  stale: false,
  suggestion: null,
  in_use: null,
});

describe('holders', () => {
  it('names the workspace each company is mapped to, by company id', () => {
    const a = ws('ws-a', 'Alpha', contoso);
    const b = ws('ws-b', 'Beta', null);
    const c = ws('ws-c', 'Gamma', fabrikam);
    const map = holders([a, b, c], (r) => r.company);
    expect([...map.entries()]).toEqual([
      [1, a],
      [2, c],
    ]);
  });
  it('keeps the last row when several services bill as one product', () => {
    const map = holders([svc('edr', 'EDR', contoso), svc('email', 'Email', contoso)], (r) => r.product);
    expect(map.get(1)?.name).toBe('Email');
    expect(map.size).toBe(1);
  });
  it('is empty when nothing is mapped', () => {
    expect(holders([ws('ws-a', 'Alpha', null)], (r) => r.company).size).toBe(0);
  });
});

describe('heldNote', () => {
  it('says which row holds an option, and nothing for a free one', () => {
    const map = holders([ws('ws-a', 'Alpha', contoso)], (r) => r.company);
    expect(heldNote(map.get(contoso.id))).toBe('Mapped to Alpha');
    expect(heldNote(map.get(fabrikam.id))).toBeNull();
  });
});

describe('filterRows', () => {
  const rows = [ws('ws-a', 'Alpha', contoso), ws('ws-b', 'Beta', null), ws('ws-c', 'Gamma', fabrikam)];
  const fields = (r: WorkspaceRow) => [r.name, r.workspace_id, r.company?.name];
  it('keeps every row for an empty or blank filter', () => {
    expect(filterRows(rows, '', fields)).toHaveLength(3);
    expect(filterRows(rows, '   ', fields)).toHaveLength(3);
  });
  it('matches the name, the id or the mapped name, ignoring case and surrounding blanks', () => {
    expect(filterRows(rows, ' beta ', fields).map((r) => r.workspace_id)).toEqual(['ws-b']);
    expect(filterRows(rows, 'WS-C', fields).map((r) => r.workspace_id)).toEqual(['ws-c']);
    expect(filterRows(rows, 'contoso', fields).map((r) => r.workspace_id)).toEqual(['ws-a']);
  });
  it('keeps the order and returns nothing when nothing matches', () => {
    expect(filterRows(rows, 'a', fields).map((r) => r.workspace_id)).toEqual(['ws-a', 'ws-b', 'ws-c']);
    expect(filterRows(rows, 'zzz', fields)).toEqual([]);
  });
});
