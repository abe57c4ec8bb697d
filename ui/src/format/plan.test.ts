import { describe, expect, it } from 'vitest';
import type { PlanItem, PlanTotals, RunItemView } from '../ipc/types';
import {
  DEFAULT_PLAN_FILTER,
  changesFirst,
  actionLabel,
  actionTone,
  companyText,
  countsText,
  deltaText,
  filterItems,
  itemKey,
  itemOutcome,
  productText,
  progressText,
  qty,
  runStatusText,
  serviceText,
  totalChips,
  triggerLabel,
  workspaceChoices,
  workspaceText,
  writeCount,
} from './plan';

const item = (over: Partial<PlanItem>): PlanItem => ({
  workspace_id: 'ws1',
  workspace_name: 'Contoso',
  service_key: 'edr',
  service_name: 'Endpoint Detection & Response',
  unit: null,
  company_id: 10,
  company_name: 'Contoso Ltd',
  product_id: 20,
  product_name: 'Coro EDR',
  line_ref: 'agreement 1 / addition 2',
  line_name: 'Managed Services',
  before: 10,
  after: 12,
  action: 'increase',
  reason: null,
  flag: null,
  cause: null,
  ...over,
});

const totals: PlanTotals = {
  unchanged: 7,
  increase: 2,
  decrease: 1,
  skip: 1,
  hold: 3,
  units_added: 5,
  units_removed: 1,
};

describe('actions', () => {
  it('has a label and tone for each', () => {
    expect(actionLabel('hold')).toBe('Hold');
    expect(actionTone('hold')).toBe('warning');
    expect(actionTone('increase')).toBe('success');
    expect(actionTone('unchanged')).toBe('neutral');
  });
  it('labels outcomes and triggers', () => {
    expect(itemOutcome('pending').label).toBe('Unconfirmed');
    expect(itemOutcome('failed').tone).toBe('danger');
    expect(itemOutcome('held')).toEqual({ label: 'Held', tone: 'warning' });
    expect(itemOutcome('applied').tone).toBe('success');
    expect(triggerLabel('schedule')).toBe('Daily schedule');
    expect(triggerLabel('ui')).toBe('App');
  });
});

describe('quantities', () => {
  it('formats unknown quantities as a dash', () => {
    expect(qty(null)).toBe('—');
    expect(qty(1200)).toBe('1,200');
  });
  it('shows signed deltas with a real minus', () => {
    expect(deltaText(10, 12)).toBe('+2');
    expect(deltaText(12, 10)).toBe('−2');
    expect(deltaText(10, 10)).toBe('');
    expect(deltaText(null, 10)).toBe('');
  });
});

describe('names', () => {
  it('keys rows by workspace and service', () => {
    expect(itemKey(item({}))).toBe('ws1-edr');
  });
  it('falls back to keys and ids', () => {
    expect(serviceText(item({ service_name: '' }))).toBe('edr');
    expect(serviceText(item({ service_key: '' }))).toBe('Whole workspace');
    expect(companyText(item({ company_name: null }))).toBe('Company #10');
    expect(companyText(item({ company_name: null, company_id: null }))).toBeNull();
  });
  it('names a recorded run item whose company and product are not in the cache', () => {
    const recorded: RunItemView = {
      item_id: 1,
      workspace_id: 'ws1',
      workspace_name: null,
      company_name: null,
      product_name: null,
      service_key: 'edr',
      service_name: 'Endpoint Detection & Response',
      company_id: 10,
      product_id: null,
      line_ref: null,
      action: 'decrease',
      before: 5,
      after: 3,
      outcome: 'pending',
      reason: null,
      cause: null,
      request_id: null,
    };
    expect(workspaceText(recorded)).toBe('ws1');
    expect(companyText(recorded)).toBe('Company #10');
    expect(productText(recorded)).toBeNull();
    expect(actionTone(recorded.action)).toBe('info');
    expect(filterItems([recorded], { ...DEFAULT_PLAN_FILTER, action: 'decrease' })).toEqual([recorded]);
  });
});

