//! Read endpoints: `/system/info`, the companies, catalog, agreements and additions collections
//! (list, `/count`, `/{id}`), and `POST /system/bundles` for batched reads (reference §3, §5.5).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::header::LINK;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::errors::ApiError;
use super::query::{self, encode, ListQuery};
use super::state::{Collection, State};
use super::{Caller, Ctx, CURRENT_VERSION, VERSION_NUMBER};

/// `additionStatus` exists only from model version 2026.11 (reference §3.1).
const ADDITION_STATUS_SINCE: (u32, u32) = (2026, 11);

/// An entity as the caller's model version and `fields` selection shape it.
pub fn render(v: &Value, c: Collection, version: (u32, u32), fields: Option<&[String]>) -> Value {
    let mut out = v.clone();
    if c == Collection::Additions && version < ADDITION_STATUS_SINCE {
        if let Value::Object(m) = &mut out {
            m.remove("additionStatus");
        }
    }
    match fields {
        Some(f) => query::project(&out, f),
        None => out,
    }
}

/// Integer path parameter; anything else does not match a route on the real server.
pub fn id_param(p: &HashMap<String, String>, name: &str) -> Result<i64, ApiError> {
    p.get(name)
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(ApiError::no_endpoint)
}

fn label(c: Collection) -> &'static str {
    match c {
        Collection::Companies => "Company",
        Collection::Catalog => "Catalog item",
        Collection::Agreements => "Agreement",
        Collection::Additions => "Addition",
    }
}

fn in_scope(v: &Value, parent: Option<i64>) -> bool {
    parent.is_none_or(|p| v["agreementId"] == p)
}

fn check_parent(st: &State, parent: Option<i64>) -> Result<(), ApiError> {
    match parent {
        Some(p) if st.agreement(p).is_none() => Err(ApiError::not_found("Agreement", p)),
        _ => Ok(()),
    }
}

fn list(
    ctx: &Ctx,
    caller: &Caller,
    c: Collection,
    parent: Option<i64>,
    raw: Option<&str>,
    headers: &HeaderMap,
    path: &str,
) -> Result<Response, ApiError> {
    let st = ctx.lock()?;
    check_parent(&st, parent)?;
    let q = query::parse(raw, headers, st.fields_of(c))?;
    let hits = query::filter(st.records(c).iter().filter(|v| in_scope(v, parent)), &q);
    let self_url = format!("{}/{}/apis/3.0{path}", ctx.base_url, caller.codebase);
    let (items, link) = query::page(&hits, &q, &self_url);
    let body: Vec<Value> = items
        .iter()
        .map(|v| render(v, c, caller.version, q.fields.as_deref()))
        .collect();
    drop(st);
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&link) {
        resp.headers_mut().insert(LINK, v);
    }
    Ok(resp)
}

fn count(
    ctx: &Ctx,
    c: Collection,
    parent: Option<i64>,
    raw: Option<&str>,
) -> Result<Json<Value>, ApiError> {
    let st = ctx.lock()?;
    check_parent(&st, parent)?;
    // Paging parameters mean nothing here; forward-only headers are ignored.
    let q = query::parse(raw, &HeaderMap::new(), st.fields_of(c))?;
    let n = query::filter(st.records(c).iter().filter(|v| in_scope(v, parent)), &q).len();
    Ok(Json(json!({ "count": n })))
}

fn one(
    ctx: &Ctx,
    caller: &Caller,
    c: Collection,
    parent: Option<i64>,
    id: i64,
    raw: Option<&str>,
) -> Result<Json<Value>, ApiError> {
    let st = ctx.lock()?;
    check_parent(&st, parent)?;
    let q = query::parse(raw, &HeaderMap::new(), st.fields_of(c))?;
    let v = st
        .records(c)
        .iter()
        .find(|v| v["id"] == id && in_scope(v, parent))
        .ok_or_else(|| ApiError::not_found(label(c), id))?;
    Ok(Json(render(v, c, caller.version, q.fields.as_deref())))
}

