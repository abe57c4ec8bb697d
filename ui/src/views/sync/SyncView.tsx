// Sync: preview what would change for one connector (Coro usage against the PSA quantities),
// then apply exactly that plan, with live progress and the run's summary at the end.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { PageHeader } from '../../components/PageHeader';
import { Pill } from '../../components/Pill';
import { connectorLabel } from '../../format/connector';
import { StatusPill } from '../../components/StatusPill';
import { countsText, progressText, totalChips, writeCount } from '../../format/plan';
import { formatTimestamp } from '../../format/time';
import { listConnectors, syncNow, type ConnectorSummary } from '../../ipc';
import { useReportError } from '../../report';
import { routeHref } from '../../router';
import { useLoad } from '../../useLoad';
import { ExcludeToggle } from './ExcludeToggle';
import { ItemsTable } from './ItemsTable';
import { apply, chooseConnector, preview, setApproveHeld, useSyncSession } from './session';

export function SyncView() {
  const report = useReportError();
  const [connectors] = useLoad(listConnectors);
  const session = useSyncSession();
  const list = connectors.data ?? [];

  // Default to the first connector with mappings, else the first (or when the chosen one was removed).
  useEffect(() => {
    const first = list.find(isMapped) ?? list[0];
    if (first && !list.some((c) => c.id === session.connectorId)) chooseConnector(first.id);
  }, [list, session.connectorId]);
  const chosen = list.find((c) => c.id === session.connectorId);

  const { plan, previewing, applying, applied, approveHeld, progress, result } = session;
  const writes = plan ? writeCount(plan.totals, approveHeld) : 0;
  const chips = useMemo(() => (plan ? totalChips(plan.totals) : []), [plan]);
  const busy = previewing || applying;

  return (
    <section class="view" data-testid="view-sync">
      <PageHeader
        title="Sync"
        subtitle="Preview the quantity changes Coro usage calls for, then apply exactly what you reviewed."
        actions={<SyncAllButton />}
      />

      <div class="card card--padded sync-controls">
        <label class="field field--inline">
          <span class="field__label">Connector</span>
          <select
            class="select"
            value={session.connectorId ?? ''}
            disabled={busy || list.length === 0}
            onChange={(e) => chooseConnector(Number(e.currentTarget.value))}
            data-testid="sync-connector"
          >
            {list.length === 0 && <option value="">{connectors.state === 'loading' ? 'Loading…' : 'No connectors'}</option>}
            {list.map((c) => (
              <option key={c.id} value={c.id}>
                {connectorLabel(c)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="button button--primary"
          disabled={busy || session.connectorId === null}
          onClick={() => preview().catch(report)}
          data-testid="sync-preview"
        >
          {previewing && <span class="spinner spinner--light" aria-hidden="true" />}
          {previewing ? 'Reading Coro and PSA…' : plan ? 'Preview again' : 'Preview'}
        </button>
        {plan && (
          <span class="muted sync-controls__when" data-testid="plan-generated">
            Preview from {formatTimestamp(plan.generated_at)}
          </span>
        )}
      </div>

      {list.length === 0 && connectors.state !== 'loading' && (
        <div class="card empty">
          <p class="empty__text">
            Add a PSA connector and map its workspaces and services first: <a href={routeHref({ name: 'connectors' })}>Connectors</a>.
          </p>
        </div>
      )}

      {chosen && !isMapped(chosen) && (
        <div class="card card--padded sync-unmapped" data-testid="sync-nothing-mapped">
          <p>
            Nothing is mapped for {chosen.name} yet
            {chosen.workspace_mapping.mapped === 0 ? ': no workspace is mapped to a PSA company' : ': no service is mapped to a PSA product'},
            so a sync writes nothing. Map{' '}
            <a href={routeHref({ name: 'workspace-mapping', connectorId: chosen.id })}>workspaces</a> and{' '}
            <a href={routeHref({ name: 'service-mapping', connectorId: chosen.id })}>services</a> first.
          </p>
        </div>
      )}

      {plan && (
        <>
          <div class="plan-summary" data-testid="plan-totals">
            {chips.map((chip) => (
              <Pill key={chip.key} tone={chip.tone} testId={`plan-total-${chip.key}`}>
                {chip.label}
              </Pill>
            ))}
          </div>

          <div class="card card--padded apply-bar" data-testid="apply-bar">
            {plan.totals.hold > 0 && (
              <label class="checkbox">
                <input
                  type="checkbox"
                  checked={approveHeld}
                  disabled={applying || applied}
                  onChange={(e) => setApproveHeld(e.currentTarget.checked)}
                  data-testid="sync-approve-held"
                />
                <span>
                  Approve held decreases ({plan.totals.hold}) — they are larger than the safety limit in Settings;
                  apply them too.
                </span>
              </label>
            )}
            <div class="apply-bar__row">
              <button
                type="button"
                class="button button--primary"
                disabled={applying || applied || writes === 0}
                onClick={() => apply().catch(report)}
                data-testid="sync-apply"
              >
                {applying ? 'Applying…' : applied ? 'Applied' : writes === 1 ? 'Apply 1 change' : `Apply ${writes} changes`}
              </button>
              <span class="muted">
                {applied
                  ? 'This preview has been applied. Preview again to see the current state.'
                  : writes === 0
                    ? plan.totals.hold > 0
                      ? 'Nothing to apply unless you approve the held decreases.'
                      : 'Nothing to apply: the PSA already bills what Coro reports.'
                    : approveHeld ? 'The increases, decreases and approved held decreases below are written to the PSA.' : 'Only the increases and decreases below are written to the PSA; held and skipped items are not.'}
              </span>
            </div>
            {progress && applying && (
              <div class="progress" role="status" aria-live="polite" data-testid="sync-progress">
                <progress max={Math.max(progress.total, 1)} value={Math.min(progress.done, progress.total)} />
                <span class="progress__text" data-testid="sync-progress-text">
                  {progressText(progress.done, progress.total)}
                </span>
              </div>
            )}
          </div>

          {result && (
            <div class="card card--padded sync-result" role="status" data-testid="sync-result" data-status={result.status}>
              <div class="sync-result__head">
                <StatusPill status={result.status} counts={result.counts} />
                <span class="strong">{countsText(result.counts)}</span>
              </div>
              {result.first_failure_reason && <p class="sync-result__reason">{result.first_failure_reason}</p>}
              {result.attention.length > 0 && (
                <ul class="sync-result__attention" data-testid="sync-result-attention">
                  {result.attention.map((a) => (
                    <li key={a}>Needs attention: {a}</li>
                  ))}
                </ul>
              )}
              <a href={routeHref({ name: 'run', runId: result.run_id })} data-testid="sync-result-link">
                Open run #{result.run_id} in History →
              </a>
            </div>
          )}

          <ItemsTable
            items={plan.items}
            testId="plan-table"
            rowTestIdPrefix="plan-row"
            rowAction={(item) => <ExcludeToggle connectorId={plan.connector_id} item={item} busy={busy} />}
            fixes={{ connectorId: plan.connector_id, psa: list.find((c) => c.id === plan.connector_id)?.kind ?? null }}
          />
        </>
      )}
    </section>
  );
}

/** Starts the daily sync now for every connector, in the background. */
function SyncAllButton() {
  const report = useReportError();
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState(false);
  const run = () => {
    setRunning(true);
    setDone(false);
    syncNow()
      .then(() => setDone(true), report)
      .finally(() => setRunning(false));
  };
  return (
    <span class="sync-all">
      {done && (
        <span class="muted" role="status" data-testid="sync-requested">
          Sync started. Results will appear in History.
        </span>
      )}
      <button
        type="button"
        class="button"
        disabled={running}
        onClick={run}
        title="Sync every connector now, as the daily schedule does"
        data-testid="sync-now"
      >
        {running ? 'Starting…' : 'Sync all now'}
      </button>
    </span>
  );
}

/** A connector that can bill something: at least one workspace and one service mapped. */
function isMapped(c: ConnectorSummary): boolean {
  return c.workspace_mapping.mapped > 0 && c.service_mapping.mapped > 0;
}
