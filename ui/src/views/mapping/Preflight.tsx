// Pre-flight checks on the workspace mapping page: read once when the page opens (and again on
// "Check again"), shown as a line above the table and as badges with the reason on each mapped
// company. A failed check says so here, without blocking the mapping.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CheckReport } from '../../bindings/CheckReport';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { Problem } from '../../bindings/Problem';
import { problemCountText, problemLabel } from '../../format/preflight';
import { preflightCheck, toApiError } from '../../ipc';

export type Preflight =
  | { state: 'checking'; report: CheckReport | null }
  | { state: 'done'; report: CheckReport }
  | { state: 'failed'; report: CheckReport | null; message: string };

export function usePreflight(connectorId: ConnectorId): [Preflight, () => void] {
  const [check, setCheck] = useState<Preflight>({ state: 'checking', report: null });
  const latest = useRef(0);
  const run = useCallback(() => {
    const ticket = ++latest.current;
    setCheck((prev) => ({ state: 'checking', report: prev.report }));
    preflightCheck(connectorId).then(
      (report) => {
        if (ticket === latest.current) setCheck({ state: 'done', report });
      },
      (e: unknown) => {
        if (ticket !== latest.current) return;
        const message = toApiError(e).message;
        setCheck((prev) => ({ state: 'failed', report: prev.report, message }));
      },
    );
  }, [connectorId]);
  useEffect(() => {
    run();
    return () => {
      latest.current++;
    };
  }, [run]);
  return [check, run];
}

export function PreflightBar({ check, onAgain }: { check: Preflight; onAgain: () => void }) {
  const n = check.report?.problems.length ?? 0;
  const text =
    check.state === 'checking'
      ? 'Checking the mapped companies in the PSA…'
      : check.state === 'failed'
        ? `The pre-flight checks could not be made: ${check.message}`
        : n === 0
          ? `Pre-flight checks: no problems in ${check.report.companies} mapped companies`
          : `Pre-flight checks: ${problemCountText(n)} before the next sync`;
  const tone = check.state === 'failed' || n > 0 ? 'preflight--warn' : 'preflight--ok';
  return (
    <div class={`preflight ${check.state === 'checking' ? '' : tone}`} data-testid="preflight-bar" data-state={check.state} data-problems={n}>
      <span aria-live="polite">{text}</span>
      <button type="button" class="button button--small" onClick={onAgain} disabled={check.state === 'checking'} data-testid="preflight-again">
        Check again
      </button>
    </div>
  );
}

/** The problems of one mapped company, each a badge with its reason. */
export function ProblemBadges({ problems, rowKey }: { problems: readonly Problem[]; rowKey: string }) {
  if (problems.length === 0) return null;
  return (
    <ul class="preflight-list" data-testid={`preflight-${rowKey}`}>
      {problems.map((p, i) => (
        <li key={i} data-kind={p.kind} data-testid={`preflight-${rowKey}-${p.kind}`}>
          <span class="tag tag--problem" title={p.reason}>
            {problemLabel(p.kind)}
            {p.service_key ? ` · ${p.service_key}` : ''}
          </span>
          <span class="preflight-list__reason">{p.reason}</span>
        </li>
      ))}
    </ul>
  );
}
