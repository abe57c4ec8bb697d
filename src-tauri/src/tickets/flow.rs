//! One problem's ticket after one run: the state machine.
//!
//! | remembered | the run shows the problem | the PSA says | does | remembers |
//! |---|---|---|---|---|
//! | none | yes | – | opens a ticket | the new ticket |
//! | ticket | yes | open | adds a note | the ticket, this run |
//! | ticket | yes | closed / gone | opens a new ticket | the new ticket |
//! | ticket | no | open | a note, then closes it | nothing |
//! | ticket | no | closed / gone | nothing | nothing |
//! | any | unknown (the run failed before planning) | – | nothing | as before |

use chrono::{DateTime, Utc};

use super::{NewTicket, TicketDesk, TicketState};
use crate::psa::PsaError;
use crate::store::tickets::OpenTicket;

/// What a run says about one problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The run has the problem: the new ticket's text, and the note for an open one.
    Present { ticket: NewTicket, note: String },
    /// The run finished without it: the closing note.
    Absent { note: String },
    /// The run cannot tell (e.g. held changes when it failed before planning).
    Unknown,
}

/// What [`step`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Opened(OpenTicket),
    /// Opened a new ticket because the remembered one was closed or deleted in the PSA.
    Reopened {
        old: i64,
        new: OpenTicket,
    },
    Noted(OpenTicket),
    Closed {
        ticket_id: i64,
    },
    /// The remembered ticket was already closed or gone: forgotten.
    Forgotten {
        ticket_id: i64,
    },
    Nothing,
}

impl Step {
    /// The ticket to remember afterwards (`None`: forget the row).
    pub fn remembered(&self) -> Option<&OpenTicket> {
        match self {
            Step::Opened(t) | Step::Noted(t) | Step::Reopened { new: t, .. } => Some(t),
            _ => None,
        }
    }

    /// Whether the store must change.
    pub fn changes_store(&self) -> bool {
        !matches!(self, Step::Nothing)
    }
}

/// Runs one problem's step against the PSA. `template` carries the connector and problem of the
/// ticket to remember.
pub async fn step<D: TicketDesk>(
    desk: &D,
    queue: i64,
    remembered: Option<&OpenTicket>,
    template: (crate::model::ConnectorId, &str),
    seen: &Seen,
    run_id: i64,
    now: DateTime<Utc>,
) -> Result<Step, PsaError> {
    let fresh = |ticket_id: i64| OpenTicket {
        connector_id: template.0,
        problem: template.1.to_string(),
        ticket_id,
        opened_at: now,
        last_run_id: run_id,
        last_noted_at: now,
    };
    match (seen, remembered) {
        (Seen::Unknown, _) | (Seen::Absent { .. }, None) => Ok(Step::Nothing),
        (Seen::Present { ticket, .. }, None) => {
            let id = desk.open_ticket(queue, ticket).await?;
            Ok(Step::Opened(fresh(id)))
        }
        (Seen::Present { ticket, note }, Some(t)) => match desk.ticket_state(t.ticket_id).await? {
            TicketState::Open => {
                desk.add_ticket_note(t.ticket_id, note).await?;
                Ok(Step::Noted(OpenTicket {
                    last_run_id: run_id,
                    last_noted_at: now,
                    ..t.clone()
                }))
            }
            TicketState::Closed | TicketState::Gone => {
                let id = desk.open_ticket(queue, ticket).await?;
                Ok(Step::Reopened {
                    old: t.ticket_id,
                    new: fresh(id),
                })
            }
        },
        (Seen::Absent { note }, Some(t)) => match desk.ticket_state(t.ticket_id).await? {
            TicketState::Open => {
                desk.add_ticket_note(t.ticket_id, note).await?;
                desk.close_ticket(queue, t.ticket_id).await?;
                Ok(Step::Closed {
                    ticket_id: t.ticket_id,
                })
            }
            TicketState::Closed | TicketState::Gone => Ok(Step::Forgotten {
                ticket_id: t.ticket_id,
            }),
        },
    }
}

#[cfg(test)]
mod tests;
