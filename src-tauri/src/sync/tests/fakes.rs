//! In-test fakes: a PSA holding lines in memory and recording every call (with scripted
//! failures, lost answers and hangs), a Coro usage source, and a harness on a temp store.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Barrier, Notify};

use serde_json::json;

use crate::clock::ManualClock;
use crate::error::ApiError;
use crate::model::Unit;
use crate::model::{CompanyRef, ConnectorId, ProductRef, PsaKind, WorkspaceId};
use crate::psa::{
    BillingLine, BillingState, CheckOutcome, LineKey, LineLookup, Psa, PsaCompany, PsaError,
    PsaProduct, WriteReceipt,
};
use crate::store::mappings::{self, BillingUnit, ServiceLink, WorkspaceLink};
use crate::store::testing::{at, temp_store, TempStore};
use crate::store::{connectors, runs};
use crate::sync::gather::{ServiceQuery, SourceWorkspace, UsageReport, UsageSource};
use crate::sync::{SyncEnv, SyncPolicy};

/// What the fake PSA does on one write to a line.
#[derive(Debug, Clone)]
pub enum Write {
    /// The write fails with this error and changes nothing.
    Fail(PsaError),
    /// The write lands, but its answer is lost.
    LandThenUnknown,
    /// The write lands, then the process "dies" (the future never completes).
    LandThenHang,
    /// The process "dies" before the write reaches the PSA.
    Hang,
}

#[derive(Default)]
pub struct PsaState {
    pub lines: HashMap<(CompanyRef, ProductRef), Vec<BillingLine>>,
    pub products: Vec<ProductRef>,
    /// Every write attempt: the line's addition/service id and the desired quantity.
    pub writes: Vec<(i64, i64)>,
    pub reads: u32,
    pub script: HashMap<i64, VecDeque<Write>>,
    pub read_error: Option<PsaError>,
    /// What `write_concurrency` reports (0: the trait's default of 1).
    pub write_width: usize,
    pub in_flight: usize,
    pub max_in_flight: usize,
    /// What `write_batch` reports (0: the trait's default, the write width).
    pub batch_size: usize,
    /// The size of every batch apply handed to `set_quantities`, in order.
    pub batches: Vec<usize>,
    /// `read_billing` waits here first (to prove it runs alongside the Coro read).
    pub meet: Option<Arc<Barrier>>,
    /// Each company's one agreement, where a missing line can be created.
    pub agreements: HashMap<CompanyRef, i64>,
    /// Every create: (agreement, product, quantity).
    pub creates: Vec<(i64, i64, i64)>,
    /// The next create lands but its answer is lost.
    pub lose_create: bool,
}

#[derive(Default)]
pub struct FakePsa {
    state: Mutex<PsaState>,
    /// Signalled when a scripted write reaches its hang (after landing, for `LandThenHang`).
    hung: Notify,
}

/// The line's own id (addition id / contract service id), to script and count writes by.
pub fn line_id(key: &LineKey) -> i64 {
    match key {
        LineKey::Connectwise { addition_id, .. } => *addition_id,
        LineKey::Autotask {
            contract_service_id,
            ..
        } => *contract_service_id,
    }
}

pub fn line(company: i64, product: i64, id: i64, quantity: i64) -> BillingLine {
    BillingLine {
        company: CompanyRef(company),
        product: ProductRef(product),
        key: LineKey::Connectwise {
            agreement_id: company * 100,
            addition_id: id,
        },
        quantity,
        container_name: format!("Agreement {company}"),
        unit_price_cents: None,
    }
}

impl FakePsa {
    /// Returns once a write has reached its scripted hang: the moment a test "kills" the run.
    pub async fn hung(&self) {
        self.hung.notified().await
    }

    pub fn state(&self) -> MutexGuard<'_, PsaState> {
        self.state.lock().unwrap()
    }

    pub fn add_line(&self, l: BillingLine) {
        let mut s = self.state();
        if !s.products.contains(&l.product) {
            s.products.push(l.product);
        }
        s.lines.entry((l.company, l.product)).or_default().push(l);
    }

    pub fn script(&self, id: i64, writes: impl IntoIterator<Item = Write>) {
        self.state().script.entry(id).or_default().extend(writes);
    }

    /// Changes a line's quantity behind the sync's back (someone editing the PSA).
    pub fn set_qty(&self, id: i64, quantity: i64) {
        for l in self.state().lines.values_mut().flatten() {
            if line_id(&l.key) == id {
                l.quantity = quantity;
            }
        }
    }

    pub fn qty(&self, id: i64) -> i64 {
        let s = self.state();
        let found = s.lines.values().flatten().find(|l| line_id(&l.key) == id);
        found.map(|l| l.quantity).unwrap()
    }

    pub fn writes_to(&self, id: i64) -> usize {
        self.state().writes.iter().filter(|w| w.0 == id).count()
    }

    pub fn write_count(&self) -> usize {
        self.state().writes.len()
    }
}

