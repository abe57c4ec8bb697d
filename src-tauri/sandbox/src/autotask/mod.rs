//! Simulated Autotask PSA REST API (v1.0) for demo mode, end-to-end tests and benchmarks.
//!
//! It follows `shared/reference/autotask.md`:
//! - zone discovery (`/atservicesrest/v1.0/zoneInformation?user=`, unauthenticated, 500 for an
//!   unknown user) and `/atservicesrest/versionInformation`;
//! - `UserName` / `Secret` / `ApiIntegrationCode` headers, 401 on any mismatch or a disabled code;
//! - the query API for Companies, Services, Contracts, ContractServices and ContractServiceUnits
//!   (POST body or GET `search=`, `/query/count`, `/{id}`, `nextPageUrl` paging by id, at most
//!   500 per page) plus `entityInformation[/fields]`;
//! - ContractServiceAdjustments (root and `Contracts/{id}/ServiceAdjustments`), which change the
//!   units of the period covering the effective date and later periods, validation failures as
//!   500 + `errors[]`;
//! - the thread limit (3 concurrent requests per tracking identifier + endpoint → 429), the hourly
//!   request budget with the documented added latency, and `ThresholdInformation`;
//! - a tenant time zone (America/New_York unless chosen: an IANA zone or a fixed offset, see
//!   `time`) applied to date-only fields: an `effectiveDate` is converted to the tenant's local
//!   time and truncated to a day, and the tenant's "today" picks the period covering now.
//!
//! Paths are matched case-insensitively, like the real API. Test controls live under
//! `/_sandbox/` and bypass the gate and the limits.

mod adjust;
mod api;
mod behaviour;
mod controls;
mod data;
mod lines;
mod meta;
mod preflight_cases;
mod query;
mod tickets;
mod time;

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Behaviour, Gate};
use super::seed::World;

pub use behaviour::{AdjustmentBehaviour, SameDay};
pub use meta::Entity;
pub use tickets::{Desk as TicketDesk, TicketView as TicketRecord, COMPLETE as TICKET_COMPLETE};
pub use time::TenantTimeZone;

/// The demo API user (full access).
pub const DEMO_USERNAME: &str = "psabridge@brightpath.example";
/// A second API user whose security level has no contract visibility (see [`ContractAccess`]).
pub const RESTRICTED_USERNAME: &str = "psabridge-limited@brightpath.example";
pub const DEMO_SECRET: &str = "Sandbox$ecret-7Kq2mW9xTa";
/// The custom ("Internal Integration") tracking identifier of the demo tenant: 27 characters,
/// like the ones Autotask generates.
pub const DEMO_INTEGRATION_CODE: &str = "PSABRIDGESANDBOXTRACKING001";
/// A vendor tracking identifier, also accepted (vendor IDs work in every instance).
pub const VENDOR_INTEGRATION_CODE: &str = "COROVENDORTRACKINGID0000027";
/// Threads allowed per tracking identifier + endpoint (integrations created after 2023.1).
pub const THREAD_LIMIT: u32 = 3;

/// What `connect` needs. Demo values only, so serializing them is fine.
#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    /// Where the client runs zone discovery: `GET {url}/atservicesrest/V1.0/zoneInformation?user=`.
    pub url: String,
    /// The zone root discovery returns (trailing slash), e.g. `http://127.0.0.1:1234/ATServicesRest/`.
    pub zone_url: String,
    pub username: String,
    pub secret: String,
    pub integration_code: String,
    /// The tenant database's time zone at start (IANA name or `UTC+13:00`).
    pub time_zone: String,
}

pub struct Handle {
    pub gate: Arc<Gate>,
    pub demo: Demo,
    pub state: Arc<Mutex<State>>,
}