type Params = Path<HashMap<String, String>>;

macro_rules! collection_handlers {
    ($list:ident, $count:ident, $one:ident, $coll:expr, $path:literal, $id:literal) => {
        pub async fn $list(
            AxState(ctx): AxState<Ctx>,
            Extension(caller): Extension<Caller>,
            RawQuery(raw): RawQuery,
            headers: HeaderMap,
        ) -> Result<Response, ApiError> {
            list(&ctx, &caller, $coll, None, raw.as_deref(), &headers, $path)
        }
        pub async fn $count(
            AxState(ctx): AxState<Ctx>,
            RawQuery(raw): RawQuery,
        ) -> Result<Json<Value>, ApiError> {
            count(&ctx, $coll, None, raw.as_deref())
        }
        pub async fn $one(
            AxState(ctx): AxState<Ctx>,
            Extension(caller): Extension<Caller>,
            Path(p): Params,
            RawQuery(raw): RawQuery,
        ) -> Result<Json<Value>, ApiError> {
            one(
                &ctx,
                &caller,
                $coll,
                None,
                id_param(&p, $id)?,
                raw.as_deref(),
            )
        }
    };
}

collection_handlers!(
    list_companies,
    count_companies,
    get_company,
    Collection::Companies,
    "/company/companies",
    "id"
);
collection_handlers!(
    list_catalog,
    count_catalog,
    get_catalog_item,
    Collection::Catalog,
    "/procurement/catalog",
    "id"
);
collection_handlers!(
    list_agreements,
    count_agreements,
    get_agreement,
    Collection::Agreements,
    "/finance/agreements",
    // The item route shares its segment with `{parentId}/additions`, so it has that name.
    "parentId"
);

pub async fn list_additions(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    Path(p): Params,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let parent = id_param(&p, "parentId")?;
    let path = format!("/finance/agreements/{parent}/additions");
    list(
        &ctx,
        &caller,
        Collection::Additions,
        Some(parent),
        raw.as_deref(),
        &headers,
        &path,
    )
}

pub async fn count_additions(
    AxState(ctx): AxState<Ctx>,
    Path(p): Params,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    count(
        &ctx,
        Collection::Additions,
        Some(id_param(&p, "parentId")?),
        raw.as_deref(),
    )
}

pub async fn get_addition(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    Path(p): Params,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let parent = id_param(&p, "parentId")?;
    one(
        &ctx,
        &caller,
        Collection::Additions,
        Some(parent),
        id_param(&p, "id")?,
        raw.as_deref(),
    )
}

/// `Info` (reference §3.1); `version` as `v<release>.<build>`, the PS module strips the `v`.
pub async fn system_info() -> Json<Value> {
    let (y, n) = CURRENT_VERSION;
    let build = VERSION_NUMBER.rsplit('.').next().unwrap_or("0");
    Json(json!({
        "version": format!("v{y}.{n}.{build}"),
        "isCloud": true,
        "serverTimeZone": "Eastern Standard Time",
        "licenseBits": [{"name": "PSA", "activeFlag": true}, {"name": "Procurement", "activeFlag": true}],
        "cloudRegion": "NA",
        "maxWorkFlowRecordsAllowed": 2000,
    }))
}

/// `POST /system/bundles`: several reads in one request (reference §5.5). Only reads are
/// simulated; write bundles are UNCONFIRMED in the reference and answered per item with 400.
pub async fn bundles(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let doc: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid(format!("The request body is not valid JSON: {e}")))?;
    let requests = doc
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::field("bundle", "Required", "requests", "requests is required"))?;
    let st = ctx.lock()?;
    let results: Vec<Value> = requests
        .iter()
        .map(|r| bundle_item(&st, &caller, r))
        .collect();
    Ok(Json(json!({ "results": results })))
}

