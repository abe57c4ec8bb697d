//! A PSA ticket when a sync fails or holds changes (issue 14, item 4), opt-in per connector.
//!
//! Two problems per connector, each with at most one open ticket ([`crate::store::tickets`]):
//! [`Problem::Failed`] (the run failed or some writes failed) and [`Problem::Held`] (changes held
//! for approval). A run with the problem opens a ticket, or adds a note to the open one; the run
//! without it closes the ticket. A ticket closed or deleted by a person is noticed by reading it
//! first, and the next run with the problem opens a new one ([`flow`]). What the ticket says is
//! [`text`]; ConnectWise (service board) and Autotask (queue) implement [`TicketDesk`].
//!
//! Ticket handling never fails the sync: it runs after the run is recorded, and its errors become
//! a notice on the run (`crate::app::tickets`).

pub mod flow;
pub mod text;

use std::future::Future;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::ConnectorId;
use crate::psa::PsaError;
use crate::store::{settings, StoreError};

/// What a ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/", rename = "TicketProblem")]
pub enum Problem {
    /// The run failed, or some of its writes failed.
    Failed,
    /// Changes were held for approval.
    Held,
}

impl Problem {
    pub const ALL: [Problem; 2] = [Problem::Failed, Problem::Held];

    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Failed => "failed",
            Problem::Held => "held",
        }
    }
}

/// A ConnectWise service board or an Autotask queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TicketQueue {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
}

/// One connector's ticket settings. Off by default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TicketSettings {
    pub enabled: bool,
    /// Where tickets go: the ConnectWise service board or the Autotask queue.
    pub queue: Option<TicketQueue>,
}

impl TicketSettings {
    /// Refuses settings that cannot work, saying how to fix them.
    pub fn validate(&self) -> Result<(), String> {
        if self.enabled && self.queue.is_none() {
            return Err(
                "Tickets need a ConnectWise service board or an Autotask queue: choose one \
                 (psa-bridge connector boards ID lists them; then --ticket-board ID or \
                 --ticket-queue ID)"
                    .into(),
            );
        }
        if let Some(q) = &self.queue {
            if q.id < 0 {
                return Err(format!(
                    "A board or queue id is a positive number; got {}",
                    q.id
                ));
            }
        }
        Ok(())
    }

    /// One line for the CLI: `off`, `on (board 12 "Alerts")`.
    pub fn describe(&self) -> String {
        let queue = self
            .queue
            .as_ref()
            .map(|q| format!("{} \"{}\"", q.id, q.name));
        match (self.enabled, queue) {
            (true, Some(q)) => format!("on, into {q}"),
            (false, Some(q)) => format!("off (would go into {q})"),
            (_, None) => "off".to_string(),
        }
    }
}

fn key(connector: ConnectorId) -> String {
    format!("tickets:{}", connector.0)
}

pub fn load(conn: &Connection, connector: ConnectorId) -> Result<TicketSettings, StoreError> {
    Ok(settings::get_json(conn, &key(connector))?.unwrap_or_default())
}

/// Stores `s` after checking it (nothing stored when it is refused).
pub fn save(
    conn: &Connection,
    connector: ConnectorId,
    s: &TicketSettings,
) -> Result<(), StoreError> {
    s.validate().map_err(StoreError::Invalid)?;
    crate::store::connectors::require(conn, connector)?;
    settings::set_json(conn, &key(connector), s)
}

/// A ticket as the PSA holds it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    Open,
    /// Closed (ConnectWise `closedFlag`) or complete (Autotask status 5), by us or a person.
    Closed,
    /// Deleted (404 or no item).
    Gone,
}

/// A new ticket's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// At most [`text::TITLE_MAX`] characters.
    pub title: String,
    pub body: String,
}

/// What both PSAs do with tickets. `queue` is the board / queue id of [`TicketSettings`].
pub trait TicketDesk {
    /// The boards (ConnectWise) or queues (Autotask) a ticket can go into.
    fn ticket_queues(&self) -> impl Future<Output = Result<Vec<TicketQueue>, PsaError>> + Send;
    /// Opens a ticket and returns its id.
    fn open_ticket(
        &self,
        queue: i64,
        ticket: &NewTicket,
    ) -> impl Future<Output = Result<i64, PsaError>> + Send;
    fn ticket_state(&self, id: i64) -> impl Future<Output = Result<TicketState, PsaError>> + Send;
    fn add_ticket_note(
        &self,
        id: i64,
        text: &str,
    ) -> impl Future<Output = Result<(), PsaError>> + Send;
    /// Closes the ticket (ConnectWise: a closed status of `queue`'s board; Autotask: Complete).
    fn close_ticket(
        &self,
        queue: i64,
        id: i64,
    ) -> impl Future<Output = Result<(), PsaError>> + Send;
}
