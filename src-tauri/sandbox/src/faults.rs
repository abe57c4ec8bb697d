//! Route faults a test arms on one simulated API (issue 9, item 8): the next N requests (or all)
//! whose path starts with a prefix — optionally only one method, or only those carrying a given
//! header value such as Coro's `Workspace`, or only those whose JSON body holds a given id in a
//! list, such as one chunk of an Autotask `in` query — are answered with a `200` whose body is cut
//! in half (a connection lost mid-answer) or with a `503`. Each API exposes them as
//! `POST|DELETE /_sandbox/route-faults`.

use std::sync::Mutex;

use axum::body::{to_bytes, Body};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// How a faulted request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// The handler's own answer with only the first half of its body (status kept).
    Truncate,
    /// `503` with an error body; the handler never runs.
    Unavailable,
}

/// One armed fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFault {
    /// Prefix of the path relative to the API base (`/finance/agreements/1033/additions`,
    /// `/v1/usage`).
    pub path: String,
    /// Only this method (case-insensitive); `None`: any.
    pub method: Option<String>,
    /// Only requests carrying this header (name, value).
    pub header: Option<(String, String)>,
    /// Only requests whose JSON body holds this number in one of its arrays (an `in` filter).
    pub contains_id: Option<i64>,
    pub kind: FaultKind,
    /// Requests left to fault; `None`: every matching request until cleared.
    pub remaining: Option<u32>,
}

impl RouteFault {
    fn matches(&self, req: &Matched<'_>) -> bool {
        let Matched {
            method,
            path,
            headers,
            body,
        } = *req;
        path.starts_with(&self.path)
            && self.contains_id.is_none_or(|id| holds_id(body, id))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
            && self.header.as_ref().is_none_or(|(name, value)| {
                headers
                    .get(name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v == value)
            })
    }
}

/// What a fault is matched against: the request's method, path (relative to the API base),
/// headers and JSON body (`Null` when it has none).
#[derive(Clone, Copy)]
pub struct Matched<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a serde_json::Value,
}

/// Whether `id` is an element of any array in `v`.
fn holds_id(v: &serde_json::Value, id: i64) -> bool {
    match v {
        serde_json::Value::Array(items) => items
            .iter()
            .any(|i| i.as_i64() == Some(id) || holds_id(i, id)),
        serde_json::Value::Object(map) => map.values().any(|x| holds_id(x, id)),
        _ => false,
    }
}

/// The armed faults of one server, first armed first served.
#[derive(Debug, Default)]
pub struct RouteFaults(Mutex<Vec<RouteFault>>);

impl RouteFaults {
    pub fn arm(&self, fault: RouteFault) {
        if let Ok(mut list) = self.0.lock() {
            list.push(fault);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut list) = self.0.lock() {
            list.clear();
        }
    }

    /// The fault for this request, if one is armed (counting it down).
    pub fn take(&self, req: &Matched<'_>) -> Option<FaultKind> {
        let mut list = self.0.lock().ok()?;
        let at = list.iter().position(|f| f.matches(req))?;
        let kind = list[at].kind;
        match list[at].remaining.as_mut() {
            Some(1) => {
                list.remove(at);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(kind)
    }
}

/// The `503` of [`FaultKind::Unavailable`].
pub fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(
            serde_json::json!({"code": "ServiceUnavailable", "message": "injected route fault"}),
        ),
    )
        .into_response()
}

/// `resp` with the first half of its body only.
pub async fn truncate(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}

/// What a test posts to arm a fault (`workspaceId` is Coro's `Workspace` header).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmRequest {
    pub path: String,
    pub kind: FaultKind,
    /// How many requests; absent or null: all until `DELETE /_sandbox/route-faults`.
    pub next: Option<u32>,
    pub method: Option<String>,
    pub workspace_id: Option<String>,
    /// Only requests whose JSON body lists this id (one chunk of an `in` query).
    pub contains_id: Option<i64>,
}

