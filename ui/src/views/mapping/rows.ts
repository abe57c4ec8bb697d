// What both mapping screens compute from their rows: the rows the filter keeps, which row holds
// each PSA company/product, and the picker's note on an option already mapped. Pure.
import { rowMatches } from '../../format/mapping';
import type { PickOption } from '../../ipc/types';

/** The rows whose fields (name, id, mapped name) contain the filter text, in order. */
export function filterRows<Row>(
  rows: readonly Row[],
  filter: string,
  fields: (row: Row) => ReadonlyArray<string | null | undefined>,
): Row[] {
  return rows.filter((row) => rowMatches(filter, ...fields(row)));
}

/** The row each PSA option is mapped to, by option id (the last row, when several share one). */
export function holders<Row>(rows: readonly Row[], mapped: (row: Row) => PickOption | null): Map<number, Row> {
  const map = new Map<number, Row>();
  for (const row of rows) {
    const option = mapped(row);
    if (option) map.set(option.id, row);
  }
  return map;
}

/** The picker's note on an option: "Mapped to <row>" when a row holds it, otherwise none. */
export function heldNote(holder: { name: string } | undefined): string | null {
  return holder ? `Mapped to ${holder.name}` : null;
}
