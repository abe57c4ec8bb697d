//! Tickets and ticket notes (reference §12), for the optional "ticket when a sync fails or holds
//! changes" feature:
//! - `GET Tickets/entityInformation/fields` and `GET TicketNotes/entityInformation/fields` with the
//!   `status`, `priority`, `queueID`, `noteType` and `publish` picklists (values are strings);
//! - `POST Tickets` → `{"itemId"}`: `companyID` (0 is the MSP's own company), `title`, `status`,
//!   `priority` and `dueDateTime` required (the due date as the 500 the reference quotes),
//!   `queueID` an active queue, picklist values checked;
//! - `GET Tickets/{id}` → `{"item"}` (`null` once deleted), `PATCH Tickets` `{"id", …}` (status 5 =
//!   Complete fills `completedDate`), `POST Tickets/query` with `eq` / `noteq` / `beginsWith`;
//! - notes only through `POST Tickets/{id}/Notes` (`ticketID`, `description`, `noteType`,
//!   `publish` required); the root `POST TicketNotes` is a 404, as clients found;
//!   `GET Tickets/{id}/Notes`.
//!
//! Validation failures are 500 + `errors[]`, as everywhere in this API. Tests read tickets with
//! [`Desk::views`] and act "as a person would" with [`Desk::complete_by_person`] /
//! [`Desk::delete`].

// Handlers return `Result<Response, Response>` like `api` (see the note there).
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::Serialize;
use serde_json::{json, Value};

type Res = Result<Response, Response>;

/// Status "Complete" (reference §12.3).
pub const COMPLETE: i64 = 5;

#[derive(Debug)]
pub struct Desk {
    pub tickets: BTreeMap<i64, Value>,
    pub notes: Vec<Value>,
    next_ticket: i64,
    next_note: i64,
}

/// One ticket as tests see it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub company_id: i64,
    pub queue_id: i64,
    pub status: i64,
    pub notes: Vec<String>,
}

const STATUSES: &[(i64, &str, bool)] = &[
    (1, "New", true),
    (5, "Complete", true),
    (7, "Waiting Customer", true),
    (8, "In Progress", true),
];
const PRIORITIES: &[(i64, &str, bool)] = &[
    (4, "Critical", true),
    (1, "High", true),
    (2, "Medium", true),
    (3, "Low", true),
];
/// Queue ids as in the reference's samples; one retired (inactive) queue.
pub const QUEUES: &[(i64, &str, bool)] = &[
    (29683482, "Monitoring Alert", true),
    (29683483, "Client Portal", true),
    (29682833, "Level I Support", true),
    (29683500, "Retired Queue", false),
];
const NOTE_TYPES: &[(i64, &str, bool)] = &[(1, "Task Summary", true), (2, "Task Detail", true)];
const PUBLISH: &[(i64, &str, bool)] =
    &[(1, "All Autotask Users", true), (2, "Internal Only", true)];

fn picklist(name: &str, values: &[(i64, &str, bool)], default: i64) -> Value {
    let list: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, (v, label, active))| {
            json!({"value": v.to_string(), "label": label, "isDefaultValue": *v == default,
                   "sortOrder": i, "parentValue": "", "isActive": active, "isSystem": true})
        })
        .collect();
    json!({"name": name, "dataType": "integer", "length": 0, "isRequired": true,
           "isReadOnly": false, "isQueryable": true, "isReference": false,
           "referenceEntityType": "", "isPickList": true, "picklistValues": list,
           "picklistParentValueField": "", "isSupportedWebhookField": false})
}

fn plain(name: &str, ty: &str, length: u32, required: bool) -> Value {
    json!({"name": name, "dataType": ty, "length": length, "isRequired": required,
           "isReadOnly": false, "isQueryable": true, "isReference": false,
           "referenceEntityType": "", "isPickList": false, "picklistValues": null,
           "picklistParentValueField": "", "isSupportedWebhookField": false})
}

fn ticket_fields() -> Value {
    json!({"fields": [
        plain("id", "long", 0, true),
        plain("companyID", "integer", 0, true),
        plain("title", "string", 255, true),
        plain("description", "string", 8000, false),
        plain("dueDateTime", "datetime", 0, false),
        picklist("status", STATUSES, 1),
        picklist("priority", PRIORITIES, 2),
        picklist("queueID", QUEUES, 0),
    ]})
}

fn note_fields() -> Value {
    json!({"fields": [
        plain("id", "long", 0, true),
        plain("ticketID", "integer", 0, true),
        plain("title", "string", 250, false),
        plain("description", "string", 32000, true),
        picklist("noteType", NOTE_TYPES, 1),
        picklist("publish", PUBLISH, 1),
    ]})
}

