//! Routing and handlers of the simulated REST API. Routing is done by hand over lower-cased path
//! segments because the real API matches paths case-insensitively (`/atservicesrest/v1.0/companies`
//! works as well as `/ATServicesRest/V1.0/Companies`), which axum's router does not.

// Handlers return `Result<Response, Response>` so `?` can short-circuit with the API's error
// answer. A large `Err` only costs a memcpy on an error path of a loopback test server, so boxing
// every response would add noise for nothing.
#![allow(clippy::result_large_err)]

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::meta::Entity;
use super::query::{compile, encode, ids_named, parse_model, project, Cursor, MAX_RECORDS};
use super::{adjust, errors, lines, ApiUser, App, ContractAccess, DropMode, State};
use crate::common::url_decode_pairs;

type Res = Result<Response, Response>;

const BASE: &str = "/atservicesrest";

/// Path after `/ATServicesRest`, or None when the request is outside the API.
fn api_path(rel: &str) -> Option<&str> {
    let head = rel.get(..BASE.len())?;
    let rest = &rel[BASE.len()..];
    (head.eq_ignore_ascii_case(BASE) && (rest.is_empty() || rest.starts_with('/'))).then_some(rest)
}

/// The thread-limit bucket of a request (the entity endpoint, children counted under the child
/// entity), or None for calls that carry no tracking identifier (zone and version lookups).
pub(super) fn endpoint_bucket(rel: &str) -> Option<String> {
    let rest = api_path(rel)?;
    let segs: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    match segs
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["versioninformation", ..] | ["v1.0", "zoneinformation", ..] => None,
        ["v1.0", "contracts", _, child, ..] => Some(match *child {
            "serviceadjustments" => "contractserviceadjustments".to_string(),
            "services" => "contractservices".to_string(),
            "serviceunits" => "contractserviceunits".to_string(),
            other => format!("contracts/{other}"),
        }),
        ["v1.0", entity, ..] => Some((*entity).to_string()),
        other => Some(other.join("/")),
    }
}

pub(super) async fn dispatch(
    AxState(app): AxState<App>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    handle(&app, &method, &headers, &uri, &body).unwrap_or_else(|r| r)
}

/// ASP.NET's answer for an unknown route.
fn not_found(uri: &Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"Message": format!("No HTTP resource was found that matches the request URI '{uri}'.")})),
    )
        .into_response()
}

fn method_not_allowed(method: &Method) -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({"Message": format!("The requested resource does not support http method '{method}'.")})),
    )
        .into_response()
}

pub(super) fn validation<S: Into<String>>(msg: S) -> Response {
    errors(StatusCode::INTERNAL_SERVER_ERROR, [msg.into()])
}

fn unauthorized(msg: &str) -> Response {
    errors(StatusCode::UNAUTHORIZED, [msg])
}