describe('filterItems', () => {
  const items = [
    item({ workspace_id: 'a', action: 'increase' }),
    item({ workspace_id: 'b', action: 'unchanged' }),
    item({ workspace_id: 'c', action: 'hold', workspace_name: 'Fabrikam' }),
  ];
  const ids = (xs: PlanItem[]) => xs.map((x) => x.workspace_id);

  it('hides unchanged items by default', () => {
    expect(ids(filterItems(items, DEFAULT_PLAN_FILTER))).toEqual(['a', 'c']);
    expect(ids(filterItems(items, { ...DEFAULT_PLAN_FILTER, showUnchanged: true }))).toEqual(['a', 'b', 'c']);
  });
  it('filters by action, unchanged included when asked for', () => {
    expect(ids(filterItems(items, { ...DEFAULT_PLAN_FILTER, action: 'hold' }))).toEqual(['c']);
    expect(ids(filterItems(items, { ...DEFAULT_PLAN_FILTER, action: 'unchanged' }))).toEqual(['b']);
  });
  it('filters by text over names', () => {
    expect(ids(filterItems(items, { ...DEFAULT_PLAN_FILTER, text: 'fabri' }))).toEqual(['c']);
    expect(ids(filterItems(items, { ...DEFAULT_PLAN_FILTER, text: 'coro edr' }))).toEqual(['a', 'c']);
  });
  it('filters to one group of skipped lines by cause', () => {
    const mixed = [
      ...items,
      item({ workspace_id: 'd', action: 'skip', cause: 'no_line' }),
      item({ workspace_id: 'e', action: 'skip', cause: null }),
      item({ workspace_id: 'f', action: 'skip', cause: 'many_lines' }),
    ];
    expect(ids(filterItems(mixed, { ...DEFAULT_PLAN_FILTER, action: 'skip', cause: 'no_line' }))).toEqual(['d']);
    expect(ids(filterItems(mixed, { ...DEFAULT_PLAN_FILTER, action: 'skip', cause: 'other' }))).toEqual(['e']);
  });
});

describe('changesFirst', () => {
  it('puts changes first, then held, skipped and unchanged, keeping the order within each', () => {
    const rows = [
      item({ workspace_id: 's1', action: 'skip' }),
      item({ workspace_id: 'u', action: 'unchanged' }),
      item({ workspace_id: 'h', action: 'hold' }),
      item({ workspace_id: 'd', action: 'decrease' }),
      item({ workspace_id: 's2', action: 'skip' }),
      item({ workspace_id: 'i', action: 'increase' }),
    ];
    expect(changesFirst(rows).map((r) => r.workspace_id)).toEqual(['i', 'd', 'h', 's1', 's2', 'u']);
  });
});

describe('totals', () => {
  it('counts the writes, held ones only when approved', () => {
    expect(writeCount(totals, false)).toBe(3);
    expect(writeCount(totals, true)).toBe(6);
  });
  it('lists the non-zero counts with units', () => {
    expect(totalChips(totals).map((c) => c.label)).toEqual([
      '2 increases (+5 units)',
      '1 decrease (−1 unit)',
      '3 held decreases',
      '1 skipped',
      '7 unchanged',
    ]);
    expect(totalChips({ ...totals, increase: 0, decrease: 0, hold: 0, skip: 0 }).map((c) => c.key)).toEqual(['unchanged']);
  });
  it('reads progress as done of total', () => {
    expect(progressText(12, 40)).toBe('12 of 40');
    expect(progressText(41, 40)).toBe('40 of 40');
  });
  it('summarises a run', () => {
    const zero = { planned: 0, applied: 0, failed: 0, skipped: 0, held: 0, unconfirmed: 0, unbilled: 0 };
    expect(countsText(zero)).toBe('No changes');
    expect(countsText({ ...zero, planned: 4 })).toBe('4 planned');
    expect(countsText({ ...zero, applied: 3, failed: 1, held: 2 })).toBe('3 applied · 1 failed · 2 held');
    // A dry run says what it planned, with what it held and skipped.
    expect(countsText({ ...zero, planned: 5, held: 2, skipped: 3 }, true)).toBe('5 planned · 2 held · 3 skipped');
    expect(countsText({ ...zero, planned: 5, held: 2, skipped: 3 })).toBe('2 held · 3 skipped');
  });
  it('a succeeded run that left lines unbilled is not plain green', () => {
    const zero = { planned: 0, applied: 0, failed: 0, skipped: 0, held: 0, unconfirmed: 0, unbilled: 0 };
    expect(runStatusText('succeeded', zero)).toEqual({ label: 'Succeeded', tone: 'success' });
    expect(runStatusText('succeeded', { ...zero, skipped: 14, unbilled: 12 })).toEqual({
      label: 'Succeeded — 12 lines need attention',
      tone: 'warning',
    });
    expect(runStatusText('succeeded', { ...zero, skipped: 1, unbilled: 1 }).label).toBe('Succeeded — 1 line needs attention');
    expect(runStatusText('failed', { ...zero, unbilled: 3 }).label).toBe('Failed');
  });
});

describe('workspaceChoices', () => {
  it('lists each workspace once, by name', () => {
    const run = (id: string, name: string | null): RunItemView => ({
      item_id: 1,
      workspace_id: id,
      workspace_name: name,
      company_name: null,
      product_name: null,
      service_key: 'edr',
      service_name: 'Endpoint Detection & Response',
      company_id: 10,
      product_id: 20,
      line_ref: null,
      action: 'increase',
      before: 10,
      after: 12,
      outcome: 'applied',
      reason: null,
      cause: null,
      request_id: 'req-1',
    });
    expect(workspaceChoices([run('b', 'Zeta'), run('a', 'Alpha'), run('b', 'Zeta'), run('c', null)])).toEqual([
      { id: 'a', name: 'Alpha' },
      { id: 'c', name: 'c' },
      { id: 'b', name: 'Zeta' },
    ]);
  });
});
