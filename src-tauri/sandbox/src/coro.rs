//! Simulated Coro API for demo mode, tests and benchmarks.
//!
//! It serves Coro's contract as this crate reads it from `shared/reference/coro.md` ([`wire`]),
//! independently of the product's client: the contract fixtures are where the two must agree.
//!
//! The tree: the root channel `world.channel_id` (the demo credential belongs to it) holds the
//! customers as child workspaces plus one sub-channel ([`SUB_CHANNEL_ID`]) that holds every fourth
//! customer, so a client must walk nested channels. The archived customer is listed with status
//! `ARCHIVED`. A separate channel ([`FOREIGN_CHANNEL_ID`]) and its child exist outside the demo
//! tree so scoping a call to them answers 403.
//!
//! The module's parts: [`state`] the data, [`auth`] tokens, [`reads`] the `/v1` reads,
//! `bundle_info` the bundle answer, and [`controls`] the test controls under `/_sandbox/` (not
//! logged, never throttled or faulted).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

mod auth;
mod bundle_info;
mod controls;
mod reads;
mod state;
pub mod wire;

use self::auth::token;
use self::reads::{devices, search, subscriptions, usage, users, workspace};

pub use controls::UsageShape;
pub use state::{
    demo_bundles, Demo, Handle, Kind, ServiceCounts, SimWorkspace, State, UNKNOWN_BUNDLE,
};

use self::wire::{error_code, ErrorBody};
use super::common::{self, Behaviour, Gate};
use super::seed::World;

/// Demo credential of the root channel. Demo values only; nothing real is protected by them.
pub const DEMO_CLIENT_ID: &str = "brightpath-demo-client";
pub const DEMO_CLIENT_SECRET: &str = "brightpath-demo-secret";
/// A service key Coro reports that the app's catalogue does not know, so demo and tests show how
/// unknown services surface as new, unmapped ones.
pub const UNKNOWN_SERVICE_KEY: &str = "aiAssistantPlus";
/// The nested sub-channel under the root channel.
pub const SUB_CHANNEL_ID: &str = "brightpathwest_W3ST_c";
/// A channel outside the demo credential's tree, and its child: scoping a call to them is 403.
pub const FOREIGN_CHANNEL_ID: &str = "otherpartner_X9Y2_c";
pub const FOREIGN_CHILD_ID: &str = "otherclinic_Q3R7_d";

/// Fixed epoch (ms) the simulated creation times count from, so output is deterministic.
const EPOCH_MS: i64 = 1_700_000_000_000;
const DAY_MS: i64 = 86_400_000;

#[derive(Clone)]
struct App {
    state: Arc<Mutex<State>>,
    gate: Arc<Gate>,
    audience: String,
}

impl App {
    fn lock(&self) -> Result<MutexGuard<'_, State>, Reject> {
        self.state.lock().map_err(|_| {
            Reject::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                error_code::INTERNAL,
                "sandbox state lock poisoned",
            )
        })
    }
}

/// An error answer in the wire's [`ErrorBody`] form, small enough to travel in a `Result`.
struct Reject {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Reject {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Reject {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        api_error(self.status, self.code, &self.message)
    }
}

/// Builds the simulated API for `world`; `base_url` is where it will be served.
pub fn router(world: &World, behaviour: &Behaviour, base_url: &str) -> (Router, Handle) {
    let gate = Gate::new(
        behaviour.clone(),
        "",
        &["Authorization", "Workspace", "Content-Type"],
    );
    let state = Arc::new(Mutex::new(State::from_world(world)));
    let base = base_url.trim_end_matches('/').to_string();
    let app = App {
        state: state.clone(),
        gate: gate.clone(),
        audience: wire::audience(&base),
    };
    let router = Router::new()
        .route(wire::TOKEN_PATH, post(token))
        .route(wire::WORKSPACES_PATH, get(workspace))
        .route(wire::WORKSPACES_SEARCH_PATH, get(search))
        .route(wire::SUBSCRIPTIONS_PATH, get(subscriptions))
        .route(wire::BUNDLE_INFO_PATH, post(bundle_info::bundle_info))
        .route(wire::USAGE_PATH, get(usage))
        .route(wire::DEVICES_PATH, get(devices))
        .route(wire::USERS_PATH, get(users))
        .merge(controls::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            gate.clone(),
            common::gate,
        ))
        // Outermost, so the gate's own 429 and 503 answers carry a trace id too.
        .layer(axum::middleware::map_response(add_trace_id))
        .with_state(app);
    let demo = Demo {
        url: base.clone(),
        region: base,
        client_id: DEMO_CLIENT_ID.to_string(),
        client_secret: DEMO_CLIENT_SECRET.to_string(),
        channel: world.channel_id.clone(),
    };
    (router, Handle { gate, demo, state })
}

fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(ErrorBody::api(code, message))).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(ErrorBody::oauth(error, description))).into_response()
}

/// Every response carries a trace id, as Coro's do, so the client's logging of it is exercised.
async fn add_trace_id(mut res: Response) -> Response {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("sbx-{:012x}", NEXT.fetch_add(1, Ordering::Relaxed));
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(wire::TRACE_ID_HEADER, v);
    }
    res
}

async fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        error_code::NOT_FOUND,
        "no such endpoint in the simulated Coro API",
    )
}
#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod tests;