impl Psa for FakePsa {
    fn kind(&self) -> PsaKind {
        PsaKind::Connectwise
    }

    async fn check(&self) -> Result<CheckOutcome, PsaError> {
        Ok(CheckOutcome {
            detail: "fake".into(),
        })
    }

    async fn list_companies(&self, _: Option<&str>) -> Result<Vec<PsaCompany>, PsaError> {
        Ok(vec![])
    }

    async fn list_products(&self, _: Option<&str>) -> Result<Vec<PsaProduct>, PsaError> {
        let s = self.state();
        Ok(s.products
            .iter()
            .map(|p| PsaProduct {
                id: *p,
                name: format!("P{}", p.0),
                identifier: None,
            })
            .collect())
    }

    async fn read_billing(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> Result<BillingState, PsaError> {
        let meet = self.state().meet.clone();
        if let Some(b) = meet {
            b.wait().await;
        }
        let mut s = self.state();
        s.reads += 1;
        if let Some(e) = s.read_error.clone() {
            return Err(e);
        }
        let mut lines = HashMap::new();
        let mut new_lines = HashMap::new();
        for c in companies {
            for p in products {
                let found = s.lines.get(&(*c, *p)).cloned().unwrap_or_default();
                if let (true, Some(&agreement)) = (found.is_empty(), s.agreements.get(c)) {
                    let target = crate::psa::NewLine {
                        company: *c,
                        product: *p,
                        psa: PsaKind::Connectwise,
                        container_id: agreement,
                        container_name: format!("Agreement {agreement}"),
                    };
                    new_lines.insert((*c, *p), Ok(target));
                }
                let lookup = match found.len() {
                    0 => LineLookup::None {
                        reason: format!("company {} has no addition for product {}", c.0, p.0),
                    },
                    1 => LineLookup::One {
                        line: found[0].clone(),
                    },
                    _ => LineLookup::Many { lines: found },
                };
                lines.insert((*c, *p), lookup);
            }
        }
        Ok(BillingState {
            lines,
            new_lines,
            requests: 1,
            ..BillingState::default()
        })
    }

    fn write_concurrency(&self) -> usize {
        self.state().write_width.max(1)
    }

    fn write_batch(&self) -> usize {
        let size = self.state().batch_size;
        if size == 0 {
            self.write_concurrency()
        } else {
            size
        }
    }

    async fn create_line(
        &self,
        target: &crate::psa::NewLine,
        quantity: i64,
    ) -> Result<crate::psa::CreatedLine, PsaError> {
        let mut s = self.state();
        let id = 900 + i64::try_from(s.creates.len()).unwrap_or_default();
        s.creates
            .push((target.container_id, target.product.0, quantity));
        let key = LineKey::Connectwise {
            agreement_id: target.container_id,
            addition_id: id,
        };
        let line = BillingLine {
            company: target.company,
            product: target.product,
            key: key.clone(),
            quantity,
            container_name: target.container_name.clone(),
            unit_price_cents: None,
        };
        s.lines
            .entry((target.company, target.product))
            .or_default()
            .push(line);
        if std::mem::take(&mut s.lose_create) {
            return Err(PsaError::OutcomeUnknown("the answer was lost".into()));
        }
        Ok(crate::psa::CreatedLine {
            receipt: WriteReceipt {
                quantity,
                request_id: Some(format!("created-{id}")),
            },
            key: Some(key),
        })
    }

    async fn set_quantities(
        &self,
        writes: &[(BillingLine, i64)],
        sent: crate::psa::Sent<'_>,
    ) -> Vec<Result<WriteReceipt, PsaError>> {
        self.state().batches.push(writes.len());
        crate::psa::set_each(self, writes, sent).await
    }

    async fn set_quantity(
        &self,
        line: &BillingLine,
        desired: i64,
    ) -> Result<WriteReceipt, PsaError> {
        {
            let mut s = self.state();
            s.in_flight += 1;
            s.max_in_flight = s.max_in_flight.max(s.in_flight);
        }
        // An await point, as a real request has: writes sent together overlap here.
        tokio::task::yield_now().await;
        self.state().in_flight -= 1;
        let id = line_id(&line.key);
        let step = {
            let mut s = self.state();
            s.writes.push((id, desired));
            s.script.get_mut(&id).and_then(VecDeque::pop_front)
        };
        let land = |psa: &FakePsa| psa.set_qty(id, desired);
        match step {
            None => {
                land(self);
                Ok(WriteReceipt {
                    quantity: desired,
                    request_id: Some(format!("req-{id}-{desired}")),
                })
            }
            Some(Write::Fail(e)) => Err(e),
            Some(Write::LandThenUnknown) => {
                land(self);
                Err(PsaError::OutcomeUnknown("the answer was lost".into()))
            }
            Some(Write::LandThenHang) => {
                land(self);
                self.hung.notify_one();
                std::future::pending().await
            }
            Some(Write::Hang) => {
                self.hung.notify_one();
                std::future::pending().await
            }
        }
    }
}

/// Per (workspace, service): (device count, user count), or why unavailable.
#[derive(Default)]
pub struct FakeSource {
    pub workspaces: Vec<SourceWorkspace>,
    pub counts: HashMap<(String, String), Result<(i64, i64), String>>,
    pub unasked: HashMap<(WorkspaceId, String), i64>,
    pub fail: Option<ApiError>,
    pub asked: Mutex<Vec<(Vec<WorkspaceId>, Vec<ServiceQuery>)>>,
    /// `usage` waits here first (to prove it runs alongside the PSA read).
    pub meet: Option<Arc<Barrier>>,
}

impl FakeSource {
    pub fn workspace(&mut self, id: &str, name: &str, archived: bool) {
        self.workspaces.push(SourceWorkspace {
            id: WorkspaceId(id.into()),
            name: name.into(),
            archived,
            status: if archived { "archived" } else { "subscription" }.into(),
        });
    }