/// How an API user's security level treats contract entities (Contracts, ContractServices,
/// ContractServiceUnits, adjustments). The reference documents both empty results (§10: "return
/// empty results, not 403") and 403 / 500 permission errors (§5), so tests can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContractAccess {
    Full,
    /// Queries succeed with no rows, get-by-id returns `item: null`; writes answer 500.
    Empty,
    /// 403 with `errors[]`.
    Forbidden,
    /// 500 "The logged in Resource does not have the adequate permissions ...".
    Error,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUser {
    pub username: String,
    #[serde(skip)]
    pub secret: String,
    pub contract_access: ContractAccess,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationCode {
    pub code: String,
    pub label: String,
    /// Datto/Kaseya can disable a single misbehaving identifier; calls then answer 401.
    pub disabled: bool,
}

/// How an adjustment's exchange is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DropMode {
    /// The adjustment is applied, then answered with a 504 and an HTML body, as a proxy in front
    /// of the API would answer.
    GatewayTimeout,
    /// The adjustment is applied, then answered with a 200 and a truncated, unparseable JSON body.
    Truncated,
    /// The request is lost on the way in: nothing is created, and the proxy answers 504.
    LostRequest,
    /// The API is briefly unavailable: 503 with `errors[]`, nothing created (the request was not
    /// processed, so sending it again is safe).
    Unavailable,
}

/// One accepted ContractServiceAdjustment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Adjustment {
    pub id: i64,
    #[serde(rename = "contractID")]
    pub contract_id: i64,
    #[serde(rename = "contractServiceID")]
    pub contract_service_id: i64,
    #[serde(rename = "serviceID")]
    pub service_id: i64,
    pub unit_change: i64,
    /// As sent by the client.
    pub effective_date: String,
    /// The tenant-local calendar day it was stored as (see [`TenantTimeZone`]).
    pub effective_local_date: NaiveDate,
    pub adjusted_unit_price: Option<f64>,
    pub adjusted_unit_cost: Option<f64>,
    pub username: String,
    /// Sent to `Contracts/{id}/ServiceAdjustments` rather than the root URL.
    pub via_parent_url: bool,
    /// The API created the ContractService because none matched (documented behaviour).
    pub created_line: bool,
    /// The client never saw the `itemId` (drop-next-adjustment-response).
    pub response_dropped: bool,
}

/// The hourly request budget: 10,000 per rolling hour per database in production; here
/// `Behaviour::rate_limit` per `Behaviour::rate_window`, counted per tenant.
#[derive(Debug, Clone)]
pub struct Threshold {
    pub limit: u32,
    pub timeframe: Duration,
    pub count: u32,
    pub window_start: Instant,
    /// Added per request while usage is in [50 %, 75 %) (production: 0.5 s).
    pub half_delay: Duration,
    /// Added per request at ≥ 75 % (production: 1 s).
    pub three_quarter_delay: Duration,
}

