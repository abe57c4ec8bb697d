//! Simulated ConnectWise Manage (PSA) REST API for demo mode, end-to-end tests and benchmarks,
//! following `shared/reference/connectwise.md`:
//! - codebase discovery `GET /login/companyinfo/{company}` (no auth; unknown company → 200 `null`);
//! - everything else under `/{codebase}apis/3.0/…`, where the codebase is the discovered one or
//!   the legacy `v4_6_release/` alias; a stale codebase (after `POST /_sandbox/codebase`) is a 404;
//! - Basic auth `company+publicKey:privateKey`, the required `clientId` header, security-role
//!   permissions per member (403), the `Accept: …; version=` model version;
//! - companies, catalog, agreements and additions with `conditions`, `childConditions`,
//!   `customFieldConditions`, `orderBy`, `fields`, navigable and forward-only paging, `Link`,
//!   `/count`; additions PATCH/PUT/POST/DELETE; `POST /system/bundles`; `/system/info`;
//! - the shared gate (request log, latency, faults, 429 + Retry-After with CW's throttle body).
//!
//! Files: `auth` (codebase, clientId, keys, permissions, version), `conditions` + `parser` +
//! `eval` (query language), `query` (list parameters, paging, `fields`), `tenant` (companies and
//! catalog) + `data` (agreements and additions with the awkward cases), `state` (tenant state
//! and views for tests), `resources` (reads), `additions` (writes), `controls` (`/_sandbox/…`
//! test controls, listed there), `errors`.

mod additions;
mod auth;
mod conditions;
mod controls;
mod data;
mod desk;
mod errors;
mod eval;
mod parser;
mod preflight_cases;
mod query;
mod resources;
mod state;
mod tenant;
mod tickets;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{Path, Request, State as AxState};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Behaviour, Gate};
use super::seed::World;
use auth::authenticate;
pub(crate) use auth::Caller;
use errors::ApiError;

pub use desk::{Desk, TicketView, OWNER_COMPANY_ID};
pub use state::{AdditionView, AgreementView, Member, Permissions, State};
pub use tenant::{product_identifier, FIRST_COMPANY_ID, FIRST_PRODUCT_ID};

/// The "Company" typed on the login screen.
pub const COMPANY_ID: &str = "brightpath";
pub const COMPANY_NAME: &str = "BrightPath IT";
/// What discovery returns (trailing slash, as on cloud).
pub const CODEBASE: &str = "v2026_11/";
/// The legacy codebase many integrations hard-code; also served (reference §1.3).
pub const LEGACY_CODEBASE: &str = "v4_6_release/";
/// The server's release: newest model version served, `api-current-version`.
pub const CURRENT_VERSION: (u32, u32) = (2026, 11);
pub const VERSION_NUMBER: &str = "v4.6.118441";
/// The integration's clientId (demo value).
pub const CLIENT_ID: &str = "3f9b2c71-8d4e-4a6b-9e15-c0a7d2f4b8e6";
pub const DEMO_PUBLIC_KEY: &str = "demo-public-key";
pub const DEMO_PRIVATE_KEY: &str = "demo-private-key";
/// A second API member whose role lacks Finance > Agreements: 403 on every `/finance/…` call.
pub const LIMITED_PUBLIC_KEY: &str = "limited-public-key";
pub const LIMITED_PRIVATE_KEY: &str = "limited-private-key";

/// What `connect` needs. Demo values only, so serializing them is fine.
#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    pub url: String,
    /// What the user types as the site; a full loopback URL here.
    pub site: String,
    pub company: String,
    pub public_key: String,
    pub private_key: String,
    pub client_id: String,
}

pub struct Handle {
    pub gate: Arc<Gate>,
    pub demo: Demo,
    pub state: Arc<Mutex<State>>,
}

/// Shared by every handler.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub state: Arc<Mutex<State>>,
    pub gate: Arc<Gate>,
    /// `http://127.0.0.1:PORT`, for absolute `Link` URLs.
    pub base_url: String,
    request_seq: Arc<AtomicU64>,
}

impl Ctx {
    /// The state, or a 500 if a handler panicked while holding it.
    pub fn lock(&self) -> Result<MutexGuard<'_, State>, ApiError> {
        self.state.lock().map_err(|_| ApiError::internal())
    }
}

