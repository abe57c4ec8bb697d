// Workspace mapping: each Coro child workspace next to the PSA company it bills to.
import { useMemo, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { PsaKind } from '../../bindings/PsaKind';
import { Pill } from '../../components/Pill';
import {
  companyNoun,
  rowMatches,
  staleCompanyText,
  summaryText,
  workspaceStatus,
  workspaceSummary,
} from '../../format/mapping';
import {
  bulkMapWorkspaces,
  companies,
  mapWorkspace,
  unmapWorkspace,
  workspaceRows,
  type PickOption,
  type WorkspaceRow,
} from '../../ipc';
import { BulkTools } from './BulkTools';
import { MappingCell } from './MappingCell';
import { MappingFrame } from './MappingFrame';
import { useMapping, type Mapping } from './useMapping';
import { PreflightBar, ProblemBadges, usePreflight } from './Preflight';
import { problemsByWorkspace } from '../../format/preflight';
import type { Problem } from '../../bindings/Problem';
import './preflight.css';

export function WorkspaceMappingView({ connectorId }: { connectorId: ConnectorId }) {
  const m = useMapping(connectorId, workspaceRows, companies);
  const [check, checkAgain] = usePreflight(connectorId);
  const problems = useMemo(() => problemsByWorkspace(check.report), [check.report]);
  const [filter, setFilter] = useState('');
  const kind = m.connector?.kind ?? 'connectwise';
  const rows = m.rows.data;

  // Which workspace holds each company: mappings are one-to-one, the picker says so up front.
  const takenBy = useMemo(() => {
    const map = new Map<number, WorkspaceRow>();
    for (const r of rows ?? []) if (r.company) map.set(r.company.id, r);
    return map;
  }, [rows]);
  const note = (option: { id: number }) => {
    const holder = takenBy.get(option.id);
    return holder ? `Mapped to ${holder.name}` : null;
  };

  const shown = (rows ?? []).filter((r) => rowMatches(filter, r.name, r.workspace_id, r.company?.name));
  const bulk = rows && rows.length > 0 && (
    <>
      <PreflightBar check={check} onAgain={checkAgain} />
      <BulkTools
        connectorId={connectorId}
        shown={shown}
        filtered={filter.trim() !== ''}
        onRows={(data) => m.setRows(data)}
        onImported={m.reloadRows}
      />
    </>
  );

  return (
    <MappingFrame
      testId="view-workspace-mapping"
      title="Workspace mapping"
      explanation={`Link each Coro child workspace to the ${companyNoun(kind)} it is billed to. Each company can be mapped to one workspace only.`}
      connector={m.connector}
      rows={m.rows}
      onRetry={m.reloadRows}
      summary={rows ? summaryText(workspaceSummary(rows)) : null}
      filter={filter}
      onFilter={setFilter}
      filterLabel="Filter workspaces"
      empty="No Coro child workspaces were found in the channel. Check the Coro connection in Settings."
      tools={bulk}
    >
      {rows && (
        <table class="table mapping-table" data-testid="workspace-table">
          <thead>
            <tr>
              <th scope="col">Coro workspace</th>
              <th scope="col">Status</th>
              <th scope="col">{companyNoun(kind)}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <Row
                key={row.workspace_id}
                row={row}
                kind={kind}
                connectorId={connectorId}
                mapping={m}
                note={note}
                holderOf={(companyId) => takenBy.get(companyId) ?? null}
                problems={problems.get(row.workspace_id) ?? []}
              />
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={3} class="muted">
                  No workspace matches “{filter.trim()}”.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </MappingFrame>
  );
}

type RowProps = {
  row: WorkspaceRow;
  kind: PsaKind;
  connectorId: ConnectorId;
  mapping: Mapping<WorkspaceRow>;
  note: (option: PickOption) => string | null;
  /** The workspace a company is mapped to now, if any. */
  holderOf: (companyId: number) => WorkspaceRow | null;
  /** The pre-flight problems of the mapped company. */
  problems: readonly Problem[];
};

function Row({ row, kind, connectorId, mapping: m, note, holderOf, problems }: RowProps) {
  const status = workspaceStatus(row.status, row.archived);
  const id = row.workspace_id;
  const [moving, setMoving] = useState<{ company: PickOption; from: WorkspaceRow } | null>(null);
  const pick = (company: PickOption) => {
    const holder = holderOf(company.id);
    if (holder && holder.workspace_id !== id) {
      // One company, one workspace: offer to move it here instead of failing.
      setMoving({ company, from: holder });
      return;
    }
    m.change(id, () => mapWorkspace({ connector_id: connectorId, workspace_id: id, company_id: company.id }));
  };
  const move = () => {
    if (!moving) return;
    const { company, from } = moving;
    setMoving(null);
    m.change(id, () =>
      bulkMapWorkspaces(connectorId, [
        { workspace_id: from.workspace_id, company_id: null },
        { workspace_id: id, company_id: company.id },
      ]),
    );
  };
  return (
    <tr
      class={row.archived ? 'row--muted' : row.stale ? 'row--stale' : undefined}
      data-testid={`workspace-row-${id}`}
      data-archived={row.archived}
      data-stale={row.stale}
    >
      <td class="mapping-table__name">
        <span class="strong">{row.name}</span>
        <span class="mapping-table__id">{id}</span>
      </td>
      <td>
        <span class="badges">
          <Pill tone={status.tone}>{status.label}</Pill>
          {row.archived && (
            <span class="tag" title="Archived workspaces are listed but never billed">
              Not billed
            </span>
          )}
        </span>
      </td>
      <td class="mapping-table__psa">
        <MappingCell
          prefix="workspace"
          rowKey={id}
          valueTestId={`workspace-company-${id}`}
          mapped={row.company}
          stale={row.stale}
          staleText={row.company ? staleCompanyText(kind, row.company.name) : ''}
          suggestion={row.suggestion}
          noun={kind === 'connectwise' ? 'ConnectWise companies' : 'Autotask companies'}
          options={m.options}
          busy={m.busy === id}
          note={note}
          onPick={pick}
          onUnmap={() => m.change(id, () => unmapWorkspace(connectorId, id))}
        />
        {row.company && <ProblemBadges problems={problems} rowKey={id} />}
        {moving && (
          <div class="map-cell__move" role="alert" data-testid={`workspace-move-${id}`}>
            <span>
              {moving.company.name} is mapped to {moving.from.name}. Move the mapping here?
            </span>
            <button type="button" class="button button--small button--accent" onClick={move} data-testid={`workspace-move-confirm-${id}`}>
              Move here
            </button>
            <button type="button" class="button button--small button--quiet" onClick={() => setMoving(null)}>
              Cancel
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}