impl Threshold {
    /// Counts one request; returns the latency to add, or `Err(seconds left)` past 100 %.
    fn count(&mut self) -> Result<Duration, u64> {
        let now = Instant::now();
        if now.duration_since(self.window_start) >= self.timeframe {
            self.window_start = now;
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        let limit = u64::from(self.limit.max(1));
        let used = u64::from(self.count);
        if used > limit {
            let left = self
                .timeframe
                .saturating_sub(now.duration_since(self.window_start));
            return Err(left.as_secs().max(1));
        }
        Ok(if used * 4 >= limit * 3 {
            self.three_quarter_delay
        } else if used * 2 >= limit {
            self.half_delay
        } else {
            Duration::ZERO
        })
    }

    fn json(&self) -> Value {
        json!({
            "externalRequestThreshold": self.limit,
            "requestThresholdTimeframe": (self.timeframe.as_secs() / 60).max(1),
            "currentTimeframeRequestCount": self.count,
        })
    }
}

/// The one simulated tenant (Autotask database). Fields are public so tests can assert on and
/// tweak it; entity rows are stored as the JSON the API returns, keyed and ordered by id.
#[derive(Debug)]
pub struct State {
    /// `ci` from zone discovery: the database id.
    pub ci: i64,
    /// Zone roots (absolute, trailing slash); `zone_urls[current_zone]` is live, the other answers 401.
    pub zone_urls: Vec<String>,
    pub current_zone: usize,
    pub time_zone: TenantTimeZone,
    /// Tenant-local date the data was seeded for.
    pub today: NaiveDate,
    pub users: Vec<ApiUser>,
    pub integration_codes: Vec<IntegrationCode>,
    pub companies: BTreeMap<i64, Value>,
    pub services: BTreeMap<i64, Value>,
    pub contracts: BTreeMap<i64, Value>,
    pub contract_services: BTreeMap<i64, Value>,
    /// ContractServiceUnits rows. Add and remove them through [`State::insert_unit`] and
    /// [`State::remove_line_units`], which keep the per-line index below in step.
    pub units: BTreeMap<i64, Value>,
    /// Unit row ids per contract service, so a line's rows are found without scanning them all
    /// (a 500-customer tenant holds ~60,000 rows; every adjustment and check looks up its line's).
    units_by_line: HashMap<i64, Vec<i64>>,
    pub adjustments: Vec<Adjustment>,
    /// Each entry drops the response of one upcoming adjustment.
    pub drop_next_adjustment_responses: VecDeque<DropMode>,
    /// How accepted adjustments reach the units (lag, same-day merging).
    pub adjustment_behaviour: behaviour::AdjustmentBehaviour,
    /// Accepted adjustments whose units move later (a lagging tenant).
    pub deferred: Vec<behaviour::Deferred>,
    pub thread_limit: u32,
    pub thread_limit_rejections: u64,
    pub threshold: Threshold,
    next_line_id: i64,
    next_unit_id: i64,
    next_adjustment_id: i64,
    /// Tickets and notes (the optional ticket feature).
    pub desk: tickets::Desk,
}

impl State {
    pub fn map(&self, entity: Entity) -> Option<&BTreeMap<i64, Value>> {
        match entity {
            Entity::Companies => Some(&self.companies),
            Entity::Services => Some(&self.services),
            Entity::Contracts => Some(&self.contracts),
            Entity::ContractServices => Some(&self.contract_services),
            Entity::ContractServiceUnits => Some(&self.units),
            Entity::ContractServiceAdjustments => None,
        }
    }