pub fn router(world: &World, behaviour: &Behaviour, base_url: &str) -> (Router, Handle) {
    // The API router is nested under `/{codebase}/apis/3.0`, so the gate already sees paths
    // relative to the API base; the prefix below only matters if that ever changes.
    let gate = Gate::new(
        behaviour.clone(),
        "/v2026_11/apis/3.0",
        &["Authorization", "clientId", "Accept", "Content-Type"],
    );
    let members = vec![
        Member {
            id: "ApiMember1".into(),
            public_key: DEMO_PUBLIC_KEY.into(),
            private_key: DEMO_PRIVATE_KEY.into(),
            permissions: Permissions::default(),
        },
        Member {
            id: "ApiLimited".into(),
            public_key: LIMITED_PUBLIC_KEY.into(),
            private_key: LIMITED_PRIVATE_KEY.into(),
            permissions: Permissions::without_finance(),
        },
    ];
    let state = Arc::new(Mutex::new(State::new(
        world, members, COMPANY_ID, CODEBASE, CLIENT_ID,
    )));
    let ctx = Ctx {
        state: state.clone(),
        gate: gate.clone(),
        base_url: base_url.trim_end_matches('/').to_string(),
        request_seq: Arc::new(AtomicU64::new(1)),
    };
    let additions_item = get(resources::get_addition)
        .patch(additions::patch)
        .put(additions::put)
        .delete(additions::delete);
    let api = Router::new()
        .route("/system/info", get(resources::system_info))
        .route("/system/bundles", post(resources::bundles))
        .route("/company/companies", get(resources::list_companies))
        .route("/company/companies/count", get(resources::count_companies))
        .route("/company/companies/{id}", get(resources::get_company))
        .route("/procurement/catalog", get(resources::list_catalog))
        .route("/procurement/catalog/count", get(resources::count_catalog))
        .route(
            "/procurement/catalog/{id}",
            get(resources::get_catalog_item),
        )
        .route("/finance/agreements", get(resources::list_agreements))
        .route(
            "/finance/agreements/count",
            get(resources::count_agreements),
        )
        .route(
            "/finance/agreements/{parentId}",
            get(resources::get_agreement),
        )
        .route(
            "/finance/agreements/{parentId}/additions",
            get(resources::list_additions).post(additions::post),
        )
        .route(
            "/finance/agreements/{parentId}/additions/count",
            get(resources::count_additions),
        )
        .route(
            "/finance/agreements/{parentId}/additions/{id}",
            additions_item,
        )
        .merge(tickets::routes())
        .route_layer(middleware::from_fn_with_state(ctx.clone(), authenticate))
        // A catch-all route rather than `fallback`: axum cannot nest a router with its own
        // fallback under a path with a parameter. Added after `route_layer`, so an unknown
        // endpoint is a 404 whatever the credentials.
        .route("/{*rest}", any(|| async { ApiError::no_endpoint() }))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(gate.clone(), common::gate))
        .layer(middleware::from_fn_with_state(ctx.clone(), decorate));
    let router = Router::new()
        .route("/login/companyinfo/{company}", get(company_info))
        .nest("/{codebase}/apis/3.0", api)
        .merge(controls::routes())
        .merge(tickets::controls())
        .fallback(|| async { ApiError::no_endpoint() })
        .with_state(ctx);
    let demo = Demo {
        url: base_url.to_string(),
        site: base_url.to_string(),
        company: COMPANY_ID.to_string(),
        public_key: DEMO_PUBLIC_KEY.to_string(),
        private_key: DEMO_PRIVATE_KEY.to_string(),
        client_id: CLIENT_ID.to_string(),
    };
    (router, Handle { gate, demo, state })
}

/// `GET /login/companyinfo/{company}` (reference §1.2). Not gated: the request log holds API
/// calls only (what the spec validator checks); `State::discovery_calls` counts these.
async fn company_info(
    AxState(ctx): AxState<Ctx>,
    Path(company): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut st = ctx.lock()?;
    st.discovery_calls += 1;
    if !company.eq_ignore_ascii_case(&st.company_id) {
        return Ok(Json(Value::Null));
    }
    let (y, n) = CURRENT_VERSION;
    Ok(Json(json!({
        "CompanyName": COMPANY_NAME, "Codebase": st.codebase, "VersionCode": format!("v{y}.{n}"),
        "VersionNumber": VERSION_NUMBER, "CompanyID": st.company_id, "IsCloud": "True",
    })))
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "ConnectWiseApi",
        format!("The requested resource does not support http method '{method}'."),
    )
}

/// Outermost layer on the API: the headers CW sends on every response, and the throttle body
/// in CW's shape (`{"error":"ConnectWiseAPI",…}`, reference §7.3) instead of the gate's.
async fn decorate(AxState(ctx): AxState<Ctx>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let n = ctx.request_seq.fetch_add(1, Ordering::Relaxed);
    let (mut parts, body) = resp.into_parts();
    let body = if parts.status == StatusCode::TOO_MANY_REQUESTS {
        let wait = parts
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("30")
            .to_string();
        parts.headers.remove(CONTENT_LENGTH);
        parts
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let msg = json!({
            "error": "ConnectWiseAPI",
            "message": format!("Too many requests. Please try again in {wait} seconds."),
        });
        Body::from(msg.to_string())
    } else {
        body
    };
    let (y, v) = CURRENT_VERSION;
    let headers = [
        ("api-current-version", format!("{y}.{v}")),
        (
            "x-cw-request-id",
            format!("5a17c0de-0000-4000-8000-{n:012x}"),
        ),
        ("x-server-name", "SANDBOXCWAPI01".to_string()),
    ];
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            parts.headers.insert(k, v);
        }
    }
    Response::from_parts(parts, body)
}
