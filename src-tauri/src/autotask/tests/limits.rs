//! The thread limit: a slow loopback server counts requests in flight while many operations of
//! one client run at once (mockito answers under a lock, so it cannot measure concurrency). The
//! server is plain hyper (what mockito itself runs on), so the core's tests need no web framework.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{header, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::task::JoinSet;

use super::{fixture, CODE, SECRET, USER};
use crate::autotask::{AutotaskClient, AutotaskConfig, ClientOptions, MAX_IN_FLIGHT};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::Psa;
use crate::secrets::Sensitive;

#[derive(Default)]
struct Gauge {
    now: AtomicU32,
    max: AtomicU32,
    total: AtomicU32,
}

/// Answers zone lookups at once and every API call after 30 ms, counting concurrency.
async fn slow_server(gauge: Arc<Gauge>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let zone =
        json!({"zoneName":"Loopback","url":format!("{base}/atservicesrest/"),"webUrl":null,"ci":1})
            .to_string();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (gauge, zone) = (gauge.clone(), zone.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let (gauge, zone) = (gauge.clone(), zone.clone());
                    async move {
                        let body = answer(&gauge, zone, req.uri().path()).await;
                        Response::builder()
                            .header(header::CONTENT_TYPE, "application/json")
                            .body(Full::new(Bytes::from(body)))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    base
}

/// The zone lookup at once; any other call after 30 ms, counted while it waits.
async fn answer(gauge: &Gauge, zone: String, path: &str) -> String {
    let path = path.to_ascii_lowercase();
    if path.ends_with("/zoneinformation") {
        return zone;
    }
    let running = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
    gauge.max.fetch_max(running, Ordering::SeqCst);
    gauge.total.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(30)).await;
    gauge.now.fetch_sub(1, Ordering::SeqCst);
    if path.ends_with("/services/query") {
        fixture("services.json")
    } else if path.ends_with("/thresholdinformation") {
        fixture("threshold_information.json")
    } else {
        fixture("empty_page.json")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn never_more_than_three_requests_in_flight() {
    let gauge = Arc::new(Gauge::default());
    let base = slow_server(gauge.clone()).await;
    let mut cfg = AutotaskConfig::new(USER, CODE);
    cfg.discovery_url = base;
    let opts = ClientOptions {
        today: Some(Arc::new(super::today)),
        ..ClientOptions::default()
    };
    let client =
        AutotaskClient::with_options(cfg, Sensitive::new(SECRET.to_string()), opts).unwrap();

    let mut set = JoinSet::new();
    for _ in 0..8 {
        let c = client.clone();
        set.spawn(async move { c.list_products(None).await.map(|p| p.len()) });
    }
    // 2,000 companies: five contract queries the client itself runs in parallel.
    let c = client.clone();
    set.spawn(async move {
        let companies: Vec<CompanyRef> = (1..=2_000).map(CompanyRef).collect();
        c.read_billing(&companies, &[ProductRef(1)])
            .await
            .map(|s| s.requests as usize)
    });
    let mut results = Vec::new();
    while let Some(r) = set.join_next().await {
        results.push(r.unwrap().unwrap());
    }
    assert_eq!(
        results.iter().filter(|n| **n == 2).count(),
        8,
        "{results:?}"
    );
    assert_eq!(
        gauge.max.load(Ordering::SeqCst) as usize,
        MAX_IN_FLIGHT,
        "peak concurrency"
    );
    // 8 service queries + threshold + 5 contract chunks; the one zone lookup is not gauged.
    assert_eq!(gauge.total.load(Ordering::SeqCst), 14);
}
