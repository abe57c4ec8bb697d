import type { AppInfo } from '../bindings/AppInfo';
import { PageHeader } from '../components/PageHeader';

export function SettingsView({ info }: { info: AppInfo | null }) {
  return (
    <section class="view" data-testid="view-settings">
      <PageHeader title="Settings" />
      <div class="card card--padded">
        <p class="placeholder__text">
          The Coro channel connection, the daily sync schedule and notification preferences will be managed here.
        </p>
        <dl class="facts">
          <dt>Version</dt>
          <dd data-testid="settings-version">{info?.version ?? '—'}</dd>
          <dt>Data folder</dt>
          <dd>
            <code class="path" data-testid="settings-data-dir">
              {info?.data_dir ?? '—'}
            </code>
          </dd>
          <dt>Mode</dt>
          <dd data-testid="settings-mode">{info ? (info.sandbox ? 'Sandbox (simulated services)' : 'Live') : '—'}</dd>
          <dt>Coro</dt>
          <dd data-testid="settings-coro">{info ? (info.coro_connected ? 'Connected' : 'Not connected') : '—'}</dd>
        </dl>
      </div>
    </section>
  );
}
