//! The tenant's time zone end to end, against the sandbox's Autotask over loopback with its
//! database at UTC+13 (Pacific/Tongatapu): with the connector's zone right, "today" is the
//! tenant's day and the adjustment lands on it; with the zone left at UTC, the landing check
//! sees the adjustment on another day than the one meant.

use chrono::NaiveDate;

use crate::csid;
use psa_bridge::autotask::landing::Landing;
use psa_bridge::autotask::tz::TenantZone;
use psa_bridge::autotask::AutotaskClient;
use psa_bridge::autotask::Tally;
use psa_bridge::psa::{BillingLine, Psa};
use psa_bridge::sandbox::autotask::TenantTimeZone;
use psa_bridge::sandbox::{self, Sandbox, SandboxOptions};

const TONGA: &str = "Pacific/Tongatapu";

async fn tenant_at_plus_13() -> Sandbox {
    sandbox::start(SandboxOptions {
        autotask_time_zone: TenantTimeZone::parse(TONGA).unwrap(),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A client of the sandbox's tenant with the connector's zone `zone`; `today` overrides the
/// client's own (the zone's day now).
fn client(sb: &Sandbox, zone: &str, today: Option<NaiveDate>) -> AutotaskClient {
    crate::client_with(sb, Some(TenantZone::parse(zone).unwrap()), today)
}

/// Lines billed on `day` (one line per company × service), by contract service id.
async fn lines(client: &AutotaskClient, day: NaiveDate) -> Vec<BillingLine> {
    let out = crate::billed_lines(client, day).await;
    assert!(out.len() >= 3, "the sandbox bills lines: {}", out.len());
    out
}

fn tenant_today(sb: &Sandbox) -> NaiveDate {
    sb.autotask.state.lock().unwrap().time_zone.today()
}

#[tokio::test]
async fn with_the_zone_right_the_adjustment_lands_on_the_tenants_today() {
    let sb = tenant_at_plus_13().await;
    let c = client(&sb, TONGA, None);
    // The client's own "today" is the +13 tenant's (not the UTC or machine day).
    let today = c.today();
    assert_eq!(today, tenant_today(&sb));
    let line = lines(&c, today).await.remove(0);
    let receipt = c.set_quantity(&line, line.quantity + 2).await.unwrap();
    assert_eq!(receipt.quantity, line.quantity + 2);
    {
        let s = sb.autotask.state.lock().unwrap();
        let a = s.adjustments.last().expect("one adjustment");
        assert_eq!(
            (a.contract_service_id, a.effective_local_date),
            (csid(&line), today),
            "sent {}",
            a.effective_date
        );
        assert_eq!(s.units_on(csid(&line), today), Some(line.quantity + 2));
    }
    let landing = c
        .check_landing(csid(&line), today, None, &Tally::default())
        .await
        .unwrap();
    assert_eq!(landing, Landing::Landed);
}

#[tokio::test]
async fn with_the_zone_left_at_utc_the_landing_check_sees_another_day() {
    let sb = tenant_at_plus_13().await;
    let t = tenant_today(&sb);
    let yesterday = t.pred_opt().unwrap();
    let all = lines(&client(&sb, TONGA, Some(t)), t).await;
    // A UTC connector's "today": the tenant's day (00:00–11:00 UTC) or the day before it
    // (11:00–24:00 UTC, when the two calendars differ). Noon UTC is 01:00 the next day at +13.
    let cases = [(yesterday, t), (t, t.succ_opt().unwrap())];
    for (i, (intended, landed)) in cases.into_iter().enumerate() {
        let c = client(&sb, "UTC", Some(intended));
        for with_before in [false, true] {
            let line = &all[i * 2 + usize::from(with_before)];
            let id = csid(line);
            let before = c
                .unit_periods(&[id], intended, &Tally::default())
                .await
                .unwrap();
            // Whatever the write path makes of it, the adjustment is stored on `landed`.
            let _ = c.set_quantity_on(line, line.quantity + 1, intended).await;
            let stored = sb
                .autotask
                .state
                .lock()
                .unwrap()
                .adjustments
                .iter()
                .find(|a| a.contract_service_id == id)
                .map(|a| a.effective_local_date);
            assert_eq!(stored, Some(landed), "intended {intended}");
            let landing = c
                .check_landing(
                    id,
                    intended,
                    with_before.then_some(before.as_slice()),
                    &Tally::default(),
                )
                .await
                .unwrap();
            assert_eq!(
                landing,
                Landing::LandedOn(landed),
                "intended {intended}, with the rows before: {with_before}"
            );
            let err = c
                .ensure_landed(id, intended, Some(&before), &Tally::default())
                .await
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("check the connector's time zone (now UTC)"),
                "{err}"
            );
        }
    }
}
