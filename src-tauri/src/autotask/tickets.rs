//! Tickets for the optional "ticket when a sync fails or holds changes" feature (reference §12):
//! queues from the `queueID` picklist of `Tickets/entityInformation/fields`, `POST /Tickets`
//! (answer `{"itemId": n}`), `GET /Tickets/{id}`, notes through the parent URL
//! `POST /Tickets/{id}/Notes` (never the root `TicketNotes`, which is a 404), and completing with
//! `PATCH /Tickets {"id", "status": 5}`.
//!
//! The company is the MSP's own: [`ticket_company`]. Picklist values (status, priority, note type,
//! publish) are read from the tenant's metadata, never hard-coded, except Complete = 5
//! ([`COMPLETE`]), which the reference names universal.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::AutotaskClient;
use super::errors::error_messages;
use super::query::Tally;
use super::send::{Target, WriteOutcome};
use crate::psa::PsaError;
use crate::tickets::text::{clip, TITLE_MAX};
use crate::tickets::{NewTicket, TicketDesk, TicketQueue, TicketState};

/// Ticket status "Complete" (reference §12.3: value 5 in every tenant; labels are editable).
pub const COMPLETE: i64 = 5;
/// Longest description sent (the real limit is in metadata and is longer; keep tickets short).
pub const TEXT_MAX: usize = 8000;
/// How far ahead the required-in-practice `dueDateTime` is set (reference §12.2).
pub const DUE_IN_HOURS: i64 = 24;

/// The company a ticket is for: the MSP's own company, account id 0 (reference §4.1, §12.2:
/// "company id 0 is the MSP's own company"; believed, not confirmed by the vendor).
pub fn ticket_company() -> i64 {
    0
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FieldsInfo {
    fields: Vec<FieldInfo>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FieldInfo {
    name: String,
    picklist_values: Option<Vec<PickValue>>,
}

/// One picklist entry (`value` is a string on the wire, reference §12.3).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct PickValue {
    pub value: String,
    pub label: String,
    pub is_default_value: bool,
    pub is_active: bool,
    pub sort_order: Option<i64>,
}

impl PickValue {
    fn id(&self) -> Option<i64> {
        self.value.trim().parse().ok()
    }
}

/// The active entries of `field`, by sort order.
fn picklist(info: &FieldsInfo, field: &str) -> Vec<PickValue> {
    let mut out: Vec<PickValue> = info
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(field))
        .and_then(|f| f.picklist_values.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.is_active && v.id().is_some())
        .collect();
    out.sort_by_key(|v| v.sort_order.unwrap_or(i64::MAX));
    out
}

/// The default entry, else the first active one.
pub fn default_of(values: &[PickValue]) -> Option<i64> {
    values
        .iter()
        .find(|v| v.is_default_value)
        .or_else(|| values.first())
        .and_then(PickValue::id)
}

/// Who sees the note: an entry whose label says internal, else the default (labels are
/// tenant-specific, reference §12.4).
pub fn internal_publish(values: &[PickValue]) -> Option<i64> {
    values
        .iter()
        .find(|v| v.label.to_ascii_lowercase().contains("internal"))
        .and_then(PickValue::id)
        .or_else(|| default_of(values))
}