    pub fn count(&mut self, ws: &str, service: &str, devices: i64, users: i64) {
        self.counts
            .insert((ws.into(), service.into()), Ok((devices, users)));
    }
}

impl UsageSource for FakeSource {
    async fn workspaces(&self) -> Result<Vec<SourceWorkspace>, ApiError> {
        match &self.fail {
            Some(e) => Err(e.clone()),
            None => Ok(self.workspaces.clone()),
        }
    }

    async fn usage(
        &self,
        workspaces: &[WorkspaceId],
        services: &[ServiceQuery],
    ) -> Result<UsageReport, ApiError> {
        if let Some(b) = &self.meet {
            b.wait().await;
        }
        self.asked
            .lock()
            .unwrap()
            .push((workspaces.to_vec(), services.to_vec()));
        let mut counts = HashMap::new();
        for ws in workspaces {
            for q in services {
                let key = (ws.0.clone(), q.service_key.clone());
                if let Some(found) = self.counts.get(&key) {
                    // The service's own unit is devices in this fake.
                    let n = found.clone().map(|(d, u)| match q.unit {
                        Some(Unit::User) => u,
                        Some(Unit::Device) | None => d,
                        Some(Unit::Max) => u.max(d),
                    });
                    counts.insert((ws.clone(), q.service_key.clone()), n);
                }
            }
        }
        Ok(UsageReport {
            counts,
            unasked: self.unasked.clone(),
            ..UsageReport::default()
        })
    }

    fn service_name(&self, key: &str) -> Option<String> {
        (key == "edr").then(|| "Endpoint Detection".to_string())
    }
}

/// A temp store with one ConnectWise connector, a fake PSA, a fake Coro and a manual clock.
pub struct Harness {
    pub t: TempStore,
    pub connector: ConnectorId,
    pub psa: FakePsa,
    pub source: FakeSource,
    pub clock: ManualClock,
}

impl Harness {
    pub fn new() -> Harness {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let connector =
            connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
        Harness {
            t,
            connector,
            psa: FakePsa::default(),
            source: FakeSource::default(),
            clock: ManualClock::new(at(60)),
        }
    }

    /// Maps workspace `ws` to company `company` (and lists it in Coro).
    pub fn map_workspace(&mut self, ws: &str, company: i64) {
        let link = WorkspaceLink {
            workspace_id: WorkspaceId(ws.into()),
            workspace_name: format!("{ws} name"),
            company_id: CompanyRef(company),
            company_name: format!("Company {company}"),
        };
        let conn = self.t.store.conn().unwrap();
        mappings::map_workspace(&conn, self.connector, &link, at(0)).unwrap();
        self.source.workspace(ws, &format!("{ws} name"), false);
    }

    pub fn map_service(&self, key: &str, product: i64, unit: Option<BillingUnit>) {
        let link = ServiceLink {
            service_key: key.into(),
            product_id: ProductRef(product),
            product_name: format!("Product {product}"),
            unit,
        };
        let conn = self.t.store.conn().unwrap();
        mappings::map_service(&conn, self.connector, &link, at(0)).unwrap();
    }

    pub fn env(&self) -> SyncEnv<'_, FakePsa, FakeSource> {
        SyncEnv {
            store: &self.t.store,
            data_dir: self.t.dir.path(),
            psa: &self.psa,
            source: &self.source,
            clock: &self.clock,
        }
    }

    pub fn items(&self, run_id: i64) -> Vec<runs::RunItem> {
        runs::items(&self.t.store.conn().unwrap(), run_id).unwrap()
    }

    pub fn run_row(&self, run_id: i64) -> runs::RunRow {
        runs::get(&self.t.store.conn().unwrap(), run_id)
            .unwrap()
            .unwrap()
    }
}

/// No rate-limit pauses worth waiting for in tests (the manual clock records them anyway).
pub fn policy() -> SyncPolicy {
    SyncPolicy::default()
}