impl ArmRequest {
    /// The fault, or why it cannot be armed.
    pub fn fault(self, workspace_header: Option<&str>) -> Result<RouteFault, String> {
        if !self.path.starts_with('/') {
            return Err("path must start with /".into());
        }
        if self.next == Some(0) {
            return Err("next must be at least 1 (or absent for every request)".into());
        }
        let header = match (self.workspace_id, workspace_header) {
            (Some(id), Some(name)) => Some((name.to_string(), id)),
            (Some(_), None) => return Err("workspaceId is only for Coro".into()),
            (None, _) => None,
        };
        Ok(RouteFault {
            path: self.path,
            method: self.method,
            header,
            contains_id: self.contains_id,
            kind: self.kind,
            remaining: self.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_BODY: &serde_json::Value = &serde_json::Value::Null;

    fn at<'a>(method: &'a Method, path: &'a str, headers: &'a HeaderMap) -> Matched<'a> {
        Matched {
            method,
            path,
            headers,
            body: NO_BODY,
        }
    }

    #[test]
    fn faults_count_down_and_match_path_method_and_header() {
        let faults = RouteFaults::default();
        let mut ws = HeaderMap::new();
        ws.insert("Workspace", "a".parse().unwrap());
        faults.arm(RouteFault {
            path: "/v1/usage".into(),
            method: Some("get".into()),
            header: Some(("Workspace".into(), "a".into())),
            contains_id: None,
            kind: FaultKind::Truncate,
            remaining: Some(2),
        });
        let none = HeaderMap::new();
        assert_eq!(faults.take(&at(&Method::GET, "/v1/usage", &none)), None);
        assert_eq!(faults.take(&at(&Method::POST, "/v1/usage", &ws)), None);
        assert_eq!(faults.take(&at(&Method::GET, "/v1/users", &ws)), None);
        for _ in 0..2 {
            assert_eq!(
                faults.take(&at(&Method::GET, "/v1/usage?x", &ws)),
                Some(FaultKind::Truncate)
            );
        }
        assert_eq!(
            faults.take(&at(&Method::GET, "/v1/usage", &ws)),
            None,
            "spent"
        );
        faults.arm(RouteFault {
            path: "/finance".into(),
            method: None,
            header: None,
            contains_id: None,
            kind: FaultKind::Unavailable,
            remaining: None,
        });
        for _ in 0..5 {
            assert_eq!(
                faults.take(&at(&Method::PATCH, "/finance/agreements/1", &none)),
                Some(FaultKind::Unavailable)
            );
        }
        faults.clear();
        assert_eq!(faults.take(&at(&Method::GET, "/finance", &none)), None);
    }

    #[test]
    fn a_fault_can_target_one_chunk_of_an_in_query() {
        let faults = RouteFaults::default();
        faults.arm(RouteFault {
            path: "/V1.0/Contracts/query".into(),
            method: None,
            header: None,
            contains_id: Some(12),
            kind: FaultKind::Unavailable,
            remaining: None,
        });
        let none = HeaderMap::new();
        let body = |ids: &[i64]| serde_json::json!({"filter": [{"op": "in", "field": "companyID", "value": ids}]});
        let chunk = |ids: &[i64]| {
            let b = body(ids);
            faults.take(&Matched {
                method: &Method::POST,
                path: "/V1.0/Contracts/query",
                headers: &none,
                body: &b,
            })
        };
        assert_eq!(chunk(&[1, 2, 120]), None, "12 is not 120");
        assert_eq!(chunk(&[11, 12, 13]), Some(FaultKind::Unavailable));
        assert_eq!(
            chunk(&[11, 12, 13]),
            Some(FaultKind::Unavailable),
            "every time"
        );
        assert_eq!(
            faults.take(&at(&Method::POST, "/V1.0/Contracts/query", &none)),
            None
        );
    }
}
