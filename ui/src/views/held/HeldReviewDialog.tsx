// "Review held changes": exactly the changes held right now for one connector (read again from
// Coro and the PSA), each approved or rejected (or all at once), applied as a run of their own.
import { useEffect, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { PlanView } from '../../bindings/PlanView';
import type { RunSummary } from '../../bindings/RunSummary';
import { Modal } from '../../components/Modal';
import { applyHeld, heldPreview, toApiError } from '../../ipc';
import { approvedKeys, counts, decideAll, keyOf, type Decision, type Decisions } from './decisions';

type Props = { connectorId: ConnectorId; onClose: () => void; onApplied: (run: RunSummary) => void };

export function HeldReviewDialog({ connectorId, onClose, onApplied }: Props) {
  const [view, setView] = useState<PlanView | null>(null);
  const [decisions, setDecisions] = useState<Decisions>({});
  const [applying, setApplying] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    heldPreview(connectorId).then(
      (v) => active && setView(v),
      (e: unknown) => active && setError(toApiError(e).message),
    );
    return () => {
      active = false;
    };
  }, [connectorId]);

  const items = view?.items ?? [];
  const c = counts(items, decisions);
  const decide = (key: string, d: Decision) => setDecisions((prev) => ({ ...prev, [key]: d }));
  const apply = () => {
    const approved = approvedKeys(items, decisions);
    if (!view || approved === null || applying) return;
    setApplying(true);
    setError(null);
    applyHeld(connectorId, view.plan_id, approved).then(onApplied, (e: unknown) => {
      setApplying(false);
      setError(toApiError(e).message);
    });
  };

  return (
    <Modal title="Review held changes" testId="held-review-dialog" onClose={onClose} wide>
      <div class="held-review">
        {view === null && !error && <p class="muted">Reading Coro and the PSA for the changes held now…</p>}
        {view !== null && items.length === 0 && (
          <p data-testid="held-review-empty">Nothing is held now: every change is within the safety limits.</p>
        )}
        {items.length > 0 && (
          <>
            <p class="muted">
              {items.length} change(s) are held now (read again from Coro and the PSA). Approve or reject each; the
              approved ones are written as a run of their own.
            </p>
            <div class="held-review__bulk">
              <button type="button" class="button" onClick={() => setDecisions(decideAll(items, 'approve'))} data-testid="held-approve-all">
                Approve all {items.length}
              </button>
              <button type="button" class="button" onClick={() => setDecisions(decideAll(items, 'reject'))} data-testid="held-reject-all">
                Reject all
              </button>
              <span class="spacer" />
              <span class="muted" data-testid="held-counts">
                {c.approved} approved · {c.rejected} rejected · {c.open} to decide
              </span>
            </div>
            <div class="held-review__list">
              <table data-testid="held-items">
                <thead>
                  <tr>
                    <th scope="col">Customer / service</th>
                    <th scope="col">Change</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((i, n) => {
                    const key = keyOf(i);
                    const d = decisions[key];
                    return (
                      <tr key={key} data-testid={`held-item-${n}`} data-decision={d ?? 'open'}>
                        <td>
                          <strong>{i.workspace_name}</strong> / {i.service_name}
                          <div class="held-review__reason">{i.reason}</div>
                        </td>
                        <td class="nowrap">
                          {i.before ?? '?'} → {i.after ?? '?'}
                        </td>
                        <td>
                          <span class="decision" role="group" aria-label={`Decision for ${i.workspace_name} / ${i.service_name}`}>
                            <button
                              type="button"
                              class="decision__approve"
                              aria-pressed={d === 'approve'}
                              onClick={() => decide(key, 'approve')}
                              data-testid={`held-approve-${n}`}
                            >
                              Approve
                            </button>
                            <button
                              type="button"
                              class="decision__reject"
                              aria-pressed={d === 'reject'}
                              onClick={() => decide(key, 'reject')}
                              data-testid={`held-reject-${n}`}
                            >
                              Reject
                            </button>
                          </span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
        {error && (
          <div class="form-error" role="alert" data-testid="held-review-error">
            {error}
          </div>
        )}
        <footer class="modal__footer">
          <button type="button" class="button" onClick={onClose} data-testid="held-review-cancel">
            Cancel
          </button>
          {items.length > 0 && (
            <button
              type="button"
              class="button button--primary"
              disabled={applying || c.open > 0}
              onClick={apply}
              title={c.open > 0 ? 'Approve or reject every held change first' : undefined}
              data-testid="held-apply"
            >
              {applying ? 'Applying…' : `Apply: write ${c.approved}, reject ${c.rejected}`}
            </button>
          )}
        </footer>
      </div>
    </Modal>
  );
}
