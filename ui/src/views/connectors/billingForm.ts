// The connector's billing settings as a form: cadence (daily / monthly on a day), noise threshold
// (off / units / percent) and "create missing lines". The check turns typed values into the
// command's input, or says, per field, what is wrong. Pure.
import type { Billing } from '../../bindings/Billing';

export type ThresholdKind = 'off' | 'units' | 'percent';

export type BillingForm = {
  cadence: 'daily' | 'monthly';
  day: string;
  thresholdKind: ThresholdKind;
  thresholdValue: string;
  createMissing: boolean;
};

export type BillingErrors = { day?: string; threshold?: string };

export type BillingCheck = { ok: true; billing: Billing } | { ok: false; errors: BillingErrors };

export function formOf(b: Billing): BillingForm {
  return {
    cadence: b.monthly_day === null ? 'daily' : 'monthly',
    day: b.monthly_day === null ? '1' : String(b.monthly_day),
    thresholdKind: b.threshold === null ? 'off' : b.threshold.kind,
    thresholdValue: b.threshold === null ? '' : String(b.threshold.value),
    createMissing: b.create_missing,
  };
}

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

export function checkBilling(f: BillingForm): BillingCheck {
  const errors: BillingErrors = {};
  let monthly_day: number | null = null;
  if (f.cadence === 'monthly') {
    const day = f.day.trim();
    const n = Number(day);
    if (!WHOLE.test(day) || n < 1 || n > 28) {
      errors.day = 'Enter a day from 1 to 28 (every month has it).';
    } else {
      monthly_day = n;
    }
  }
  let threshold: Billing['threshold'] = null;
  const raw = f.thresholdValue.trim();
  if (f.thresholdKind === 'units') {
    const n = Number(raw);
    if (!WHOLE.test(raw) || n < 1) errors.threshold = 'Enter a whole number of units, at least 1.';
    else threshold = { kind: 'units', value: n };
  } else if (f.thresholdKind === 'percent') {
    const p = Number(raw);
    if (!DECIMAL.test(raw) || !(p > 0 && p <= 100)) errors.threshold = 'Enter a percentage above 0 and at most 100.';
    else threshold = { kind: 'percent', value: p };
  }
  if (errors.day || errors.threshold) return { ok: false, errors };
  return { ok: true, billing: { monthly_day, threshold, create_missing: f.createMissing } };
}
