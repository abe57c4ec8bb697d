// One run: its facts, and every item with before → after, outcome, reason and the PSA's request
// id; a workspace filter (asked of the backend) and an export to CSV for the billing audit.
import { ExportCsv } from '../../components/ExportCsv';
import type { ComponentChildren } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { runDuration } from '../../format/duration';
import { countsText, triggerLabel, workspaceChoices } from '../../format/plan';
import { formatTimestamp } from '../../format/time';
import { exportRunCsv, listConnectors, runDetail, type RunItemView, type RunSummary } from '../../ipc';
import { routeHref } from '../../router';
import { useAppEvents } from '../../useAppEvents';
import { useLoad } from '../../useLoad';
import { HeldReviewDialog } from '../held/HeldReviewDialog';
import { ItemsTable } from '../sync/ItemsTable';
import type { FixContext } from '../sync/SkipGroups';
import { UndoDialog } from './UndoDialog';

const back = { href: routeHref({ name: 'history' }), label: 'History' };

export function RunDetailView({ runId }: { runId: number }) {
  const [workspace, setWorkspace] = useState<string | null>(null);
  const [reviewing, setReviewing] = useState(false);
  const [undoing, setUndoing] = useState(false);
  // The unfiltered answer: the run's facts, all its items, and the workspaces the filter offers.
  const fetchAll = useCallback(() => runDetail(runId, null), [runId]);
  const [detail, reload] = useLoad(fetchAll);
  const [connectors] = useLoad(listConnectors);
  useAppEvents((e) => {
    if (e.kind === 'run_finished' && e.run_id === runId) reload();
  });

  const run = detail.data?.run ?? null;
  const connector = run ? connectors.data?.find((c) => c.id === run.connector_id) : undefined;
  const choices = detail.data ? workspaceChoices(detail.data.items) : [];

  if (!run) {
    return (
      <section class="view" data-testid="view-run">
        <PageHeader title={`Run #${runId}`} back={back} />
        {detail.state === 'failed' ? (
          <div class="card empty" data-testid="run-load-failed">
            <h2 class="empty__title">This run couldn't be loaded</h2>
            <p class="empty__text">{detail.error.message}</p>
            <a class="button" href={back.href}>
              Back to History
            </a>
          </div>
        ) : (
          <div class="card card--padded muted">Loading run…</div>
        )}
      </section>
    );
  }

  const fixes: FixContext = { connectorId: run.connector_id, psa: connector?.kind ?? null };
  const filter = (
    <select
      class="select"
      aria-label="Workspace"
      value={workspace ?? ''}
      onChange={(e) => setWorkspace(e.currentTarget.value === '' ? null : e.currentTarget.value)}
      data-testid="run-workspace-filter"
    >
      <option value="">All workspaces</option>
      {choices.map((w) => (
        <option key={w.id} value={w.id}>
          {w.name}
        </option>
      ))}
    </select>
  );

  return (
    <section class="view" data-testid="view-run" data-status={run.status}>
      <PageHeader
        title={`Run #${run.run_id}`}
        back={back}
        actions={
          <>
            {run.counts.held > 0 && (
              <button type="button" class="button button--primary" onClick={() => setReviewing(true)} data-testid="run-review-held">
                Review held changes
              </button>
            )}
            {canUndo(run, detail.data?.undo_of ?? null, detail.data?.items ?? []) && (
              <button type="button" class="button" onClick={() => setUndoing(true)} data-testid="run-undo">
                Undo this run…
              </button>
            )}
            <ExportCsv save={() => exportRunCsv(run.run_id)} testId="run-export" />
          </>
        }
      />
      {reviewing && (
        <HeldReviewDialog
          connectorId={run.connector_id}
          onClose={() => setReviewing(false)}
          onApplied={(r) => {
            setReviewing(false);
            window.location.hash = routeHref({ name: 'run', runId: r.run_id });
          }}
        />
      )}
      {undoing && <UndoDialog runId={run.run_id} onClose={() => setUndoing(false)} />}

      <div class="card card--padded run-facts">
        <dl class="facts facts--grid">
          <dt>Status</dt>
          <dd data-testid="run-status">
            <StatusPill status={run.status} counts={run.counts} />
          </dd>
          <dt>Connector</dt>
          <dd>{connector?.name ?? `Connector ${run.connector_id}`}</dd>
          <dt>Trigger</dt>
          <dd>
            {triggerLabel(run.trigger)}
            {run.dry_run && <span class="tag">Dry run</span>}
          </dd>
          <dt>Started</dt>
          <dd>{formatTimestamp(run.started_at)}</dd>
          <dt>Duration</dt>
          <dd>{runDuration(run.started_at, run.finished_at)}</dd>
          <dt>Changes</dt>
          <dd data-testid="run-counts">{countsText(run.counts, run.dry_run)}</dd>
          {detail.data?.undo_of != null && (
            <>
              <dt>Undo of</dt>
              <dd data-testid="run-undo-of">
                <a href={routeHref({ name: 'run', runId: detail.data.undo_of })}>Run #{detail.data.undo_of}</a>
              </dd>
            </>
          )}
          {(detail.data?.undone_by.length ?? 0) > 0 && (
            <>
              <dt>Undone by</dt>
              <dd data-testid="run-undone-by">
                {detail.data?.undone_by.map((id) => (
                  <a key={id} class="run-link" href={routeHref({ name: 'run', runId: id })}>
                    Run #{id}
                  </a>
                ))}
              </dd>
            </>
          )}
        </dl>
        {run.first_failure_reason && (
          <p class="run-facts__failure" data-testid="run-failure">
            {run.first_failure_reason}
          </p>
        )}
        {run.attention.map((a) => (
          <p key={a} class="run-facts__warning" data-testid="run-attention">
            {a}
          </p>
        ))}
        {run.counts.unconfirmed > 0 && (
          <p class="run-facts__warning">
            {run.counts.unconfirmed} change(s) were sent to the PSA without a confirmed answer. The next run re-reads
            those quantities and corrects them if needed.
          </p>
        )}
      </div>

      {detail.data && workspace === null ? (
        <RunItems items={detail.data.items} filter={filter} fixes={fixes} />
      ) : workspace !== null ? (
        <WorkspaceItems key={workspace} runId={runId} workspace={workspace} filter={filter} fixes={fixes} />
      ) : (
        <div class="card card--padded muted">Loading items…</div>
      )}
    </section>
  );
}

