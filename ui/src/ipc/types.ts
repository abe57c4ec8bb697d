// Request/response shapes of the backend commands that ts-rs has not generated into
// src/bindings/ yet. Each is a mirror of the named Rust type; when its binding appears, replace the
// mirror here with a re-export of the binding (views import these names from '../ipc' only).

import type { CompanyRef } from '../bindings/CompanyRef';
import type { ConnectorId } from '../bindings/ConnectorId';
import type { ProductRef } from '../bindings/ProductRef';
import type { WorkspaceId } from '../bindings/WorkspaceId';

// ---------------------------------------------------------------- views.rs

/** mirror of Rust views::ConnectwiseInput until bindings are generated */
export type ConnectwiseInput = {
  name: string | null;
  /** *Company name*: the ConnectWise company id used at login. */
  company: string;
  /** *ConnectWise domain*: a host (`na.myconnectwise.net`) or a full URL. */
  site: string;
  public_key: string;
  private_key: string;
};

/** mirror of Rust views::AutotaskInput until bindings are generated */
export type AutotaskInput = {
  name: string | null;
  username: string;
  secret: string;
  /** *API tracking identifier* (integration code). */
  integration_code: string;
  zone_url: string | null;
};

/** mirror of Rust views::CoroInput until bindings are generated */
export type CoroInput = {
  /** `us`, `ca`, `eu` or a full URL. */
  region: string;
  client_id: string;
  client_secret: string;
  channel: string;
};

/** mirror of Rust views::CoroStatus until bindings are generated */
export type CoroStatus = {
  connected: boolean;
  region: string | null;
  base_url: string | null;
  client_id: string | null;
  channel: string | null;
  channel_name: string | null;
};

/** mirror of Rust views::SandboxDefaults until bindings are generated */
export type SandboxDefaults = {
  connectwise_company: string;
  connectwise_site: string;
  connectwise_public_key: string;
  connectwise_private_key: string;
  autotask_username: string;
  autotask_secret: string;
  autotask_integration_code: string;
  autotask_zone_url: string;
  coro_region: string;
  coro_client_id: string;
  coro_client_secret: string;
  coro_channel: string;
};

/** mirror of Rust views::Unit until bindings are generated */
export type Unit = 'device' | 'user';

/** mirror of Rust views::PickOption until bindings are generated */
export type PickOption = { id: number; name: string; identifier: string | null };

/** mirror of Rust views::Suggestion until bindings are generated */
export type Suggestion = { id: number; name: string; /** 0.0–1.0 name similarity. */ score: number };

/** mirror of Rust views::WorkspaceRow until bindings are generated */
export type WorkspaceRow = {
  workspace_id: string;
  name: string;
  status: string;
  archived: boolean;
  company: PickOption | null;
  stale: boolean;
  suggestion: Suggestion | null;
};

/** mirror of Rust views::ServiceRow until bindings are generated */
export type ServiceRow = {
  service_key: string;
  name: string;
  known: boolean;
  default_unit: Unit;
  unit: Unit;
  product: PickOption | null;
  stale: boolean;
  suggestion: Suggestion | null;
};

/** mirror of Rust views::MapWorkspace until bindings are generated */
export type MapWorkspace = { connector_id: ConnectorId; workspace_id: string; company_id: CompanyRef };

/** mirror of Rust views::MapService until bindings are generated */
export type MapService = { connector_id: ConnectorId; service_key: string; product_id: ProductRef; unit: Unit | null };

/** mirror of Rust views::SettingsView until bindings are generated */
export type SettingsView = {
  connectwise_client_id: string | null;
  /** Local time of the daily sync, `HH:MM`. */
  daily_sync_time: string;
  daily_sync_paused: boolean;
  notify_success: boolean;
  /** Share (0–1) of the current quantity a scheduled decrease may remove before it is held. */
  max_decrease_share: number;
};

// ---------------------------------------------------------------- sync/model.rs

/** mirror of Rust sync::model::Trigger until bindings are generated */
export type Trigger = 'schedule' | 'tray' | 'ui' | 'cli';

/** mirror of Rust sync::model::Action until bindings are generated */
export type Action = 'unchanged' | 'increase' | 'decrease' | 'skip' | 'hold';

/** mirror of Rust sync::model::PlanItem until bindings are generated */
export type PlanItem = {
  workspace_id: WorkspaceId;
  workspace_name: string;
  /** Empty for a workspace-level item (an unmapped workspace). */
  service_key: string;
  service_name: string;
  /** The billing unit the mapping asks for (null: the service's own unit). */
  unit: Unit | null;
  company_id: CompanyRef | null;
  company_name: string | null;
  product_id: ProductRef | null;
  product_name: string | null;
  /** Human reference of the PSA line (`agreement 12 / addition 34`). */
  line_ref: string | null;
  /** Agreement / contract name of the line. */
  line_name: string | null;
  /** The PSA quantity as read. */
  before: number | null;
  /** The Coro count, i.e. the quantity the PSA should hold. */
  after: number | null;
  action: Action;
  reason: string | null;
};

/** mirror of Rust sync::model::PlanTotals until bindings are generated */
export type PlanTotals = {
  unchanged: number;
  increase: number;
  decrease: number;
  skip: number;
  hold: number;
  units_added: number;
  /** Held decreases are not in it. */
  units_removed: number;
};

/**
 * mirror of Rust sync::model::Plan until bindings are generated. `plan_id` is what
 * `sync_apply` takes back (the brief's contract; not in sync/model.rs when this was written).
 */
export type Plan = {
  plan_id: string;
  connector_id: ConnectorId;
  items: PlanItem[];
  totals: PlanTotals;
  /** RFC 3339. */
  generated_at: string;
};

/** mirror of Rust sync::model::RunCounts until bindings are generated */
export type RunCounts = {
  planned: number;
  applied: number;
  failed: number;
  skipped: number;
  held: number;
  /** Writes whose outcome is not confirmed (`pending`): the next run re-reads them. */
  unconfirmed: number;
};

/** mirror of Rust store::runs::RunStatus (as RunSummary.status is typed) until bindings are generated */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'held' | 'interrupted';

/** mirror of Rust sync::model::RunSummary until bindings are generated */
export type RunSummary = {
  run_id: number;
  connector_id: ConnectorId;
  trigger: Trigger;
  dry_run: boolean;
  status: RunStatus;
  /** RFC 3339. */
  started_at: string;
  finished_at: string | null;
  counts: RunCounts;
  first_failure_reason: string | null;
};

/** mirror of Rust sync::model::Progress until bindings are generated */
export type Progress = { run_id: number; done: number; total: number };

/** mirror of Rust store::runs::ItemOutcome until bindings are generated */
export type Outcome = 'planned' | 'pending' | 'applied' | 'failed' | 'skipped' | 'held';

/**
 * One journalled item of a run, as `run_detail` returns it. No Rust type existed when this was
 * written: the fields are the journal's (store::runs::RunItem) under the plan's names; the
 * display names the journal does not keep are optional.
 */
export type RunItem = {
  workspace_id: WorkspaceId;
  workspace_name: string | null;
  service_key: string;
  service_name?: string | null;
  company_id: CompanyRef | null;
  company_name?: string | null;
  product_id: ProductRef | null;
  product_name?: string | null;
  line_ref: string | null;
  line_name?: string | null;
  action: Action;
  before: number | null;
  after: number | null;
  outcome: Outcome;
  reason: string | null;
  /** The PSA's request/correlation id of the call that applied (or failed) it. */
  request_id: string | null;
};

/** What `run_detail` returns (see RunItem). */
export type RunDetail = { run: RunSummary; items: RunItem[] };
