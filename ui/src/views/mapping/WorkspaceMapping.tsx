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
import { companies, mapWorkspace, unmapWorkspace, workspaceRows, type PickOption, type WorkspaceRow } from '../../ipc';
import { MappingCell } from './MappingCell';
import { MappingFrame } from './MappingFrame';
import { useMapping, type Mapping } from './useMapping';

export function WorkspaceMappingView({ connectorId }: { connectorId: ConnectorId }) {
  const m = useMapping(connectorId, workspaceRows, companies);
  const [filter, setFilter] = useState('');
  const kind = m.connector?.kind ?? 'connectwise';
  const rows = m.rows.data;

  // Which workspace holds each company: mappings are one-to-one, the picker says so up front.
  const takenBy = useMemo(() => {
    const map = new Map<number, string>();
    for (const r of rows ?? []) if (r.company) map.set(r.company.id, r.name);
    return map;
  }, [rows]);
  const note = (option: { id: number }) => {
    const name = takenBy.get(option.id);
    return name ? `Mapped to ${name}` : null;
  };

  const shown = (rows ?? []).filter((r) => rowMatches(filter, r.name, r.workspace_id, r.company?.name));

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
              <Row key={row.workspace_id} row={row} kind={kind} connectorId={connectorId} mapping={m} note={note} />
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
};

function Row({ row, kind, connectorId, mapping: m, note }: RowProps) {
  const status = workspaceStatus(row.status, row.archived);
  const id = row.workspace_id;
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
          onPick={(company) =>
            m.change(id, () => mapWorkspace({ connector_id: connectorId, workspace_id: id, company_id: company.id }))
          }
          onUnmap={() => m.change(id, () => unmapWorkspace(connectorId, id))}
        />
      </td>
    </tr>
  );
}
