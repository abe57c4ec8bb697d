import { describe, expect, it } from 'vitest';
import { ageText, maybeMoney, money } from './format';

describe('reconcile format', () => {
  it('prints cents as money', () => {
    expect(money(123450)).toBe('1,234.50');
    expect(money(-5)).toBe('-0.05');
    expect(money(0)).toBe('0.00');
    expect(maybeMoney(null)).toBe('—');
  });
  it('says how old a report is', () => {
    expect(ageText(1)).toBe('1 second');
    expect(ageText(600)).toBe('10 minutes');
    expect(ageText(7200)).toBe('2 hours');
    expect(ageText(3 * 86400)).toBe('3 days');
  });
});
