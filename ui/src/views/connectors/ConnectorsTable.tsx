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
import { problemCountText } from '../../format/preflight';
import '../mapping/preflight.css';
import type { Busy, Tested } from './ConnectorsView';
import { PsaMark } from './PsaMark';

type Props = {
  connectors: ConnectorSummary[];
  busy: ReadonlyMap<ConnectorId, Busy>;
  tested: ReadonlyMap<ConnectorId, Tested>;
  onTest: (id: ConnectorId) => void;
  onRemove: (connector: ConnectorSummary) => void;
  onTimeZone: (connector: ConnectorSummary) => void;
  onEdit: (connector: ConnectorSummary) => void;
  onBilling: (connector: ConnectorSummary) => void;
  /** Problems the last pre-flight checks found, per connector (absent: never checked). */
  problems: ReadonlyMap<number, number>;
};

export function ConnectorsTable({ connectors, busy, tested, onTest, onRemove, onTimeZone, onEdit, onBilling, problems }: Props) {
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
              tested={tested.get(c.id) ?? null}
              onTest={() => onTest(c.id)}
              onRemove={() => onRemove(c)}
              onTimeZone={() => onTimeZone(c)}
              onEdit={() => onEdit(c)}
              onBilling={() => onBilling(c)}
              problems={problems.get(c.id) ?? null}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

type RowProps = {
  connector: ConnectorSummary;
  busy: Busy | null;
  tested: Tested | null;
  onTest: () => void;
  onRemove: () => void;
  onTimeZone: () => void;
  onEdit: () => void;
  onBilling: () => void;
  problems: number | null;
};

function ConnectorRow({ connector: c, busy, tested, onTest, onRemove, onTimeZone, onEdit, onBilling, problems }: RowProps) {
  const detail = statusDetail(c.status);
  return (
    <tr data-testid={`connector-row-${c.id}`} data-kind={c.kind}>
      <td data-testid={`connector-kind-${c.id}`} title={psaName(c.kind)}>
        {/* The mark alone keeps the table inside the default window; the name is still read out. */}
        <span class="psa-cell">
          <PsaMark kind={c.kind} />
          <span class="visually-hidden">{psaShortName(c.kind)}</span>
        </span>
      </td>
      <td class="strong connector-name" data-testid={`connector-name-${c.id}`}>
        {c.name}
        <div class="status-detail">
          <button
            type="button"
            class="link-button"
            disabled={busy !== null}
            onClick={onBilling}
            title="When changes are written, the noise threshold, and creating missing lines"
            aria-label={`Billing settings of ${c.name}`}
            data-testid={`connector-billing-${c.id}`}
          >
            Billing settings
          </button>
        </div>
        {c.kind === 'autotask' && (
          <div class="status-detail">
            <button
              type="button"
              class="link-button"
              disabled={busy !== null}
              onClick={onTimeZone}
              title="The Autotask database’s time zone: “today” and effective dates follow it"
              aria-label={`Time zone of ${c.name}: ${c.time_zone ?? 'not set'}. Change`}
              data-testid={`connector-time-zone-${c.id}`}
            >
              {c.time_zone ?? 'Set time zone'}
            </button>
          </div>
        )}
      </td>
      <td data-testid={`connector-status-${c.id}`} data-state={c.status.state} title={statusTooltip(c.status)}>
        <Pill tone={statusTone(c.status)}>{statusText(c.status)}</Pill>
        {detail && (
          <div class="status-detail" data-testid={`connector-status-message-${c.id}`}>
            {detail}
          </div>
        )}
        {tested && (
          <div
            class={`status-detail ${tested.ok ? 'status-detail--ok' : 'status-detail--failed'}`}
            role="status"
            data-testid={`connector-test-result-${c.id}`}
            data-ok={tested.ok}
          >
            {tested.text}
          </div>
        )}
      </td>
      <MappingCell
        testId={`workspace-mapping-${c.id}`}
        count={c.workspace_mapping}
        href={routeHref({ name: 'workspace-mapping', connectorId: c.id })}
        label={`Workspace mapping for ${c.name}`}
        problems={problems}
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
          class="icon-button icon-button--row"
          disabled={busy !== null}
          onClick={onTest}
          aria-label={`Test connection of ${c.name}`}
          title="Test connection"
          data-testid={`connector-test-${c.id}`}
        >
          {busy === 'testing' ? <span class="spinner" aria-hidden="true" /> : <Icon path={TEST_ICON} />}
        </button>
        <button
          type="button"
          class="icon-button icon-button--row"
          disabled={busy !== null}
          onClick={onEdit}
          aria-label={`Edit ${c.name}`}
          title="Edit connector (name, keys, site, time zone)"
          data-testid={`connector-edit-${c.id}`}
        >
          <Icon path={EDIT_ICON} />
        </button>
        <button
          type="button"
          class="icon-button icon-button--row icon-button--danger"
          disabled={busy !== null}
          onClick={onRemove}
          aria-label={`Remove ${c.name}`}
          title="Remove connector"
          data-testid={`connector-remove-${c.id}`}
        >
          {busy === 'removing' ? <span class="spinner" aria-hidden="true" /> : <Icon path={REMOVE_ICON} />}
        </button>
      </td>
    </tr>
  );
}

/** A plug with a check: "test this connection". */
const TEST_ICON = 'M9 3v4M15 3v4M6 7h12v3a6 6 0 0 1-12 0V7zM12 16v5M9.5 11.5l1.8 1.8 3.4-3.6';
/** A pencil. */
const EDIT_ICON = 'M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4';
/** A bin. */
const REMOVE_ICON = 'M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3';

function Icon({ path }: { path: string }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d={path} />
    </svg>
  );
}

type MappingCellProps = {
  testId: string;
  count: MappingCount;
  href: string;
  label: string;
  /** Problems the last pre-flight checks found (shown when more than none). */
  problems?: number | null;
};

function MappingCell({ testId, count, href, label, problems }: MappingCellProps) {
  return (
    <td data-testid={testId} data-mapped={count.mapped} data-total={count.total}>
      <a class={`mapping-link mapping-link--${mappingTone(count)}`} href={href} aria-label={`${label}: ${mappingText(count)}`}>
        {mappingText(count)}
      </a>
      {problems ? (
        <a class="problems-link" href={href} data-testid={`${testId}-problems`} title="Found by the last pre-flight checks; open the mapping to see them">
          {problemCountText(problems)}
        </a>
      ) : null}
    </td>
  );
}
