// Money and age as the Reconcile page shows them.

/** Whole cents as a decimal with thousands separators ("1,234.50", "-0.05"). */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** `money` for an optional amount ("—" when unknown). */
export function maybeMoney(cents: number | null): string {
  return cents === null ? '—' : money(cents);
}

/** "45 seconds", "3 minutes", "2 hours", "5 days". */
export function ageText(seconds: number): string {
  const [n, unit] =
    seconds < 90
      ? [seconds, 'second']
      : seconds < 90 * 60
        ? [Math.floor(seconds / 60), 'minute']
        : seconds < 36 * 3600
          ? [Math.floor(seconds / 3600), 'hour']
          : [Math.floor(seconds / 86400), 'day'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
