// Settings → About → Save diagnostics…: one archive for support (secrets removed, customer names
// hashed unless the operator keeps them), saved to the data folder's diagnostics/.
import { useState } from 'preact/hooks';
import { OpenFolder } from '../../components/OpenFolder';
import { saveDiagnostics, toApiError } from '../../ipc';

type DiagnosticsState =
  | { step: 'idle' }
  | { step: 'saving' }
  | { step: 'saved'; path: string; problems: string[] }
  | { step: 'failed'; message: string };

/** Save diagnostics…: one archive for support, secrets removed, names hashed unless kept. */
export function DiagnosticsRow() {
  const [names, setNames] = useState(false);
  const [state, setState] = useState<DiagnosticsState>({ step: 'idle' });
  const save = () => {
    setState({ step: 'saving' });
    saveDiagnostics(names).then(
      (saved) => setState({ step: 'saved', path: saved.path, problems: saved.problems }),
      (e: unknown) => setState({ step: 'failed', message: toApiError(e).message }),
    );
  };
  return (
    <div class="settings__diagnostics" data-testid="diagnostics" style={{ display: 'grid', gap: '8px', justifyItems: 'start' }}>
      <label class="check">
        <input
          type="checkbox"
          checked={names}
          data-testid="diagnostics-names"
          onChange={(e) => setNames((e.target as HTMLInputElement).checked)}
        />{' '}
        Include customer names
      </label>
      <button class="button" type="button" data-testid="diagnostics-save" disabled={state.step === 'saving'} onClick={save}>
        {state.step === 'saving' ? 'Saving…' : 'Save diagnostics…'}
      </button>
      {state.step === 'saved' && (
        <p class="muted" data-testid="diagnostics-saved">
          Saved to <code class="path">{state.path}</code> — secrets removed
          {names ? '' : ', customer names replaced by hashes'}.
          {state.problems.length > 0 && ` Could not read: ${state.problems.join('; ')}`}
          <OpenFolder which="diagnostics" testId="diagnostics-open" />
        </p>
      )}
      {state.step === 'failed' && (
        <p class="error" role="alert" data-testid="diagnostics-error">
          {state.message}
        </p>
      )}
    </div>
  );
}