/**
 * The items of one workspace, as the backend filters them. `run_detail` matches its `workspace`
 * as a case-insensitive substring of the id or name, so "ws1" also brings "ws10": only the exact
 * workspace chosen is kept.
 */
type ItemsProps = { filter: ComponentChildren; fixes: FixContext };

function WorkspaceItems({ runId, workspace, filter, fixes }: ItemsProps & { runId: number; workspace: string }) {
  const fetch = useCallback(
    () =>
      runDetail(runId, workspace).then((d) => ({ ...d, items: d.items.filter((i) => i.workspace_id === workspace) })),
    [runId, workspace],
  );
  const [detail, reload] = useLoad(fetch);
  useAppEvents((e) => {
    if (e.kind === 'run_finished' && e.run_id === runId) reload();
  });
  return detail.data ? (
    <RunItems items={detail.data.items} filter={filter} fixes={fixes} />
  ) : (
    <div class="card card--padded muted">{detail.state === 'failed' ? detail.error.message : 'Loading items…'}</div>
  );
}

function RunItems({ items, filter, fixes }: ItemsProps & { items: RunItemView[] }) {
  return <ItemsTable items={items} testId="run-items" rowTestIdPrefix="run-item" run={outcomeOf} extraFilters={filter} fixes={fixes} />;
}

/** A finished, real (not dry) run that is not itself an undo may be undone (the backend refuses the rest). */
function canUndo(run: RunSummary, undoOf: number | null, items: readonly RunItemView[]): boolean {
  const wrote = items.some((i) => ['applied', 'awaiting', 'pending'].includes(i.outcome));
  return !run.dry_run && run.status !== 'running' && undoOf === null && wrote;
}

const outcomeOf = (item: RunItemView) => ({ outcome: item.outcome, request_id: item.request_id });
