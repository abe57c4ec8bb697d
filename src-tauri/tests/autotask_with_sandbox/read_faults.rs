//! The billing read against the sandbox's Autotask over loopback, with one chunk of a batched
//! `in` query failing every time (issue 9): only the companies that chunk covered are
//! unreadable, every other pair reads exactly as without the fault, and an error no request can
//! get past still fails the whole read.

use std::collections::HashMap;

use serde_json::{json, Value};

use psa_bridge::autotask::AutotaskClient;
use psa_bridge::model::{CompanyRef, ProductRef};
use psa_bridge::psa::{LineKey, LineLookup, Psa, PsaError};
use psa_bridge::sandbox::{self, Sandbox, SandboxOptions};

type Lines = HashMap<(CompanyRef, ProductRef), LineLookup>;

struct Setup {
    sb: Sandbox,
    client: AutotaskClient,
    companies: Vec<CompanyRef>,
    products: Vec<ProductRef>,
    today: chrono::NaiveDate,
    /// The read with no fault armed.
    clean: Lines,
}

/// A tenant of 1,000 companies (the contracts read takes three `in` chunks of 400 ids); with
/// enough `workspaces`, more than 400 billed lines (the units read takes two chunks).
async fn setup(workspaces: usize) -> Setup {
    let options = SandboxOptions {
        workspaces,
        companies: 1_000,
        ..SandboxOptions::default()
    };
    let sb = sandbox::start(options).await.expect("sandbox");
    let (client, today) = crate::sandbox_client(&sb);
    let companies: Vec<CompanyRef> = (client.list_companies(None).await.expect("companies"))
        .into_iter()
        .map(|c| c.id)
        .collect();
    let products: Vec<ProductRef> = (client.list_products(None).await.expect("products"))
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert!(companies.len() > 800, "{} companies", companies.len());
    let clean = client
        .read_billing_on(&companies, &products, today)
        .await
        .expect("clean read")
        .lines;
    Setup {
        sb,
        client,
        companies,
        products,
        today,
        clean,
    }
}

impl Setup {
    async fn arm(&self, body: Value) {
        let resp = reqwest::Client::new()
            .post(format!(
                "{}/_sandbox/route-faults",
                self.sb.info.autotask.url
            ))
            .json(&body)
            .send()
            .await
            .expect("control");
        assert!(resp.status().is_success(), "{body}: {}", resp.status());
    }

    async fn read(&self) -> Result<Lines, PsaError> {
        let state = self
            .client
            .read_billing_on(&self.companies, &self.products, self.today)
            .await?;
        Ok(state.lines)
    }

    /// Billed lines of the clean read: (company, contract service id), sorted by line id.
    fn billed(&self) -> Vec<(CompanyRef, i64)> {
        let mut out: Vec<(CompanyRef, i64)> = self
            .clean
            .iter()
            .filter_map(|((c, _), l)| match l {
                LineLookup::One { line } => match line.key {
                    LineKey::Autotask {
                        contract_service_id,
                        ..
                    } => Some((*c, contract_service_id)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        out.sort_by_key(|(_, id)| *id);
        out
    }
}

/// Every pair of `hit` is unreadable with `why` in its reason; every other pair reads as clean.
fn only_these_unreadable(s: &Setup, after: &Lines, hit: &[CompanyRef], why: &str) -> usize {
    assert_eq!(after.len(), s.clean.len());
    let mut unreadable = 0;
    for (pair, lookup) in after {
        if hit.contains(&pair.0) {
            match lookup {
                LineLookup::Unreadable { reason } => {
                    assert!(reason.contains(why), "{reason}");
                    unreadable += 1;
                }
                other => panic!("{pair:?} should be unreadable: {other:?}"),
            }
        } else {
            assert_eq!(Some(lookup), s.clean.get(pair), "{pair:?}");
        }
    }
    unreadable
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contracts_chunk_that_keeps_failing_skips_only_its_companies() {
    let s = setup(14).await;
    let (company, _) = *s.billed().last().expect("billed lines");
    s.arm(json!({"path": "/V1.0/Contracts/query", "kind": "unavailable", "containsId": company.0}))
        .await;
    let after = s.read().await.expect("a partial read, not an error");
    // The chunk holds every company id in the same run of 400 sorted ids.
    let mut ids: Vec<i64> = s.companies.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    let chunk: Vec<CompanyRef> = ids
        .chunks(400)
        .find(|c| c.contains(&company.0))
        .expect("chunk")
        .iter()
        .map(|&id| CompanyRef(id))
        .collect();
    assert!(chunk.len() < s.companies.len(), "more than one chunk");
    let n = only_these_unreadable(&s, &after, &chunk, "contracts could not be read");
    assert_eq!(n, chunk.len() * s.products.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_units_chunk_that_keeps_failing_skips_only_the_companies_of_its_lines() {
    let s = setup(300).await;
    let billed = s.billed();
    assert!(
        billed.len() > 400,
        "{} billed lines: one units chunk only",
        billed.len()
    );
    let (_, line) = billed[0];
    s.arm(
        json!({"path": "/V1.0/ContractServiceUnits/query", "kind": "truncate", "containsId": line}),
    )
    .await;
    let after = s.read().await.expect("a partial read, not an error");
    let hit: Vec<CompanyRef> = after
        .iter()
        .filter(|(_, l)| matches!(l, LineLookup::Unreadable { .. }))
        .map(|((c, _), _)| *c)
        .collect();
    assert!(hit.contains(&billed[0].0), "the faulted line's company");
    let last = billed.last().expect("lines").0;
    assert!(!hit.contains(&last), "a company read in another chunk");
    only_these_unreadable(&s, &after, &hit, "units of Autotask contract");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_where_every_chunk_fails_is_one_error_and_keys_still_fail_everything() {
    let s = setup(14).await;
    s.arm(json!({"path": "/V1.0/Contracts/query", "kind": "unavailable", "next": null}))
        .await;
    let err = s.read().await.expect_err("nothing could be read");
    assert!(matches!(err, PsaError::Remote { .. }), "{err:?}");

    let resp = reqwest::Client::new()
        .delete(format!("{}/_sandbox/route-faults", s.sb.info.autotask.url))
        .send()
        .await
        .expect("control");
    assert!(resp.status().is_success());
    // Contracts hidden from the API user (a permission answer) fail the whole read.
    let resp = reqwest::Client::new()
        .post(format!("{}/_sandbox/access", s.sb.info.autotask.url))
        .json(&json!({"username": s.sb.info.autotask.username, "contracts": "forbidden"}))
        .send()
        .await
        .expect("control");
    assert!(resp.status().is_success());
    let err = s
        .read()
        .await
        .expect_err("a permission error fails everything");
    assert!(err.concerns_every_request(), "{err:?}");
}
