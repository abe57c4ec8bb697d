//! Service tickets for the optional "ticket when a sync fails or holds changes" feature
//! (reference §14): the boards to choose from, a board's statuses (the new ticket gets the
//! default one, closing uses the first closed one by sort order), creating a ticket (201), reading
//! whether it is still open, adding an internal-analysis note (201) and closing it by PATCHing
//! the whole `status` reference (§14.5).
//!
//! The company a ticket is for is the MSP's own company: [`ticket_company`]. A ticket POST is not
//! idempotent, so it is never resent (the transport repeats only GET/PATCH/PUT/DELETE).

use std::sync::atomic::AtomicU32;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::{parse, Call, ConnectWiseClient};
use super::errors::Resource;
use crate::psa::PsaError;
use crate::tickets::text::{clip, TITLE_MAX};
use crate::tickets::{NewTicket, TicketDesk, TicketQueue, TicketState};

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Board {
    id: Option<i64>,
    name: Option<String>,
}

/// `BoardStatus` (reference §14.3): `closedStatus`, `defaultFlag`, not the `…/info` flag names.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct BoardStatus {
    pub id: Option<i64>,
    pub sort_order: Option<i64>,
    pub inactive: Option<bool>,
    pub closed_status: Option<bool>,
    pub default_flag: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TicketRow {
    id: Option<i64>,
    closed_flag: Option<bool>,
}

/// The company a ticket is for: the MSP's own ("owner") company, named by its identifier.
///
/// ASSUMPTION (UNCONFIRMED in the reference): the owner company's identifier is the "Company" typed
/// on the ConnectWise login screen (the connector's company). ConnectWise accepts a company by
/// `{"identifier": …}` on tickets [CW doc, reference §14.2], so no company lookup is needed. If a
/// tenant's owner company carries another identifier, this one function changes.
pub fn ticket_company(login_company: &str) -> Value {
    json!({ "identifier": login_company })
}

/// The status a new ticket gets (`defaultFlag`) and the one that closes it (the first
/// `closedStatus` by sort order), among the active statuses of a board.
pub fn pick_statuses(statuses: &[BoardStatus]) -> (Option<i64>, Option<i64>) {
    let mut active: Vec<&BoardStatus> = statuses
        .iter()
        .filter(|s| s.id.is_some() && s.inactive != Some(true))
        .collect();
    active.sort_by_key(|s| s.sort_order.unwrap_or(i64::MAX));
    let default = active
        .iter()
        .find(|s| s.default_flag == Some(true))
        .and_then(|s| s.id);
    let closed = active
        .iter()
        .find(|s| s.closed_status == Some(true))
        .and_then(|s| s.id);
    (default, closed)
}

/// The body of `POST /service/tickets` (reference §14.2, §14.8).
pub fn ticket_body(board: i64, status: Option<i64>, company: Value, t: &NewTicket) -> Value {
    let mut body = json!({
        "summary": clip(&t.title, TITLE_MAX),
        "board": { "id": board },
        "company": company,
        "initialInternalAnalysis": t.body,
        "processNotifications": false,
    });
    if let Some(s) = status {
        body["status"] = json!({ "id": s });
    }
    body
}

/// The body of `POST /service/tickets/{id}/notes`: exactly one section flag (§14.4).
pub fn note_body(text: &str) -> Value {
    json!({
        "text": text,
        "internalAnalysisFlag": true,
        "detailDescriptionFlag": false,
        "resolutionFlag": false,
        "processNotifications": false,
    })
}

impl ConnectWiseClient {
    async fn board_statuses(
        &self,
        board: i64,
        sent: &AtomicU32,
    ) -> Result<Vec<BoardStatus>, PsaError> {
        let query = vec![
            ("conditions", "inactive=false".to_string()),
            ("orderBy", "sortOrder asc".to_string()),
            ("pageSize", "1000".to_string()),
        ];
        self.get_json(
            &format!("/service/boards/{board}/statuses"),
            query,
            Resource::Boards,
            sent,
        )
        .await
    }

    async fn send_ticket_call(
        &self,
        method: Method,
        path: String,
        body: Value,
        sent: &AtomicU32,
    ) -> Result<super::transport::Reply, PsaError> {
        let call = Call {
            method,
            path,
            query: Vec::new(),
            body: Some(body),
            resource: Resource::Tickets,
        };
        self.execute(&call, sent).await
    }
}

impl TicketDesk for ConnectWiseClient {
    async fn ticket_queues(&self) -> Result<Vec<TicketQueue>, PsaError> {
        let sent = AtomicU32::new(0);
        let query = vec![
            (
                "conditions",
                "inactiveFlag=false and projectFlag=false".to_string(),
            ),
            ("fields", "id,name".to_string()),
            ("orderBy", "name asc".to_string()),
            ("pageSize", "1000".to_string()),
        ];
        let boards: Vec<Board> = self
            .get_json("/service/boards", query, Resource::Boards, &sent)
            .await?;
        Ok(boards
            .into_iter()
            .filter_map(|b| {
                Some(TicketQueue {
                    id: b.id?,
                    name: b.name.unwrap_or_default(),
                })
            })
            .collect())
    }