fn has(values: &[(i64, &str, bool)], v: i64) -> bool {
    values.iter().any(|(x, _, active)| *x == v && *active)
}

fn fail<S: Into<String>>(msg: S) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"errors": [msg.into()]})),
    )
        .into_response()
}

fn not_found(uri: &Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"Message": format!("No HTTP resource was found that matches the request URI '{uri}'.")})),
    )
        .into_response()
}

fn only(m: &Method, allowed: &[Method]) -> Result<(), Response> {
    if allowed.contains(m) {
        Ok(())
    } else {
        Err((
            StatusCode::METHOD_NOT_ALLOWED,
            Json(json!({"Message": format!("The requested resource does not support http method '{m}'.")})),
        )
            .into_response())
    }
}

fn int(b: &Value, k: &str) -> Option<i64> {
    b[k].as_i64()
}

impl Desk {
    pub fn seeded() -> Desk {
        Desk {
            tickets: BTreeMap::new(),
            notes: Vec::new(),
            next_ticket: 7865,
            next_note: 30777658,
        }
    }

    pub fn views(&self) -> Vec<TicketView> {
        self.tickets
            .values()
            .map(|t| {
                let id = t["id"].as_i64().unwrap_or_default();
                TicketView {
                    id,
                    title: t["title"].as_str().unwrap_or_default().to_string(),
                    description: t["description"].as_str().unwrap_or_default().to_string(),
                    company_id: t["companyID"].as_i64().unwrap_or(-1),
                    queue_id: t["queueID"].as_i64().unwrap_or_default(),
                    status: t["status"].as_i64().unwrap_or_default(),
                    notes: self
                        .notes
                        .iter()
                        .filter(|n| n["ticketID"] == id)
                        .map(|n| n["description"].as_str().unwrap_or_default().to_string())
                        .collect(),
                }
            })
            .collect()
    }

    /// A person completes the ticket in Autotask.
    pub fn complete_by_person(&mut self, id: i64) -> bool {
        match self.tickets.get_mut(&id) {
            Some(t) => {
                t["status"] = json!(COMPLETE);
                t["completedDate"] = json!(Utc::now().to_rfc3339());
                true
            }
            None => false,
        }
    }

    /// A person deletes the ticket (possible in the UI, not through the API).
    pub fn delete(&mut self, id: i64) -> bool {
        self.tickets.remove(&id).is_some()
    }

    fn create(&mut self, b: &Value, companies: &BTreeMap<i64, Value>) -> Res {
        let company = int(b, "companyID").ok_or_else(|| fail("companyID is required."))?;
        if company != 0 && !companies.contains_key(&company) {
            return Err(fail(format!(
                "Value does not reference an existing entity for companyID: {company}."
            )));
        }
        let title = b["title"].as_str().unwrap_or_default().trim();
        if title.is_empty() {
            return Err(fail("title is required."));
        }
        if title.chars().count() > 255 {
            return Err(fail("title is longer than 255 characters."));
        }
        let status = int(b, "status").ok_or_else(|| fail("status is required."))?;
        let priority = int(b, "priority").ok_or_else(|| fail("priority is required."))?;
        if !has(STATUSES, status) || !has(PRIORITIES, priority) {
            return Err(fail(
                "Value does not reference an existing entity for status or priority.",
            ));
        }
        match int(b, "queueID") {
            Some(q) if has(QUEUES, q) => {}
            Some(q) => {
                return Err(fail(format!(
                    "Value does not reference an existing entity for queueID: {q}."
                )))
            }
            None => {
                return Err(fail(
                    "A ticket needs a queueID or a primary resource and role.",
                ))
            }
        }
        if b["dueDateTime"].as_str().is_none_or(str::is_empty) {
            return Err(fail("dueDateTime is required.; on record number [0]"));
        }
        let id = self.next_ticket;
        self.next_ticket += 1;
        let now = Utc::now();
        let mut t = b.clone();
        t["id"] = json!(id);
        t["ticketNumber"] = json!(format!("T{}.{:04}", now.format("%Y%m%d"), id % 10000));
        t["createDate"] = json!(now.to_rfc3339());
        t["completedDate"] = Value::Null;
        self.tickets.insert(id, t);
        Ok(Json(json!({"itemId": id})).into_response())
    }

