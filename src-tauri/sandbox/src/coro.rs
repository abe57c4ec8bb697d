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
//! Test controls live under `/_sandbox/` (not logged, never throttled or faulted):
//! `GET|DELETE /_sandbox/requests`, `GET /_sandbox/state`, `POST /_sandbox/usage`
//! (`{workspaceId, service, count, enabled?}`), `POST /_sandbox/expire-tokens`,
//! `POST /_sandbox/token-lifetime` (`{seconds}`) and `POST /_sandbox/faults` (`{next}`); route
//! faults and workspace status changes are in [`controls`].

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

mod bundle_info;
mod controls;
pub mod wire;

pub use controls::UsageShape;

use self::wire::{
    error_code, ChildRef, Device, ErrorBody, ModuleState, ModuleStatistics, Page, ProtectedUser,
    Subscription, TokenRequest, TokenResponse, Workspace, WorkspaceStatus, WorkspaceType,
    WorkspaceUsage,
};
use super::common::{self, Behaviour, Gate, Rng};
use super::seed::{Quirk, World, SERVICES};

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

/// What `psa-bridge sandbox` prints and the `connect` command takes.
#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    pub url: String,
    /// The client accepts a URL as region ([`wire::resolve_base_url`]), so this equals `url`.
    pub region: String,
    pub client_id: String,
    pub client_secret: String,
    /// The root channel workspace id.
    pub channel: String,
}

/// A running simulation: request log and faults through `gate`, data through `state`.
pub struct Handle {
    pub gate: Arc<Gate>,
    pub demo: Demo,
    pub state: Arc<Mutex<State>>,
}

impl Handle {
    /// Sets a service count (see [`State::set_usage`]).
    pub fn set_usage(&self, workspace_id: &str, service: &str, count: u32) -> Result<(), String> {
        let mut st = self.state.lock().map_err(|_| "state lock poisoned")?;
        st.set_usage(workspace_id, service, count, true)
    }

    /// Invalidates every issued token, so the next `/v1` call answers 401.
    pub fn expire_tokens(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.expire_tokens();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Channel,
    Child,
}

/// Counts of one service in one workspace. Both units are kept because Coro reports both and
/// the PSA mapping picks one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCounts {
    /// Whether the subscription has it switched on; disabled services have no usage record.
    pub enabled: bool,
    /// The service's billing unit (from `seed::SERVICES`; unknown services count users).
    pub per_device: bool,
    pub protected_users: u32,
    pub protected_devices: u32,
    /// Enabled but left out of `moduleStatistics` (`/_sandbox/module-statistics`), so a client
    /// must fall back to the workspace totals.
    pub unreported: bool,
}

impl ServiceCounts {
    /// The count in the service's own unit (what `World::usage` returns).
    pub fn quantity(&self) -> u32 {
        if self.per_device {
            self.protected_devices
        } else {
            self.protected_users
        }
    }
}

/// One simulated workspace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimWorkspace {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub kind: Kind,
    pub parent: Option<String>,
    /// Wire spelling of the status ([`WorkspaceStatus::as_wire`]).
    pub status: String,
    /// Workspace-wide protected devices and users.
    pub devices: u32,
    pub users: u32,
    pub created_ms: i64,
    /// Every service key the subscription mentions, enabled or not.
    pub services: BTreeMap<String, ServiceCounts>,
    pub bundles: Vec<String>,
}

/// Mutable simulation state; tests change it through [`Handle::state`].
#[derive(Debug)]
pub struct State {
    pub channel_id: String,
    /// Roots, customers, the sub-channel and the foreign pair, in listing order.
    pub workspaces: Vec<SimWorkspace>,
    /// Lifetime of newly issued tokens (Coro: 24 h); shorten it to test expiry.
    pub token_lifetime: Duration,
    pub client_id: String,
    client_secret: String,
    /// Issued tokens and when they expire.
    tokens: HashMap<String, Instant>,
    rng: Rng,
    /// How `GET /v1/usage` is wrapped, per workspace (`None` key: every other workspace); see
    /// [`UsageShape`] and `POST /_sandbox/usage-shape`.
    pub usage_shapes: HashMap<Option<String>, UsageShape>,
}

