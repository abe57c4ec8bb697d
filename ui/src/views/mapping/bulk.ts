// Bulk mapping as data: the suggestions a filtered table can accept at once, and the mapped rows
// it can unmap, as the changes the backend takes. Pure.
import type { WorkspaceChange, WorkspaceRow } from '../../ipc/types';

/** Unmapped, billable rows with a suggestion: one change each, to the suggested company. */
export function acceptable(rows: readonly WorkspaceRow[]): WorkspaceChange[] {
  return rows
    .filter((r) => !r.company && !r.archived && r.suggestion)
    .map((r) => ({ workspace_id: r.workspace_id, company_id: r.suggestion!.id }));
}

/** Mapped rows: one unmap each. */
export function unmappable(rows: readonly WorkspaceRow[]): WorkspaceChange[] {
  return rows.filter((r) => r.company).map((r) => ({ workspace_id: r.workspace_id, company_id: null }));
}
