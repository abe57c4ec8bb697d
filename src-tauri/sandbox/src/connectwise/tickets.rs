//! Service boards, board statuses, service tickets and their notes (reference §14), for the
//! optional "ticket when a sync fails or holds changes" feature:
//! - `GET /service/boards`, `GET /service/boards/{id}/statuses` with the usual list parameters;
//! - `POST /service/tickets` (201): `summary` (≤100) and `company` required; the company by id or
//!   identifier, the login company's identifier naming the MSP's own ("owner") company; the
//!   board must be active and not a project board; the status must belong to the board (its
//!   `defaultFlag` status when omitted); `initial…` texts are kept but never echoed;
//! - `GET /service/tickets/{id}` (404 when deleted), `PATCH /service/tickets/{id}` (JSON-Patch;
//!   `status` sets `closedFlag` from the status's `closedStatus`);
//! - `POST /service/tickets/{id}/notes` (201; refused without one of the three section flags, as
//!   the reference reports), `GET …/notes`.
//!
//! Tests read tickets through `Desk::views` (or `GET /_sandbox/tickets`) and act "as a person
//! would" with `Desk::close_by_person` / `Desk::delete` (or `POST /_sandbox/tickets/{id}/close`,
//! `DELETE /_sandbox/tickets/{id}`).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::Utc;
use serde_json::{json, Value};

use super::conditions::FieldIndex;
use super::desk::{set_status, OWNER_COMPANY_ID};
use super::errors::ApiError;
use super::query;
use super::state::ts;
use super::{Caller, Ctx, COMPANY_NAME};

const RESOURCE: &str = "ticket";

/// API routes (added before the authentication layer).
pub(super) fn routes() -> Router<Ctx> {
    Router::new()
        .route("/service/boards", get(list_boards))
        .route("/service/boards/{parentId}/statuses", get(list_statuses))
        .route("/service/tickets", post(create))
        .route("/service/tickets/{id}", get(read).patch(patch))
        .route(
            "/service/tickets/{parentId}/notes",
            get(list_notes).post(add_note),
        )
}

/// Test controls (outside the gate).
pub(super) fn controls() -> Router<Ctx> {
    Router::new()
        .route("/_sandbox/tickets", get(control_list))
        .route("/_sandbox/tickets/{id}/close", post(control_close))
        .route(
            "/_sandbox/tickets/{id}",
            axum::routing::delete(control_delete),
        )
}

fn list(
    items: Vec<&Value>,
    index: &FieldIndex,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let q = query::parse(raw, headers, index)?;
    let hits = query::filter(items.into_iter(), &q);
    let (page, _) = query::page(&hits, &q, "");
    Ok(Json(Value::Array(
        page.iter()
            .map(|v| match &q.fields {
                Some(f) => query::project(v, f),
                None => (*v).clone(),
            })
            .collect(),
    )))
}

async fn list_boards(
    AxState(ctx): AxState<Ctx>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let st = ctx.lock()?;
    let d = &st.desk;
    list(
        d.boards.iter().collect(),
        &d.board_index,
        raw.as_deref(),
        &headers,
    )
}

async fn list_statuses(
    AxState(ctx): AxState<Ctx>,
    Path(p): Path<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let id = super::resources::id_param(&p, "parentId")?;
    let st = ctx.lock()?;
    let d = &st.desk;
    if !d.boards.iter().any(|b| b["id"] == id) {
        return Err(ApiError::not_found("Board", id));
    }
    let items = d
        .statuses
        .iter()
        .filter(|s| s["board"]["id"] == id)
        .collect();
    list(items, &d.status_index, raw.as_deref(), &headers)
}

fn body_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("The request body is not valid JSON: {e}")))
}