impl State {
    fn from_world(world: &World) -> State {
        let mut workspaces = vec![channel(&world.channel_id, &world.channel_name, None, 0)];
        for (i, c) in world.customers.iter().enumerate() {
            // Every fourth customer sits in the sub-channel so the client must recurse.
            let parent = if i % 4 == 3 {
                SUB_CHANNEL_ID
            } else {
                &world.channel_id
            };
            let mut services = BTreeMap::new();
            for (s, svc) in SERVICES.iter().enumerate() {
                let quantity = world.usage(i, s);
                // The other unit scales like the service's own one (add-ons cover a share).
                let (users, devices) = if svc.per_device {
                    (scale(c.users, quantity, c.devices), quantity)
                } else {
                    (quantity, scale(c.devices, quantity, c.users))
                };
                services.insert(
                    svc.key.to_string(),
                    ServiceCounts {
                        enabled: world.subscribes(i, s),
                        per_device: svc.per_device,
                        protected_users: users,
                        protected_devices: devices,
                        unreported: false,
                    },
                );
            }
            if i % 3 == 0 {
                services.insert(
                    UNKNOWN_SERVICE_KEY.to_string(),
                    ServiceCounts {
                        enabled: true,
                        per_device: false,
                        protected_users: (c.users / 2).max(1),
                        protected_devices: c.devices / 2,
                        unreported: false,
                    },
                );
            }
            let status = if c.quirk == Quirk::Archived {
                WorkspaceStatus::Archived
            } else {
                WorkspaceStatus::Subscription
            };
            workspaces.push(SimWorkspace {
                id: c.workspace_id.clone(),
                name: c.name.clone(),
                domain: c.domain.clone(),
                kind: Kind::Child,
                parent: Some(parent.to_string()),
                status: status.as_wire().to_string(),
                devices: c.devices,
                users: c.users,
                created_ms: EPOCH_MS + (i as i64 + 10) * DAY_MS,
                services,
                bundles: demo_bundles(i),
            });
        }
        workspaces.push(channel(
            SUB_CHANNEL_ID,
            "BrightPath West (sub-channel)",
            Some(&world.channel_id),
            5,
        ));
        workspaces.push(channel(FOREIGN_CHANNEL_ID, "Other Partner MSP", None, 1));
        let mut foreign_child = channel(
            FOREIGN_CHILD_ID,
            "Other Clinic",
            Some(FOREIGN_CHANNEL_ID),
            2,
        );
        foreign_child.kind = Kind::Child;
        foreign_child.devices = 3;
        foreign_child.users = 3;
        workspaces.push(foreign_child);
        State {
            channel_id: world.channel_id.clone(),
            workspaces,
            token_lifetime: Duration::from_secs(wire::TOKEN_LIFETIME_SECS),
            client_id: DEMO_CLIENT_ID.to_string(),
            client_secret: DEMO_CLIENT_SECRET.to_string(),
            tokens: HashMap::new(),
            rng: Rng::new(world.seed ^ 0xC0B0),
            usage_shapes: HashMap::new(),
        }
    }

    pub fn workspace(&self, id: &str) -> Option<&SimWorkspace> {
        self.workspaces.iter().find(|w| w.id == id)
    }

    /// Direct children (child workspaces and sub-channels) in listing order.
    pub fn children_of(&self, id: &str) -> Vec<&SimWorkspace> {
        self.workspaces
            .iter()
            .filter(|w| w.parent.as_deref() == Some(id))
            .collect()
    }

    /// Child (non-channel) workspaces anywhere under `id`, depth first.
    pub fn descendants(&self, id: &str) -> Vec<&SimWorkspace> {
        let mut out = Vec::new();
        for w in self.children_of(id) {
            match w.kind {
                Kind::Child => out.push(w),
                Kind::Channel => out.extend(self.descendants(&w.id)),
            }
        }
        out
    }

    /// Whether `id` is the root channel or lies below it.
    fn in_tree(&self, id: &str) -> bool {
        let mut current = Some(id.to_string());
        // Bounded walk: a parent cycle introduced by a test must not hang the server.
        for _ in 0..=self.workspaces.len() {
            match current {
                Some(ref c) if *c == self.channel_id => return true,
                Some(ref c) => current = self.workspace(c).and_then(|w| w.parent.clone()),
                None => return false,
            }
        }
        false
    }

