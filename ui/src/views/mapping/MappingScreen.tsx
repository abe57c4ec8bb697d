// The one path both mapping screens run: load the rows and the PSA's options (useMapping), filter
// the rows, tell the picker which row holds each option, and draw the table — its columns given as
// data — with each row's PSA cell wired to map and unmap. A screen describes itself: a
// MappingSpec (what a row is and how it maps) plus its columns and any tools above the table.
import type { ComponentChildren, JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { PsaKind } from '../../bindings/PsaKind';
import { summaryText, type MappingSummary } from '../../format/mapping';
import type { PickOption, Suggestion } from '../../ipc/types';
import { MappingCell } from './MappingCell';
import { MappingFrame } from './MappingFrame';
import { filterRows, heldNote, holders } from './rows';
import { useMapping, type Mapping, type Options } from './useMapping';

/** What every mapping row has. */
type BaseRow = { name: string; stale: boolean; suggestion: Suggestion | null };

/** What a mapping screen is: its texts, its rows and how one maps. Static (module level). */
export type MappingSpec<Row extends BaseRow> = {
  /** What one row is (`workspace`, `service`): the test ids (`view-${prefix}-mapping`,
   *  `${prefix}-row-${key}`, …) and the no-match row ("No workspace matches …"). */
  prefix: string;
  title: string;
  explanation: (psa: PsaKind) => string;
  filterLabel: string;
  /** The empty state: Coro reported no rows. */
  empty: string;
  /** Counts for the "N of M mapped" line. */
  count: (rows: readonly Row[]) => MappingSummary;
  loadRows: (id: ConnectorId) => Promise<Row[]>;
  loadOptions: (id: ConnectorId, refresh: boolean) => Promise<PickOption[]>;
  key: (row: Row) => string;
  mapped: (row: Row) => PickOption | null;
  /** Archived rows are listed muted, never billed (workspaces only). */
  archived?: (row: Row) => boolean;
  /** What a row maps to (`company`, `product`): the value's test id is `${prefix}-${value}-${key}`. */
  value: string;
  staleText: (psa: PsaKind, name: string) => string;
  /** The picker's plural noun, e.g. "ConnectWise companies". */
  noun: (psa: PsaKind) => string;
  map: (connectorId: ConnectorId, row: Row, option: PickOption) => Promise<Row[]>;
  unmap: (connectorId: ConnectorId, key: string) => Promise<Row[]>;
};

/** One row as a column's cell sees it. */
export type RowView<Row> = {
  row: Row;
  key: string;
  psa: PsaKind;
  connectorId: ConnectorId;
  /** This row's change is in flight. */
  busy: boolean;
  /** Runs a change of this row; its answer (all rows) replaces the table. */
  change: (op: () => Promise<Row[]>) => void;
  /** The row a PSA option is mapped to now, if any. */
  holder: (optionId: number) => Row | null;
  /** The PSA cell wired to this row; `onPick` replaces the plain map of the picked option. */
  cell: (onPick?: (option: PickOption) => void) => JSX.Element;
};

export type Column<Row> = {
  header: ComponentChildren;
  class?: string;
  cell: (view: RowView<Row>) => ComponentChildren;
};

/** What the tools above the table work on. */
export type ToolsView<Row> = {
  /** The rows the filter shows. */
  shown: readonly Row[];
  filtered: boolean;
  mapping: Mapping<Row>;
};

type Props<Row extends BaseRow> = {
  connectorId: ConnectorId;
  spec: MappingSpec<Row>;
  columns: (psa: PsaKind) => readonly Column<Row>[];
  /** Above the table, once there are rows. */
  tools?: (view: ToolsView<Row>) => ComponentChildren;
};

export function MappingScreen<Row extends BaseRow>({ connectorId, spec, columns, tools }: Props<Row>) {
  const m = useMapping(connectorId, spec.loadRows, spec.loadOptions);
  const [filter, setFilter] = useState('');
  const psa = m.connector?.kind ?? 'connectwise';
  const rows = m.rows.data;

  // Which row holds each option: the picker says so up front.
  const takenBy = useMemo(() => holders(rows ?? [], spec.mapped), [rows, spec]);
  const note = (option: PickOption) => heldNote(takenBy.get(option.id));
  const shown = filterRows(rows ?? [], filter, (row) => [row.name, spec.key(row), spec.mapped(row)?.name]);
  const cols = columns(psa);

  return (
    <MappingFrame
      testId={`view-${spec.prefix}-mapping`}
      title={spec.title}
      explanation={spec.explanation(psa)}
      connector={m.connector}
      rows={m.rows}
      onRetry={m.reloadRows}
      summary={rows ? summaryText(spec.count(rows)) : null}
      filter={filter}
      onFilter={setFilter}
      filterLabel={spec.filterLabel}
      empty={spec.empty}
      tools={tools && rows && rows.length > 0 && tools({ shown, filtered: filter.trim() !== '', mapping: m })}
    >
      {rows && (
        <table class="table mapping-table" data-testid={`${spec.prefix}-table`}>
          <thead>
            <tr>
              {cols.map((col, i) => (
                <th key={i} scope="col">
                  {col.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => {
              const key = spec.key(row);
              const view: RowView<Row> = {
                row,
                key,
                psa,
                connectorId,
                busy: m.busy === key,
                change: (op) => m.change(key, op),
                holder: (id) => takenBy.get(id) ?? null,
                cell: (onPick) => (
                  <PsaCell spec={spec} view={view} options={m.options} note={note} onPick={onPick} />
                ),
              };
              return <MappingRow key={key} spec={spec} view={view} columns={cols} />;
            })}
            {shown.length === 0 && (
              <tr>
                <td colSpan={cols.length} class="muted">
                  No {spec.prefix} matches “{filter.trim()}”.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </MappingFrame>
  );
}

type RowProps<Row extends BaseRow> = { spec: MappingSpec<Row>; view: RowView<Row>; columns: readonly Column<Row>[] };

function MappingRow<Row extends BaseRow>({ spec, view, columns }: RowProps<Row>) {
  const { row, key } = view;
  const archived = spec.archived?.(row);
  return (
    <tr
      class={archived ? 'row--muted' : row.stale ? 'row--stale' : undefined}
      data-testid={`${spec.prefix}-row-${key}`}
      data-archived={archived}
      data-stale={row.stale}
    >
      {columns.map((col, i) => (
        <td key={i} class={col.class}>
          {col.cell(view)}
        </td>
      ))}
    </tr>
  );
}

type CellProps<Row extends BaseRow> = {
  spec: MappingSpec<Row>;
  view: RowView<Row>;
  options: Options;
  note: (option: PickOption) => string | null;
  onPick: ((option: PickOption) => void) | undefined;
};

function PsaCell<Row extends BaseRow>({ spec, view, options, note, onPick }: CellProps<Row>) {
  const { row, key, psa, connectorId } = view;
  const mapped = spec.mapped(row);
  return (
    <MappingCell
      prefix={spec.prefix}
      rowKey={key}
      valueTestId={`${spec.prefix}-${spec.value}-${key}`}
      mapped={mapped}
      stale={row.stale}
      staleText={mapped ? spec.staleText(psa, mapped.name) : ''}
      suggestion={row.suggestion}
      noun={spec.noun(psa)}
      options={options}
      busy={view.busy}
      note={note}
      onPick={onPick ?? ((option) => view.change(() => spec.map(connectorId, row, option)))}
      onUnmap={() => view.change(() => spec.unmap(connectorId, key))}
    />
  );
}
