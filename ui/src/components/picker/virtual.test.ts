import { describe, expect, it } from 'vitest';
import { revealScrollTop, visibleRange } from './virtual';

describe('visibleRange', () => {
  it('covers the viewport plus overscan', () => {
    // 320px viewport, 32px rows: rows 0..10 visible from the top.
    expect(visibleRange(0, 320, 32, 10_000, 4)).toEqual({ start: 0, end: 15 });
    // scrolled to row 100
    expect(visibleRange(3200, 320, 32, 10_000, 4)).toEqual({ start: 96, end: 115 });
  });
  it('is clamped to the list', () => {
    expect(visibleRange(0, 320, 32, 3, 4)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(32 * 9_995, 320, 32, 10_000, 4)).toEqual({ start: 9_991, end: 10_000 });
    expect(visibleRange(99_999_999, 320, 32, 5, 4)).toEqual({ start: 5, end: 5 });
    expect(visibleRange(-50, 320, 32, 10, 0)).toEqual({ start: 0, end: 10 });
  });
  it('renders nothing for an empty list', () => {
    expect(visibleRange(0, 320, 32, 0)).toEqual({ start: 0, end: 0 });
  });
  it('renders a bounded number of rows however long the list', () => {
    const { start, end } = visibleRange(123_456, 320, 32, 1_000_000, 4);
    expect(end - start).toBeLessThanOrEqual(320 / 32 + 1 + 8);
  });
});

describe('revealScrollTop', () => {
  it('keeps the offset when the row is already visible', () => {
    expect(revealScrollTop(3, 0, 320, 32)).toBe(0);
  });
  it('scrolls up to a row above the viewport', () => {
    expect(revealScrollTop(2, 200, 320, 32)).toBe(64);
  });
  it('scrolls down just enough for a row below the viewport', () => {
    expect(revealScrollTop(10, 0, 320, 32)).toBe(32);
    expect(revealScrollTop(50, 0, 320, 32)).toBe(51 * 32 - 320);
  });
});
