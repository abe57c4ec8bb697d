// Workspace mapping: each Coro child workspace next to the PSA company it bills to. The shared
// path (MappingScreen) does the table; this screen adds the Coro status, the pre-flight bar and
// badges, the bulk tools, and the "move here" offer when a company is held by another workspace.
import { useMemo, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { Problem } from '../../bindings/Problem';
import type { PsaKind } from '../../bindings/PsaKind';
import { Pill } from '../../components/Pill';
import {
  companyNoun,
  staleCompanyText,
  workspaceStatus,
  workspaceSummary,
} from '../../format/mapping';
import { problemsByWorkspace } from '../../format/preflight';
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
import { MappingScreen, type Column, type MappingSpec, type RowView } from './MappingScreen';
import { PreflightBar, ProblemBadges, usePreflight } from './Preflight';
import './preflight.css';

const WORKSPACES: MappingSpec<WorkspaceRow> = {
  prefix: 'workspace',
  title: 'Workspace mapping',
  explanation: (psa) =>
    `Link each Coro child workspace to the ${companyNoun(psa)} it is billed to. Each company can be mapped to one workspace only.`,
  filterLabel: 'Filter workspaces',
  empty: 'No Coro child workspaces were found in the channel. Check the Coro connection in Settings.',
  count: workspaceSummary,
  loadRows: workspaceRows,
  loadOptions: companies,
  key: (row) => row.workspace_id,
  mapped: (row) => row.company,
  archived: (row) => row.archived,
  value: 'company',
  staleText: staleCompanyText,
  noun: (psa) => (psa === 'connectwise' ? 'ConnectWise companies' : 'Autotask companies'),
  map: (connectorId, row, company) =>
    mapWorkspace({ connector_id: connectorId, workspace_id: row.workspace_id, company_id: company.id }),
  unmap: unmapWorkspace,
};

export function WorkspaceMappingView({ connectorId }: { connectorId: ConnectorId }) {
  const [check, checkAgain] = usePreflight(connectorId);
  const problems = useMemo(() => problemsByWorkspace(check.report), [check.report]);

  const columns = (psa: PsaKind): Column<WorkspaceRow>[] => [
    {
      header: 'Coro workspace',
      class: 'mapping-table__name',
      cell: ({ row, key }) => (
        <>
          <span class="strong">{row.name}</span>
          <span class="mapping-table__id">{key}</span>
        </>
      ),
    },
    { header: 'Status', cell: ({ row }) => <StatusCell row={row} /> },
    {
      header: companyNoun(psa),
      class: 'mapping-table__psa',
      cell: (view) => <CompanyCell view={view} problems={problems.get(view.key) ?? []} />,
    },
  ];

  return (
    <MappingScreen
      connectorId={connectorId}
      spec={WORKSPACES}
      columns={columns}
      tools={({ shown, filtered, mapping: m }) => (
        <>
          <PreflightBar check={check} onAgain={checkAgain} />
          <BulkTools
            connectorId={connectorId}
            shown={shown}
            filtered={filtered}
            onRows={(data) => m.setRows(data)}
            onImported={m.reloadRows}
          />
        </>
      )}
    />
  );
}

function StatusCell({ row }: { row: WorkspaceRow }) {
  const status = workspaceStatus(row.status, row.archived);
  return (
    <span class="badges">
      <Pill tone={status.tone}>{status.label}</Pill>
      {row.archived && (
        <span class="tag" title="Archived workspaces are listed but never billed">
          Not billed
        </span>
      )}
    </span>
  );
}

type CompanyCellProps = {
  view: RowView<WorkspaceRow>;
  /** The pre-flight problems of the mapped company. */
  problems: readonly Problem[];
};

/** The company cell, plus the problem badges and the offer to move a company held elsewhere. */
function CompanyCell({ view, problems }: CompanyCellProps) {
  const { row, key: id, connectorId } = view;
  const [moving, setMoving] = useState<{ company: PickOption; from: WorkspaceRow } | null>(null);
  const pick = (company: PickOption) => {
    const holder = view.holder(company.id);
    if (holder && holder.workspace_id !== id) {
      // One company, one workspace: offer to move it here instead of failing.
      setMoving({ company, from: holder });
      return;
    }
    view.change(() => WORKSPACES.map(connectorId, row, company));
  };
  const move = () => {
    if (!moving) return;
    const { company, from } = moving;
    setMoving(null);
    view.change(() =>
      bulkMapWorkspaces(connectorId, [
        { workspace_id: from.workspace_id, company_id: null },
        { workspace_id: id, company_id: company.id },
      ]),
    );
  };
  return (
    <>
      {view.cell(pick)}
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
    </>
  );
}
