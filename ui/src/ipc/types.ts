// The request/response shapes of the backend commands, in one place: re-exported from
// src/bindings/ where ts-rs has generated them, otherwise a mirror of the named Rust type. When a
// binding appears, replace its mirror with a re-export (views import these names from '../ipc').

import type { Action } from '../bindings/Action';
import type { CompanyRef } from '../bindings/CompanyRef';
import type { ConnectorId } from '../bindings/ConnectorId';
import type { Plan as GeneratedPlan } from '../bindings/Plan';
import type { ProductRef } from '../bindings/ProductRef';
import type { RunSummary } from '../bindings/RunSummary';
import type { Unit } from '../bindings/Unit';
import type { WorkspaceId } from '../bindings/WorkspaceId';

export type { Action } from '../bindings/Action';
export type { ConnectwiseInput } from '../bindings/ConnectwiseInput';
export type { PlanItem } from '../bindings/PlanItem';
export type { PlanTotals } from '../bindings/PlanTotals';
export type { Progress } from '../bindings/Progress';
export type { RunCounts } from '../bindings/RunCounts';
export type { RunSummary } from '../bindings/RunSummary';
export type { SandboxDefaults } from '../bindings/SandboxDefaults';
export type { Trigger } from '../bindings/Trigger';
export type { Unit } from '../bindings/Unit';

// ---------------------------------------------------------------- views.rs

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

/**
 * The generated Plan plus `plan_id`, what `sync_apply` takes back to apply exactly this plan (the
 * command contract; sync::model::Plan had no such field when this was written — drop the
 * intersection once the binding has it).
 */
export type Plan = GeneratedPlan & { plan_id: string };

/** The store's run status, as RunSummary types it. */
export type RunStatus = RunSummary['status'];

/** mirror of Rust store::runs::ItemOutcome until bindings are generated */
export type Outcome = 'planned' | 'pending' | 'applied' | 'failed' | 'skipped' | 'held';

/**
 * mirror of the Rust item type `run_detail` returns until bindings are generated. No Rust type
 * existed when this was written: the fields are the journal's (store::runs::RunItem) under the
 * plan's names; the display names the journal does not keep are optional.
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

/** mirror of what `run_detail` returns until bindings are generated (see RunItem). */
export type RunDetail = { run: RunSummary; items: RunItem[] };