    /// Sets `service`'s count in its own unit and switches it on or off; an unknown key is added
    /// as a user-counted service. `protectedDevices` / `protectedUsers` set the workspace totals.
    pub fn set_usage(
        &mut self,
        workspace_id: &str,
        service: &str,
        count: u32,
        enabled: bool,
    ) -> Result<(), String> {
        let ws = self
            .workspaces
            .iter_mut()
            .find(|w| w.id == workspace_id)
            .ok_or_else(|| format!("unknown workspace {workspace_id}"))?;
        if ws.kind == Kind::Channel {
            return Err(format!(
                "{workspace_id} is a channel; usage lives on children"
            ));
        }
        match service {
            "protectedDevices" => ws.devices = count,
            "protectedUsers" => ws.users = count,
            _ => {
                let per_device = SERVICES
                    .iter()
                    .find(|s| s.key == service)
                    .is_some_and(|s| s.per_device);
                let entry = ws
                    .services
                    .entry(service.to_string())
                    .or_insert(ServiceCounts {
                        enabled,
                        per_device,
                        protected_users: 0,
                        protected_devices: 0,
                        unreported: false,
                    });
                entry.enabled = enabled;
                if entry.per_device {
                    entry.protected_devices = count;
                } else {
                    entry.protected_users = count;
                }
            }
        }
        Ok(())
    }

    /// How the usage answer for the workspace in the header is wrapped.
    pub fn usage_shape(&self, workspace_id: &str) -> UsageShape {
        self.usage_shapes
            .get(&Some(workspace_id.to_string()))
            .or_else(|| self.usage_shapes.get(&None))
            .copied()
            .unwrap_or_default()
    }

    /// Forgets every issued token.
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    fn issue_token(&mut self) -> String {
        let token = format!(
            "sbx.{:016x}{:016x}",
            self.rng.next_u64(),
            self.rng.next_u64()
        );
        self.tokens
            .insert(token.clone(), Instant::now() + self.token_lifetime);
        token
    }

    fn token_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|exp| Instant::now() < *exp)
    }
}

/// A bundle the demo channel sells to an unknown-to-the-app bundle value (outside the
/// documented enum, like the newer "Coro AI" bundles).
pub const UNKNOWN_BUNDLE: &str = "CORO_AI_ENDPOINT";

/// The bundles of customer `i`: customer 0 (every module) has Coro Complete, so a bundle and the
/// modules it includes; customer 1 has Coro Essentials; customer 2 a bundle the app does not
/// know. Spellings differ on purpose (coro.md §2.3: both appear).
pub fn demo_bundles(i: usize) -> Vec<String> {
    match i {
        0 => vec!["coroComplete".to_string()],
        1 => vec!["CORO_ESSENTIALS".to_string()],
        2 => vec![UNKNOWN_BUNDLE.to_string()],
        _ => Vec::new(),
    }
}

fn channel(id: &str, name: &str, parent: Option<&str>, day: i64) -> SimWorkspace {
    let slug: String = id.split('_').next().unwrap_or(id).to_string();
    SimWorkspace {
        id: id.to_string(),
        name: name.to_string(),
        domain: format!("{slug}.example.com"),
        kind: Kind::Channel,
        parent: parent.map(str::to_string),
        status: WorkspaceStatus::Subscription.as_wire().to_string(),
        devices: 0,
        users: 0,
        created_ms: EPOCH_MS + day * DAY_MS,
        services: BTreeMap::new(),
        bundles: Vec::new(),
    }
}

/// `other * part / whole`, rounded down; 0 when `whole` is 0.
fn scale(other: u32, part: u32, whole: u32) -> u32 {
    if whole == 0 {
        return 0;
    }
    (u64::from(other) * u64::from(part) / u64::from(whole)) as u32
}

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
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/state", get(state_view))
        .route("/_sandbox/usage", post(change_usage))
        .route("/_sandbox/expire-tokens", post(expire_tokens))
        .route("/_sandbox/token-lifetime", post(token_lifetime))
        .route("/_sandbox/faults", post(faults))
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