async fn create(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b = body_json(&body)?;
    let mut st = ctx.lock()?;
    let summary = b["summary"].as_str().unwrap_or_default().trim().to_string();
    if summary.is_empty() {
        return Err(ApiError::field(
            RESOURCE,
            "Required",
            "summary",
            "summary is required.",
        ));
    }
    if summary.chars().count() > 100 {
        return Err(ApiError::field(
            RESOURCE,
            "MaxLength",
            "summary",
            "summary cannot be longer than 100 characters.",
        ));
    }
    let c = &b["company"];
    let owner = json!({"id": OWNER_COMPANY_ID, "identifier": st.company_id, "name": COMPANY_NAME});
    let company = if c["id"] == OWNER_COMPANY_ID
        || c["identifier"]
            .as_str()
            .is_some_and(|i| i.eq_ignore_ascii_case(&st.company_id))
    {
        Some(owner)
    } else {
        st.companies
            .iter()
            .find(|x| {
                (c["id"].is_i64() && x["id"] == c["id"])
                    || (c["identifier"].is_string() && x["identifier"] == c["identifier"])
            })
            .map(|x| json!({"id": x["id"], "identifier": x["identifier"], "name": x["name"]}))
    };
    let Some(company) = company else {
        return Err(ApiError::field(
            RESOURCE,
            "InvalidObject",
            "company",
            "company is required and must name an existing company.",
        ));
    };
    let board_id = b["board"]["id"].as_i64();
    let Some(board) = board_id
        .and_then(|id| st.desk.boards.iter().find(|x| x["id"] == id))
        .cloned()
    else {
        return Err(ApiError::field(
            RESOURCE,
            "InvalidObject",
            "board",
            "board is invalid.",
        ));
    };
    if board["inactiveFlag"] == true || board["projectFlag"] == true {
        return Err(ApiError::field(
            RESOURCE,
            "InvalidObject",
            "board",
            "The board is inactive or a project board.",
        ));
    }
    let bid = board["id"].as_i64().unwrap_or_default();
    let status = match b["status"]["id"].as_i64() {
        Some(sid) => st.desk.status_of(bid, sid).cloned(),
        None => st
            .desk
            .statuses
            .iter()
            .find(|s| s["board"]["id"] == bid && s["defaultFlag"] == true)
            .cloned(),
    };
    let Some(status) = status else {
        return Err(ApiError::field(
            RESOURCE,
            "InvalidObject",
            "status",
            "The status is not a status of the ticket's board.",
        ));
    };
    let d = &mut st.desk;
    let id = d.next_ticket;
    d.next_ticket += 1;
    let mut t = json!({"id": id, "summary": summary, "recordType": "ServiceTicket",
        "board": {"id": bid, "name": board["name"], "_info": {}}, "company": company,
        "closedFlag": false, "processNotifications": b["processNotifications"],
        "severity": "Medium", "impact": "Medium",
        "_info": {"dateEntered": ts(Utc::now()), "enteredBy": caller.member}});
    set_status(&mut t, &status, &caller.member);
    let first = [
        "initialInternalAnalysis",
        "initialDescription",
        "initialResolution",
    ]
    .iter()
    .filter_map(|k| b[*k].as_str())
    .collect::<Vec<_>>()
    .join("\n");
    d.initial.insert(id, first);
    d.tickets.push(t.clone());
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

fn find(st: &super::State, id: i64) -> Result<usize, ApiError> {
    st.desk
        .tickets
        .iter()
        .position(|t| t["id"] == id)
        .ok_or_else(|| ApiError::not_found("Ticket", id))
}

async fn read(
    AxState(ctx): AxState<Ctx>,
    Path(p): Path<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let id = super::resources::id_param(&p, "id")?;
    let st = ctx.lock()?;
    let i = find(&st, id)?;
    let q = query::parse(raw.as_deref(), &HeaderMap::new(), &st.desk.ticket_index)?;
    let t = &st.desk.tickets[i];
    Ok(Json(match &q.fields {
        Some(f) => query::project(t, f),
        None => t.clone(),
    }))
}

async fn patch(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    Path(p): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = super::resources::id_param(&p, "id")?;
    let ops = body_json(&body)?;
    let Some(ops) = ops.as_array() else {
        return Err(ApiError::invalid(
            "The PATCH body must be an array of operations.".into(),
        ));
    };
    let mut st = ctx.lock()?;
    let i = find(&st, id)?;
    for op in ops {
        let path = op["path"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches('/');
        if op["op"] != "replace" {
            return Err(ApiError::invalid(format!(
                "Unsupported operation {}",
                op["op"]
            )));
        }
        match path {
            "status" => {
                let board = st.desk.tickets[i]["board"]["id"]
                    .as_i64()
                    .unwrap_or_default();
                let sid = op["value"]["id"].as_i64().unwrap_or_default();
                let Some(s) = st.desk.status_of(board, sid).cloned() else {
                    return Err(ApiError::field(
                        RESOURCE,
                        "InvalidObject",
                        "status",
                        "The status is not a status of the ticket's board.",
                    ));
                };
                set_status(&mut st.desk.tickets[i], &s, &caller.member);
            }
            "summary" => {
                let s = op["value"].as_str().unwrap_or_default();
                if s.is_empty() || s.chars().count() > 100 {
                    return Err(ApiError::field(
                        RESOURCE,
                        "MaxLength",
                        "summary",
                        "summary is invalid.",
                    ));
                }
                st.desk.tickets[i]["summary"] = json!(s);
            }
            other => {
                return Err(ApiError::invalid(format!(
                    "The sandbox does not simulate patching '{other}' on tickets."
                )))
            }
        }
    }
    Ok(Json(st.desk.tickets[i].clone()))
}

async fn list_notes(
    AxState(ctx): AxState<Ctx>,
    Path(p): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id = super::resources::id_param(&p, "parentId")?;
    let st = ctx.lock()?;
    find(&st, id)?;
    let notes: Vec<Value> = st
        .desk
        .notes
        .iter()
        .filter(|n| n["ticketId"] == id)
        .cloned()
        .collect();
    Ok(Json(Value::Array(notes)))
}

async fn add_note(
    AxState(ctx): AxState<Ctx>,
    Extension(caller): Extension<Caller>,
    Path(p): Path<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = super::resources::id_param(&p, "parentId")?;
    let b = body_json(&body)?;
    let mut st = ctx.lock()?;
    find(&st, id)?;
    let flag = |k: &str| b[k] == true;
    if !(flag("detailDescriptionFlag") || flag("internalAnalysisFlag") || flag("resolutionFlag")) {
        return Err(ApiError::invalid(
            "serviceNote object is invalid: choose where the note is shown (detailDescriptionFlag, \
             internalAnalysisFlag or resolutionFlag)."
                .into(),
        ));
    }
    let d = &mut st.desk;
    let nid = d.next_note;
    d.next_note += 1;
    let note = json!({"id": nid, "ticketId": id, "text": b["text"],
        "detailDescriptionFlag": flag("detailDescriptionFlag"),
        "internalAnalysisFlag": flag("internalAnalysisFlag"),
        "resolutionFlag": flag("resolutionFlag"), "issueFlag": false,
        "member": {"id": 177, "identifier": caller.member, "name": "API member"},
        "processNotifications": b["processNotifications"],
        "dateCreated": ts(Utc::now()), "createdBy": caller.member,
        "internalFlag": flag("internalAnalysisFlag"), "externalFlag": false, "_info": {}});
    d.notes.push(note.clone());
    Ok((StatusCode::CREATED, Json(note)).into_response())
}

async fn control_list(AxState(ctx): AxState<Ctx>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(ctx.lock()?.desk.views())))
}

async fn control_close(
    AxState(ctx): AxState<Ctx>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    Ok(if ctx.lock()?.desk.close_by_person(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    })
}

async fn control_delete(
    AxState(ctx): AxState<Ctx>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    Ok(if ctx.lock()?.desk.delete(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    })
}
