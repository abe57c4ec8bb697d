//! Batched writes against the sandbox's Autotask over loopback: a batch reads its lines' units once
//! before posting and once after, settles lost answers from that read, and never posts a second
//! adjustment for a line whose first one landed.

use std::collections::HashSet;
use std::sync::Mutex;

use serde_json::Value;

use crate::csid;
use crate::spec_check::validate_requests;
use psa_bridge::autotask::AutotaskClient;
use psa_bridge::psa::{BillingLine, PsaError, WriteReceipt};
use psa_bridge::sandbox::autotask::DropMode;
use psa_bridge::sandbox::{self, LoggedRequest, Sandbox, SandboxOptions};

struct Setup {
    sb: Sandbox,
    client: AutotaskClient,
    today: chrono::NaiveDate,
    /// Lines with exactly one billing line today, as the billing read found them.
    lines: Vec<BillingLine>,
}

async fn setup() -> Setup {
    let sb = sandbox::start(SandboxOptions::default()).await.unwrap();
    let (client, today) = crate::sandbox_client(&sb);
    let lines = crate::billed_lines(&client, today).await;
    assert!(
        lines.len() >= 8,
        "the sandbox bills enough lines: {}",
        lines.len()
    );
    Setup {
        sb,
        client,
        today,
        lines,
    }
}

fn is_units_query(r: &LoggedRequest) -> bool {
    r.path.to_ascii_lowercase().contains("contractserviceunits")
}

fn is_adjustment(r: &LoggedRequest) -> bool {
    r.method == "POST" && r.path.to_ascii_lowercase().contains("serviceadjustments")
}

impl Setup {
    fn units(&self, line: &BillingLine) -> Option<i64> {
        self.sb
            .autotask
            .state
            .lock()
            .unwrap()
            .units_on(csid(line), self.today)
    }

    fn adjustments_to(&self, line: &BillingLine) -> usize {
        let id = csid(line);
        self.sb
            .autotask
            .state
            .lock()
            .unwrap()
            .adjustments
            .iter()
            .filter(|a| a.contract_service_id == id)
            .count()
    }

    /// Writes `batch`; the results, and the indices reported sent (sorted).
    async fn write(
        &self,
        batch: &[(BillingLine, i64)],
    ) -> (Vec<Result<WriteReceipt, PsaError>>, Vec<usize>) {
        let sent = Mutex::new(Vec::new());
        let results = self
            .client
            .set_quantities_on(batch, self.today, &|i| sent.lock().unwrap().push(i))
            .await;
        let mut sent = sent.into_inner().unwrap();
        sent.sort_unstable();
        (results, sent)
    }

    fn drop_next(&self, modes: &[DropMode]) {
        let mut s = self.sb.autotask.state.lock().unwrap();
        s.drop_next_adjustment_responses
            .extend(modes.iter().copied());
    }
}

#[tokio::test]
async fn a_batch_is_checked_with_one_read_before_and_one_after() {
    let s = setup().await;
    let batch: Vec<(BillingLine, i64)> = s.lines[..6]
        .iter()
        .map(|l| (l.clone(), l.quantity + 3))
        .collect();
    s.sb.autotask.gate.clear_requests();
    let (results, _) = s.write(&batch).await;
    assert_eq!(results.len(), 6);
    for ((line, want), got) in batch.iter().zip(&results) {
        let got = got.as_ref().unwrap();
        assert_eq!(got.quantity, *want);
        assert!(got.request_id.is_some(), "the adjustment's id is kept");
        assert_eq!(s.units(line), Some(*want));
        assert_eq!(s.adjustments_to(line), 1);
    }
    let log = s.sb.autotask.gate.requests();
    assert_eq!(log.iter().filter(|r| is_adjustment(r)).count(), 6);
    assert_eq!(
        log.iter().filter(|r| is_units_query(r)).count(),
        2,
        "one units read before the POSTs and one after, for all six lines"
    );
    assert_eq!(log.len(), 8, "nothing else was sent: {log:#?}");
    let recorded: Vec<Value> = log
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    validate_requests(&recorded);

    // Run again: every line is already right, so the batch reads once and posts nothing.
    s.sb.autotask.gate.clear_requests();
    let (again, _) = s.write(&batch).await;
    assert!(again.iter().all(Result::is_ok), "{again:?}");
    let log = s.sb.autotask.gate.requests();
    assert_eq!(log.len(), 1, "one read, no writes: {log:#?}");
    for (line, _) in &batch {
        assert_eq!(s.adjustments_to(line), 1, "still one adjustment per line");
    }
}

