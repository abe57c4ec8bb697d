// Scaling for the trends chart: pure, so the vitest can check where every point lands.
import type { Trends } from '../../bindings/Trends';

export type Metric = 'units' | 'value';

export type Series = { key: string; name: string; points: { x: number; y: number; v: number; month: string }[] };

export type Scaled = {
  /** The y axis' top, a round number at or above every value. */
  max: number;
  /** Y axis ticks (values), bottom to top. */
  ticks: number[];
  /** X of each month, in order. */
  xs: { month: string; x: number }[];
  series: Series[];
};

/** The smallest 1, 2 or 5 × 10ⁿ at or above `n` (1 for 0 or less). */
export function niceMax(n: number): number {
  if (n <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const f of [1, 2, 5, 10]) if (f * p >= n) return f * p;
  return 10 * p;
}

/**
 * Points of every service in a `width` × `height` plot area (y grows downwards, 0 at the
 * bottom); a month a service has no line in counts 0.
 */
export function scaleTrends(t: Trends, metric: Metric, width: number, height: number): Scaled {
  const keys = [...new Set(t.months.flatMap((m) => m.points.map((p) => p.service_key)))].sort();
  const value = (m: Trends['months'][number], key: string) => {
    const p = m.points.find((q) => q.service_key === key);
    if (!p) return 0;
    return metric === 'units' ? p.units : p.value_cents;
  };
  const all = t.months.flatMap((m) => keys.map((k) => value(m, k)));
  const max = niceMax(Math.max(0, ...all));
  const n = t.months.length;
  const xs = t.months.map((m, i) => ({ month: m.month, x: n <= 1 ? width / 2 : (i * width) / (n - 1) }));
  const y = (v: number) => height - (v / max) * height;
  const series = keys.map((key) => ({
    key,
    name: t.service_names[key] ?? key,
    points: t.months.map((m, i) => {
      const v = value(m, key);
      return { x: xs[i]?.x ?? 0, y: y(v), v, month: m.month };
    }),
  }));
  return { max, ticks: [0, max / 2, max], xs, series };
}