    fn patch(&mut self, b: &Value) -> Res {
        let id = int(b, "id").ok_or_else(|| fail("id is required."))?;
        let Some(t) = self.tickets.get_mut(&id) else {
            return Err(fail(format!("Ticket {id} does not exist.")));
        };
        if let Some(s) = b.get("status") {
            let s = s
                .as_i64()
                .filter(|s| has(STATUSES, *s))
                .ok_or_else(|| fail("Value does not reference an existing entity for status."))?;
            t["status"] = json!(s);
            t["completedDate"] = if s == COMPLETE {
                json!(Utc::now().to_rfc3339())
            } else {
                Value::Null
            };
        }
        for k in ["title", "description", "priority", "queueID"] {
            if let Some(v) = b.get(k) {
                t[k] = v.clone();
            }
        }
        Ok(Json(json!({"itemId": id})).into_response())
    }

    fn add_note(&mut self, ticket: i64, b: &Value) -> Res {
        if !self.tickets.contains_key(&ticket) {
            return Err(fail(format!("Ticket {ticket} does not exist.")));
        }
        if int(b, "ticketID").is_some_and(|t| t != ticket) {
            return Err(fail("ticketID does not match the ticket in the URL."));
        }
        if b["description"]
            .as_str()
            .is_none_or(|d| d.trim().is_empty())
        {
            return Err(fail("description is required."));
        }
        let nt = int(b, "noteType").filter(|v| has(NOTE_TYPES, *v));
        let p = int(b, "publish").filter(|v| has(PUBLISH, *v));
        if nt.is_none() || p.is_none() {
            return Err(fail("noteType and publish are required picklist values."));
        }
        let id = self.next_note;
        self.next_note += 1;
        let mut n = b.clone();
        n["id"] = json!(id);
        n["ticketID"] = json!(ticket);
        n["createDateTime"] = json!(Utc::now().to_rfc3339());
        self.notes.push(n);
        Ok(Json(json!({"itemId": id})).into_response())
    }

    fn query(&self, b: &Value) -> Res {
        let filters = b["filter"].as_array().cloned().unwrap_or_default();
        let mut items = Vec::new();
        'next: for t in self.tickets.values() {
            for f in &filters {
                let field = f["field"].as_str().unwrap_or_default();
                let v = t
                    .as_object()
                    .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(field)))
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Null);
                let ok = match f["op"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase()
                    .as_str()
                {
                    "eq" => v == f["value"],
                    "noteq" => v != f["value"],
                    "beginswith" => v
                        .as_str()
                        .zip(f["value"].as_str())
                        .is_some_and(|(a, p)| a.starts_with(p)),
                    other => {
                        return Err(fail(format!(
                            "The sandbox does not simulate the '{other}' operator on tickets."
                        )))
                    }
                };
                if !ok {
                    continue 'next;
                }
            }
            items.push(t.clone());
        }
        Ok(Json(json!({"items": items, "pageDetails": {"count": items.len(), "requestCount": 500, "prevPageUrl": null, "nextPageUrl": null}})).into_response())
    }
}

/// `V1.0/Tickets/…` (`tail`: the lower-cased segments after `Tickets`).
pub(super) fn route(
    d: &mut Desk,
    companies: &BTreeMap<i64, Value>,
    m: &Method,
    body: &Value,
    tail: &[&str],
    uri: &Uri,
) -> Res {
    match tail {
        [] => {
            only(m, &[Method::POST, Method::PATCH, Method::PUT])?;
            if *m == Method::POST {
                d.create(body, companies)
            } else {
                d.patch(body)
            }
        }
        ["entityinformation", "fields"] => {
            only(m, &[Method::GET])?;
            Ok(Json(ticket_fields()).into_response())
        }
        ["query"] => {
            only(m, &[Method::POST])?;
            d.query(body)
        }
        [id] => {
            only(m, &[Method::GET])?;
            let id: i64 = id.parse().map_err(|_| not_found(uri))?;
            Ok(Json(json!({"item": d.tickets.get(&id)})).into_response())
        }
        [id, "notes"] => {
            let id: i64 = id.parse().map_err(|_| not_found(uri))?;
            only(m, &[Method::GET, Method::POST])?;
            if *m == Method::POST {
                d.add_note(id, body)
            } else {
                let items: Vec<&Value> = d.notes.iter().filter(|n| n["ticketID"] == id).collect();
                Ok(
                    Json(json!({"items": items, "pageDetails": {"count": items.len()}}))
                        .into_response(),
                )
            }
        }
        _ => Err(not_found(uri)),
    }
}

/// `V1.0/TicketNotes/…`: metadata only; there is no root POST (reference §12.1).
pub(super) fn route_notes(m: &Method, tail: &[&str], uri: &Uri) -> Res {
    match tail {
        ["entityinformation", "fields"] => {
            only(m, &[Method::GET])?;
            Ok(Json(note_fields()).into_response())
        }
        _ => Err(not_found(uri)),
    }
}