    /// Adds a ContractServiceUnits row (keyed by its id, indexed by its `contractServiceID`).
    pub fn insert_unit(&mut self, id: i64, row: Value) {
        if let Some(line) = row["contractServiceID"].as_i64() {
            let ids = self.units_by_line.entry(line).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        self.units.insert(id, row);
    }

    /// Removes every ContractServiceUnits row of a line.
    pub fn remove_line_units(&mut self, line: i64) {
        for id in self.units_by_line.remove(&line).unwrap_or_default() {
            self.units.remove(&id);
        }
    }

    /// The ContractServiceUnits rows of one line, in id order.
    pub fn unit_rows_of(&self, line: i64) -> impl Iterator<Item = &Value> {
        let mut ids = self.units_by_line.get(&line).cloned().unwrap_or_default();
        ids.sort_unstable();
        ids.into_iter().filter_map(|id| self.units.get(&id))
    }

    /// The ContractServiceUnits row covering `date` for a line, chosen as the reference tells
    /// clients to (latest `startDate`, then highest id).
    pub fn current_row(&self, contract_service_id: i64, date: NaiveDate) -> Option<&Value> {
        self.unit_rows_of(contract_service_id)
            .filter(|u| {
                let (s, e) = (
                    time::stored_date(&u["startDate"]),
                    time::stored_date(&u["endDate"]),
                );
                matches!((s, e), (Some(s), Some(e)) if s <= date && date <= e)
            })
            .max_by_key(|u| (time::stored_date(&u["startDate"]), u["id"].as_i64()))
    }

    /// Units of a line on `date` (see [`State::current_row`]).
    pub fn units_on(&self, contract_service_id: i64, date: NaiveDate) -> Option<i64> {
        self.current_row(contract_service_id, date)
            .and_then(|u| u["units"].as_i64())
    }

    /// Lines of a contract, in id order.
    pub fn lines_of(&self, contract_id: i64) -> Vec<&Value> {
        self.contract_services
            .values()
            .filter(|l| l["contractID"].as_i64() == Some(contract_id))
            .collect()
    }

    /// Companies, contracts and services by name (test convenience).
    pub fn company_id(&self, name: &str) -> Option<i64> {
        self.companies
            .values()
            .find(|c| c["companyName"].as_str() == Some(name))
            .and_then(|c| c["id"].as_i64())
    }

    pub fn contracts_of(&self, company_id: i64) -> Vec<&Value> {
        self.contracts
            .values()
            .filter(|c| c["companyID"].as_i64() == Some(company_id))
            .collect()
    }

    /// Units on `date` of every line that has a row covering it, in one pass over the rows
    /// (same choice as [`State::current_row`]).
    pub fn current_units(&self, date: NaiveDate) -> HashMap<i64, i64> {
        let mut best: HashMap<i64, (NaiveDate, i64, i64)> = HashMap::new();
        for u in self.units.values() {
            let (Some(line), Some(id), Some(start), Some(end)) = (
                u["contractServiceID"].as_i64(),
                u["id"].as_i64(),
                time::stored_date(&u["startDate"]),
                time::stored_date(&u["endDate"]),
            ) else {
                continue;
            };
            if start <= date && date <= end {
                let units = u["units"].as_i64().unwrap_or(0);
                let entry = best.entry(line).or_insert((start, id, units));
                if (start, id) > (entry.0, entry.1) {
                    *entry = (start, id, units);
                }
            }
        }
        best.into_iter()
            .map(|(line, (_, _, units))| (line, units))
            .collect()
    }

    /// The `/_sandbox/state` document.
    pub fn snapshot(&self) -> Value {
        let today = self.time_zone.today();
        let current = self.current_units(today);
        let lines: Vec<Value> = self
            .contract_services
            .values()
            .map(|l| {
                let id = l["id"].as_i64().unwrap_or_default();
                let mut l = l.clone();
                if let Some(o) = l.as_object_mut() {
                    o.insert("currentUnits".into(), json!(current.get(&id)));
                }
                l
            })
            .collect();
        json!({
            "ci": self.ci,
            "zone": {"current": self.current_zone, "url": self.zone_urls.get(self.current_zone), "urls": self.zone_urls},
            "timeZone": self.time_zone,
            "today": today,
            "users": self.users,
            "integrationCodes": self.integration_codes,
            "contracts": self.contracts.values().collect::<Vec<_>>(),
            "contractServices": lines,
            "units": self.units.values().collect::<Vec<_>>(),
            "adjustments": self.adjustments,
            "pendingDroppedResponses": self.drop_next_adjustment_responses,
            "adjustmentBehaviour": self.adjustment_behaviour,
            "deferredAdjustments": self.deferred.len(),
            "threadLimit": self.thread_limit,
            "threadLimitRejections": self.thread_limit_rejections,
            "threshold": self.threshold.json(),
        })
    }
}

/// Zone roots served by this one listener. The moved-to zone differs by host (127.0.0.1 ↔
/// localhost) so logged paths stay relative to `/ATServicesRest`; for other hosts it falls back to
/// a `/zone2` path prefix.
#[derive(Debug)]
struct Zones {
    roots: [String; 2],
    /// Lower-case `host:port` that selects zone 1, when it is host-based.
    alt_authority: Option<String>,
}

const ZONE2_PREFIX: &str = "/zone2";

impl Zones {
    fn new(base_url: &str) -> Zones {
        let base = base_url.trim_end_matches('/');
        let root0 = format!("{base}/ATServicesRest/");
        let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
            _ => (authority, None),
        };
        let alt_host = match host.to_ascii_lowercase().as_str() {
            "127.0.0.1" => Some("localhost"),
            "localhost" => Some("127.0.0.1"),
            _ => None,
        };
        match alt_host {
            Some(alt) => {
                let alt_authority = match port {
                    Some(p) => format!("{alt}:{p}"),
                    None => alt.to_string(),
                };
                Zones {
                    roots: [
                        root0,
                        format!("{scheme}://{alt_authority}{path}/ATServicesRest/"),
                    ],
                    alt_authority: Some(alt_authority),
                }
            }
            None => Zones {
                roots: [root0, format!("{base}{ZONE2_PREFIX}/ATServicesRest/")],
                alt_authority: None,
            },
        }
    }

