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
//! Files: `conditions` (query language), `query` (list parameters, paging, `fields`), `data`
//! (seeded records), `state` (tenant state and views), `resources` (reads), `additions`
//! (writes), `controls` (`/_sandbox/…` test controls), `errors`.

mod additions;
mod conditions;
mod controls;
mod data;
mod errors;
mod query;
mod resources;
mod state;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{Path, Request, State as AxState};
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Behaviour, Gate};
use super::seed::World;
use errors::ApiError;

pub use data::{product_identifier, FIRST_COMPANY_ID, FIRST_PRODUCT_ID};
pub use state::{AdditionView, AgreementView, Member, Permissions, State};

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

/// Who is calling, set by [`authenticate`] for the handlers.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub member: String,
    pub permissions: Permissions,
    /// Model version served (requested version, capped at the current one).
    pub version: (u32, u32),
    /// The codebase segment the request used (`v2026_11` or `v4_6_release`), for `Link` URLs.
    pub codebase: String,
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

/// `YEAR.N` from an Accept header or a bundle item (`2025.8` → (2025, 8)).
pub(crate) fn parse_version(s: &str) -> Option<(u32, u32)> {
    let (y, n) = s.trim().trim_matches('"').split_once('.')?;
    Some((y.parse().ok()?, n.parse().ok()?))
}

fn requested_version(headers: &HeaderMap) -> Option<(u32, u32)> {
    let accept = headers.get(ACCEPT)?.to_str().ok()?;
    accept
        .split([',', ';'])
        .filter_map(|p| p.trim().strip_prefix("version="))
        .find_map(parse_version)
}

/// Which security-role permission a request needs (reference §8).
fn allowed(p: &Permissions, method: &Method, path: &str) -> bool {
    let write = method != Method::GET;
    if path.starts_with("/company/") {
        p.company_inquire && !write
    } else if path.starts_with("/procurement/") {
        p.catalog_inquire && !write
    } else if path.starts_with("/finance/") {
        match *method {
            Method::GET => p.agreement_inquire,
            Method::POST => p.agreement_add,
            Method::DELETE => p.agreement_delete,
            _ => p.agreement_edit,
        }
    } else {
        true // /system/info works for any API member; bundles check per item
    }
}

/// Codebase, clientId, Basic auth, role permissions and model version, in that order.
async fn authenticate(
    AxState(ctx): AxState<Ctx>,
    Path(params): Path<HashMap<String, String>>,
    mut req: Request,
    next: Next,
) -> Response {
    let codebase = params.get("codebase").cloned().unwrap_or_default();
    let result = {
        let Ok(st) = ctx.state.lock() else {
            return ApiError::internal().into_response();
        };
        check_caller(
            &st,
            &codebase,
            req.method(),
            req.uri().path(),
            req.headers(),
        )
    };
    match result {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

fn check_caller(
    st: &State,
    codebase: &str,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    let legacy = codebase.eq_ignore_ascii_case(LEGACY_CODEBASE.trim_end_matches('/'));
    if !legacy && !codebase.eq_ignore_ascii_case(st.codebase.trim_end_matches('/')) {
        return Err(ApiError::no_endpoint()); // stale codebase after an upgrade (reference §1.3)
    }
    let client_id = headers
        .get("clientid")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match client_id {
        None | Some("") => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidClientId",
                "A clientId header is required. Register an integration at https://developer.connectwise.com/ClientID.",
            ))
        }
        Some(id) if !st.client_ids.iter().any(|c| c.eq_ignore_ascii_case(id)) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidClientId",
                format!("The clientId '{id}' is not a registered integration."),
            ))
        }
        Some(_) => {}
    }
    let Some(auth) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "ConnectWiseApi",
            "UserNotAuthenticated",
        ));
    };
    let member = basic_credentials(auth).and_then(|(company, public, private)| {
        st.members.iter().find(|m| {
            company.eq_ignore_ascii_case(&st.company_id)
                && m.public_key == public
                && m.private_key == private
        })
    });
    let Some(member) = member else {
        // On cloud, bad authentication against the legacy codebase can surface as a 404 (§1.3).
        if legacy {
            return Err(ApiError::no_endpoint());
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Authentication failed: the company, public key or private key is not valid.",
        ));
    };
    if !allowed(&member.permissions, method, path) {
        return Err(ApiError::security());
    }
    Ok(Caller {
        member: member.id.clone(),
        permissions: member.permissions,
        version: requested_version(headers)
            .unwrap_or(CURRENT_VERSION)
            .min(CURRENT_VERSION),
        codebase: codebase.to_string(),
    })
}

/// `Basic base64(company+public:private)` → (company, public, private).
fn basic_credentials(header: &str) -> Option<(String, String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (user, private) = decoded.split_once(':')?;
    let (company, public) = user.split_once('+')?;
    Some((company.to_string(), public.to_string(), private.to_string()))
}

/// Standard base64 with optional padding (no crate for this in the dependency set).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = s.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let n = chunk.len() - 1; // 4 chars → 3 bytes, 3 → 2, 2 → 1
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
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

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn base64_round_trips_known_vectors() {
        assert_eq!(
            base64_decode("YnJpZ2h0cGF0aCtwdWI6cHJpdg==").as_deref(),
            Some(&b"brightpath+pub:priv"[..])
        );
        assert_eq!(base64_decode("Zm9vYg").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base64_decode("Zm9vYmFy").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base64_decode("Zg=="), Some(b"f".to_vec()));
        assert!(base64_decode("Z").is_none());
        assert!(base64_decode("Zm9v!").is_none());
    }

    #[test]
    fn versions_parse_as_integer_pairs() {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT,
            HeaderValue::from_static(
                "application/vnd.connectwise.com+json; version=2025.8, application/json",
            ),
        );
        assert_eq!(requested_version(&h), Some((2025, 8)));
        assert!((2025, 16) > (2025, 8));
    }
}
