import { useState } from 'preact/hooks';
import { syncNow } from '../ipc';
import { useReportError } from '../report';
import { Placeholder } from './Placeholder';

export function SyncView() {
  const report = useReportError();
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState(false);

  const run = () => {
    setRunning(true);
    setDone(false);
    syncNow()
      .then(() => setDone(true), report)
      .finally(() => setRunning(false));
  };

  return (
    <Placeholder
      testId="view-sync"
      title="Sync"
      explanation="Here you will preview the quantity changes PSA Bridge plans to make (Coro usage compared with each mapped agreement or contract) and approve them before they are applied."
    >
      <div class="placeholder__actions">
        <button type="button" class="button button--primary" data-testid="sync-now" disabled={running} onClick={run}>
          {running ? 'Syncing…' : 'Sync now'}
        </button>
        {done && (
          <span class="muted" role="status" data-testid="sync-requested">
            Sync requested. Results will appear in History.
          </span>
        )}
      </div>
    </Placeholder>
  );
}