async fn token(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_body {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/json",
        );
    }
    let Ok(req) = serde_json::from_slice::<TokenRequest>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "body must be a JSON token request",
        );
    };
    if req.grant_type.as_deref() != Some(wire::GRANT_TYPE) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let (Some(id), Some(secret)) = (req.client_id, req.client_secret) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    // The OpenAPI sample omits `audience`, so only a wrong one is refused.
    if let Some(aud) = req.audience.as_deref() {
        if aud != app.audience {
            return oauth_error(
                StatusCode::FORBIDDEN,
                "access_denied",
                &format!("Service not found: {aud}"),
            );
        }
    }
    let mut st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    if id != st.client_id || secret != st.client_secret {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    let access_token = st.issue_token();
    Json(TokenResponse {
        access_token: Some(access_token),
        token_type: Some("Bearer".to_string()),
        expires_in: Some(st.token_lifetime.as_secs()),
    })
    .into_response()
}

/// Checks the bearer token and the `Workspace` header; returns the workspace id.
fn authorize(st: &State, headers: &HeaderMap) -> Result<String, Reject> {
    let token = headers
        .get(wire::AUTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !token.is_some_and(|t| st.token_valid(t)) {
        return Err(Reject::new(
            StatusCode::UNAUTHORIZED,
            error_code::UNAUTHORIZED,
            "missing, invalid or expired bearer token",
        ));
    }
    let ws = headers
        .get(wire::WORKSPACE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let Some(ws) = ws else {
        return Err(Reject::new(
            StatusCode::BAD_REQUEST,
            error_code::BAD_REQUEST,
            "the Workspace header is required",
        ));
    };
    if st.workspace(ws).is_none() {
        return Err(Reject::new(
            StatusCode::NOT_FOUND,
            error_code::NOT_FOUND,
            format!("workspace {ws} not found"),
        ));
    }
    if !st.in_tree(ws) {
        return Err(Reject::new(
            StatusCode::FORBIDDEN,
            error_code::FORBIDDEN,
            format!("workspace {ws} is not accessible with this credential"),
        ));
    }
    Ok(ws.to_string())
}

/// Reads `page` / `size` (when `paged`) and refuses any other parameter, so a client using a
/// name not in `wire` fails loudly here instead of silently against the real API.
fn paging(query: Option<&str>, paged: bool) -> Result<(usize, usize), Reject> {
    let mut page = 0usize;
    let mut size = wire::DEFAULT_PAGE_SIZE as usize;
    let bad = |msg: String| Reject::new(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, msg);
    for (k, v) in common::url_decode_pairs(query.unwrap_or("")) {
        let number = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| bad(format!("{k} must be a non-negative integer")))
        };
        if paged && k == wire::PAGE_PARAM {
            page = number(&v)? as usize;
        } else if paged && k == wire::PAGE_SIZE_PARAM {
            size = number(&v)? as usize;
            if size == 0 {
                return Err(bad(format!("{k} must be at least 1")));
            }
        } else {
            return Err(bad(format!("unknown query parameter {k}")));
        }
    }
    // Like most servers, an oversized page is capped rather than refused.
    Ok((page, size.min(wire::MAX_PAGE_SIZE as usize)))
}

/// Authorizes and parses paging, then runs `f` on the locked state.
fn with_request(
    app: &App,
    headers: &HeaderMap,
    query: Option<&str>,
    paged: bool,
    f: impl FnOnce(&State, &str, usize, usize) -> Response,
) -> Response {
    let st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    let ws = match authorize(&st, headers) {
        Ok(ws) => ws,
        Err(res) => return res.into_response(),
    };
    match paging(query, paged) {
        Ok((page, size)) => f(&st, &ws, page, size),
        Err(res) => res.into_response(),
    }
}

fn page_range(total: usize, page: usize, size: usize) -> std::ops::Range<usize> {
    let start = page.saturating_mul(size).min(total);
    start..start.saturating_add(size).min(total)
}

fn page_json<T: Serialize>(items: Vec<T>, total: usize) -> Response {
    Json(Page {
        items,
        total_elements: Some(total as u64),
    })
    .into_response()
}

