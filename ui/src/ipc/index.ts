// The only module that talks to Tauri. Everything else imports typed functions from here.
import { invoke, isTauri, type InvokeArgs } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { SavedFolder } from '../bindings/SavedFolder';
import type { AppInfo } from '../bindings/AppInfo';
import type { Billing } from '../bindings/Billing';
import type { ConnectorId } from '../bindings/ConnectorId';
import type { ConnectorEdit } from '../bindings/ConnectorEdit';
import type { ConnectorSettings } from '../bindings/ConnectorSettings';
import type { ConnectorSummary } from '../bindings/ConnectorSummary';
import type { DiagnosticsSaved } from '../bindings/DiagnosticsSaved';
import { BACKEND_UNAVAILABLE, toApiError } from './errors';
import { APP_EVENT, NAVIGATE_EVENT, asAppEvent, asRouteName, type AppEvent } from './events';
import type { AutotaskInput } from '../bindings/AutotaskInput';
import type { ConnectwiseInput } from '../bindings/ConnectwiseInput';
import type { CoroInput } from '../bindings/CoroInput';
import type { CoroStatus } from '../bindings/CoroStatus';
import type { HeldKey } from '../bindings/HeldKey';
import type { ImportReport } from '../bindings/ImportReport';
import type { MachineTimeZone } from '../bindings/MachineTimeZone';
import type { MapService } from '../bindings/MapService';
import type { MapWorkspace } from '../bindings/MapWorkspace';
import type { PickOption } from '../bindings/PickOption';
import type { PlanView } from '../bindings/PlanView';
import type { CheckReport } from '../bindings/CheckReport';
import type { Report } from '../bindings/Report';
import type { Trends } from '../bindings/Trends';
import type { RunDetail } from '../bindings/RunDetail';
import type { RunSummary } from '../bindings/RunSummary';
import type { SandboxDefaults } from '../bindings/SandboxDefaults';
import type { UndoOutcome } from '../bindings/UndoOutcome';
import type { ServiceRow } from '../bindings/ServiceRow';
import type { SettingsView } from '../bindings/SettingsView';
import type { TicketQueue } from '../bindings/TicketQueue';
import type { TicketSettings } from '../bindings/TicketSettings';
import type { TicketsView } from '../bindings/TicketsView';
import type { WorkspaceChange } from '../bindings/WorkspaceChange';
import type { WorkspaceRow } from '../bindings/WorkspaceRow';

export type { ApiError } from '../bindings/ApiError';
export type { AppEvent } from './events';
export type * from './types';
export { isApiError, toApiError } from './errors';

/** Calls a backend command; a rejection always arrives as an `ApiError`. */
export async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  if (!isTauri()) throw BACKEND_UNAVAILABLE;
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

// ---------------------------------------------------------------- app and connectors

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function listConnectors(): Promise<ConnectorSummary[]> {
  return call<ConnectorSummary[]>('list_connectors');
}

/** Checks the credentials live first; on failure rejects and stores nothing. */
export function addConnectwise(input: ConnectwiseInput): Promise<ConnectorSummary> {
  return call<ConnectorSummary>('add_connectwise', { input });
}

/** Checks the credentials live first; on failure rejects and stores nothing. */
export function addAutotask(input: AutotaskInput): Promise<ConnectorSummary> {
  return call<ConnectorSummary>('add_autotask', { input });
}

/** A connector's non-secret settings, to fill the edit form. */
export function connectorSettings(id: ConnectorId): Promise<ConnectorSettings> {
  return call<ConnectorSettings>('connector_settings', { id });
}

/** Edits a connector in place (checked live when its connection changes; on failure nothing is saved). */
export function editConnector(id: ConnectorId, edit: ConnectorEdit): Promise<ConnectorSummary> {
  return call<ConnectorSummary>('edit_connector', { id, edit });
}

export function testConnector(id: ConnectorId): Promise<ConnectorSummary> {
  return call<ConnectorSummary>('test_connector', { id });
}

export function removeConnector(id: ConnectorId): Promise<void> {
  return call<void>('remove_connector', { id });
}

/** Sets an Autotask connector's time zone (an IANA name); rejects an unknown name with what to type. */
export function setTimeZone(id: ConnectorId, zone: string): Promise<ConnectorSummary> {
  return call<ConnectorSummary>('set_time_zone', { id, zone });
}

/** This computer's time zone: the default for a new Autotask connector. */
export function machineTimeZone(): Promise<MachineTimeZone> {
  return call<MachineTimeZone>('machine_time_zone');
}

/** Demo values for every form in sandbox mode; null otherwise. */
export function sandboxDefaults(): Promise<SandboxDefaults | null> {
  return call<SandboxDefaults | null>('sandbox_defaults');
}

// ---------------------------------------------------------------- settings and Coro

