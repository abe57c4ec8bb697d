//! The Autotask client against the in-process simulated Autotask (`psa-bridge-sandbox`, the
//! `demo` feature) over loopback: batched writes, read faults and the tenant's time zone. The
//! client's single requests are unit tests against mockito in `src/autotask/tests/`.

mod batch;
mod read_faults;
mod time_zone;

/// The recorded requests checked against the reduced Swagger, the same check the mockito tests
/// use (one file, included by path).
#[path = "../../src/autotask/tests/spec_check.rs"]
#[allow(dead_code)] // `run_validator` is used only by the unit tests' own check of the validator
mod spec_check;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use psa_bridge::autotask::tz::TenantZone;
use psa_bridge::autotask::{AutotaskClient, AutotaskConfig, ClientOptions, TodayFn};
use psa_bridge::model::{CompanyRef, ProductRef};
use psa_bridge::psa::{BillingLine, LineKey, LineLookup, Psa};
use psa_bridge::sandbox::Sandbox;
use psa_bridge::secrets::Sensitive;

/// A client for the sandbox's Autotask with no retry pauses, and the tenant's "today" (which the
/// client is given as its own).
fn sandbox_client(sb: &Sandbox) -> (AutotaskClient, NaiveDate) {
    let today = sb.autotask.state.lock().expect("state").today;
    (client_with(sb, None, Some(today)), today)
}

/// A client for the sandbox's Autotask with no retry pauses: the connector's time zone `zone`
/// (none: the client's default), and `today` replacing the client's own day when given.
fn client_with(sb: &Sandbox, zone: Option<TenantZone>, today: Option<NaiveDate>) -> AutotaskClient {
    let at = &sb.info.autotask;
    let mut cfg = AutotaskConfig::new(&at.username, &at.integration_code);
    cfg.zone_url = Some(at.zone_url.clone());
    cfg.time_zone = zone;
    let opts = ClientOptions {
        today: today.map(|d| Arc::new(move || d) as TodayFn),
        verify_settle: Some(Duration::ZERO),
        max_retry_pause: Some(Duration::from_millis(5)),
    };
    AutotaskClient::with_options(cfg, Sensitive::new(at.secret.clone()), opts).expect("client")
}

/// The contract service id of an Autotask line.
fn csid(line: &BillingLine) -> i64 {
    match line.key {
        LineKey::Autotask {
            contract_service_id,
            ..
        } => contract_service_id,
        LineKey::Connectwise { .. } => unreachable!("an Autotask line"),
    }
}

/// The lines the billing read finds billed on `day` with exactly one line per company ×
/// product, over every company and product the client lists, by contract service id.
async fn billed_lines(client: &AutotaskClient, day: NaiveDate) -> Vec<BillingLine> {
    let companies: Vec<CompanyRef> = client
        .list_companies(None)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let products: Vec<ProductRef> = client
        .list_products(None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let state = client
        .read_billing_on(&companies, &products, day)
        .await
        .unwrap();
    let mut lines: Vec<BillingLine> = state
        .lines
        .into_values()
        .filter_map(|l| match l {
            LineLookup::One { line } => Some(line),
            _ => None,
        })
        .collect();
    lines.sort_by_key(csid);
    lines
}