fn params(uri: &Uri) -> Vec<(String, String)> {
    uri.query().map(url_decode_pairs).unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn handle(app: &App, method: &Method, headers: &HeaderMap, uri: &Uri, body: &Bytes) -> Res {
    let (zone, rel) = app.zones.locate(headers, uri.path());
    let rest = api_path(rel).ok_or_else(|| not_found(uri))?;
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let qp = params(uri);
    match l.as_slice() {
        ["versioninformation"] => {
            only(method, &[Method::GET])?;
            // The exact strings are unconfirmed; REST has only ever had version 1.0.
            Ok(Json(json!({"apiVersions": ["1.0"]})).into_response())
        }
        ["v1.0", "zoneinformation"] => {
            only(method, &[Method::GET])?;
            let s = app.lock()?;
            zone_information(&s, param(&qp, "user").unwrap_or(""))
        }
        ["v1.0", tail @ ..] if !tail.is_empty() => {
            let mut s = app.lock()?;
            let user = authenticate(&s, headers)?;
            // After a zone move the old zone no longer knows the user: 401, which tells the
            // client to run discovery again.
            if zone != s.current_zone {
                return Err(unauthorized(
                    "The user is not authorized in this zone. Look up the zone again.",
                ));
            }
            let root = s.zone_urls.get(zone).cloned().unwrap_or_default();
            let req = Req {
                method,
                headers,
                params: &qp,
                body,
                root: &root,
                user: &user,
            };
            route_v1(&mut s, &req, tail, &segs[1..], uri)
        }
        _ => Err(not_found(uri)),
    }
}

fn only(method: &Method, allowed: &[Method]) -> Result<(), Response> {
    if allowed.contains(method) {
        Ok(())
    } else {
        Err(method_not_allowed(method))
    }
}

fn zone_information(s: &State, user: &str) -> Res {
    let known = !user.trim().is_empty()
        && s.users
            .iter()
            .any(|u| u.username.eq_ignore_ascii_case(user.trim()));
    if !known {
        // Observed: an unknown or empty username gets a 500 with a JSON error body.
        return Err(validation(format!(
            "Zone information could not be determined for user '{user}'."
        )));
    }
    let url = s.zone_urls.get(s.current_zone).cloned().unwrap_or_default();
    let web = url
        .get(..url.len().saturating_sub("ATServicesRest/".len()))
        .unwrap_or(&url)
        .to_string();
    Ok(Json(json!({
        "zoneName": format!("Sandbox Zone {}", s.current_zone + 1),
        "url": url,
        "webUrl": web,
        "ci": s.ci,
    }))
    .into_response())
}

/// All three headers must match an API user and an enabled tracking identifier; any failure is
/// 401 (the docs use 401 for bad UserName, Secret or ApiIntegrationCode alike).
fn authenticate(s: &State, headers: &HeaderMap) -> Result<ApiUser, Response> {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let (username, secret, code) = (h("username"), h("secret"), h("apiintegrationcode"));
    if username.is_empty() || secret.is_empty() {
        return Err(unauthorized("UserName and Secret headers are required."));
    }
    let user = s
        .users
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(username) && u.secret == secret)
        .ok_or_else(|| unauthorized("The UserName or Secret is incorrect."))?;
    if code.is_empty() {
        return Err(unauthorized("The ApiIntegrationCode header is required."));
    }
    match s
        .integration_codes
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
    {
        None => Err(unauthorized("The ApiIntegrationCode is not valid.")),
        Some(c) if c.disabled => Err(unauthorized(
            "The ApiIntegrationCode has been disabled. Contact the integration vendor.",
        )),
        Some(_) => Ok(user.clone()),
    }
}

struct Req<'a> {
    method: &'a Method,
    headers: &'a HeaderMap,
    params: &'a [(String, String)],
    body: &'a Bytes,
    root: &'a str,
    user: &'a ApiUser,
}

impl Req<'_> {
    /// The JSON body; bodies need `Content-Type: application/json` like the real ASP.NET host.
    fn json(&self) -> Result<Value, Response> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        let ct = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct.to_ascii_lowercase().contains("json") {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Json(json!({"Message": format!("The request entity's media type '{ct}' is not supported for this resource.")})),
            )
                .into_response());
        }
        serde_json::from_slice(self.body)
            .map_err(|e| validation(format!("The request body is not valid JSON: {e}")))
    }
}

/// Contract entities for users with restricted security levels. Ok(true) = answer with no rows.
fn contract_access(user: &ApiUser, entity: Entity) -> Result<bool, Response> {
    if !entity.contract_scoped() {
        return Ok(false);
    }
    match user.contract_access {
        ContractAccess::Full => Ok(false),
        ContractAccess::Empty => Ok(true),
        ContractAccess::Forbidden => Err(errors(
            StatusCode::FORBIDDEN,
            [format!(
                "The logged in Resource does not have permission to access the {} entity.",
                entity.singular()
            )],
        )),
        ContractAccess::Error => Err(validation(format!(
            "The logged in Resource does not have the adequate permissions to access the {} entity.",
            entity.singular()
        ))),
    }
}

fn parse_id(seg: &str, uri: &Uri) -> Result<i64, Response> {
    seg.parse::<i64>().map_err(|_| not_found(uri))
}

