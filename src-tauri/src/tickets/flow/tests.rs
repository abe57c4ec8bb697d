//! The ticket state machine against an in-memory desk: open → note → close; a ticket closed or
//! deleted by a person is replaced by a new one; unknown changes nothing.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::*;
use crate::model::ConnectorId;
use crate::store::testing::at;
use crate::tickets::TicketQueue;

#[derive(Default)]
struct Desk {
    /// id → (state, notes)
    tickets: Mutex<BTreeMap<i64, (TicketState, Vec<String>)>>,
    /// Ids are never reused, as in a PSA.
    opened: Mutex<i64>,
}

impl Desk {
    fn state(&self, id: i64) -> Option<(TicketState, Vec<String>)> {
        self.tickets.lock().unwrap().get(&id).cloned()
    }
    fn set(&self, id: i64, s: Option<TicketState>) {
        let mut m = self.tickets.lock().unwrap();
        match s {
            Some(s) => m.get_mut(&id).unwrap().0 = s,
            None => {
                m.remove(&id);
            }
        }
    }
    fn count(&self) -> usize {
        self.tickets.lock().unwrap().len()
    }
}

impl TicketDesk for Desk {
    async fn ticket_queues(&self) -> Result<Vec<TicketQueue>, PsaError> {
        Ok(Vec::new())
    }
    async fn open_ticket(&self, _queue: i64, t: &NewTicket) -> Result<i64, PsaError> {
        let mut n = self.opened.lock().unwrap();
        *n += 1;
        let id = 100 + *n;
        let mut m = self.tickets.lock().unwrap();
        m.insert(id, (TicketState::Open, vec![t.body.clone()]));
        Ok(id)
    }
    async fn ticket_state(&self, id: i64) -> Result<TicketState, PsaError> {
        Ok(self
            .tickets
            .lock()
            .unwrap()
            .get(&id)
            .map_or(TicketState::Gone, |t| t.0))
    }
    async fn add_ticket_note(&self, id: i64, text: &str) -> Result<(), PsaError> {
        let mut m = self.tickets.lock().unwrap();
        let t = m
            .get_mut(&id)
            .ok_or_else(|| PsaError::NotFound("no ticket".into()))?;
        t.1.push(text.to_string());
        Ok(())
    }
    async fn close_ticket(&self, _queue: i64, id: i64) -> Result<(), PsaError> {
        self.set(id, Some(TicketState::Closed));
        Ok(())
    }
}

const C: ConnectorId = ConnectorId(1);

fn present(run: i64) -> Seen {
    Seen::Present {
        ticket: NewTicket {
            title: format!("failed {run}"),
            body: format!("opened by run {run}"),
        },
        note: format!("again in run {run}"),
    }
}

fn absent(run: i64) -> Seen {
    Seen::Absent {
        note: format!("fixed by run {run}"),
    }
}

async fn go(desk: &Desk, remembered: Option<&OpenTicket>, seen: &Seen, run: i64) -> Step {
    step(desk, 12, remembered, (C, "failed"), seen, run, at(run))
        .await
        .unwrap()
}

#[tokio::test]
async fn open_then_note_then_close() {
    let desk = Desk::default();
    let Step::Opened(t) = go(&desk, None, &present(1), 1).await else {
        panic!("opens")
    };
    assert_eq!(
        (t.last_run_id, t.opened_at, t.problem.as_str()),
        (1, at(1), "failed")
    );
    let step2 = go(&desk, Some(&t), &present(2), 2).await;
    let Step::Noted(t2) = &step2 else {
        panic!("notes: {step2:?}")
    };
    assert_eq!(t2.ticket_id, t.ticket_id, "the same ticket");
    assert_eq!(
        (t2.last_run_id, t2.opened_at, t2.last_noted_at),
        (2, at(1), at(2))
    );
    assert_eq!(desk.count(), 1, "never a second ticket");
    let step3 = go(&desk, Some(t2), &absent(3), 3).await;
    assert_eq!(
        step3,
        Step::Closed {
            ticket_id: t.ticket_id
        }
    );
    assert_eq!(step3.remembered(), None, "forgotten once closed");
    let (state, notes) = desk.state(t.ticket_id).unwrap();
    assert_eq!(state, TicketState::Closed);
    assert_eq!(
        notes,
        vec!["opened by run 1", "again in run 2", "fixed by run 3"]
    );
}

#[tokio::test]
async fn a_ticket_closed_or_deleted_by_a_person_is_replaced() {
    for outside in [Some(TicketState::Closed), None] {
        let desk = Desk::default();
        let Step::Opened(t) = go(&desk, None, &present(1), 1).await else {
            panic!("opens")
        };
        desk.set(t.ticket_id, outside);
        let s = go(&desk, Some(&t), &present(2), 2).await;
        let Step::Reopened { old, new } = &s else {
            panic!("a new ticket: {s:?}")
        };
        assert_eq!(*old, t.ticket_id);
        assert_ne!(new.ticket_id, t.ticket_id);
        assert_eq!((new.opened_at, new.last_run_id), (at(2), 2));
        assert_eq!(desk.state(new.ticket_id).unwrap().0, TicketState::Open);
        // And a recovered run forgets a ticket someone else closed, without touching it.
        desk.set(new.ticket_id, Some(TicketState::Closed));
        let s = go(&desk, Some(new), &absent(3), 3).await;
        assert_eq!(
            s,
            Step::Forgotten {
                ticket_id: new.ticket_id
            }
        );
        assert_eq!(
            desk.state(new.ticket_id).unwrap().1.len(),
            1,
            "no note added"
        );
    }
}

#[tokio::test]
async fn nothing_without_a_ticket_or_when_unknown() {
    let desk = Desk::default();
    assert_eq!(go(&desk, None, &absent(1), 1).await, Step::Nothing);
    assert_eq!(go(&desk, None, &Seen::Unknown, 1).await, Step::Nothing);
    let Step::Opened(t) = go(&desk, None, &present(2), 2).await else {
        panic!("opens")
    };
    let s = go(&desk, Some(&t), &Seen::Unknown, 3).await;
    assert_eq!(s, Step::Nothing);
    assert!(!s.changes_store());
    assert_eq!(
        desk.state(t.ticket_id).unwrap(),
        (TicketState::Open, vec!["opened by run 2".to_string()])
    );
}
