import { describe, expect, it } from 'vitest';
import { formatDuration, runDuration } from './duration';

describe('formatDuration', () => {
  it('picks a unit per magnitude', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4_260)).toBe('4.2 s');
    expect(formatDuration(42_900)).toBe('42 s');
    expect(formatDuration(192_000)).toBe('3 min 12 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(3_840_000)).toBe('1 h 4 min');
    expect(formatDuration(7_200_000)).toBe('2 h');
  });
  it('refuses nonsense', () => {
    expect(formatDuration(-1)).toBeNull();
    expect(formatDuration(Number.NaN)).toBeNull();
  });
});

describe('runDuration', () => {
  it('measures between two timestamps', () => {
    expect(runDuration('2025-03-04T06:00:00Z', '2025-03-04T06:00:42Z')).toBe('42 s');
  });
  it('says Running without an end, a dash for bad input', () => {
    expect(runDuration('2025-03-04T06:00:00Z', null)).toBe('Running');
    expect(runDuration('soon', '2025-03-04T06:00:42Z')).toBe('—');
  });
});
