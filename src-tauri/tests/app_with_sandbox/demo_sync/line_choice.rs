//! ConnectWise line choice (issue 9, item 4), end to end: the sandbox tenant is edited between
//! set-up and the run the way ConnectWise data goes wrong — an agreement still `Active` whose
//! end date has passed, an addition whose quantity is null.

use serde_json::Value;

use super::{connected, needs_change, Connected, Pair};
use psa_bridge::sync::Action;

/// The raw addition `id` as the sandbox holds it.
fn raw_addition(w: &Connected, id: i64) -> Value {
    let st = w.sb.connectwise.state.lock().expect("cw state");
    st.additions
        .iter()
        .find(|a| a["id"].as_i64() == Some(id))
        .cloned()
        .expect("addition")
}

fn plan_item<'a>(
    result: &'a psa_bridge::sync::RunResult,
    p: &Pair,
) -> &'a psa_bridge::sync::PlanItem {
    result
        .plan
        .items
        .iter()
        .find(|i| i.workspace_id.0 == p.workspace && i.service_key == p.service)
        .expect("plan item")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agreement_past_its_end_date_is_not_written() {
    let w = connected().await;
    let target = needs_change(&w.pairs());
    let (agreement, addition, before) = target.line.unwrap_or_default();
    let yesterday = (chrono::Utc::now() - chrono::TimeDelta::days(1))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string();
    {
        let mut st = w.sb.connectwise.state.lock().expect("cw state");
        let a = st
            .agreements
            .iter_mut()
            .find(|a| a["id"].as_i64() == Some(agreement))
            .expect("agreement");
        // Still "Active": ConnectWise's status lags the date (reference §11.8).
        a["endDate"] = Value::from(yesterday);
        a["noEndingDateFlag"] = Value::from(false);
    }
    let result = w.sync().await;
    assert_eq!(
        raw_addition(&w, addition)["quantity"].as_f64(),
        Some(before as f64),
        "the ended agreement's line was written"
    );
    let item = plan_item(&result, &target);
    assert_eq!(item.action, Action::Skip, "{:?}", item.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_addition_without_quantity_is_never_read_as_zero() {
    let w = connected().await;
    let target = needs_change(&w.pairs());
    let (_, addition, _) = target.line.unwrap_or_default();
    {
        let mut st = w.sb.connectwise.state.lock().expect("cw state");
        let a = st
            .additions
            .iter_mut()
            .find(|a| a["id"].as_i64() == Some(addition))
            .expect("addition");
        a["quantity"] = Value::Null;
    }
    let result = w.sync().await;
    assert!(
        raw_addition(&w, addition)["quantity"].is_null(),
        "the line without quantity was written"
    );
    let item = plan_item(&result, &target);
    assert_eq!(item.action, Action::Skip);
    let reason = item.reason.clone().unwrap_or_default();
    assert!(reason.contains("has no quantity"), "{reason}");
}
