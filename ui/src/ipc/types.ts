// Request/response shapes of the backend commands that ts-rs has not generated into
// src/bindings/ yet. Each is a mirror of the named Rust type; when its binding appears, replace the
// mirror here with a re-export of the binding (views import these names from '../ipc' only).

import type { CompanyRef } from '../bindings/CompanyRef';
import type { ConnectorId } from '../bindings/ConnectorId';
import type { ProductRef } from '../bindings/ProductRef';

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
// src-tauri/src/sync/model.rs did not exist when these were written: the field names follow the
// run journal (store/runs: NewItem, RunRow, RunTotals) so the plan, the run and its items read alike.

/** mirror of Rust sync::model::Action until bindings are generated */
export type Action = 'unchanged' | 'increase' | 'decrease' | 'skip' | 'hold';

/** mirror of Rust sync::model::Trigger until bindings are generated */
export type Trigger = 'schedule' | 'tray' | 'ui' | 'cli';

/** mirror of Rust sync::model::PlanItem until bindings are generated */
export type PlanItem = {
  workspace_id: string;
  workspace_name: string | null;
  service_key: string;
  service_name: string | null;
  company_id: CompanyRef | null;
  company_name: string | null;
  product_id: ProductRef | null;
  product_name: string | null;
  /** The PSA line (agreement addition / contract service) id, when known. */
  line_ref: string | null;
  action: Action;
  before_qty: number | null;
  after_qty: number | null;
  reason: string | null;
};

/** mirror of Rust sync::model::PlanTotals until bindings are generated */
export type PlanTotals = {
  unchanged: number;
  increases: number;
  decreases: number;
  skipped: number;
  held: number;
  units_added: number;
  units_removed: number;
};

/** mirror of Rust sync::model::Plan until bindings are generated */
export type Plan = {
  plan_id: string;
  connector_id: ConnectorId;
  /** RFC 3339. */
  created_at: string;
  items: PlanItem[];
  totals: PlanTotals;
};

/** mirror of Rust store::runs::RunTotals until bindings are generated */
export type RunTotals = { planned: number; applied: number; failed: number; skipped: number; held: number };

/** mirror of Rust sync::model::RunSummary until bindings are generated */
export type RunSummary = {
  id: number;
  connector_id: ConnectorId;
  trigger: Trigger;
  dry_run: boolean;
  /** `running`, `succeeded`, `partial`, `failed`, `held` or `interrupted`. */
  status: string;
  started_at: string;
  finished_at: string | null;
  totals: RunTotals;
  error: string | null;
  /** One line, e.g. "2 applied, 1 failed". */
  summary: string;
};

/** mirror of Rust store::runs::ItemOutcome until bindings are generated */
export type Outcome = 'planned' | 'pending' | 'applied' | 'failed' | 'skipped' | 'held';

/** mirror of Rust sync::model::RunItem (a journalled plan item) until bindings are generated */
export type RunItem = PlanItem & {
  outcome: Outcome;
  /** The PSA's request/correlation id of the call that applied (or failed) it. */
  request_id: string | null;
};

/** mirror of Rust sync::model::RunDetail until bindings are generated */
export type RunDetail = { run: RunSummary; items: RunItem[] };

/** mirror of Rust sync::model::Progress until bindings are generated */
export type Progress = { run_id: number; done: number; total: number };
