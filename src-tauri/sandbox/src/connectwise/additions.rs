//! Writes to agreement additions (reference §5): PATCH with a JSON-Patch array (the recommended
//! way to set `quantity`), PUT (full replace: omitted fields reset), POST (201) and DELETE (204).
//!
//! PATCH follows the documented behaviour: the body must be an array of `{op, path, value}`;
//! `path` is the bare, case-sensitive field name (a leading `/` is tolerated); a sub-path such as
//! `product/id` gives the "false 200" the CW doc warns about (nothing changes).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::conditions::parse_datetime;
use super::data::today;
use super::errors::ApiError;
use super::resources::{id_param, render};
use super::state::{recompute_addition, ts, Collection, State};
use super::{Caller, Ctx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Num,
    Bool,
    Date,
    Text(usize),
    BillCustomer,
    Product,
    Reference,
    Array,
}

/// Fields a client may set, with their types (Addition schema, reference §3.1).
const EDITABLE: &[(&str, Ty)] = &[
    ("product", Ty::Product),
    ("quantity", Ty::Num),
    ("lessIncluded", Ty::Num),
    ("unitPrice", Ty::Num),
    ("unitCost", Ty::Num),
    ("billCustomer", Ty::BillCustomer),
    ("effectiveDate", Ty::Date),
    ("cancelledDate", Ty::Date),
    ("taxableFlag", Ty::Bool),
    ("serialNumber", Ty::Text(50)),
    ("invoiceDescription", Ty::Text(6000)),
    ("purchaseItemFlag", Ty::Bool),
    ("specialOrderFlag", Ty::Bool),
    ("description", Ty::Text(6000)),
    ("sequenceNumber", Ty::Num),
    ("prorateCurrentPeriodFlag", Ty::Bool),
    ("opportunity", Ty::Reference),
    ("invoiceGrouping", Ty::Reference),
    ("customFields", Ty::Array),
];

/// Computed or server-owned fields: present on reads, refused in PATCH, ignored in PUT/POST
/// bodies (clients often send back what they read).
const READ_ONLY: &[&str] = &[
    "id",
    "agreementId",
    "billedQuantity",
    "uom",
    "extPrice",
    "extCost",
    "margin",
    "prorateCost",
    "proratePrice",
    "extendedProrateCost",
    "extendedProratePrice",
    "agreementStatus",
    "additionStatus",
    "_info",
];

const RESOURCE: &str = "addition";

fn ty_of(field: &str) -> Option<Ty> {
    EDITABLE.iter().find(|(f, _)| *f == field).map(|(_, t)| *t)
}

/// Checks one value and returns what is stored (dates normalised, product reference resolved).
fn coerce(st: &State, field: &str, ty: Ty, v: &Value) -> Result<Value, ApiError> {
    let wrong = |what: &str| {
        ApiError::field(
            RESOURCE,
            "InvalidField",
            field,
            format!("The field {field} must be {what}."),
        )
    };
    if v.is_null() {
        return match ty {
            Ty::Product | Ty::BillCustomer => Err(ApiError::field(
                RESOURCE,
                "Required",
                field,
                format!("The field {field} is required."),
            )),
            _ => Ok(Value::Null),
        };
    }
    match ty {
        Ty::Num if v.is_number() => Ok(v.clone()),
        Ty::Num => Err(wrong("a number")),
        Ty::Bool if v.is_boolean() => Ok(v.clone()),
        Ty::Bool => Err(wrong("true or false")),
        Ty::Date => v
            .as_str()
            .and_then(parse_datetime)
            .map(|d| Value::from(ts(d)))
            .ok_or_else(|| wrong("a date-time such as 2025-07-01T00:00:00Z")),
        Ty::Text(max) => match v.as_str() {
            Some(s) if s.chars().count() > max => Err(ApiError::field(
                RESOURCE,
                "MaxLengthField",
                field,
                format!("The field {field} must be a string with a maximum length of {max}."),
            )),
            Some(_) => Ok(v.clone()),
            None => Err(wrong("a string")),
        },
        Ty::BillCustomer => match v.as_str() {
            Some("Billable" | "DoNotBill" | "NoCharge") => Ok(v.clone()),
            _ => Err(wrong("one of Billable, DoNotBill, NoCharge")),
        },
        Ty::Reference if v.is_object() => Ok(v.clone()),
        Ty::Reference => Err(wrong("an object")),
        Ty::Array if v.is_array() => Ok(v.clone()),
        Ty::Array => Err(wrong("an array")),
        Ty::Product => product_ref(st, v),
    }
}

