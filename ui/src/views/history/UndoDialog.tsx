// "Undo this run…": previews the undo (read from the PSA now, nothing written), lists each change
// it would put back or skip with the reason, then applies it and opens the undo run.
import { useEffect, useState } from 'preact/hooks';
import { Modal } from '../../components/Modal';
import { Pill } from '../../components/Pill';
import { actionLabel, actionTone, qty } from '../../format/plan';
import { toApiError, undoRun, type PlanItem, type UndoOutcome } from '../../ipc';
import { navigate } from '../../router';

type Props = { runId: number; onClose: () => void };

/** The items the undo leaves alone come first: they are what the operator must look at. */
function skippedFirst(items: readonly PlanItem[]): PlanItem[] {
  return [...items].sort((a, b) => Number(b.action === 'skip') - Number(a.action === 'skip'));
}

type State =
  | { step: 'previewing' }
  | { step: 'preview'; outcome: UndoOutcome }
  | { step: 'applying'; outcome: UndoOutcome }
  | { step: 'failed'; message: string; outcome: UndoOutcome | null };

export function UndoDialog({ runId, onClose }: Props) {
  const [state, setState] = useState<State>({ step: 'previewing' });
  useEffect(() => {
    let live = true;
    undoRun(runId, [], true).then(
      (outcome) => live && setState({ step: 'preview', outcome }),
      (e: unknown) => live && setState({ step: 'failed', message: toApiError(e).message, outcome: null }),
    );
    return () => {
      live = false;
    };
  }, [runId]);

  const outcome = state.step === 'previewing' ? null : state.outcome;
  const writes = outcome ? outcome.plan.totals.increase + outcome.plan.totals.decrease : 0;
  const skipped = outcome ? outcome.plan.totals.skip : 0;

  const apply = () => {
    if (!outcome) return;
    setState({ step: 'applying', outcome });
    undoRun(runId, [], false).then(
      (done) => {
        onClose();
        if (done.summary) navigate({ name: 'run', runId: done.summary.run_id });
      },
      (e: unknown) => setState({ step: 'failed', message: toApiError(e).message, outcome }),
    );
  };

  return (
    <Modal title={`Undo run #${runId}`} testId="undo-dialog" onClose={onClose} closeOnBackdrop={state.step !== 'applying'}>
      <div class="modal__body undo-preview">
        {state.step === 'previewing' && <p class="muted">Reading the PSA lines this run changed…</p>}
        {outcome && (
          <>
            <p data-testid="undo-summary">
              {writes} change(s) put back to what the PSA held before the run
              {skipped > 0 ? `; ${skipped} skipped (shown with the reason)` : ''}. The undo is recorded as a run of its
              own. The next sync plans from Coro's counts again.
            </p>
            <table class="table undo-preview__table" data-testid="undo-items">
              <thead>
                <tr>
                  <th>Workspace / service</th>
                  <th>Now → back to</th>
                  <th>Action</th>
                </tr>
              </thead>
              <tbody>
                {skippedFirst(outcome.plan.items).map((i) => (
                  <tr key={`${i.workspace_id}/${i.service_key}`} data-testid="undo-item" data-action={i.action}>
                    <td>
                      {i.workspace_name}
                      <div class="muted">{i.service_name}</div>
                    </td>
                    <td class="num">
                      {qty(i.before)} → {qty(i.after)}
                    </td>
                    <td>
                      <Pill tone={actionTone(i.action)}>{actionLabel(i.action)}</Pill>
                      {i.reason && <div class="muted undo-preview__reason">{i.reason}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {state.step === 'failed' && (
          <p class="export__error" role="alert" data-testid="undo-error">
            {state.message}
          </p>
        )}
      </div>
      <footer class="modal__footer">
        <button type="button" class="button" data-autofocus onClick={onClose} data-testid="undo-cancel">
          {state.step === 'failed' && !outcome ? 'Close' : 'Cancel'}
        </button>
        <button
          type="button"
          class="button button--danger"
          disabled={state.step !== 'preview' || writes === 0}
          onClick={apply}
          data-testid="undo-apply"
        >
          {state.step === 'applying' ? 'Undoing…' : `Undo ${writes} change(s)`}
        </button>
      </footer>
    </Modal>
  );
}
