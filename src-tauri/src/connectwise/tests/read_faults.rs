//! Reads that fail transiently (issue 9, item 1): a `200` whose body is cut off, a 503. Each is
//! sent again with back-off; when one keeps failing, only the companies that read covered are
//! [`LineLookup::Unreadable`] and every other pair is read as usual.

use mockito::{Matcher, Mock};

use super::{fixture, Harness};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingState, LineLookup, Psa, PsaError};

const COMPANIES: [CompanyRef; 2] = [CompanyRef(250), CompanyRef(251)];
const PRODUCTS: [ProductRef; 2] = [ProductRef(812), ProductRef(813)];

/// The first half of `body`: what a connection cut mid-answer delivers with a `200`.
fn cut(body: &str) -> String {
    body[..body.len() / 2].to_string()
}

async fn agreements(h: &mut Harness) -> Mock {
    h.api("GET", "/finance/agreements")
        .match_query(Matcher::Any)
        .with_body(fixture!("agreements.json"))
        .expect(1)
        .create_async()
        .await
}

/// The additions of agreement `id`: first `bad` answers with status `status` and a cut-off
/// body, then (when `then_good`) the fixture.
async fn additions(
    h: &mut Harness,
    id: i64,
    body: &str,
    (status, bad): (usize, usize),
    then_good: bool,
) -> Vec<Mock> {
    let path = format!("/finance/agreements/{id}/additions");
    let mut mocks = Vec::new();
    if bad > 0 {
        let m = h
            .api("GET", &path)
            .match_query(Matcher::Any)
            .with_status(status)
            .with_body(cut(body))
            .expect(bad)
            .create_async()
            .await;
        mocks.push(m);
    }
    if then_good {
        let m = h
            .api("GET", &path)
            .match_query(Matcher::Any)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        mocks.push(m);
    }
    mocks
}

/// What [`read_with`] read, the mocks to check, and the server they live on.
type Read = (Result<BillingState, PsaError>, Vec<Mock>, Harness);

/// Agreements answered, additions of 1033 / 1034 (company 250) and 1040 / 1041 (company 251)
/// per `faults` (agreement id → (status, bad answers, then good)).
async fn read_with(faults: &[(i64, (usize, usize), bool)]) -> Read {
    let mut h = Harness::new().await;
    let mut mocks = vec![h.discovery().await, agreements(&mut h).await];
    let bodies = [
        (1033, fixture!("additions_1033.json")),
        (1034, fixture!("additions_1034.json")),
        (1040, fixture!("additions_1040.json")),
        (1041, fixture!("additions_1041.json")),
    ];
    for (id, body) in bodies {
        let (bad, good) = faults
            .iter()
            .find(|(f, _, _)| *f == id)
            .map(|(_, bad, good)| (*bad, *good))
            .unwrap_or(((200, 0), true));
        mocks.extend(additions(&mut h, id, body, bad, good).await);
    }
    let state = h.client.read_billing(&COMPANIES, &PRODUCTS).await;
    (state, mocks, h)
}

fn lookup(state: &BillingState, c: i64, p: i64) -> &LineLookup {
    match state.lines.get(&(CompanyRef(c), ProductRef(p))) {
        Some(l) => l,
        None => panic!("no decision for ({c}, {p})"),
    }
}

#[tokio::test]
async fn a_truncated_additions_page_is_read_again() {
    let (state, mocks, _h) = read_with(&[(1033, (200, 1), true)]).await;
    let state = state.unwrap_or_else(|e| panic!("the read must survive one cut-off body: {e}"));
    for m in mocks {
        m.assert_async().await;
    }
    match lookup(&state, 250, 812) {
        LineLookup::One { line } => assert_eq!(line.quantity, 37),
        other => panic!("{other:?}"),
    }
    assert!(state
        .lines
        .values()
        .all(|l| !matches!(l, LineLookup::Unreadable { .. })));
}

#[tokio::test]
async fn additions_that_stay_unreadable_affect_only_their_company() {
    // Agreement 1040 (company 251) answers a cut-off 200 to every try; 1041 (also 251) is fine.
    let (state, mocks, _h) = read_with(&[(1040, (200, 4), false)]).await;
    let state = state.unwrap_or_else(|e| panic!("one company's read must not fail the rest: {e}"));
    for m in mocks {
        m.assert_async().await;
    }
    for p in [812, 813] {
        match lookup(&state, 251, p) {
            LineLookup::Unreadable { reason } => {
                assert!(reason.contains("agreement 1040"), "{reason}");
                assert!(reason.contains("the same after 4 tries"), "{reason}");
            }
            other => panic!("251/{p}: {other:?}"),
        }
    }
    match lookup(&state, 250, 812) {
        LineLookup::One { line } => assert_eq!(line.quantity, 37),
        other => panic!("{other:?}"),
    }
    assert!(!matches!(
        lookup(&state, 250, 813),
        LineLookup::Unreadable { .. }
    ));
}

#[tokio::test]
async fn a_5xx_that_persists_affects_only_its_company() {
    let (state, mocks, _h) = read_with(&[(1041, (503, 4), false)]).await;
    let state = state.unwrap_or_else(|e| panic!("{e}"));
    for m in mocks {
        m.assert_async().await;
    }
    assert!(
        matches!(lookup(&state, 251, 812), LineLookup::Unreadable { reason } if reason.contains("503"))
    );
    assert!(matches!(lookup(&state, 250, 812), LineLookup::One { .. }));
}

#[tokio::test]
async fn rejected_keys_still_fail_the_whole_read() {
    let (state, _mocks, _h) = read_with(&[(1040, (401, 1), false)]).await;
    assert!(matches!(state, Err(PsaError::Unauthorized(_))), "{state:?}");
}

#[tokio::test]
async fn a_failed_agreements_chunk_affects_only_its_companies() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    // The first chunk (it starts at company 10000) keeps failing; the others answer.
    let failing = h
        .api("GET", "/finance/agreements")
        .match_query(Matcher::Regex("in%20%2810000%2C".into()))
        .with_status(503)
        .expect(4)
        .create_async()
        .await;
    let _rest = h
        .api("GET", "/finance/agreements")
        .match_query(Matcher::Any)
        .with_body("[]")
        .create_async()
        .await;
    let companies: Vec<CompanyRef> = (10_000..10_400).map(CompanyRef).collect();
    let state = match h.client.read_billing(&companies, &[ProductRef(812)]).await {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    failing.assert_async().await;
    let first = h.requests()[0]["query"]["conditions"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (mut unreadable, mut read) = (0, 0);
    for c in &companies {
        let in_first =
            first.contains(&format!("{}, ", c.0)) || first.contains(&format!("{})", c.0));
        match state.lines.get(&(*c, ProductRef(812))) {
            Some(LineLookup::Unreadable { reason }) if in_first => {
                assert!(reason.contains("agreements could not be read"), "{reason}");
                unreadable += 1;
            }
            Some(LineLookup::None { .. }) if !in_first => read += 1,
            other => panic!("{} (first chunk: {in_first}): {other:?}", c.0),
        }
    }
    assert!(unreadable > 0 && read > 0, "{unreadable} / {read}");
}

#[tokio::test]
async fn nothing_readable_is_an_error() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let _a = h
        .api("GET", "/finance/agreements")
        .match_query(Matcher::Any)
        .with_status(503)
        .expect(4)
        .create_async()
        .await;
    let state = h.client.read_billing(&COMPANIES, &PRODUCTS).await;
    assert!(
        matches!(
            state,
            Err(PsaError::Remote {
                status: Some(503),
                ..
            })
        ),
        "{state:?}"
    );
}