/// Resolves `{"id": n}` (or, leniently, `{"identifier": "…"}`) to a catalog item that can be an
/// addition: bundles cannot, and inactive items are refused (reference §11.11).
fn product_ref(st: &State, v: &Value) -> Result<Value, ApiError> {
    let err = |code: &str, msg: String| ApiError::field(RESOURCE, code, "product/id", msg);
    let item = match (v["id"].as_i64(), v["identifier"].as_str()) {
        (Some(id), _) => st.catalog.iter().find(|p| p["id"] == id),
        (None, Some(ident)) => st.catalog.iter().find(|p| {
            p["identifier"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(ident))
        }),
        _ => return Err(err("Required", "The product reference needs an id.".into())),
    }
    .ok_or_else(|| err("NotFound", format!("Product {} was not found.", v)))?;
    if item["productClass"] == "Bundle" {
        return Err(err(
            "InvalidField",
            "Bundle products cannot be added to agreements.".into(),
        ));
    }
    if item["inactiveFlag"] == true {
        return Err(err("InvalidField", "The product is inactive.".into()));
    }
    Ok(json!({
        "id": item["id"], "identifier": item["identifier"], "serializedFlag": item["serializedFlag"], "_info": {}
    }))
}

fn agreement_status(st: &State, agreement_id: i64) -> Result<String, ApiError> {
    st.agreement(agreement_id)
        .map(|a| {
            a["agreementStatus"]
                .as_str()
                .unwrap_or("Active")
                .to_string()
        })
        .ok_or_else(|| ApiError::not_found("Agreement", agreement_id))
}

fn position(st: &State, parent: i64, id: i64) -> Result<usize, ApiError> {
    agreement_status(st, parent)?;
    st.additions
        .iter()
        .position(|a| a["id"] == id && a["agreementId"] == parent)
        .ok_or_else(|| ApiError::not_found("Addition", id))
}

fn stamp(a: &mut Value, caller: &Caller, status: &str) {
    let now = Utc::now();
    a["_info"] = json!({"lastUpdated": ts(now), "updatedBy": caller.member});
    recompute_addition(a, status, now);
}

fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("The request body is not valid JSON: {e}")))
}

pub async fn patch(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    Path(p): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (parent, id) = (id_param(&p, "parentId")?, id_param(&p, "id")?);
    let doc = parse_body(&body)?;
    let Value::Array(ops) = doc else {
        return Err(ApiError::invalid(
            "The request body must be a JSON array of patch operations, e.g. \
             [{\"op\":\"replace\",\"path\":\"quantity\",\"value\":42}]."
                .into(),
        ));
    };
    let mut st = ctx.lock()?;
    let at = position(&st, parent, id)?;
    let status = agreement_status(&st, parent)?;
    let mut updated = st.additions[at].clone();
    for op in &ops {
        let (Some(name), Some(path)) = (op["op"].as_str(), op["path"].as_str()) else {
            return Err(ApiError::invalid(
                "Each patch operation needs \"op\" and \"path\".".into(),
            ));
        };
        let path = path.strip_prefix('/').unwrap_or(path);
        let (field, sub) = match path.split_once('/') {
            Some((f, s)) => (f, Some(s)),
            None => (path, None),
        };
        if READ_ONLY.contains(&field) {
            return Err(ApiError::field(
                RESOURCE,
                "InvalidField",
                field,
                format!("The field {field} is read-only."),
            ));
        }
        let Some(ty) = ty_of(field) else {
            return Err(ApiError::field(
                RESOURCE,
                "InvalidField",
                field,
                format!("'{field}' is not a field of addition (field names are case-sensitive)."),
            ));
        };
        if sub.is_some() {
            continue; // the documented false 200: sub-paths of references change nothing
        }
        let value = match name.to_ascii_lowercase().as_str() {
            "add" | "replace" => op.get("value").unwrap_or(&Value::Null),
            "remove" => &Value::Null,
            other => {
                return Err(ApiError::invalid(format!(
                    "The patch operation '{other}' is not supported."
                )))
            }
        };
        updated[field] = coerce(&st, field, ty, value)?;
    }
    // Nothing changed (e.g. only the "false 200" sub-paths): the record is left untouched.
    if updated != st.additions[at] {
        stamp(&mut updated, &caller, &status);
        st.additions[at] = updated.clone();
    }
    Ok(Json(render(
        &updated,
        Collection::Additions,
        caller.version,
        None,
    )))
}

