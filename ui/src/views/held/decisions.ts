// The operator's decisions on held changes: one per item (approve or reject, undecided until
// chosen), all at once, and the keys the backend takes. Pure.
import type { HeldKey } from '../../bindings/HeldKey';
import type { PlanItem } from '../../ipc/types';

export type Decision = 'approve' | 'reject';
export type Decisions = Readonly<Record<string, Decision>>;

export function keyOf(item: Pick<PlanItem, 'workspace_id' | 'service_key'>): string {
  return `${item.workspace_id}\u0000${item.service_key}`;
}

export function decideAll(items: readonly PlanItem[], d: Decision): Decisions {
  return Object.fromEntries(items.map((i) => [keyOf(i), d]));
}

export function counts(items: readonly PlanItem[], decisions: Decisions): { approved: number; rejected: number; open: number } {
  let approved = 0;
  let rejected = 0;
  for (const i of items) {
    const d = decisions[keyOf(i)];
    if (d === 'approve') approved += 1;
    else if (d === 'reject') rejected += 1;
  }
  return { approved, rejected, open: items.length - approved - rejected };
}

/** The approved items as the backend names them; every item must be decided first. */
export function approvedKeys(items: readonly PlanItem[], decisions: Decisions): HeldKey[] | null {
  if (counts(items, decisions).open > 0) return null;
  return items
    .filter((i) => decisions[keyOf(i)] === 'approve')
    .map((i) => ({ workspace_id: i.workspace_id, service_key: i.service_key }));
}
