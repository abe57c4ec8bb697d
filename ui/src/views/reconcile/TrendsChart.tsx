// Trends on the Reconcile page: billed units (or their monthly value) per service and month,
// from the run history, as a plain SVG line chart with axis labels, a legend and <title>s.
import { useEffect, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { Trends } from '../../bindings/Trends';
import { reconcileTrends, toApiError } from '../../ipc';
import { money } from './format';
import { scaleTrends, type Metric } from './trendScale';

const W = 560;
const H = 180;
const PAD = { left: 64, right: 16, top: 12, bottom: 28 };
const COLOURS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4b5563'];

function monthLabel(m: string): string {
  const [y, mo] = m.split('-');
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${names[Number(mo) - 1] ?? mo} ${y?.slice(2) ?? ''}`;
}

export function TrendsChart({ connectorId, refresh }: { connectorId: ConnectorId; refresh: string }) {
  const [trends, setTrends] = useState<Trends | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [metric, setMetric] = useState<Metric>('units');
  useEffect(() => {
    let live = true;
    reconcileTrends(connectorId).then(
      (t) => live && (setTrends(t), setError(null)),
      (e: unknown) => live && setError(toApiError(e).message),
    );
    return () => {
      live = false;
    };
  }, [connectorId, refresh]);

  if (error) return <p class="muted" data-testid="trends-error">Trends could not be loaded: {error}</p>;
  if (!trends) return null;
  if (trends.months.length === 0) {
    return (
      <section class="card card--padded trends" data-testid="trends-empty">
        <h2 class="trends__title">Trends</h2>
        <p class="muted">No sync has written to this connector yet: the chart starts with the first run.</p>
      </section>
    );
  }
  const s = scaleTrends(trends, metric, W - PAD.left - PAD.right, H - PAD.top - PAD.bottom);
  const fmt = (v: number) => (metric === 'units' ? String(Math.round(v)) : money(v));
  const what = metric === 'units' ? 'billed units' : 'monthly value';
  return (
    <section class="card card--padded trends" data-testid="trends">
      <div class="trends__head">
        <h2 class="trends__title">Trends</h2>
        <div class="trends__switch" role="group" aria-label="Show">
          <button type="button" class={`button button--small ${metric === 'units' ? 'button--accent' : ''}`} aria-pressed={metric === 'units'} onClick={() => setMetric('units')} data-testid="trends-units">
            Units
          </button>
          <button
            type="button"
            class={`button button--small ${metric === 'value' ? 'button--accent' : ''}`}
            aria-pressed={metric === 'value'}
            onClick={() => setMetric('value')}
            disabled={!trends.priced}
            title={trends.priced ? undefined : 'Read a report first: values use its unit prices'}
            data-testid="trends-value"
          >
            Value
          </button>
        </div>
      </div>
      <svg class="trends__chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="trends-title" data-testid="trends-chart">
        <title id="trends-title">{`${what[0]?.toUpperCase()}${what.slice(1)} per service and month, ${trends.months[0]?.month} to ${trends.months[trends.months.length - 1]?.month}`}</title>
        <g transform={`translate(${PAD.left},${PAD.top})`}>
          {s.ticks.map((t) => {
            const y = (H - PAD.top - PAD.bottom) * (1 - t / s.max);
            return (
              <g key={t} data-testid="trends-tick">
                <line x1={0} x2={W - PAD.left - PAD.right} y1={y} y2={y} class="trends__grid" />
                <text x={-8} y={y + 4} text-anchor="end" class="trends__label">
                  {fmt(t)}
                </text>
              </g>
            );
          })}
          {s.xs.map((x) => (
            <text key={x.month} x={x.x} y={H - PAD.top - PAD.bottom + 18} text-anchor="middle" class="trends__label" data-testid="trends-month">
              {monthLabel(x.month)}
            </text>
          ))}
          {s.series.map((line, i) => (
            <g key={line.key} data-testid={`trends-series-${line.key}`}>
              <polyline fill="none" stroke={COLOURS[i % COLOURS.length]} stroke-width={2} points={line.points.map((p) => `${p.x},${p.y}`).join(' ')} />
              {line.points.map((p) => (
                <circle key={p.month} cx={p.x} cy={p.y} r={3} fill={COLOURS[i % COLOURS.length]}>
                  <title>{`${line.name}, ${monthLabel(p.month)}: ${fmt(p.v)}`}</title>
                </circle>
              ))}
            </g>
          ))}
        </g>
      </svg>
      <ul class="trends__legend" data-testid="trends-legend">
        {s.series.map((line, i) => (
          <li key={line.key}>
            <span class="trends__swatch" style={{ background: COLOURS[i % COLOURS.length] }} aria-hidden="true" />
            {line.name}
          </li>
        ))}
      </ul>
      <p class="muted trends__note">
        From the run history: what the PSA billed after each month's last run (a month without a run keeps the previous one's).
        {trends.priced ? ' Values use the unit prices of the last report.' : ' Read a report to see values.'}
      </p>
    </section>
  );
}
