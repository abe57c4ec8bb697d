//! Who may call: the codebase in the path, the `clientId` header, Basic auth
//! `company+publicKey:privateKey` against the tenant's API members, their security-role
//! permissions (reference §2, §8), and the model version asked for in `Accept` (§1.4).

use std::collections::HashMap;

use axum::extract::{Path, Request, State as AxState};
use axum::http::header::{ACCEPT, AUTHORIZATION};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;
use super::state::{Permissions, State};
use super::{Ctx, CURRENT_VERSION, LEGACY_CODEBASE};

/// Who is calling, set by [`authenticate`] for the handlers.
#[derive(Debug, Clone)]
pub struct Caller {
    pub member: String,
    pub permissions: Permissions,
    /// Model version served (requested version, capped at the current one).
    pub version: (u32, u32),
    /// The codebase segment the request used (`v2026_11` or `v4_6_release`), for `Link` URLs.
    pub codebase: String,
}

/// `YEAR.N` from an Accept header or a bundle item (`2025.8` → (2025, 8)).
pub fn parse_version(s: &str) -> Option<(u32, u32)> {
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
pub async fn authenticate(
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

#[cfg(test)]
mod unit {
    use axum::http::HeaderValue;

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