/// Builds an addition from a PUT/POST body: every editable field from the body (checked), the
/// rest null; `defaults` fills what POST may omit.
fn from_body(
    st: &State,
    body: &Map<String, Value>,
    defaults: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let mut out = Map::new();
    for (field, ty) in EDITABLE {
        let given = body
            .get(*field)
            .filter(|v| !v.is_null())
            .or_else(|| defaults.get(*field));
        out.insert(
            (*field).to_string(),
            coerce(st, field, *ty, given.unwrap_or(&Value::Null))?,
        );
    }
    for f in READ_ONLY {
        out.insert((*f).to_string(), Value::Null);
    }
    out.insert("uom".into(), json!("Each"));
    Ok(Value::Object(out))
}

pub async fn put(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    Path(p): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (parent, id) = (id_param(&p, "parentId")?, id_param(&p, "id")?);
    let Value::Object(doc) = parse_body(&body)? else {
        return Err(ApiError::invalid(
            "The request body must be an addition object.".into(),
        ));
    };
    let mut st = ctx.lock()?;
    let at = position(&st, parent, id)?;
    let status = agreement_status(&st, parent)?;
    // PUT replaces the record: omitted fields become null (reference §5.2).
    let mut a = from_body(&st, &doc, &Map::new())?;
    a["id"] = json!(id);
    a["agreementId"] = json!(parent);
    stamp(&mut a, &caller, &status);
    st.additions[at] = a.clone();
    Ok(Json(render(
        &a,
        Collection::Additions,
        caller.version,
        None,
    )))
}

pub async fn post(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    Path(p): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let parent = id_param(&p, "parentId")?;
    let Value::Object(doc) = parse_body(&body)? else {
        return Err(ApiError::invalid(
            "The request body must be an addition object.".into(),
        ));
    };
    let mut st = ctx.lock()?;
    let status = agreement_status(&st, parent)?;
    if doc.get("billCustomer").is_none_or(Value::is_null) {
        return Err(ApiError::field(
            RESOURCE,
            "Required",
            "billCustomer",
            "The field billCustomer is required.",
        ));
    }
    let product = coerce(
        &st,
        "product",
        Ty::Product,
        doc.get("product").unwrap_or(&Value::Null),
    )?;
    // Defaults the server fills in (UNCONFIRMED for prices; commonly relied upon): price, cost
    // and description from the catalog item, quantity 1, effective today.
    let item = st
        .catalog
        .iter()
        .find(|c| c["id"] == product["id"])
        .cloned()
        .unwrap_or(Value::Null);
    let seq = st
        .additions
        .iter()
        .filter(|a| a["agreementId"] == parent)
        .count()
        + 1;
    let defaults: Map<String, Value> = [
        ("quantity", json!(1.0)),
        ("lessIncluded", json!(0.0)),
        ("unitPrice", item["price"].clone()),
        ("unitCost", item["cost"].clone()),
        ("description", item["description"].clone()),
        ("invoiceDescription", item["customerDescription"].clone()),
        ("taxableFlag", item["taxableFlag"].clone()),
        ("effectiveDate", json!(today(Utc::now()))),
        ("sequenceNumber", json!(seq as f64)),
        ("purchaseItemFlag", json!(false)),
        ("specialOrderFlag", json!(false)),
        ("prorateCurrentPeriodFlag", json!(false)),
        ("customFields", json!([])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut a = from_body(&st, &doc, &defaults)?;
    let id = st.next_addition_id;
    st.next_addition_id += 1;
    a["id"] = json!(id);
    a["agreementId"] = json!(parent);
    stamp(&mut a, &caller, &status);
    st.additions.push(a.clone());
    Ok((
        StatusCode::CREATED,
        Json(render(&a, Collection::Additions, caller.version, None)),
    )
        .into_response())
}

pub async fn delete(
    AxState(ctx): AxState<Ctx>,
    Path(p): Path<HashMap<String, String>>,
) -> Result<StatusCode, ApiError> {
    let (parent, id) = (id_param(&p, "parentId")?, id_param(&p, "id")?);
    let mut st = ctx.lock()?;
    let at = position(&st, parent, id)?;
    st.additions.remove(at);
    Ok(StatusCode::NO_CONTENT)
}