fn route_v1(s: &mut State, req: &Req<'_>, l: &[&str], segs: &[&str], uri: &Uri) -> Res {
    let m = req.method;
    match l {
        ["thresholdinformation"] => {
            only(m, &[Method::GET])?;
            Ok(Json(s.threshold.json()).into_response())
        }
        ["version"] => {
            only(m, &[Method::GET])?;
            Ok(Json(json!({"majorVersion": 2025, "minorVersion": 3, "build": 0, "customerType": "Sandbox"}))
                .into_response())
        }
        ["contractserviceadjustments"] => {
            only(m, &[Method::POST])?;
            create_adjustment(s, req, None)
        }
        ["contracts", id, "serviceadjustments"] => {
            only(m, &[Method::POST])?;
            let parent = parse_id(id, uri)?;
            create_adjustment(s, req, Some(parent))
        }
        ["contracts", id, "services"] => {
            let parent = parse_id(id, uri)?;
            only(m, &[Method::GET, Method::POST, Method::PATCH, Method::PUT])?;
            contract_access(req.user, Entity::ContractServices).and_then(|empty| {
                if *m == Method::GET {
                    Ok(child_list(s, Entity::ContractServices, parent, empty))
                } else if empty {
                    Err(validation("The logged in Resource does not have the adequate permissions to edit contract services."))
                } else if *m == Method::POST {
                    lines::create_line(s, parent, &req.json()?)
                } else {
                    lines::update_line(s, parent, &req.json()?)
                }
            })
        }
        ["contracts", id, "serviceunits"] => {
            only(m, &[Method::GET])?;
            let parent = parse_id(id, uri)?;
            let empty = contract_access(req.user, Entity::ContractServiceUnits)?;
            Ok(child_list(s, Entity::ContractServiceUnits, parent, empty))
        }
        ["tickets", rest @ ..] => {
            let body = req.json()?;
            super::tickets::route(&mut s.desk, &s.companies, m, &body, rest, uri)
        }
        ["ticketnotes", rest @ ..] => super::tickets::route_notes(m, rest, uri),
        [e, rest @ ..] => {
            let entity = Entity::parse(e).ok_or_else(|| not_found(uri))?;
            entity_route(s, req, entity, rest, segs, uri)
        }
        [] => Err(not_found(uri)),
    }
}

