// Reconcile: what Coro usage is worth against what the PSA bills (per company × service), the
// customers nobody bills, the lines billed to nobody Coro knows, and what the sync would skip.
// Shows the connector's last report at once; *Read now* reads Coro and the PSA again (nothing
// is written to the PSA). *Export CSV* saves the table; *Print summary* prints one page (the
// webview's print dialog can save it as PDF).
import { ExportCsv } from '../../components/ExportCsv';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../../bindings/ApiError';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { Report } from '../../bindings/Report';
import { PageHeader } from '../../components/PageHeader';
import { connectorLabel } from '../../format/connector';
import { formatTimestamp } from '../../format/time';
import { exportReconcileCsv, listConnectors, reconcileReport, toApiError } from '../../ipc';
import { useReportError } from '../../report';
import { useLoad } from '../../useLoad';
import { ReportSections } from './ReportSections';
import { TrendsChart } from './TrendsChart';
import { ageText, money } from './format';
import './reconcile.css';

type Shown = { report: Report | null; none: boolean };

export function ReconcileView() {
  const report = useReportError();
  const [connectors] = useLoad(listConnectors);
  const list = connectors.data ?? [];
  const [connectorId, setConnectorId] = useState<ConnectorId | null>(null);
  const [shown, setShown] = useState<Shown>({ report: null, none: false });
  const [reading, setReading] = useState(false);

  useEffect(() => {
    const first = list[0];
    if (first && !list.some((c) => c.id === connectorId)) setConnectorId(first.id);
  }, [list, connectorId]);

  // The last report of the chosen connector, if one was made.
  useEffect(() => {
    if (connectorId === null) return;
    setShown({ report: null, none: false });
    reconcileReport(connectorId, true).then(
      (r) => setShown({ report: r, none: false }),
      (e: unknown) => {
        const err: ApiError = toApiError(e);
        if (err.code === 'not_found') setShown({ report: null, none: true });
        else report(err);
      },
    );
  }, [connectorId, report]);

  const readNow = () => {
    if (connectorId === null) return;
    setReading(true);
    reconcileReport(connectorId, false).then(
      (r) => {
        setReading(false);
        setShown({ report: r, none: false });
      },
      (e: unknown) => {
        setReading(false);
        report(e);
      },
    );
  };

  const r = shown.report;
  return (
    <section class="view reconcile" data-testid="view-reconcile">
      <PageHeader
        title="Reconcile"
        subtitle="Coro usage against what the PSA bills: the monthly value of each difference, unbilled customers, orphan lines and what the sync would skip."
      />
      <div class="card card--padded sync-controls reconcile__controls">
        <label class="field field--inline">
          <span class="field__label">Connector</span>
          <select
            class="select"
            value={connectorId ?? ''}
            disabled={reading || list.length === 0}
            onChange={(e) => setConnectorId(Number(e.currentTarget.value))}
            data-testid="reconcile-connector"
          >
            {list.length === 0 && <option value="">{connectors.state === 'loading' ? 'Loading…' : 'No connectors'}</option>}
            {list.map((c) => (
              <option key={c.id} value={c.id}>
                {connectorLabel(c)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="button button--primary" disabled={reading || connectorId === null} onClick={readNow} data-testid="reconcile-read">
          {reading ? 'Reading…' : 'Read now'}
        </button>
        {r && connectorId !== null && <ExportCsv save={() => exportReconcileCsv(connectorId)} testId="reconcile-export" inline />}
        {r && (
          <button type="button" class="button" onClick={() => window.print()} data-testid="reconcile-print">
            Print summary
          </button>
        )}
      </div>
      {reading && (
        <div class="progress reconcile__progress" role="status" aria-live="polite" data-testid="reconcile-progress">
          <progress />
          <span class="progress__text">Reading Coro usage and the PSA lines…</span>
        </div>
      )}
      {shown.none && !reading && (
        <p class="muted" data-testid="reconcile-none">
          No report yet for this connector: choose <strong>Read now</strong>.
        </p>
      )}
      {r && (
        <>
          <p class="reconcile__when" data-testid="reconcile-when">
            {r.connector_name}: read {formatTimestamp(r.read_at)}
            {r.age_seconds !== null && ` (${ageText(r.age_seconds)} ago)`}
          </p>
          <Totals report={r} />
          <ReportSections report={r} />
        </>
      )}
      {connectorId !== null && !reading && <TrendsChart connectorId={connectorId} refresh={r?.read_at ?? ''} />}
    </section>
  );
}

function Totals({ report: r }: { report: Report }) {
  const t = r.totals;
  const skipped = r.skipped.reduce((n, g) => n + g.lines.length, 0);
  const tiles: [string, string, string, string][] = [
    ['under', 'Under-billed a month', money(t.under_billed_cents), `${t.under_billed_rows} lines, ${t.under_billed_units} units`],
    ['over', 'Over-billed a month', money(t.over_billed_cents), `${t.over_billed_rows} lines, ${t.over_billed_units} units`],
    ['unbilled', 'Unbilled customers', String(r.unbilled.length), `${t.unbilled_units} units in use`],
    ['orphans', 'Orphan lines', String(r.orphans.length), `${money(t.orphan_cents)} a month`],
    ['skipped', 'Lines the sync skips', String(skipped), `${r.skipped.length} reasons`],
  ];
  return (
    <div class="reconcile__totals" data-testid="reconcile-totals">
      {tiles.map(([key, label, value, note]) => (
        <div class={`card card--padded reconcile__tile reconcile__tile--${key}`} key={key}>
          <div class="reconcile__tile-label">{label}</div>
          <div class="reconcile__tile-value" data-testid={`reconcile-total-${key}`}>
            {value}
          </div>
          <div class="muted">{note}</div>
        </div>
      ))}
      {t.unpriced_rows > 0 && <p class="muted">{t.unpriced_rows} differing lines carry no price and are not valued.</p>}
    </div>
  );
}