    async fn open_ticket(&self, queue: i64, ticket: &NewTicket) -> Result<i64, PsaError> {
        let sent = AtomicU32::new(0);
        let (status, _) = pick_statuses(&self.board_statuses(queue, &sent).await?);
        let body = ticket_body(queue, status, ticket_company(&self.inner.company), ticket);
        let reply = self
            .send_ticket_call(Method::POST, "/service/tickets".into(), body, &sent)
            .await
            .map_err(|e| match e {
                PsaError::Unreachable(m) => PsaError::OutcomeUnknown(format!(
                    "ConnectWise's answer to opening the ticket was lost ({m}); it may have been \
                     created: check the board"
                )),
                other => other,
            })?;
        let row: TicketRow = parse(&reply, Resource::Tickets)?;
        row.id.ok_or_else(|| PsaError::Remote {
            status: None,
            message: "ConnectWise created a ticket but its answer names no id".into(),
            request_id: reply.request_id.clone(),
        })
    }

    async fn ticket_state(&self, id: i64) -> Result<TicketState, PsaError> {
        let sent = AtomicU32::new(0);
        let query = vec![("fields", "id,closedFlag".to_string())];
        let row: Result<Option<TicketRow>, PsaError> = self
            .get_json(
                &format!("/service/tickets/{id}"),
                query,
                Resource::Tickets,
                &sent,
            )
            .await;
        match row {
            Err(PsaError::NotFound(_)) | Ok(None) => Ok(TicketState::Gone),
            Ok(Some(t)) if t.closed_flag == Some(true) => Ok(TicketState::Closed),
            Ok(Some(_)) => Ok(TicketState::Open),
            Err(e) => Err(e),
        }
    }

    async fn add_ticket_note(&self, id: i64, text: &str) -> Result<(), PsaError> {
        let sent = AtomicU32::new(0);
        self.send_ticket_call(
            Method::POST,
            format!("/service/tickets/{id}/notes"),
            note_body(text),
            &sent,
        )
        .await?;
        Ok(())
    }

    async fn close_ticket(&self, queue: i64, id: i64) -> Result<(), PsaError> {
        let sent = AtomicU32::new(0);
        let (_, closed) = pick_statuses(&self.board_statuses(queue, &sent).await?);
        let closed = closed.ok_or_else(|| {
            PsaError::InvalidConfig(format!(
                "Service board {queue} has no active status marked closed: add one in ConnectWise \
                 (Service Desk > Service Boards > Statuses) or choose another board"
            ))
        })?;
        let patch = json!([{ "op": "replace", "path": "status", "value": { "id": closed } }]);
        let reply = self
            .send_ticket_call(
                Method::PATCH,
                format!("/service/tickets/{id}"),
                patch,
                &sent,
            )
            .await?;
        let row: TicketRow = parse(&reply, Resource::Tickets)?;
        if row.closed_flag == Some(false) {
            return Err(PsaError::Remote {
                status: None,
                message: format!(
                    "ConnectWise set ticket {id} to status {closed} but still shows it open"
                ),
                request_id: reply.request_id.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(id: i64, sort: i64, default: bool, closed: bool, inactive: bool) -> BoardStatus {
        BoardStatus {
            id: Some(id),
            sort_order: Some(sort),
            inactive: Some(inactive),
            closed_status: Some(closed),
            default_flag: Some(default),
        }
    }

    #[test]
    fn statuses_default_and_first_active_closed_by_sort_order() {
        let s = [
            st(50, 9, false, true, false),
            st(45, 8, false, true, true),
            st(41, 0, true, false, false),
            st(47, 5, false, true, false),
        ];
        assert_eq!(pick_statuses(&s), (Some(41), Some(47)));
        assert_eq!(pick_statuses(&[]), (None, None));
    }

    #[test]
    fn bodies_follow_the_reference() {
        let t = NewTicket {
            title: "x".repeat(150),
            body: "text".into(),
        };
        let b = ticket_body(12, Some(41), ticket_company("brightpath"), &t);
        assert_eq!(b["summary"].as_str().unwrap().chars().count(), 100);
        assert_eq!(b["board"], json!({"id": 12}));
        assert_eq!(b["company"], json!({"identifier": "brightpath"}));
        assert_eq!(b["status"], json!({"id": 41}));
        assert_eq!(b["processNotifications"], false);
        let n = note_body("again");
        assert_eq!(n["internalAnalysisFlag"], true);
        assert_eq!(n["detailDescriptionFlag"], false);
    }
}