fn wire_workspace(st: &State, w: &SimWorkspace) -> Workspace {
    let children = match w.kind {
        Kind::Child => Vec::new(),
        Kind::Channel => st
            .children_of(&w.id)
            .iter()
            .map(|c| ChildRef::Id(c.id.clone()))
            .collect(),
    };
    let kind = match w.kind {
        Kind::Channel => WorkspaceType::Channel,
        Kind::Child => WorkspaceType::Child,
    };
    let admin = format!("admin@{}", w.domain);
    Workspace {
        id: Some(w.id.clone()),
        company_name: Some(w.name.clone()),
        // The console caps display names at 30 characters; companyName keeps the full name.
        display_name: Some(w.name.chars().take(30).collect()),
        workspace_type: Some(kind.as_wire().to_string()),
        domain: Some(w.domain.clone()),
        parent_workspace_id: w.parent.clone(),
        children: Some(children),
        protected_devices: Some(u64::from(w.devices)),
        max_protected_users: Some(u64::from(w.users) + 25),
        notifications_level: Some("parent".to_string()),
        main_admin_email: Some(admin.clone()),
        admin_emails: Some(vec![admin]),
        last_admin_login_time: Some(w.created_ms + 30 * DAY_MS),
        workspace_creation_time: Some(w.created_ms),
        workspace_creation_type: Some("direct".to_string()),
        limited: Some(false),
        status: Some(w.status.clone()),
    }
}

async fn workspace(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    with_request(
        &app,
        &headers,
        q.as_deref(),
        false,
        |st, ws, _, _| match st.workspace(ws) {
            Some(w) => Json(wire_workspace(st, w)).into_response(),
            None => not_found_ws(ws),
        },
    )
}

fn not_found_ws(ws: &str) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        error_code::NOT_FOUND,
        &format!("workspace {ws} not found"),
    )
}

async fn search(AxState(app): AxState<App>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    with_request(&app, &headers, q.as_deref(), true, |st, ws, page, size| {
        let children = st.children_of(ws);
        let range = page_range(children.len(), page, size);
        let items: Vec<Workspace> = children[range]
            .iter()
            .map(|w| wire_workspace(st, w))
            .collect();
        page_json(items, children.len())
    })
}

async fn subscriptions(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    with_request(&app, &headers, q.as_deref(), false, |st, ws, _, _| {
        let Some(w) = st.workspace(ws) else {
            return not_found_ws(ws);
        };
        let modules = w
            .services
            .iter()
            .map(|(k, c)| (k.clone(), ModuleState::enabled_flag(c.enabled)))
            .collect();
        Json(Subscription {
            modules: Some(modules),
            bundles: Some(w.bundles.clone()),
        })
        .into_response()
    })
}

fn usage_record(w: &SimWorkspace) -> WorkspaceUsage {
    let stats = w
        .services
        .iter()
        .filter(|(_, c)| c.enabled && !c.unreported)
        .map(|(k, c)| {
            (
                k.clone(),
                ModuleStatistics {
                    protected_users: Some(u64::from(c.protected_users)),
                    protected_devices: Some(u64::from(c.protected_devices)),
                    licensed_devices: None,
                },
            )
        })
        .collect();
    WorkspaceUsage {
        workspace_id: Some(w.id.clone()),
        protected_users: Some(u64::from(w.users)),
        protected_devices: Some(u64::from(w.devices)),
        demo_mode_enabled: Some(false),
        demo_mode_end_date: None,
        module_statistics: Some(stats),
    }
}

async fn usage(AxState(app): AxState<App>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    with_request(&app, &headers, q.as_deref(), true, |st, ws, page, size| {
        let records: Vec<&SimWorkspace> = match st.workspace(ws) {
            Some(w) if w.kind == Kind::Child => vec![w],
            Some(_) => st.descendants(ws),
            None => return not_found_ws(ws),
        };
        let range = page_range(records.len(), page, size);
        let items: Vec<WorkspaceUsage> = records[range].iter().map(|w| usage_record(w)).collect();
        controls::usage_answer(st.usage_shape(ws), items, records.len())
    })
}

