// Words and grouping for the pre-flight checks (mapping page badges, Connectors page count).
import type { CheckReport } from '../bindings/CheckReport';
import type { Problem } from '../bindings/Problem';
import type { ProblemKind } from '../bindings/ProblemKind';

/** "1 problem", "3 problems"; "No problems" for none. */
export function problemCountText(n: number): string {
  if (n === 0) return 'No problems';
  return n === 1 ? '1 problem' : `${n} problems`;
}

/** The badge's short text for a kind. */
export function problemLabel(kind: ProblemKind): string {
  switch (kind) {
    case 'no_line':
      return 'No line';
    case 'several_lines':
      return 'Several lines';
    case 'ends_soon':
      return 'Ends soon';
    case 'ended':
      return 'Ended';
    case 'closed_holds_product':
      return 'Closed agreement holds product';
    case 'company_inactive':
      return 'Company inactive';
  }
}

/** The problems of each workspace, in the order the checks gave them. */
export function problemsByWorkspace(report: CheckReport | null): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of report?.problems ?? []) {
    const list = out.get(p.workspace_id) ?? [];
    list.push(p);
    out.set(p.workspace_id, list);
  }
  return out;
}

/** Problems per connector id from the last checks kept. */
export function problemCounts(reports: readonly CheckReport[]): Map<number, number> {
  return new Map(reports.map((r) => [r.connector_id, r.problems.length]));
}