fn bundle_item(st: &State, caller: &Caller, r: &Value) -> Value {
    let resource_type = r["resourceType"].as_str().unwrap_or_default();
    let version = r["version"]
        .as_str()
        .and_then(super::auth::parse_version)
        .unwrap_or(caller.version)
        .min(CURRENT_VERSION);
    let base = json!({
        "sequenceNumber": r["sequenceNumber"], "resourceType": resource_type, "version": r["version"],
    });
    let done = |result: Result<(Vec<Value>, usize), ApiError>| {
        let mut out = base.clone();
        match result {
            Ok((entities, n)) => {
                out["entities"] = Value::Array(entities);
                out["count"] = json!(n);
                out["success"] = json!(true);
                out["statusCode"] = json!(200);
                out["error"] = Value::Null;
            }
            Err(e) => {
                out["entities"] = json!([]);
                out["count"] = json!(0);
                out["success"] = json!(false);
                out["statusCode"] = json!(e.status.as_u16());
                out["error"] = e.body;
            }
        }
        out
    };
    let p = &caller.permissions;
    let (c, allowed) = match resource_type.to_ascii_lowercase().as_str() {
        "company" => (Collection::Companies, p.company_inquire),
        "catalogitem" | "catalog" | "product" => (Collection::Catalog, p.catalog_inquire),
        "agreement" => (Collection::Agreements, p.agreement_inquire),
        "addition" => (Collection::Additions, p.agreement_inquire),
        other => {
            return done(Err(ApiError::invalid(format!(
                "Unknown resourceType '{other}'."
            ))))
        }
    };
    if !allowed {
        return done(Err(ApiError::security()));
    }
    let api = &r["apiRequest"];
    if api.get("entity").is_some_and(|e| !e.is_null()) {
        return done(Err(ApiError::invalid(
            "Only read requests are supported in bundles here.".into(),
        )));
    }
    let parent = api["parentId"].as_i64();
    if c == Collection::Additions && parent.is_none() {
        return done(Err(ApiError::field(
            "bundle",
            "Required",
            "parentId",
            "parentId is required for additions",
        )));
    }
    done(bundle_read(st, c, parent, api, version))
}

fn bundle_read(
    st: &State,
    c: Collection,
    parent: Option<i64>,
    api: &Value,
    version: (u32, u32),
) -> Result<(Vec<Value>, usize), ApiError> {
    check_parent(st, parent)?;
    let filters = &api["filters"];
    let page = &api["page"];
    let fields = match &api["fields"] {
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    let pairs: Vec<(&str, Option<String>)> = vec![
        (
            "conditions",
            filters["conditions"].as_str().map(str::to_string),
        ),
        (
            "childConditions",
            filters["childconditions"].as_str().map(str::to_string),
        ),
        (
            "customFieldConditions",
            filters["customfieldconditions"]
                .as_str()
                .map(str::to_string),
        ),
        ("orderBy", filters["orderBy"].as_str().map(str::to_string)),
        ("fields", fields),
        ("page", page["page"].as_i64().map(|n| n.to_string())),
        ("pageSize", page["pageSize"].as_i64().map(|n| n.to_string())),
    ];
    let raw: Vec<String> = pairs
        .into_iter()
        .filter_map(|(k, v)| {
            v.filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode(&v)))
        })
        .collect();
    let q: ListQuery = query::parse(Some(&raw.join("&")), &HeaderMap::new(), st.fields_of(c))?;
    if let Some(id) = api["id"].as_i64() {
        let v = st
            .records(c)
            .iter()
            .find(|v| v["id"] == id && in_scope(v, parent))
            .ok_or_else(|| ApiError::not_found(label(c), id))?;
        return Ok((vec![render(v, c, version, q.fields.as_deref())], 1));
    }
    let hits = query::filter(st.records(c).iter().filter(|v| in_scope(v, parent)), &q);
    let (items, _) = query::page(&hits, &q, "");
    let entities = items
        .iter()
        .map(|v| render(v, c, version, q.fields.as_deref()))
        .collect();
    Ok((entities, hits.len()))
}
