// The shell: side navigation, the current screen, the error banner and the status strip.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiError } from './bindings/ApiError';
import type { AppInfo } from './bindings/AppInfo';
import { ErrorBanner } from './components/ErrorBanner';
import { SideNav } from './components/SideNav';
import { StatusStrip } from './components/StatusStrip';
import { appInfo, onNavigate, rememberPage, toApiError } from './ipc';
import { ReportErrorContext } from './report';
import { navigate, parseRoute, routeHref, sectionOf, useRoute, type Route } from './router';
import { useAppEvents } from './useAppEvents';
import { useLoad } from './useLoad';
import { ConnectorsView } from './views/connectors/ConnectorsView';
import { HistoryView } from './views/history/HistoryView';
import { ReconcileView } from './views/reconcile/ReconcileView';
import { RunDetailView } from './views/history/RunDetailView';
import { ServiceMappingView } from './views/mapping/ServiceMapping';
import { WorkspaceMappingView } from './views/mapping/WorkspaceMapping';
import { SettingsView } from './views/Settings';
import { SyncView } from './views/sync/SyncView';

export function App() {
  const [error, setError] = useState<ApiError | null>(null);
  const report = useCallback((e: unknown) => setError(toApiError(e)), []);
  const dismiss = useCallback(() => setError(null), []);

  return (
    <ReportErrorContext.Provider value={report}>
      <Shell error={error} onDismiss={dismiss} />
    </ReportErrorContext.Provider>
  );
}

function Shell({ error, onDismiss }: { error: ApiError | null; onDismiss: () => void }) {
  const route = useRoute();
  const [info, reloadInfo] = useLoad(appInfo);
  useTrayNavigation();
  // The window opens on this page next time (the window process starts anew on every open).
  const href = routeHref(route);
  useEffect(() => {
    rememberPage(href.replace(/^#\//, '')).catch(() => {});
  }, [href]);
  // The footer shows the next sync and the pause state; the Settings screen the Coro connection.
  useAppEvents((e) => {
    if (e.kind === 'settings_changed' || e.kind === 'run_finished') reloadInfo();
  });

  return (
    <div class="shell">
      <SideNav current={sectionOf(route)} />
      <div class="shell__main">
        <ErrorBanner error={error} onDismiss={onDismiss} />
        <main class="shell__content">
          <Screen route={route} info={info.data} />
        </main>
        <StatusStrip info={info.data} />
      </div>
    </div>
  );
}

function Screen({ route, info }: { route: Route; info: AppInfo | null }) {
  switch (route.name) {
    case 'connectors':
      return <ConnectorsView />;
    case 'workspace-mapping':
      return <WorkspaceMappingView key={route.connectorId} connectorId={route.connectorId} />;
    case 'service-mapping':
      return <ServiceMappingView key={route.connectorId} connectorId={route.connectorId} />;
    case 'sync':
      return <SyncView />;
    case 'reconcile':
      return <ReconcileView />;
    case 'history':
      return <HistoryView />;
    case 'run':
      return <RunDetailView key={route.runId} runId={route.runId} />;
    case 'settings':
      return <SettingsView info={info} />;
  }
}

/** The tray asks for a screen by emitting `navigate` with a route such as "history". */
function useTrayNavigation(): void {
  useEffect(() => {
    let unlisten: (() => void) | null = null;
    let active = true;
    onNavigate((name) => navigate(parseRoute(name))).then(
      (fn) => (active ? (unlisten = fn) : fn()),
      () => {},
    );
    return () => {
      active = false;
      unlisten?.();
    };
  }, []);
}
