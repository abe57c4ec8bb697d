// Text, tone and filtering for the sync preview (plan) and the items of a recorded run. Pure.
import type { Cause } from '../bindings/Cause';
import type { Action, PlanItem, PlanTotals, RunCounts, RunItemView, Trigger } from '../ipc/types';

/** What became of a recorded item (the journal's outcome). */
export type ItemOutcome = RunItemView['outcome'];
import { outcomeLabel, outcomeTone, type Tone } from './connector';

/**
 * The fields a plan item (PlanItem) and a recorded run item (RunItemView) share. A run item has
 * no line name.
 */
export type ItemLike = Pick<PlanItem, 'workspace_id' | 'service_key' | 'before' | 'after' | 'reason'> & {
  action: Action;
  workspace_name?: string | null;
  service_name?: string | null;
  company_id?: number | null;
  company_name?: string | null;
  product_id?: number | null;
  product_name?: string | null;
  line_ref?: string | null;
  line_name?: string | null;
  cause?: Cause | null;
};

const ACTIONS: Record<Action, { label: string; tone: Tone }> = {
  unchanged: { label: 'Unchanged', tone: 'neutral' },
  increase: { label: 'Increase', tone: 'success' },
  decrease: { label: 'Decrease', tone: 'info' },
  skip: { label: 'Skip', tone: 'neutral' },
  hold: { label: 'Hold', tone: 'warning' },
};

export const ACTION_ORDER: readonly Action[] = ['increase', 'decrease', 'hold', 'skip', 'unchanged'];

export function actionLabel(action: Action): string {
  return ACTIONS[action].label;
}

export function actionTone(action: Action): Tone {
  return ACTIONS[action].tone;
}

