// History: every sync run, newest first — when, which connector, what started it, how long it
// took, how it ended and what it changed. A row opens the run's items.
import { useCallback, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { runDuration } from '../../format/duration';
import { countsText, triggerLabel } from '../../format/plan';
import { formatTimestamp } from '../../format/time';
import { listConnectors, listRuns } from '../../ipc';
import { navigate, routeHref } from '../../router';
import { useAppEvents } from '../../useAppEvents';
import { useLoad } from '../../useLoad';

const PAGE = 200;

export function HistoryView() {
  const [connectorId, setConnectorId] = useState<ConnectorId | null>(null);
  const [connectors] = useLoad(listConnectors);
  const names = new Map((connectors.data ?? []).map((c) => [c.id, c.name]));

  return (
    <section class="view" data-testid="view-history">
      <PageHeader
        title="History"
        subtitle="Every sync run with what it changed in the PSA, item by item, for billing audits."
        actions={
          <select
            class="select"
            aria-label="Connector"
            value={connectorId ?? ''}
            onChange={(e) => setConnectorId(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
            data-testid="runs-connector-filter"
          >
            <option value="">All connectors</option>
            {(connectors.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        }
      />
      {/* Keyed by the filter: another connector is another list, loaded afresh. */}
      <Runs key={connectorId ?? 'all'} connectorId={connectorId} names={names} />
    </section>
  );
}

function Runs({ connectorId, names }: { connectorId: ConnectorId | null; names: ReadonlyMap<ConnectorId, string> }) {
  const fetchRuns = useCallback(() => listRuns(connectorId, PAGE), [connectorId]);
  const [runs, reload] = useLoad(fetchRuns);
  useAppEvents((e) => {
    if (e.kind === 'run_finished' || e.kind === 'connectors_changed') reload();
  });
  const list = runs.data;

  if (list === null) {
    return runs.state === 'failed' ? (
      <div class="card empty" data-testid="runs-load-failed">
        <h2 class="empty__title">History couldn't be loaded</h2>
        <p class="empty__text">{runs.error.message}</p>
        <button type="button" class="button" onClick={reload}>
          Try again
        </button>
      </div>
    ) : (
      <div class="card card--padded muted">Loading runs…</div>
    );
  }
  if (list.length === 0) {
    return (
      <div class="card empty" data-testid="runs-empty">
        <h2 class="empty__title">No sync runs yet</h2>
        <p class="empty__text">
          Runs appear here after the daily sync, <em>Sync now</em> in the tray, or an applied preview on the{' '}
          <a href={routeHref({ name: 'sync' })}>Sync</a> screen.
        </p>
      </div>
    );
  }
  return (
    <div class="card table-card">
      <table class="table runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Connector</th>
            <th scope="col">Trigger</th>
            <th scope="col">Duration</th>
            <th scope="col">Status</th>
            <th scope="col">Changes</th>
          </tr>
        </thead>
        <tbody>
          {list.map((run) => (
            <tr
              key={run.run_id}
              class="row--link"
              data-testid={`run-row-${run.run_id}`}
              data-status={run.status}
              onClick={(e) => {
                if (!(e.target as HTMLElement).closest('a')) navigate({ name: 'run', runId: run.run_id });
              }}
            >
              <td class="nowrap">
                <a href={routeHref({ name: 'run', runId: run.run_id })}>{formatTimestamp(run.started_at)}</a>
              </td>
              <td>{names.get(run.connector_id) ?? `Connector ${run.connector_id}`}</td>
              <td class="nowrap">
                {triggerLabel(run.trigger)}
                {run.dry_run && <span class="tag">Dry run</span>}
              </td>
              <td class="nowrap">{runDuration(run.started_at, run.finished_at)}</td>
              <td>
                <StatusPill status={run.status} counts={run.counts} />
              </td>
              <td title={run.first_failure_reason ?? undefined}>{countsText(run.counts, run.dry_run)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.length === PAGE && <p class="items__more muted">Showing the latest {PAGE} runs.</p>}
    </div>
  );
}
