// The footer: app version, sandbox badge and when the next daily sync runs.
import type { AppInfo } from '../bindings/AppInfo';
import { formatTimestamp } from '../format/time';
import { Pill } from './Pill';

export function StatusStrip({ info }: { info: AppInfo | null }) {
  return (
    <footer class="status-strip" data-testid="status-strip">
      <span data-testid="app-version">{info ? `PSA Bridge ${info.version}` : 'PSA Bridge'}</span>
      {info?.sandbox && (
        <Pill tone="warning" testId="sandbox-badge" title="Talking to the built-in simulated Coro and PSA services">
          Sandbox mode
        </Pill>
      )}
      <span class="status-strip__spacer" />
      {info && <span data-testid="next-sync">{nextSyncText(info)}</span>}
    </footer>
  );
}

function nextSyncText(info: AppInfo): string {
  if (info.daily_sync_paused) return 'Daily sync paused';
  if (info.next_sync_at) return `Next sync ${formatTimestamp(info.next_sync_at)}`;
  return 'No sync scheduled';
}
