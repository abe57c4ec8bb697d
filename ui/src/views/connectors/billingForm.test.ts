import { describe, expect, it } from 'vitest';
import { checkBilling, formOf, type BillingForm } from './billingForm';

const base: BillingForm = { cadence: 'daily', day: '1', thresholdKind: 'off', thresholdValue: '', createMissing: false };

describe('billing form', () => {
  it('round-trips the stored settings', () => {
    const stored = { monthly_day: 15, threshold: { kind: 'percent' as const, value: 2.5 }, create_missing: true };
    expect(checkBilling(formOf(stored))).toEqual({ ok: true, billing: stored });
    expect(formOf({ monthly_day: null, threshold: null, create_missing: false })).toEqual(base);
  });

  it('daily ignores the day field, off ignores the value', () => {
    expect(checkBilling({ ...base, day: 'x', thresholdValue: 'y' })).toEqual({
      ok: true,
      billing: { monthly_day: null, threshold: null, create_missing: false },
    });
  });

  it('refuses a day outside 1–28 and a bad threshold, per field', () => {
    for (const day of ['0', '29', '', '3.5', 'ten']) {
      const r = checkBilling({ ...base, cadence: 'monthly', day });
      expect(r.ok ? null : r.errors.day).toContain('1 to 28');
    }
    for (const v of ['0', '', '1.5', '-2']) {
      const r = checkBilling({ ...base, thresholdKind: 'units', thresholdValue: v });
      expect(r.ok ? null : r.errors.threshold).toContain('at least 1');
    }
    for (const v of ['0', '101', 'abc']) {
      const r = checkBilling({ ...base, thresholdKind: 'percent', thresholdValue: v });
      expect(r.ok ? null : r.errors.threshold).toContain('above 0');
    }
    const both = checkBilling({ ...base, cadence: 'monthly', day: '31', thresholdKind: 'units', thresholdValue: '0' });
    expect(both.ok ? {} : both.errors).toEqual({
      day: 'Enter a day from 1 to 28 (every month has it).',
      threshold: 'Enter a whole number of units, at least 1.',
    });
  });

  it('monthly with a units threshold and create-missing', () => {
    expect(
      checkBilling({ cadence: 'monthly', day: ' 15 ', thresholdKind: 'units', thresholdValue: '3', createMissing: true }),
    ).toEqual({ ok: true, billing: { monthly_day: 15, threshold: { kind: 'units', value: 3 }, create_missing: true } });
  });
});
