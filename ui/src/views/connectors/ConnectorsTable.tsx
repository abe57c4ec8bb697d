// The PSA connectors list: PSA, name, status, workspace mapping, service mapping, last sync.
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import type { MappingCount } from '../../bindings/MappingCount';
import { Pill } from '../../components/Pill';
import {
  lastSyncText,
  mappingText,
  mappingTone,
  outcomeLabel,
  outcomeTone,
  psaName,
  psaShortName,
  statusDetail,
  statusText,
  statusTone,
  statusTooltip,
} from '../../format/connector';
import { formatTimestamp } from '../../format/time';
import { routeHref } from '../../router';
import type { Busy } from './ConnectorsView';
import { PsaMark } from './PsaMark';

type Props = {
  connectors: ConnectorSummary[];
  busy: ReadonlyMap<ConnectorId, Busy>;
  onTest: (id: ConnectorId) => void;
  onRemove: (connector: ConnectorSummary) => void;
};

export function ConnectorsTable({ connectors, busy, onTest, onRemove }: Props) {
  return (
    <div class="card table-card">
      <table class="table" data-testid="connectors-table">
        <thead>
          <tr>
            <th scope="col">PSA</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Workspace mapping</th>
            <th scope="col">Service mapping</th>
            <th scope="col">Last sync</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {connectors.map((c) => (
            <ConnectorRow
              key={c.id}
              connector={c}
              busy={busy.get(c.id) ?? null}
              onTest={() => onTest(c.id)}
              onRemove={() => onRemove(c)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

type RowProps = { connector: ConnectorSummary; busy: Busy | null; onTest: () => void; onRemove: () => void };

function ConnectorRow({ connector: c, busy, onTest, onRemove }: RowProps) {
  const detail = statusDetail(c.status);
  return (
    <tr data-testid={`connector-row-${c.id}`} data-kind={c.kind}>
      <td data-testid={`connector-kind-${c.id}`} title={psaName(c.kind)}>
        <span class="psa-cell">
          <PsaMark kind={c.kind} />
          {psaShortName(c.kind)}
        </span>
      </td>
      <td class="strong connector-name" data-testid={`connector-name-${c.id}`}>
        {c.name}
      </td>
      <td data-testid={`connector-status-${c.id}`} data-state={c.status.state} title={statusTooltip(c.status)}>
        <Pill tone={statusTone(c.status)}>{statusText(c.status)}</Pill>
        {detail && (
          <div class="status-detail" data-testid={`connector-status-message-${c.id}`}>
            {detail}
          </div>
        )}
      </td>
      <MappingCell
        testId={`workspace-mapping-${c.id}`}
        count={c.workspace_mapping}
        href={routeHref({ name: 'workspace-mapping', connectorId: c.id })}
        label={`Workspace mapping for ${c.name}`}
      />
      <MappingCell
        testId={`service-mapping-${c.id}`}
        count={c.service_mapping}
        href={routeHref({ name: 'service-mapping', connectorId: c.id })}
        label={`Service mapping for ${c.name}`}
      />
      <td data-testid={`connector-last-sync-${c.id}`} title={c.last_sync?.summary || undefined}>
        {c.last_sync ? (
          <a class="last-sync" href={routeHref({ name: 'run', runId: Number(c.last_sync.run_id) })}>
            <Pill tone={outcomeTone(c.last_sync.outcome)}>{outcomeLabel(c.last_sync.outcome)}</Pill>
            <span class="muted nowrap">{formatTimestamp(c.last_sync.started_at)}</span>
          </a>
        ) : (
          <span class="muted">{lastSyncText(null)}</span>
        )}
      </td>
      <td class="row-actions">
        <button
          type="button"
          class="button button--small"
          disabled={busy !== null}
          onClick={onTest}
          data-testid={`connector-test-${c.id}`}
        >
          {busy === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        <button
          type="button"
          class="button button--small button--quiet button--danger-text"
          disabled={busy !== null}
          onClick={onRemove}
          aria-label={`Remove ${c.name}`}
          data-testid={`connector-remove-${c.id}`}
        >
          {busy === 'removing' ? 'Removing…' : 'Remove'}
        </button>
      </td>
    </tr>
  );
}

type MappingCellProps = { testId: string; count: MappingCount; href: string; label: string };

function MappingCell({ testId, count, href, label }: MappingCellProps) {
  return (
    <td data-testid={testId} data-mapped={count.mapped} data-total={count.total}>
      <a class={`mapping-link mapping-link--${mappingTone(count)}`} href={href} aria-label={`${label}: ${mappingText(count)}`}>
        {mappingText(count)}
      </a>
    </td>
  );
}