fn entity_route(
    s: &mut State,
    req: &Req<'_>,
    entity: Entity,
    l: &[&str],
    _segs: &[&str],
    uri: &Uri,
) -> Res {
    let m = req.method;
    match l {
        ["entityinformation"] => {
            only(m, &[Method::GET])?;
            let visible = contract_access(req.user, entity)
                .map(|empty| !empty)
                .unwrap_or(false);
            Ok(Json(entity.info(visible)).into_response())
        }
        ["entityinformation", "fields"] => {
            only(m, &[Method::GET])?;
            Ok(Json(entity.fields_info()).into_response())
        }
        ["entityinformation", "userdefinedfields"] => {
            only(m, &[Method::GET])?;
            Ok(Json(json!({"fields": []})).into_response())
        }
        _ if !entity.queryable() => Err(if l.is_empty() {
            method_not_allowed(m)
        } else {
            not_found(uri)
        }),
        ["query"] => query(s, req, entity, Kind::Page),
        ["query", "count"] => query(s, req, entity, Kind::Count),
        ["query", "next"] | ["query", "prev"] => query(s, req, entity, Kind::Cursor),
        [id] => {
            only(m, &[Method::GET])?;
            let id = parse_id(id, uri)?;
            let empty = contract_access(req.user, entity)?;
            let item = if empty {
                None
            } else {
                s.map(entity).and_then(|map| map.get(&id)).cloned()
            };
            // Unknown ids answer 200 with a null item, not 404 (reference §3.4).
            Ok(Json(json!({ "item": item })).into_response())
        }
        // Creating or updating root entities is not part of what the sandbox simulates.
        [] => Err(method_not_allowed(m)),
        _ => Err(not_found(uri)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Page,
    Count,
    Cursor,
}

fn query(s: &State, req: &Req<'_>, entity: Entity, kind: Kind) -> Res {
    only(req.method, &[Method::GET, Method::POST])?;
    let search = param(req.params, "search");
    let model_json = if *req.method == Method::POST {
        match req.json()? {
            Value::Null => match search {
                Some(q) => parse_search(q)?,
                None => return Err(validation("A QueryModel body is required.")),
            },
            v => v,
        }
    } else {
        match search {
            Some(q) => parse_search(q)?,
            // A POST-originated cursor carries no search: GET on it is 405 (observed).
            None if kind == Kind::Cursor => return Err(method_not_allowed(req.method)),
            None => return Err(validation("The search parameter is required.")),
        }
    };
    let model = parse_model(&model_json).map_err(validation)?;
    let cond = compile(entity, &model.filter).map_err(validation)?;
    let empty = contract_access(req.user, entity)?;
    let by_line = match entity {
        Entity::ContractServiceUnits => ids_named(&model.filter, "contractServiceID"),
        _ => None,
    };
    let matches: Vec<(i64, &Value)> = match (empty, s.map(entity), by_line) {
        (true, _, _) | (_, None, _) => Vec::new(),
        // Units of named lines: looked up by line, then filtered and ordered as a scan would be.
        (false, Some(_), Some(lines)) => {
            let mut rows: Vec<(i64, &Value)> = lines
                .iter()
                .flat_map(|line| s.unit_rows_of(*line))
                .filter(|v| cond.eval(v))
                .filter_map(|v| Some((v["id"].as_i64()?, v)))
                .collect();
            rows.sort_unstable_by_key(|(id, _)| *id);
            rows.dedup_by_key(|(id, _)| *id);
            rows
        }
        (false, Some(map), None) => map
            .iter()
            .filter(|(_, v)| cond.eval(v))
            .map(|(id, v)| (*id, v))
            .collect(),
    };
    if kind == Kind::Count {
        return Ok(Json(json!({"queryCount": matches.len()})).into_response());
    }
    let cursor = match kind {
        Kind::Cursor => {
            let paging = param(req.params, "paging")
                .ok_or_else(|| validation("The paging parameter is required."))?;
            Cursor::parse(paging).map_err(validation)?
        }
        _ => Cursor::default(),
    };
    let size = model.max_records.min(MAX_RECORDS);
    let ids: Vec<i64> = matches.iter().map(|(id, _)| *id).collect();
    let (start, end) = cursor.window(&ids, size);
    let items: Vec<Value> = matches[start..end]
        .iter()
        .map(|(_, v)| project(v, &model.include_fields))
        .collect();
    // GET cursors carry the search so they can be fetched as-is; POST cursors expect the same
    // body to be posted again.
    let search_suffix = match (*req.method == Method::GET, search) {
        (true, Some(q)) => format!("&search={}", encode(q)),
        _ => String::new(),
    };
    let url = |dir: &str, paging: String| {
        format!(
            "{}V1.0/{}/query/{dir}?paging={}{search_suffix}",
            req.root,
            entity.name(),
            encode(&paging)
        )
    };
    let next = (end < ids.len() && end > 0).then(|| url("next", Cursor::next(size, ids[end - 1])));
    let prev =
        (start > 0 && start < ids.len()).then(|| url("prev", Cursor::prev(size, ids[start])));
    Ok(Json(json!({
        "items": items,
        "pageDetails": {"count": items.len(), "requestCount": size, "prevPageUrl": prev, "nextPageUrl": next},
    }))
    .into_response())
}

fn parse_search(q: &str) -> Result<Value, Response> {
    serde_json::from_str(q)
        .map_err(|e| validation(format!("The search parameter is not valid JSON: {e}")))
}

/// `GET Contracts/{id}/Services` and `/ServiceUnits`: every child in one page.
fn child_list(s: &State, entity: Entity, contract: i64, empty: bool) -> Response {
    let items: Vec<&Value> = match (empty, s.map(entity)) {
        (false, Some(map)) => map
            .values()
            .filter(|v| v["contractID"].as_i64() == Some(contract))
            .collect(),
        _ => Vec::new(),
    };
    Json(json!({
        "items": items,
        "pageDetails": {"count": items.len(), "requestCount": MAX_RECORDS, "prevPageUrl": null, "nextPageUrl": null},
    }))
    .into_response()
}

fn gateway_timeout() -> Response {
    (
        StatusCode::GATEWAY_TIMEOUT,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body><h1>504 Gateway Time-out</h1>The server didn't respond in time.</body></html>",
    )
        .into_response()
}

fn create_adjustment(s: &mut State, req: &Req<'_>, parent: Option<i64>) -> Res {
    // A request lost on the way in never reaches the API: nothing is created.
    if s.drop_next_adjustment_responses.front() == Some(&DropMode::LostRequest) {
        s.drop_next_adjustment_responses.pop_front();
        return Ok(gateway_timeout());
    }
    // Briefly unavailable: refused before processing, with the API's error body.
    if s.drop_next_adjustment_responses.front() == Some(&DropMode::Unavailable) {
        s.drop_next_adjustment_responses.pop_front();
        return Err(errors(
            StatusCode::SERVICE_UNAVAILABLE,
            ["The service is temporarily unavailable. Please try again later."],
        ));
    }
    let body = req.json()?;
    if contract_access(req.user, Entity::ContractServiceAdjustments)? {
        return Err(validation(
            "The logged in Resource does not have the adequate permissions to create a ContractServiceAdjustment.",
        ));
    }
    let adjustment = adjust::create(s, &req.user.username, parent, &body)
        .map_err(|e| errors(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    // The drop control simulates a response lost after the write: the change above is kept.
    if let Some(mode) = s.drop_next_adjustment_responses.pop_front() {
        if let Some(a) = s.adjustments.last_mut() {
            a.response_dropped = true;
        }
        return Ok(match mode {
            DropMode::GatewayTimeout | DropMode::LostRequest | DropMode::Unavailable => {
                gateway_timeout()
            }
            DropMode::Truncated => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                "{\"itemId\":",
            )
                .into_response(),
        });
    }
    Ok(Json(json!({"itemId": adjustment.id})).into_response())
}
