//! `POST /v1/subscriptions/bundleInfo` (coro.md §2.3, CONFIRMED: docs `getSubscriptionUpdateDto`):
//! body `{bundles: [...]}` in either spelling, reply `{modules, bundles}` with every module and
//! add-on the asked bundles require, merged. The `Workspace` header is optional; the token is not.
//! A value outside the documented 12-value enum is a 400 validation error, as an enum-checked
//! body would be.
//!
//! What each bundle holds is not public; the table below is this simulation's own, close to
//! Coro's marketing pages (Essentials ⊂ Classic ⊂ Complete; `managed*` add Managed Service).

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State as AxState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::wire::{self, error_code, ModuleState, Subscription};
use super::{api_error, App};

const ESSENTIALS: &[&str] = &["endpointSecurity", "emailSecurity", "cloudSecurity"];
const CLASSIC: &[&str] = &["edr", "userDataGovernance", "inboundGateway"];
const COMPLETE: &[&str] = &[
    "endpointDataGovernance",
    "network",
    "mdm",
    "securityAwarenessTraining",
    "secureMessages",
];

/// The modules and add-ons of one bundle (normalised name); `None` outside the enum.
pub fn contents(bundle: &str) -> Option<BTreeSet<&'static str>> {
    let name = wire::normalize_key(bundle);
    let (base, managed) = match name.strip_prefix("managed") {
        Some(rest) => (wire::normalize_key(rest), true),
        None => (name, false),
    };
    let mut out: BTreeSet<&'static str> = match base.as_str() {
        "endpointProtection" => ["endpointSecurity", "edr", "wifiPhishing"].into(),
        "emailProtection" => ["emailSecurity", "inboundGateway", "secureMessages"].into(),
        "sase" => ["network", "secureWebGateway", "ztna"].into(),
        "coroEssentials" => ESSENTIALS.iter().copied().collect(),
        "coroClassic" => ESSENTIALS.iter().chain(CLASSIC).copied().collect(),
        "coroComplete" => ESSENTIALS
            .iter()
            .chain(CLASSIC)
            .chain(COMPLETE)
            .copied()
            .collect(),
        _ => return None,
    };
    if managed {
        out.insert("managedService");
    }
    Some(out)
}

#[derive(Deserialize)]
pub(super) struct Ask {
    bundles: Option<Vec<String>>,
}

pub(super) async fn bundle_info(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    body: Result<Json<Ask>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    let token = headers
        .get(wire::AUTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !token.is_some_and(|t| st.token_valid(t)) {
        return api_error(
            StatusCode::UNAUTHORIZED,
            error_code::UNAUTHORIZED,
            "missing, invalid or expired bearer token",
        );
    }
    let bad = |msg: String| api_error(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, &msg);
    let asked = match body {
        Ok(Json(Ask {
            bundles: Some(b), ..
        })) if !b.is_empty() => b,
        Ok(_) => return bad("bundles is required".into()),
        Err(e) => return bad(format!("the body is not a bundle list: {e}")),
    };
    let mut modules = BTreeMap::new();
    for b in &asked {
        let Some(inside) = contents(b) else {
            return bad(format!("bundles: unknown value {b}"));
        };
        for m in inside {
            modules.insert(m.to_string(), ModuleState::enabled_flag(true));
        }
    }
    Json(Subscription {
        modules: Some(modules),
        bundles: Some(asked),
    })
    .into_response()
}