/// The body of `POST /V1.0/Tickets` (reference §12.2, §12.8).
pub fn ticket_body(
    queue: i64,
    status: i64,
    priority: i64,
    t: &NewTicket,
    now: DateTime<Utc>,
) -> Value {
    let due = now + Duration::hours(DUE_IN_HOURS);
    json!({
        "companyID": ticket_company(),
        "title": clip(&t.title, TITLE_MAX),
        "description": clip(&t.body, TEXT_MAX),
        "status": status,
        "priority": priority,
        "queueID": queue,
        "dueDateTime": due.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TicketItem {
    item: Option<TicketRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TicketRow {
    status: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ItemId {
    item_id: Option<Value>,
}

impl AutotaskClient {
    async fn fields_of(&self, entity: &str, tally: &Tally) -> Result<FieldsInfo, PsaError> {
        let target = Target::Path(format!("V1.0/{entity}/entityInformation/fields"));
        let bytes = self
            .read(Method::GET, &target, None, "read the ticket fields", tally)
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| PsaError::Remote {
            status: None,
            message: format!("Autotask sent the {entity} fields in an unexpected shape: {e}"),
            request_id: None,
        })
    }

    async fn post_once(&self, path: String, body: &Value, what: &str) -> Result<Vec<u8>, PsaError> {
        match self
            .write(&Target::Path(path), body, what, &Tally::default())
            .await?
        {
            WriteOutcome::Done(bytes) => Ok(bytes),
            WriteOutcome::Ambiguous(detail) => Err(PsaError::OutcomeUnknown(format!(
                "Autotask's answer when trying to {what} was lost ({detail}); it is not sent again"
            ))),
        }
    }
}

impl TicketDesk for AutotaskClient {
    async fn ticket_queues(&self) -> Result<Vec<TicketQueue>, PsaError> {
        let info = self.fields_of("Tickets", &Tally::default()).await?;
        Ok(picklist(&info, "queueID")
            .into_iter()
            .filter_map(|v| {
                Some(TicketQueue {
                    id: v.id()?,
                    name: v.label,
                })
            })
            .collect())
    }

    async fn open_ticket(&self, queue: i64, ticket: &NewTicket) -> Result<i64, PsaError> {
        let info = self.fields_of("Tickets", &Tally::default()).await?;
        // A new ticket's status: the default entry, else 1 ("New" in public payloads, §12.2).
        let status = default_of(&picklist(&info, "status")).unwrap_or(1);
        let priority = default_of(&picklist(&info, "priority")).ok_or_else(|| {
            PsaError::InvalidConfig("Autotask lists no active ticket priority".into())
        })?;
        let body = ticket_body(queue, status, priority, ticket, Utc::now());
        let bytes = self
            .post_once("V1.0/Tickets".into(), &body, "open a ticket")
            .await?;
        let id: ItemId = serde_json::from_slice(&bytes).unwrap_or_default();
        match id.item_id {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| PsaError::Remote {
            status: None,
            message: "Autotask opened a ticket but its answer names no id".into(),
            request_id: None,
        })
    }

    async fn ticket_state(&self, id: i64) -> Result<TicketState, PsaError> {
        let target = Target::Path(format!("V1.0/Tickets/{id}"));
        let read = self
            .read(
                Method::GET,
                &target,
                None,
                "read a ticket",
                &Tally::default(),
            )
            .await;
        let bytes = match read {
            Err(PsaError::NotFound(_)) => return Ok(TicketState::Gone),
            other => other?,
        };
        let item: TicketItem = serde_json::from_slice(&bytes).unwrap_or_default();
        Ok(match item.item {
            None => TicketState::Gone,
            Some(t) if t.status == Some(COMPLETE) => TicketState::Closed,
            Some(_) => TicketState::Open,
        })
    }

    async fn add_ticket_note(&self, id: i64, text: &str) -> Result<(), PsaError> {
        let info = self.fields_of("TicketNotes", &Tally::default()).await?;
        let note_type = default_of(&picklist(&info, "noteType")).unwrap_or(1);
        let publish = internal_publish(&picklist(&info, "publish")).unwrap_or(1);
        let body = json!({
            "ticketID": id,
            "title": "PSA Bridge: Coro billing sync",
            "description": clip(text, TEXT_MAX),
            "noteType": note_type,
            "publish": publish,
        });
        self.post_once(
            format!("V1.0/Tickets/{id}/Notes"),
            &body,
            "add a ticket note",
        )
        .await?;
        Ok(())
    }

    async fn close_ticket(&self, _queue: i64, id: i64) -> Result<(), PsaError> {
        let target = Target::Path("V1.0/Tickets".into());
        let body = json!({ "id": id, "status": COMPLETE });
        // A PATCH to an absolute status is safe to repeat, so it goes through the retrying read.
        let bytes = self
            .read(
                Method::PATCH,
                &target,
                Some(&body),
                "complete a ticket",
                &Tally::default(),
            )
            .await?;
        let msgs = error_messages(&bytes);
        if !msgs.is_empty() {
            return Err(PsaError::Rejected {
                message: msgs.join("; "),
                request_id: None,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pv(value: &str, label: &str, default: bool, active: bool, sort: i64) -> PickValue {
        PickValue {
            value: value.into(),
            label: label.into(),
            is_default_value: default,
            is_active: active,
            sort_order: Some(sort),
        }
    }

    #[test]
    fn picklist_choices() {
        let v = [
            pv("3", "Low", false, true, 3),
            pv("2", "Medium", true, true, 2),
        ];
        assert_eq!(default_of(&v), Some(2));
        assert_eq!(default_of(&v[..1]), Some(3));
        let p = [
            pv("1", "All Autotask Users", true, true, 1),
            pv("2", "Internal Only", false, true, 2),
        ];
        assert_eq!(internal_publish(&p), Some(2));
        assert_eq!(internal_publish(&p[..1]), Some(1));
        let info = FieldsInfo {
            fields: vec![FieldInfo {
                name: "queueID".into(),
                picklist_values: Some(vec![
                    pv("29683482", "Monitoring Alert", false, true, 2),
                    pv("8", "Old", false, false, 1),
                ]),
            }],
        };
        assert_eq!(picklist(&info, "QueueID").len(), 1, "active only");
    }

    #[test]
    fn the_ticket_is_for_the_own_company_in_the_chosen_queue_with_a_due_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2025-06-02T08:14:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t = NewTicket {
            title: "t".into(),
            body: "b".into(),
        };
        let b = ticket_body(29683482, 1, 2, &t, now);
        assert_eq!(
            b,
            json!({"companyID": 0, "title": "t", "description": "b", "status": 1, "priority": 2,
                   "queueID": 29683482, "dueDateTime": "2025-06-03T08:14:00Z"})
        );
    }
}
