//! The `/v1` reads: workspaces, search, subscriptions, usage, devices and users, with Coro's paging.

use axum::extract::{RawQuery, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::auth::authorize;
use super::state::{SimWorkspace, State};
use super::wire::{
    self, error_code, ChildRef, Device, ModuleState, ModuleStatistics, Page, ProtectedUser,
    Subscription, Workspace, WorkspaceType, WorkspaceUsage,
};
use super::{api_error, controls, App, Kind, Reject, DAY_MS};
use crate::common::{self, Rng};

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

pub(super) fn page_json<T: Serialize>(items: Vec<T>, total: usize) -> Response {
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

pub(super) async fn workspace(
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

pub(super) async fn search(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
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

pub(super) async fn subscriptions(
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

pub(super) async fn usage(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
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

pub(super) async fn devices(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    with_request(&app, &headers, q.as_deref(), true, |st, ws, page, size| {
        per_workspace_page(st, ws, page, size, |w| w.devices, sim_device)
    })
}

pub(super) async fn users(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    with_request(&app, &headers, q.as_deref(), true, |st, ws, page, size| {
        per_workspace_page(st, ws, page, size, |w| w.users, sim_user)
    })
}

/// One page of a child workspace's `count` simulated items (`item(w, j)` the j-th); a channel has
/// none, an unknown workspace is 404.
fn per_workspace_page<T: Serialize>(
    st: &State,
    ws: &str,
    page: usize,
    size: usize,
    count: impl Fn(&SimWorkspace) -> u32,
    item: impl Fn(&SimWorkspace, usize) -> T,
) -> Response {
    let Some(w) = st.workspace(ws) else {
        return not_found_ws(ws);
    };
    let total = if w.kind == Kind::Child {
        count(w) as usize
    } else {
        0
    };
    let items: Vec<T> = page_range(total, page, size).map(|j| item(w, j)).collect();
    page_json(items, total)
}

fn sim_user(w: &SimWorkspace, j: usize) -> ProtectedUser {
    ProtectedUser {
        id: Some(format!(
            "{:016x}",
            Rng::new(id_hash(&w.id) ^ 0x5555 ^ j as u64).next_u64()
        )),
        email: Some(format!("user{:04}@{}", j + 1, w.domain)),
        name: Some(format!("User {}", j + 1)),
    }
}
