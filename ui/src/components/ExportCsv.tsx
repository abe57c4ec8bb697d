// *Export CSV* with what came of it: the saved file's path and *Open folder*, or the error. Used
// by the run page and the Reconcile page; `save` writes the file and resolves to its path.
import { useState } from 'preact/hooks';
import { toApiError } from '../ipc';
import { OpenFolder } from './OpenFolder';

type State = { busy: boolean; path: string | null; error: string | null };

type Props = {
  save: () => Promise<string>;
  /** `run-export` → `run-export`, `run-export-path`, `run-export-open`, `run-export-error`. */
  testId: string;
  /** Inside a toolbar line (spans) rather than a block of its own. */
  inline?: boolean;
};

export function ExportCsv({ save, testId, inline = false }: Props) {
  const [state, setState] = useState<State>({ busy: false, path: null, error: null });
  const exportCsv = () => {
    setState({ busy: true, path: null, error: null });
    save().then(
      (path) => setState({ busy: false, path, error: null }),
      (e: unknown) => setState({ busy: false, path: null, error: toApiError(e).message }),
    );
  };
  const Wrap = inline ? 'span' : 'div';
  const Line = inline ? 'span' : 'p';
  return (
    <Wrap class="export">
      <button type="button" class="button" disabled={state.busy} onClick={exportCsv} data-testid={testId}>
        {state.busy ? 'Exporting…' : 'Export CSV'}
      </button>
      {state.path && (
        <Line class="export__result" role="status">
          Saved to <code class="path" data-testid={`${testId}-path`}>{state.path}</code>
          <OpenFolder which="exports" testId={`${testId}-open`} />
        </Line>
      )}
      {state.error && (
        <Line class="export__error" role="alert" data-testid={`${testId}-error`}>
          {state.error}
        </Line>
      )}
    </Wrap>
  );
}