    /// Which zone a request addressed, and its path without any zone prefix.
    fn locate<'a>(&self, headers: &HeaderMap, path: &'a str) -> (usize, &'a str) {
        if path.len() > ZONE2_PREFIX.len()
            && path[..ZONE2_PREFIX.len()].eq_ignore_ascii_case(ZONE2_PREFIX)
            && path[ZONE2_PREFIX.len()..].starts_with('/')
        {
            return (1, &path[ZONE2_PREFIX.len()..]);
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        match &self.alt_authority {
            Some(alt) if *alt == host => (1, path),
            _ => (0, path),
        }
    }
}

/// Shared by the handlers and middleware.
#[derive(Clone)]
struct App {
    state: Arc<Mutex<State>>,
    gate: Arc<Gate>,
    zones: Arc<Zones>,
    /// In-flight requests per `tracking identifier|endpoint`.
    inflight: Arc<Mutex<HashMap<String, Arc<AtomicU32>>>>,
}

impl App {
    // Same reasoning as in `api`: the error is the response to send.
    #[allow(clippy::result_large_err)]
    fn lock(&self) -> Result<MutexGuard<'_, State>, Response> {
        let mut s = self.state.lock().map_err(|_| poisoned())?;
        s.settle_deferred(Instant::now());
        Ok(s)
    }
}

/// A panicked handler poisoned the state: answer 500 rather than panic again.
fn poisoned() -> Response {
    errors(
        StatusCode::INTERNAL_SERVER_ERROR,
        ["sandbox state is unavailable (a previous request panicked)"],
    )
}

/// The API's error shape: `{"errors":["..."]}`.
fn errors<I, S>(status: StatusCode, msgs: I) -> Response
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let list: Vec<String> = msgs.into_iter().map(Into::into).collect();
    (status, Json(json!({ "errors": list }))).into_response()
}

pub fn router(
    world: &World,
    behaviour: &Behaviour,
    base_url: &str,
    time_zone: TenantTimeZone,
) -> (axum::Router, Handle) {
    let gate = Gate::new(
        behaviour.clone(),
        "/ATServicesRest",
        &[
            "ApiIntegrationCode",
            "UserName",
            "Secret",
            "Content-Type",
            "ImpersonationResourceId",
        ],
    );
    let zones = Zones::new(base_url);
    let base = base_url.trim_end_matches('/').to_string();
    let state = State::seeded(world, behaviour, zones.roots.to_vec(), time_zone);
    let state = Arc::new(Mutex::new(state));
    let demo = Demo {
        url: base,
        zone_url: zones.roots[0].clone(),
        username: DEMO_USERNAME.to_string(),
        secret: DEMO_SECRET.to_string(),
        integration_code: DEMO_INTEGRATION_CODE.to_string(),
        time_zone: time_zone.name(),
    };
    let app = App {
        state: state.clone(),
        gate: gate.clone(),
        zones: Arc::new(zones),
        inflight: Arc::new(Mutex::new(HashMap::new())),
    };
    let router = preflight_cases::routes(axum::Router::new())
        .route(
            "/_sandbox/requests",
            get(controls::get_requests).delete(controls::delete_requests),
        )
        .route("/_sandbox/state", get(controls::get_state))
        .route("/_sandbox/move-zone", post(controls::move_zone))
        .route(
            "/_sandbox/drop-next-adjustment-response",
            post(controls::drop_next),
        )
        .route("/_sandbox/faults", post(controls::faults))
        .route(
            "/_sandbox/route-faults",
            post(controls::arm_route_fault).delete(controls::clear_route_faults),
        )
        .route(
            "/_sandbox/adjustment-behaviour",
            post(controls::adjustment_behaviour),
        )
        .route("/_sandbox/access", post(controls::set_access))
        .route(
            "/_sandbox/integration-code",
            post(controls::set_integration_code),
        )
        .route("/_sandbox/threshold", post(controls::set_threshold))
        .route("/_sandbox/time-zone", post(controls::set_time_zone))
        .fallback(api::dispatch)
        // Innermost first: the gate logs and adds Behaviour latency; the limits layer wraps it so
        // a request holds its thread slot for that latency too, as a slow real request would.
        .layer(axum::middleware::from_fn_with_state(
            gate.clone(),
            common::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            controls::limits,
        ))
        .with_state(app);
    (router, Handle { gate, demo, state })
}
