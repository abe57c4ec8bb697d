// Not a pass/fail benchmark: prints how long each keystroke's filter takes over 10,000
// generated companies, so a slowdown is visible in `npm test` output.
import { describe, expect, it } from 'vitest';
import { buildIndex, search, type SearchResult, type Searchable } from './search';

const WORDS = [
  'North', 'South', 'Harbor', 'Pine', 'Summit', 'Blue', 'River', 'Granite', 'Oak', 'Metro', 'Apex',
  'Pioneer', 'Cedar', 'Golden', 'Valley', 'Coastal', 'Liberty', 'Eagle', 'Falcon', 'Prairie', 'Maple',
  'Beacon', 'Silver', 'Crescent', 'Lakeside', 'Union', 'Frontier', 'Redwood', 'Horizon', 'Keystone',
];
const KINDS = ['Dental', 'Legal', 'Logistics', 'Clinic', 'Accounting', 'Builders', 'Realty', 'Foods', 'Auto', 'Labs'];
const SUFFIXES = ['LLC', 'Inc', 'Ltd', 'Group', 'Partners', 'Co', 'GmbH', 'S.A.', 'Société', 'PLC'];

/** 10,000 plausible company names from a seeded generator (same list every run). */
function companies(count: number): Searchable[] {
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  return Array.from({ length: count }, (_, i) => ({
    id: 1000 + i,
    name: `${WORDS[next(WORDS.length)]} ${WORDS[next(WORDS.length)]} ${KINDS[next(KINDS.length)]} ${SUFFIXES[next(SUFFIXES.length)]}`,
    identifier: next(3) === 0 ? null : `C${(1000 + i).toString(36).toUpperCase()}`,
  }));
}

const ms = (t0: number) => (performance.now() - t0).toFixed(3);

describe('picker search over 10,000 companies', () => {
  it('prints the time per keystroke', () => {
    const options = companies(10_000);
    let t0 = performance.now();
    const index = buildIndex(options);
    console.log(`build index: ${ms(t0)} ms for ${index.items.length} companies`);

    const typed = 'harbor dental soc';
    let previous: SearchResult | null = null;
    const lines: string[] = [];
    for (let n = 1; n <= typed.length; n++) {
      const query = typed.slice(0, n);
      t0 = performance.now();
      const fresh = search(index, query);
      const freshMs = ms(t0);
      t0 = performance.now();
      const step: SearchResult = search(index, query, previous);
      const stepMs = ms(t0);
      expect(step.ranked).toEqual(fresh.ranked);
      lines.push(`${JSON.stringify(query).padEnd(20)} ${String(step.ranked.length).padStart(5)} matches   fresh ${freshMs} ms   incremental ${stepMs} ms`);
      previous = step;
    }
    console.log(`per keystroke:\n${lines.join('\n')}`);
    expect(previous?.ranked.length).toBeGreaterThan(0);
  });
});
