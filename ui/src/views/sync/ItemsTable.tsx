// The item table of a plan (Sync) and of a recorded run (History): workspace, service, PSA
// company/product and line, quantity before → after, action and reason — for a run also the
// outcome and the PSA's request id. Pairs share a cell so the table fits the default window.
// Changes come first; skipped lines are also grouped by reason above the table (SkipGroups).
// Filters: unchanged items hidden by default, by action, by text, by skip reason.
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { Pill } from '../../components/Pill';
import {
  ACTION_ORDER,
  DEFAULT_PLAN_FILTER,
  changesFirst,
  actionLabel,
  actionTone,
  companyText,
  deltaText,
  filterItems,
  itemKey,
  itemOutcome,
  productText,
  qty,
  serviceText,
  workspaceText,
  type ItemLike,
  type ItemOutcome,
  type PlanFilter,
} from '../../format/plan';
import type { Action } from '../../ipc';
import { SkipGroups, type FixContext } from './SkipGroups';

/** More rows than this are not rendered at once: the filters narrow them down. */
const MAX_ROWS = 500;

type RunFields = { outcome: ItemOutcome; request_id: string | null };

type Props<T extends ItemLike> = {
  items: readonly T[];
  testId: string;
  /** Row test ids are `${rowTestIdPrefix}-{workspaceId}-{serviceKey}`. */
  rowTestIdPrefix: string;
  /** For a run: the outcome and request id of each item. */
  run?: (item: T) => RunFields;
  /** Extra controls at the end of the filter bar. */
  extraFilters?: ComponentChildren;
  /** A control at the end of each row (the preview's Exclude from billing). */
  rowAction?: (item: T) => ComponentChildren;
  /** The connector whose screens fix skipped lines (links in the reason groups). */
  fixes?: FixContext;
};

export function ItemsTable<T extends ItemLike>({ items, testId, rowTestIdPrefix, run, extraFilters, rowAction, fixes }: Props<T>) {
  const [filter, setFilter] = useState<PlanFilter>(DEFAULT_PLAN_FILTER);
  const shown = useMemo(() => changesFirst(filterItems(items, filter)), [items, filter]);
  const rows = shown.length > MAX_ROWS ? shown.slice(0, MAX_ROWS) : shown;
  const unchanged = useMemo(() => items.filter((i) => i.action === 'unchanged').length, [items]);
  const columns = (run ? 7 : 6) + (rowAction ? 1 : 0);

  return (
    <div class="card table-card items">
      <SkipGroups
        items={items}
        fixes={fixes}
        testId={testId}
        active={filter.cause}
        onShow={(cause) => setFilter(cause === 'all' ? { ...filter, cause, action: 'all' } : { ...filter, cause, action: 'skip' })}
      />
      <div class="items__filters">
        <input
          type="search"
          class="input input--filter"
          placeholder="Filter by workspace, service, company…"
          aria-label="Filter items"
          value={filter.text}
          onInput={(e) => setFilter({ ...filter, text: e.currentTarget.value })}
          data-testid={`${testId}-filter`}
        />
        <select
          class="select"
          aria-label="Action"
          value={filter.action}
          onChange={(e) => setFilter({ ...filter, action: e.currentTarget.value as Action | 'all', cause: 'all' })}
          data-testid={`${testId}-action-filter`}
        >
          <option value="all">All actions</option>
          {ACTION_ORDER.map((a) => (
            <option key={a} value={a}>
              {actionLabel(a)}
            </option>
          ))}
        </select>
        <label class="checkbox checkbox--inline">
          <input
            type="checkbox"
            checked={filter.showUnchanged}
            disabled={filter.action !== 'all'}
            onChange={(e) => setFilter({ ...filter, showUnchanged: e.currentTarget.checked })}
            data-testid={`${testId}-show-unchanged`}
          />
          <span>Show unchanged ({unchanged})</span>
        </label>
        {extraFilters}
        <span class="items__count muted" data-testid={`${testId}-count`}>
          {shown.length === items.length ? `${items.length} items` : `${shown.length} of ${items.length} items`}
        </span>
      </div>
      <table class="table items__table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Workspace / service</th>
            <th scope="col">PSA company / product</th>
            <th scope="col">Line</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col">Action</th>
            {run && (
              <th scope="col" title="The outcome, and the PSA's id of the request that made the change">
                Outcome
              </th>
            )}
            <th scope="col">Reason</th>
            {rowAction && (
              <th scope="col">
                <span class="visually-hidden">Billing</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((item) => (
            <ItemRow key={itemKey(item)} item={item} prefix={rowTestIdPrefix} run={run?.(item)} action={rowAction?.(item)} />
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns} class="muted items__none">
                {items.length === 0
                  ? 'Nothing to show.'
                  : unchanged === items.length && !filter.showUnchanged
                    ? 'Every quantity already matches Coro. Tick “Show unchanged” to see them.'
                    : 'No item matches the filters.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {shown.length > MAX_ROWS && (
        <p class="items__more muted">
          Showing the first {MAX_ROWS} of {shown.length} items. Narrow the filters to see the rest.
        </p>
      )}
    </div>
  );
}

type RowProps<T> = { item: T; prefix: string; run: RunFields | undefined; action: ComponentChildren | undefined };

function ItemRow<T extends ItemLike>({ item, prefix, run, action }: RowProps<T>) {
  const company = companyText(item);
  const product = productText(item);
  const delta = deltaText(item.before, item.after);
  const outcome = run ? itemOutcome(run.outcome) : null;
  return (
    <tr data-testid={`${prefix}-${itemKey(item)}`} data-action={item.action} data-outcome={run?.outcome}>
      <td>
        <span class="cell-stack">
          <span class="cell-main">{workspaceText(item)}</span>
          <span class="muted">{serviceText(item)}</span>
        </span>
      </td>
      <td>
        {company || product ? (
          <span class="cell-stack">
            {/* A company named as its workspace is not repeated beside it. */}
            {company !== null && sameName(company, workspaceText(item)) ? (
              <span class="muted same-name" title={company}>
                Same-named company
              </span>
            ) : (
              <span>{company ?? '—'}</span>
            )}
            <span class="muted">{product ?? '—'}</span>
          </span>
        ) : (
          <span class="muted">Not mapped</span>
        )}
      </td>
      <td>
        {item.line_name || item.line_ref ? (
          <span class="cell-stack line-cell" title={item.line_ref ?? undefined}>
            <span>{item.line_name ?? item.line_ref}</span>
            {item.line_name && item.line_ref && <span class="muted mono-small">{item.line_ref}</span>}
          </span>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td class="num nowrap" data-testid={`${prefix}-qty-${itemKey(item)}`}>
        <span class="qty">
          {qty(item.before)} → <span class="strong">{qty(item.after)}</span>
        </span>
        {delta && <span class={`delta delta--${delta.startsWith('+') ? 'up' : 'down'}`}>{delta}</span>}
      </td>
      <td>
        <Pill tone={actionTone(item.action)}>{actionLabel(item.action)}</Pill>
      </td>
      {run && outcome && (
        <td>
          <span class="cell-stack">
            <span title={outcome.title}>
              <Pill tone={outcome.tone}>{outcome.label}</Pill>
            </span>
            {run.request_id && (
              <span class="muted mono-small request-id" title="The PSA's id of the request that made this change">
                {run.request_id}
              </span>
            )}
          </span>
        </td>
      )}
      <td class="reason">{item.reason ?? ''}</td>
      {action !== undefined && <td class="nowrap">{action}</td>}
    </tr>
  );
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
