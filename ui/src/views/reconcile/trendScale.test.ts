import { describe, expect, it } from 'vitest';
import type { Trends } from '../../bindings/Trends';
import { niceMax, scaleTrends } from './trendScale';

const trends: Trends = {
  connector_id: 1,
  service_names: { edr: 'EDR' },
  priced: true,
  months: [
    { month: '2026-10', runs: 1, points: [{ service_key: 'edr', units: 10, value_cents: 4250, unpriced_lines: 0 }] },
    { month: '2026-11', runs: 0, points: [{ service_key: 'edr', units: 10, value_cents: 4250, unpriced_lines: 0 }] },
    {
      month: '2026-12',
      runs: 2,
      points: [
        { service_key: 'edr', units: 15, value_cents: 6375, unpriced_lines: 0 },
        { service_key: 'mdm', units: 4, value_cents: 0, unpriced_lines: 1 },
      ],
    },
  ],
};

describe('trend scaling', () => {
  it('rounds the axis up to 1, 2 or 5 × 10ⁿ', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(15)).toBe(20);
    expect(niceMax(20)).toBe(20);
    expect(niceMax(21)).toBe(50);
    expect(niceMax(6375)).toBe(10000);
  });

  it('places units on a 0-to-max axis, months spread over the width', () => {
    const s = scaleTrends(trends, 'units', 300, 100);
    expect(s.max).toBe(20);
    expect(s.ticks).toEqual([0, 10, 20]);
    expect(s.xs.map((x) => x.x)).toEqual([0, 150, 300]);
    const edr = s.series.find((x) => x.key === 'edr');
    expect(edr?.name).toBe('EDR');
    expect(edr?.points.map((p) => p.y)).toEqual([50, 50, 25]);
    // A service missing in a month sits on 0 (the bottom); an unknown name shows its key.
    const mdm = s.series.find((x) => x.key === 'mdm');
    expect(mdm?.name).toBe('mdm');
    expect(mdm?.points.map((p) => p.y)).toEqual([100, 100, 80]);
  });

  it('scales money by value, and centres a single month', () => {
    const s = scaleTrends(trends, 'value', 300, 100);
    expect(s.max).toBe(10000);
    expect(s.series.find((x) => x.key === 'edr')?.points[2]?.y).toBeCloseTo(36.25);
    const one = scaleTrends({ ...trends, months: trends.months.slice(0, 1) }, 'units', 300, 100);
    expect(one.xs[0]?.x).toBe(150);
  });
});
