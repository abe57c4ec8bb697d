// A run's status pill: "Succeeded — 12 lines need attention" in amber when a run left lines
// unbilled, the plain status otherwise.
import type { RunCounts } from '../bindings/RunCounts';
import { runStatusText } from '../format/plan';
import { Pill } from './Pill';

export function StatusPill({ status, counts }: { status: string; counts: RunCounts }) {
  const s = runStatusText(status, counts);
  return (
    <span data-testid="status-pill" data-status={status} data-unbilled={counts.unbilled}>
      <Pill tone={s.tone}>{s.label}</Pill>
    </span>
  );
}