/** Label and tone of each journal outcome (the Record makes a new one a type error here). */
const OUTCOMES: Readonly<Record<ItemOutcome, { label: string; tone: Tone; title?: string }>> = {
  planned: { label: 'Planned', tone: 'neutral' },
  pending: {
    label: 'Unconfirmed',
    tone: 'warning',
    title: 'The PSA call was made but its result is not known; the next run re-reads the quantity.',
  },
  awaiting: {
    label: 'Awaiting Autotask',
    tone: 'warning',
    title:
      'Autotask accepted the change but does not show it yet; later runs re-read the line and never send it again.',
  },
  applied: { label: 'Applied', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  skipped: { label: 'Skipped', tone: 'neutral' },
  held: { label: 'Held', tone: 'warning' },
};

export function itemOutcome(outcome: ItemOutcome): { label: string; tone: Tone; title?: string } {
  return OUTCOMES[outcome];
}

const TRIGGERS: Record<Trigger, string> = {
  schedule: 'Daily schedule',
  tray: 'Tray',
  ui: 'App',
  cli: 'Command line',
};

export function triggerLabel(trigger: Trigger): string {
  return TRIGGERS[trigger] ?? trigger;
}

/** "—" for an unknown quantity. */
export function qty(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

/** "+3", "−2" (a real minus sign), "" when there is no change or a side is unknown. */
export function deltaText(before: number | null, after: number | null): string {
  if (before === null || after === null || before === after) return '';
  const d = after - before;
  return d > 0 ? `+${d.toLocaleString('en-US')}` : `−${(-d).toLocaleString('en-US')}`;
}

/** The row id used in test ids and keys: `{workspaceId}-{serviceKey}`. */
export function itemKey(item: Pick<ItemLike, 'workspace_id' | 'service_key'>): string {
  return `${item.workspace_id}-${item.service_key}`;
}

export function workspaceText(item: ItemLike): string {
  return item.workspace_name?.trim() || item.workspace_id;
}

/** Service name, or its key; a workspace-level item (no service) reads "Whole workspace". */
export function serviceText(item: ItemLike): string {
  if (item.service_key === '') return 'Whole workspace';
  return item.service_name?.trim() || item.service_key;
}

export function companyText(item: ItemLike): string | null {
  return item.company_name?.trim() || (item.company_id != null ? `Company #${item.company_id}` : null);
}

export function productText(item: ItemLike): string | null {
  return item.product_name?.trim() || (item.product_id != null ? `Product #${item.product_id}` : null);
}

export type PlanFilter = {
  /** Unchanged items are hidden unless this is set (or the action filter asks for them). */
  showUnchanged: boolean;
  action: Action | 'all';
  /** Matches workspace, service, company or product names and ids. */
  text: string;
  /** Only the skipped lines of one group (`other`: those without a kind). */
  cause: Cause | 'other' | 'all';
};

export const DEFAULT_PLAN_FILTER: PlanFilter = { showUnchanged: false, action: 'all', text: '', cause: 'all' };

/** Changes first, then held, skipped and unchanged (ACTION_ORDER); otherwise as given. */
export function changesFirst<T extends ItemLike>(items: readonly T[]): T[] {
  const rank = (a: Action) => ACTION_ORDER.indexOf(a);
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => rank(a.item.action) - rank(b.item.action) || a.i - b.i)
    .map((x) => x.item);
}

export function filterItems<T extends ItemLike>(items: readonly T[], f: PlanFilter): T[] {
  const text = f.text.trim().toLowerCase();
  return items.filter((item) => {
    if (f.action !== 'all' ? item.action !== f.action : !f.showUnchanged && item.action === 'unchanged') return false;
    if (f.cause !== 'all' && (item.action !== 'skip' || (item.cause ?? 'other') !== f.cause)) return false;
    if (text === '') return true;
    return [item.workspace_id, item.workspace_name, item.service_key, item.service_name, item.company_name, item.product_name]
      .some((v) => v != null && v.toLowerCase().includes(text));
  });
}

/** How many PSA writes applying the plan makes. */
export function writeCount(totals: PlanTotals, approveHeld: boolean): number {
  return totals.increase + totals.decrease + (approveHeld ? totals.hold : 0);
}

export type TotalChip = { key: string; label: string; tone: Tone };

/** The totals line of the preview: only the non-zero counts, unchanged last. */
export function totalChips(t: PlanTotals): TotalChip[] {
  const chips: TotalChip[] = [];
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  if (t.increase > 0)
    chips.push({ key: 'increase', tone: 'success', label: `${plural(t.increase, 'increase', 'increases')} (+${units(t.units_added)})` });
  if (t.decrease > 0)
    chips.push({ key: 'decrease', tone: 'info', label: `${plural(t.decrease, 'decrease', 'decreases')} (−${units(t.units_removed)})` });
  if (t.hold > 0) chips.push({ key: 'hold', tone: 'warning', label: `${plural(t.hold, 'held decrease', 'held decreases')}` });
  if (t.skip > 0) chips.push({ key: 'skip', tone: 'neutral', label: `${plural(t.skip, 'skipped', 'skipped')}` });
  chips.push({ key: 'unchanged', tone: 'neutral', label: `${plural(t.unchanged, 'unchanged', 'unchanged')}` });
  return chips;
}

function units(n: number): string {
  const abs = Math.abs(n);
  return `${abs.toLocaleString('en-US')} ${abs === 1 ? 'unit' : 'units'}`;
}

/** "12 of 40". */
export function progressText(done: number, total: number): string {
  return `${Math.min(done, total).toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
}

/**
 * "3 applied · 1 failed", or "No changes" for a run that wrote nothing. A dry run wrote nothing
 * by design: it says what it planned ("5 planned · 2 held").
 */
export function countsText(c: RunCounts, dryRun = false): string {
  const parts: string[] = [];
  if (dryRun && c.planned > 0) parts.push(`${c.planned} planned`);
  if (c.applied > 0) parts.push(`${c.applied} applied`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.unconfirmed > 0) parts.push(`${c.unconfirmed} unconfirmed`);
  if (c.held > 0) parts.push(`${c.held} held`);
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  if (parts.length === 0) return c.planned > 0 ? `${c.planned} planned` : 'No changes';
  return parts.join(' · ');
}

/**
 * A run's status as the History list, the run page and the Sync result show it. A run that
 * succeeded but left lines unbilled (a missing mapping or line, several candidate lines…) is not
 * plain green: "Succeeded — 12 lines need attention".
 */
export function runStatusText(status: string, counts: RunCounts): { label: string; tone: Tone } {
  const label = outcomeLabel(status);
  if (status === 'succeeded' && counts.unbilled > 0) {
    const n = counts.unbilled;
    return { label: `${label} — ${n.toLocaleString('en-US')} ${n === 1 ? 'line needs' : 'lines need'} attention`, tone: 'warning' };
  }
  return { label, tone: outcomeTone(status) };
}

/** The workspaces of a run's items, for its filter: unique, sorted by name. */
export function workspaceChoices(items: readonly RunItemView[]): Array<{ id: string; name: string }> {
  const seen = new Map<string, string>();
  for (const item of items) if (!seen.has(item.workspace_id)) seen.set(item.workspace_id, workspaceText(item));
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}