export function getSettings(): Promise<SettingsView> {
  return call<SettingsView>('get_settings');
}

export function saveSettings(settings: SettingsView): Promise<SettingsView> {
  return call<SettingsView>('save_settings', { settings });
}

export function coroStatus(): Promise<CoroStatus> {
  return call<CoroStatus>('coro_status');
}

export function coroConnect(input: CoroInput): Promise<CoroStatus> {
  return call<CoroStatus>('coro_connect', { input });
}

// ---------------------------------------------------------------- mapping

export function workspaceRows(connectorId: ConnectorId): Promise<WorkspaceRow[]> {
  return call<WorkspaceRow[]>('workspace_rows', { connectorId });
}

/** Every PSA company of the connector (can be 10,000+); `refresh` re-reads them from the PSA. */
export function companies(connectorId: ConnectorId, refresh: boolean): Promise<PickOption[]> {
  return call<PickOption[]>('companies', { connectorId, refresh });
}

export function mapWorkspace(req: MapWorkspace): Promise<WorkspaceRow[]> {
  return call<WorkspaceRow[]>('map_workspace', { req });
}

export function unmapWorkspace(connectorId: ConnectorId, workspaceId: string): Promise<WorkspaceRow[]> {
  return call<WorkspaceRow[]>('unmap_workspace', { connectorId, workspaceId });
}

/** Maps or unmaps many workspaces at once (all or nothing); resolves to every row after. */
export function bulkMapWorkspaces(connectorId: ConnectorId, changes: WorkspaceChange[]): Promise<WorkspaceRow[]> {
  return call<WorkspaceRow[]>('bulk_map_workspaces', { connectorId, changes });
}

/** Saves the connector's mappings as CSV in the exports folder; resolves to the file's path. */
export function exportMappings(connectorId: ConnectorId): Promise<string> {
  return call<string>('export_mappings', { connectorId });
}

/** Checks a mappings CSV and, unless `dryRun`, applies it: nothing is written unless every row is valid. */
export function importMappings(connectorId: ConnectorId, text: string, dryRun: boolean): Promise<ImportReport> {
  return call<ImportReport>('import_mappings', { connectorId, text, dryRun });
}

export function serviceRows(connectorId: ConnectorId): Promise<ServiceRow[]> {
  return call<ServiceRow[]>('service_rows', { connectorId });
}

/** Every PSA product (ConnectWise catalog item / Autotask service); `refresh` re-reads them. */
export function products(connectorId: ConnectorId, refresh: boolean): Promise<PickOption[]> {
  return call<PickOption[]>('products', { connectorId, refresh });
}

export function mapService(req: MapService): Promise<ServiceRow[]> {
  return call<ServiceRow[]>('map_service', { req });
}

export function unmapService(connectorId: ConnectorId, serviceKey: string): Promise<ServiceRow[]> {
  return call<ServiceRow[]>('unmap_service', { connectorId, serviceKey });
}

// ---------------------------------------------------------------- sync and history

/** Reads both sides and plans (nothing is written); keep `plan_id` for `syncApply`. */
export function syncPreview(connectorId: ConnectorId): Promise<PlanView> {
  return call<PlanView>('sync_preview', { connectorId });
}

/** Applies exactly the previewed plan `planId`; held decreases only when `approveHeld`. */
export function syncApply(connectorId: ConnectorId, planId: string, approveHeld: boolean): Promise<RunSummary> {
  return call<RunSummary>('sync_apply', { connectorId, planId, approveHeld });
}

/** Review held changes: a fresh preview holding only the held items (keep `plan_id` for `applyHeld`). */
export function heldPreview(connectorId: ConnectorId): Promise<PlanView> {
  return call<PlanView>('held_preview', { connectorId });
}

/** Writes the approved held items of a held preview as a run of their own; the others are recorded as rejected. */
export function applyHeld(connectorId: ConnectorId, planId: string, approved: HeldKey[]): Promise<RunSummary> {
  return call<RunSummary>('apply_held', { connectorId, planId, approved });
}

/** Excludes one workspace × service from billing (never written; who and when recorded), or includes it again. */
export function setExcluded(connectorId: ConnectorId, workspaceId: string, serviceKey: string, excluded: boolean): Promise<void> {
  return call<void>('set_excluded', { connectorId, workspaceId, serviceKey, excluded });
}

/** Whether PSA Bridge starts in the tray at login. */
export function launchAtLogin(): Promise<boolean> {
  return call<boolean>('launch_at_login', {});
}

/** Turns Launch at login on or off; resolves to the state now in effect. */
export function setLaunchAtLogin(on: boolean): Promise<boolean> {
  return call<boolean>('set_launch_at_login', { on });
}

/** Opens a folder the app saves files into (exports, diagnostics) in the OS's file manager. */
export function openSavedFolder(which: SavedFolder): Promise<void> {
  return call<void>('open_saved_folder', { which });
}