#[tokio::test]
async fn lost_answers_in_a_batch_are_settled_by_reading_never_by_resending_blindly() {
    let s = setup().await;
    let batch: Vec<(BillingLine, i64)> = s.lines[..6]
        .iter()
        .map(|l| (l.clone(), l.quantity + 2))
        .collect();
    // Three of the six POSTs lose their exchange: two land and lose the answer (504, cut-off
    // body), one never arrives. Which line meets which depends on arrival order.
    s.drop_next(&[
        DropMode::GatewayTimeout,
        DropMode::LostRequest,
        DropMode::Truncated,
    ]);
    s.sb.autotask.gate.clear_requests();
    let (results, sent) = s.write(&batch).await;
    assert_eq!(
        sent,
        (0..6).collect::<Vec<_>>(),
        "each write reported sent once, resend or not"
    );
    for ((line, want), got) in batch.iter().zip(&results) {
        assert_eq!(got.as_ref().map(|r| r.quantity), Ok(*want), "{line:?}");
        assert_eq!(
            s.units(line),
            Some(*want),
            "billed exactly the desired units"
        );
        assert_eq!(
            s.adjustments_to(line),
            1,
            "exactly one adjustment landed for contract service {}",
            csid(line)
        );
    }
    let log = s.sb.autotask.gate.requests();
    assert_eq!(
        log.iter().filter(|r| is_adjustment(r)).count(),
        7,
        "six POSTs, and one more only for the request that never arrived"
    );
    assert_eq!(
        log.iter().filter(|r| is_units_query(r)).count(),
        3,
        "before, after, and after the one resend"
    );
}

#[tokio::test]
async fn one_bad_write_does_not_spoil_its_batch() {
    let s = setup().await;
    let mut batch: Vec<(BillingLine, i64)> = s.lines[..4]
        .iter()
        .map(|l| (l.clone(), l.quantity + 1))
        .collect();
    // A negative quantity, the same line twice, and a line already at its quantity.
    batch[1].1 = -5;
    batch.push(batch[0].clone());
    batch[3].1 = batch[3].0.quantity;
    let (results, sent) = s.write(&batch).await;
    assert_eq!(
        sent,
        (0..5).collect::<Vec<_>>(),
        "refused and unneeded writes count as sent"
    );
    assert_eq!(results.len(), 5);
    assert_eq!(
        results[0].as_ref().map(|r| r.quantity),
        Ok(batch[0].0.quantity + 1)
    );
    assert!(
        matches!(&results[1], Err(PsaError::Rejected { message, .. }) if message.contains("-5 units")),
        "{:?}",
        results[1]
    );
    assert_eq!(
        results[2].as_ref().map(|r| r.quantity),
        Ok(batch[2].0.quantity + 1)
    );
    assert_eq!(
        results[3].as_ref().map(|r| r.quantity),
        Ok(batch[3].0.quantity)
    );
    assert!(
        matches!(&results[4], Err(PsaError::InvalidConfig(m)) if m.contains("twice")),
        "{:?}",
        results[4]
    );
    assert_eq!(
        s.adjustments_to(&batch[0].0),
        1,
        "the repeated line is written once"
    );
    assert_eq!(s.adjustments_to(&batch[1].0), 0);
    assert_eq!(
        s.adjustments_to(&batch[3].0),
        0,
        "nothing posted when already right"
    );
    assert_eq!(s.units(&batch[1].0), Some(batch[1].0.quantity));
}

#[tokio::test]
async fn a_failed_read_before_the_batch_sends_nothing() {
    let s = setup().await;
    let batch: Vec<(BillingLine, i64)> = s.lines[..3]
        .iter()
        .map(|l| (l.clone(), l.quantity + 1))
        .collect();
    // Every attempt at the units read fails (the client retries 503s a few times).
    s.sb.autotask.gate.force_faults(50);
    let (results, _) = s.write(&batch).await;
    s.sb.autotask.gate.force_faults(0);
    for r in &results {
        assert!(
            matches!(r, Err(PsaError::Remote { .. } | PsaError::Unreachable(_))),
            "{r:?}"
        );
    }
    for (line, _) in &batch {
        assert_eq!(
            s.adjustments_to(line),
            0,
            "no adjustment without a fresh read"
        );
    }
}

#[tokio::test]
async fn a_saturated_autotask_stops_the_rest_of_the_batch() {
    let s = setup().await;
    let batch: Vec<(BillingLine, i64)> = s.lines[..20]
        .iter()
        .map(|l| (l.clone(), l.quantity + 1))
        .collect();
    // The units read before the batch goes through; from then on every request is refused 429.
    s.sb.autotask.gate.saturate_after(Some(1));
    s.sb.autotask.gate.clear_requests();
    let (results, _) = s.write(&batch).await;
    s.sb.autotask.gate.saturate_after(None);
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(PsaError::RateLimited { .. }))),
        "{results:?}"
    );
    // Three POSTs are in flight at once; each one refused admits the next until the third refusal,
    // so between three and five lines are tried (depending on which answer comes first), never more.
    let not_sent = results
        .iter()
        .filter(|r| matches!(r, Err(e) if e.to_string().starts_with("Not sent")))
        .count();
    assert!(
        (15..=17).contains(&not_sent),
        "after three refused in a row, the rest is not sent ({not_sent} not sent): {results:?}"
    );
    let posted: HashSet<i64> =
        s.sb.autotask
            .gate
            .requests()
            .iter()
            .filter(|r| is_adjustment(r))
            .filter_map(|r| r.body["contractServiceID"].as_i64())
            .collect();
    assert_eq!(
        posted.len(),
        20 - not_sent,
        "exactly the lines not marked 'Not sent' reached Autotask"
    );
    for (line, _) in &batch {
        assert_eq!(s.adjustments_to(line), 0);
        assert_eq!(s.units(line), Some(line.quantity), "nothing changed");
    }
}
