//! Contract check: every kind of request the client sends is validated against the vendor's
//! (reduced) OpenAPI spec by `shared/reference/specs/validate_requests.py`.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use mockito::Matcher;

use super::{fixture, Harness};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingLine, LineKey, Psa};

/// `shared/` sits beside the repository (locally and in CI).
const SPEC_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/specs");

#[tokio::test]
async fn requests_match_the_vendor_spec() {
    let validator = Path::new(SPEC_DIR).join("validate_requests.py");
    let spec = Path::new(SPEC_DIR).join("connectwise.reduced.json");
    if !validator.exists() || !spec.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} not found: CI must validate requests",
            validator.display()
        );
        println!("SKIPPED: {} not found", validator.display());
        return;
    }
    let ready = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output();
    if !ready.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with jsonschema is missing: CI must validate requests"
        );
        println!("SKIPPED: python3 with jsonschema is not installed (pip install jsonschema)");
        return;
    }

    let mut h = Harness::new().await;
    let _d = h
        .server
        .mock("GET", "/login/companyinfo/contoso")
        .with_body(fixture!("companyinfo.json"))
        .create_async()
        .await;
    let routes = [
        ("GET", "/system/info", fixture!("system_info.json")),
        (
            "GET",
            "/company/companies",
            fixture!("companies_page1.json"),
        ),
        ("GET", "/procurement/catalog", fixture!("catalog.json")),
        ("GET", "/finance/agreements", fixture!("agreements.json")),
        (
            "GET",
            "/finance/agreements/1033/additions",
            fixture!("additions_1033.json"),
        ),
        (
            "GET",
            "/finance/agreements/1034/additions",
            fixture!("additions_1034.json"),
        ),
        (
            "GET",
            "/finance/agreements/1040/additions",
            fixture!("additions_1040.json"),
        ),
        (
            "GET",
            "/finance/agreements/1041/additions",
            fixture!("additions_1041.json"),
        ),
        (
            "PATCH",
            "/finance/agreements/1033/additions/5521",
            fixture!("addition_5521.json"),
        ),
    ];
    let mut mocks = Vec::new();
    for (method, path, body) in routes {
        mocks.push(
            h.api(method, path)
                .match_query(Matcher::Any)
                .with_body(body)
                .create_async()
                .await,
        );
    }
    let run = async {
        h.client.check().await?;
        h.client.list_companies(None).await?;
        h.client.list_companies(Some("O'Brien \"Dental\"")).await?;
        h.client.list_products(Some("EDR")).await?;
        h.client
            .read_billing(
                &[CompanyRef(250), CompanyRef(251)],
                &[ProductRef(812), ProductRef(813)],
            )
            .await?;
        let line = BillingLine {
            company: CompanyRef(250),
            product: ProductRef(812),
            key: LineKey::Connectwise {
                agreement_id: 1033,
                addition_id: 5521,
            },
            quantity: 37,
            container_name: "x".into(),
            unit_price_cents: None,
        };
        h.client.set_quantity(&line, 42).await
    };
    if let Err(e) = run.await {
        panic!("scenario failed: {e}");
    }

    let requests = h.requests();
    assert_eq!(requests.len(), 10, "{requests:#?}");
    let mut log = tempfile::NamedTempFile::new().unwrap();
    for r in &requests {
        writeln!(log, "{r}").unwrap();
    }
    log.flush().unwrap();
    let out = Command::new("python3")
        .arg(&validator)
        .arg(&spec)
        .arg(log.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "validator reported violations:\n{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("10 requests, 0 violations"),
        "{stdout}"
    );
}