/** Remembers the page shown (`history/12`), so the window opens there next time. */
export function rememberPage(route: string): Promise<void> {
  return call<void>('remember_page', { route });
}

/** Starts a sync of every connector in the background. */
export function syncNow(): Promise<void> {
  return call<void>('sync_now');
}

/** The latest runs, newest first; `connectorId` null for every connector (`limit` 1–1000). */
export function listRuns(connectorId: ConnectorId | null, limit: number): Promise<RunSummary[]> {
  return call<RunSummary[]>('list_runs', { connectorId, limit });
}

/** A run and its items; `workspace` filters by workspace id or name (case-insensitive substring). */
export function runDetail(runId: number, workspace: string | null): Promise<RunDetail> {
  return call<RunDetail>('run_detail', { runId, workspace });
}

/**
 * Undoes run `runId` (every change it made, or only `items`): `dryRun` previews and records
 * nothing; otherwise the undo is applied and recorded as a run of its own (`summary`).
 */
export function undoRun(runId: number, items: number[], dryRun: boolean): Promise<UndoOutcome> {
  return call<UndoOutcome>('undo_run', { runId, items, dryRun });
}

/** Saves the run's items as CSV; resolves to the saved file's path. */
export function exportRunCsv(runId: number): Promise<string> {
  return call<string>('export_run_csv', { runId });
}

// ---------------------------------------------------------------- reconcile

/** The connector's reconciliation report: read now (`last` false) or the last one kept. */
export function reconcileReport(connectorId: ConnectorId, last: boolean): Promise<Report> {
  return call<Report>('reconcile_report', { connectorId, last });
}

/** Saves the connector's last report as CSV; resolves to the saved file's path. */
export function exportReconcileCsv(connectorId: ConnectorId): Promise<string> {
  return call<string>('export_reconcile_csv', { connectorId });
}

/** The connector's pre-flight checks, read now (the last ones are kept for the Connectors page). */
export function preflightCheck(connectorId: ConnectorId): Promise<CheckReport> {
  return call<CheckReport>('preflight_check', { connectorId });
}

/** Billed units and their value per service and month, from the run history. */
export function reconcileTrends(connectorId: ConnectorId): Promise<Trends> {
  return call<Trends>('reconcile_trends', { connectorId });
}

/** The last pre-flight checks of every connector that has been checked. */
export function lastPreflightChecks(): Promise<CheckReport[]> {
  return call<CheckReport[]>('last_preflight_checks', {});
}

/** Settings → Save diagnostics…: writes the support archive to the data folder. */
export function saveDiagnostics(names: boolean): Promise<DiagnosticsSaved> {
  return call<DiagnosticsSaved>('save_diagnostics', { names });
}

// ---------------------------------------------------------------- events

/** Subscribes to backend events. Resolves to an unsubscribe function (a no-op outside the app). */
export function onEvent(handler: (event: AppEvent) => void): Promise<UnlistenFn> {
  return subscribe(APP_EVENT, (payload) => {
    const event = asAppEvent(payload);
    if (event) handler(event);
  });
}

/** Subscribes to the tray's "open this screen" requests; the handler gets a route name. */
export function onNavigate(handler: (route: string) => void): Promise<UnlistenFn> {
  return subscribe(NAVIGATE_EVENT, (payload) => {
    const route = asRouteName(payload);
    if (route) handler(route);
  });
}

async function subscribe(event: string, handler: (payload: unknown) => void): Promise<UnlistenFn> {
  if (!isTauri()) return () => {};
  return listen<unknown>(event, (e) => handler(e.payload));
}

// ---------------------------------------------------------------- billing settings

/** A connector's billing cadence, noise threshold and "create missing lines". */
export function getBilling(id: ConnectorId): Promise<Billing> {
  return call<Billing>('get_billing', { id });
}

/** Checked by the backend (a bad day or threshold is refused, nothing stored). */
export function setBilling(id: ConnectorId, billing: Billing): Promise<Billing> {
  return call<Billing>('set_billing', { id, billing });
}

/** A connector's PSA ticket settings (a ticket when a sync fails or holds changes) and open tickets. */
export function getTickets(id: ConnectorId): Promise<TicketsView> {
  return call<TicketsView>('get_tickets', { id });
}

/** Checked by the backend (on without a board / queue is refused, nothing stored). */
export function setTickets(id: ConnectorId, settings: TicketSettings): Promise<TicketsView> {
  return call<TicketsView>('set_tickets', { id, settings });
}

/** The ConnectWise service boards / Autotask queues, read from the PSA. */
export function listTicketQueues(id: ConnectorId): Promise<TicketQueue[]> {
  return call<TicketQueue[]>('ticket_queues', { id });
}
