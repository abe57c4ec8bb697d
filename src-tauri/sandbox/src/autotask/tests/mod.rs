//! The simulated Autotask's own tests, by part; the server harness is here.

use std::collections::HashSet;
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::meta::{Entity, CONTRACT_BLOCK_HOURS, CONTRACT_RECURRING, STATUS_INACTIVE};
use super::query::{compile, Cursor};
use super::time::{parse_utc, TenantTimeZone};
use super::*;
use crate::seed::{Quirk, World};

pub(super) struct Srv {
    pub(super) base: String,
    zone: String,
    handle: Handle,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Srv {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_with(world: &World, behaviour: Behaviour) -> Srv {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (router, handle) = router(world, &behaviour, &base, TenantTimeZone::new_york());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    Srv {
        base,
        zone: handle.demo.zone_url.clone(),
        handle,
        http: reqwest::Client::new(),
        task,
    }
}

pub(super) async fn start() -> Srv {
    start_with(&World::new(42, 14, 320), Behaviour::default()).await
}

fn auth(rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    rb.header("UserName", DEMO_USERNAME)
        .header("Secret", DEMO_SECRET)
        .header("ApiIntegrationCode", DEMO_INTEGRATION_CODE)
}

impl Srv {
    fn url(&self, rel: &str) -> String {
        format!("{}V1.0/{rel}", self.zone)
    }
    pub(super) async fn post(&self, rel: &str, body: Value) -> (u16, Value) {
        let r = auth(self.http.post(self.url(rel)))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    pub(super) async fn get(&self, rel: &str) -> (u16, Value) {
        let r = auth(self.http.get(self.url(rel))).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    fn today(&self) -> NaiveDate {
        self.handle.state.lock().unwrap().time_zone.today()
    }
    /// The live Recurring Service contract of customer 0 and its first line.
    fn first_line(&self, world: &World) -> (i64, i64) {
        let s = self.handle.state.lock().unwrap();
        let company = s.company_id(&world.customers[0].name).unwrap();
        let contract = s.contracts_of(company)[0]["id"].as_i64().unwrap();
        let line = s.lines_of(contract)[0]["id"].as_i64().unwrap();
        (contract, line)
    }
}

fn noon(d: NaiveDate) -> String {
    format!("{d}T12:00:00Z")
}

mod adjustments;
mod limits;
mod pure;
mod reads;
