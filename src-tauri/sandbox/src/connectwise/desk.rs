//! The service desk state of the simulated tenant (reference §14): service boards (*Alerts* 12
//! and *Help Desk* 14 active; a project and an inactive board), their statuses, tickets and notes,
//! with views for tests and what a person does in ConnectWise (close, delete). The endpoints are
//! in `tickets`.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;
use serde_json::{json, Value};

use super::conditions::FieldIndex;
use super::state::ts;

/// Id of the MSP's own company record (the login company); below the seeded customers' ids.
pub const OWNER_COMPANY_ID: i64 = 19;

/// Boards, statuses, tickets and notes of the simulated tenant.
#[derive(Debug)]
pub struct Desk {
    pub boards: Vec<Value>,
    pub statuses: Vec<Value>,
    pub tickets: Vec<Value>,
    pub notes: Vec<Value>,
    /// The POST-only `initialInternalAnalysis` / `initialDescription` texts, by ticket id.
    pub initial: HashMap<i64, String>,
    pub(super) next_ticket: i64,
    pub(super) next_note: i64,
    pub(super) board_index: FieldIndex,
    pub(super) status_index: FieldIndex,
    pub(super) ticket_index: FieldIndex,
}

/// One ticket as tests see it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    pub id: i64,
    pub summary: String,
    pub board_id: i64,
    pub status_id: i64,
    pub closed: bool,
    pub company_id: i64,
    /// The first text (`initialInternalAnalysis` or `initialDescription`).
    pub initial: String,
    pub notes: Vec<String>,
}

fn board(id: i64, name: &str, inactive: bool, project: bool) -> Value {
    json!({"id": id, "name": name, "inactiveFlag": inactive, "projectFlag": project,
           "location": {"id": 2, "name": "Tampa"}, "department": {"id": 10, "name": "Services"},
           "_info": {}})
}

fn status(id: i64, b: (i64, &str), name: &str, sort: i64, default: bool, closed: bool) -> Value {
    json!({"id": id, "name": name, "board": {"id": b.0, "name": b.1}, "sortOrder": sort,
           "displayOnBoard": !closed, "inactive": false, "closedStatus": closed,
           "defaultFlag": default,
           "escalationStatus": if closed { "Resolved" } else { "NotResponded" }, "_info": {}})
}

impl Desk {
    pub fn seeded() -> Desk {
        let boards = vec![
            board(12, "Alerts", false, false),
            board(14, "Help Desk", false, false),
            board(3, "Projects", false, true),
            board(9, "Old Alerts", true, false),
        ];
        let alerts = (12, "Alerts");
        let help = (14, "Help Desk");
        let statuses = vec![
            status(41, alerts, "New", 0, true, false),
            status(42, alerts, "In Progress", 2, false, false),
            status(44, alerts, "Resolved", 8, false, true),
            status(45, alerts, "Closed", 9, false, true),
            status(51, help, "New", 0, true, false),
            status(55, help, "Closed", 9, false, true),
        ];
        let proto_ticket = json!({"id": 1, "summary": "x", "recordType": "ServiceTicket",
            "board": {"id": 1, "name": "x"}, "status": {"id": 1, "name": "x"},
            "company": {"id": 1, "identifier": "x", "name": "x"}, "closedFlag": false,
            "closedDate": "x", "closedBy": "x", "_info": {}});
        Desk {
            board_index: FieldIndex::from_entities(&boards),
            status_index: FieldIndex::from_entities(&statuses),
            ticket_index: FieldIndex::from_entities([&proto_ticket]),
            boards,
            statuses,
            tickets: Vec::new(),
            notes: Vec::new(),
            initial: HashMap::new(),
            next_ticket: 48213,
            next_note: 901377,
        }
    }

    pub(super) fn status_of(&self, board: i64, id: i64) -> Option<&Value> {
        self.statuses
            .iter()
            .find(|s| s["id"] == id && s["board"]["id"] == board)
    }

    pub fn views(&self) -> Vec<TicketView> {
        self.tickets
            .iter()
            .map(|t| {
                let id = t["id"].as_i64().unwrap_or_default();
                TicketView {
                    id,
                    summary: t["summary"].as_str().unwrap_or_default().to_string(),
                    board_id: t["board"]["id"].as_i64().unwrap_or_default(),
                    status_id: t["status"]["id"].as_i64().unwrap_or_default(),
                    closed: t["closedFlag"] == true,
                    company_id: t["company"]["id"].as_i64().unwrap_or_default(),
                    initial: self.initial.get(&id).cloned().unwrap_or_default(),
                    notes: self
                        .notes
                        .iter()
                        .filter(|n| n["ticketId"] == id)
                        .map(|n| n["text"].as_str().unwrap_or_default().to_string())
                        .collect(),
                }
            })
            .collect()
    }

    /// A person closes the ticket in ConnectWise (the board's last closed status).
    pub fn close_by_person(&mut self, id: i64) -> bool {
        let Some(t) = self.tickets.iter().position(|t| t["id"] == id) else {
            return false;
        };
        let board = self.tickets[t]["board"]["id"].as_i64().unwrap_or_default();
        let closed = self
            .statuses
            .iter()
            .rfind(|s| s["board"]["id"] == board && s["closedStatus"] == true)
            .cloned();
        let Some(s) = closed else { return false };
        set_status(&mut self.tickets[t], &s, "a.person");
        true
    }

    /// A person deletes the ticket.
    pub fn delete(&mut self, id: i64) -> bool {
        let before = self.tickets.len();
        self.tickets.retain(|t| t["id"] != id);
        self.tickets.len() < before
    }
}

pub(super) fn set_status(t: &mut Value, s: &Value, by: &str) {
    let closed = s["closedStatus"] == true;
    t["status"] = json!({"id": s["id"], "name": s["name"], "sort": s["sortOrder"], "_info": {}});
    t["closedFlag"] = json!(closed);
    if closed {
        t["closedDate"] = json!(ts(Utc::now()));
        t["closedBy"] = json!(by);
    } else {
        t["closedDate"] = Value::Null;
        t["closedBy"] = Value::Null;
    }
    t["_info"] = json!({"lastUpdated": ts(Utc::now()), "updatedBy": by});
}
