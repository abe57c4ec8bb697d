// "Open folder" beside a saved file's path: the folder opens in the OS's file manager (the app
// has no save dialog; files go to the data folder's exports/ or diagnostics/).
import { useState } from 'preact/hooks';
import type { SavedFolder } from '../bindings/SavedFolder';
import { openSavedFolder, toApiError } from '../ipc';

export function OpenFolder({ which, testId }: { which: SavedFolder; testId: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      {' '}
      <button
        type="button"
        class="link-button"
        onClick={() => openSavedFolder(which).then(() => setError(null), (e: unknown) => setError(toApiError(e).message))}
        data-testid={testId}
      >
        Open folder
      </button>
      {error && (
        <span class="field__error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </>
  );
}