/// A small stable hash of a workspace id, to derive per-device values.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn sim_device(w: &SimWorkspace, j: usize) -> Device {
    const OS: &[(&str, &str)] = &[
        ("WINDOWS", "10.0.22631"),
        ("WINDOWS", "10.0.19045"),
        ("WINDOWS", "10.0.26100"),
        ("MAC_OS", "14.5"),
        ("LINUX", "Ubuntu 22.04"),
    ];
    let h = id_hash(&w.id);
    let (os, version) = OS[j % OS.len()];
    let prefix: String =
        w.id.chars()
            .take(6)
            .collect::<String>()
            .to_ascii_uppercase();
    Device {
        enrollment_code: Some(format!("{:08X}{:05}", h as u32, j)),
        device_id: Some(format!("{:016x}", Rng::new(h ^ j as u64).next_u64())),
        device_model: Some(
            if os == "MAC_OS" {
                "MacBook Pro"
            } else {
                "Latitude 5440"
            }
            .to_string(),
        ),
        hostname: Some(format!("{prefix}-PC-{:04}", j + 1)),
        os_type: Some(os.to_string()),
        os_version: Some(version.to_string()),
        app_version: Some("3.8.3.1".to_string()),
        activation_time: Some(w.created_ms + j as i64 * 3_600_000),
        license_status: Some(wire::DEVICE_LICENSED.to_string()),
    }
}

async fn devices(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    with_request(&app, &headers, q.as_deref(), true, |st, ws, page, size| {
        let Some(w) = st.workspace(ws) else {
            return not_found_ws(ws);
        };
        let total = if w.kind == Kind::Child {
            w.devices as usize
        } else {
            0
        };
        let items: Vec<Device> = page_range(total, page, size)
            .map(|j| sim_device(w, j))
            .collect();
        page_json(items, total)
    })
}

async fn users(AxState(app): AxState<App>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    with_request(&app, &headers, q.as_deref(), true, |st, ws, page, size| {
        let Some(w) = st.workspace(ws) else {
            return not_found_ws(ws);
        };
        let total = if w.kind == Kind::Child {
            w.users as usize
        } else {
            0
        };
        let h = id_hash(&w.id);
        let items: Vec<ProtectedUser> = page_range(total, page, size)
            .map(|j| ProtectedUser {
                id: Some(format!(
                    "{:016x}",
                    Rng::new(h ^ 0x5555 ^ j as u64).next_u64()
                )),
                email: Some(format!("user{:04}@{}", j + 1, w.domain)),
                name: Some(format!("User {}", j + 1)),
            })
            .collect();
        page_json(items, total)
    })
}

// ---------------------------------------------------------------------------------------------
// Test controls (/_sandbox/…)
// ---------------------------------------------------------------------------------------------

async fn requests(AxState(app): AxState<App>) -> Response {
    Json(app.gate.requests()).into_response()
}

async fn clear_requests(AxState(app): AxState<App>) -> StatusCode {
    app.gate.clear_requests();
    StatusCode::NO_CONTENT
}

async fn state_view(AxState(app): AxState<App>) -> Response {
    let st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    Json(serde_json::json!({
        "channelId": st.channel_id,
        "clientId": st.client_id,
        "tokenLifetimeSecs": st.token_lifetime.as_secs_f64(),
        "liveTokens": st.tokens.values().filter(|exp| Instant::now() < **exp).count(),
        "workspaces": st.workspaces,
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageChange {
    workspace_id: String,
    service: String,
    count: u32,
    enabled: Option<bool>,
}

async fn change_usage(AxState(app): AxState<App>, Json(change): Json<UsageChange>) -> Response {
    let mut st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    match st.set_usage(
        &change.workspace_id,
        &change.service,
        change.count,
        change.enabled.unwrap_or(true),
    ) {
        Ok(()) => match st.workspace(&change.workspace_id) {
            Some(w) => Json(w.clone()).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
        Err(msg) => api_error(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, &msg),
    }
}

async fn expire_tokens(AxState(app): AxState<App>) -> Response {
    match app.lock() {
        Ok(mut st) => {
            st.expire_tokens();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(res) => res.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct Lifetime {
    seconds: f64,
}

async fn token_lifetime(AxState(app): AxState<App>, Json(l): Json<Lifetime>) -> Response {
    let Ok(lifetime) = Duration::try_from_secs_f64(l.seconds) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            error_code::BAD_REQUEST,
            "seconds must be a non-negative number",
        );
    };
    match app.lock() {
        Ok(mut st) => {
            st.token_lifetime = lifetime;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(res) => res.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct Faults {
    next: u32,
}

async fn faults(AxState(app): AxState<App>, Json(f): Json<Faults>) -> StatusCode {
    app.gate.force_faults(f.next);
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod tests;
