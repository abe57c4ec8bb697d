//! Gather: read both sides into plain data for the planner — the Coro side through the small
//! [`UsageSource`] seam (implemented for the Coro client elsewhere), the PSA side through
//! [`Psa`]. Only mapped workspaces are counted and only mapped (company, product) pairs are read.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use super::awaiting::AwaitingChange;
use crate::error::ApiError;
use crate::model::Unit;
use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use crate::psa::{BillingState, Psa, PsaError};
use crate::store::mappings::{BillingUnit, ServiceLink, WorkspaceLink};

/// A child workspace as Coro lists it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceWorkspace {
    pub id: WorkspaceId,
    pub name: String,
    /// Archived (or otherwise not billable: inactive, suspended) workspaces are never billed.
    pub archived: bool,
    /// Coro's lifecycle status as reported, lower case (`subscription`, `archived`, `inactive`;
    /// `unknown` when Coro gave none): what the operator is told when a workspace stops billing.
    pub status: String,
}

/// A mapped service and the unit its mapping bills in (`None`: the service's own unit).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceQuery {
    pub service_key: String,
    pub unit: Option<Unit>,
}

/// Counts per (workspace, service key).
pub type Counts = HashMap<(WorkspaceId, String), Result<i64, String>>;

/// What the usage source reports for the asked workspaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageReport {
    /// Per asked (workspace, service): the count in the asked unit, or why it is unavailable
    /// (an asked pair left out counts as unavailable).
    pub counts: Counts,
    /// Services in use in the asked workspaces that were *not* asked for (so not mapped), with
    /// their count in the service's own unit. Optional: an empty map only hides the
    /// "service not mapped" hints from the plan.
    pub unasked: HashMap<(WorkspaceId, String), i64>,
    /// Counts in `counts` that did not come from the service's own figure but from a fallback
    /// (a workspace-wide total because Coro gave no per-service count), with what was used. The
    /// planner holds any change built on one for the operator's approval.
    pub fallback: HashMap<(WorkspaceId, String), String>,
    /// Which count a count was taken from when that is worth saying (a `max` unit: "the larger
    /// of 12 protected users and 30 protected devices"); shown on items that carry no reason.
    pub basis: HashMap<(WorkspaceId, String), String>,
    /// Mapped lines of one company that likely bill the same thing twice (a bundle and a module
    /// it includes), with why ("likely double billing: … includes …"): held by the planner.
    pub double_billing: HashMap<(WorkspaceId, String), String>,
    /// Workspaces whose usage could not be read (after the client's retries), with why: their
    /// items are skipped for this run as failed reads, and the run ends partial.
    pub failed: HashMap<WorkspaceId, String>,
}

/// The Coro side of a sync. The lead implements it for the Coro client; tests use fakes.
pub trait UsageSource: Send + Sync {
    /// The channel's child workspaces (archived ones included, flagged).
    fn workspaces(&self) -> impl Future<Output = Result<Vec<SourceWorkspace>, ApiError>> + Send;

    /// Counts of `services` in each of `workspaces`. A whole-call failure is an `Err`; a count
    /// that cannot be had for one pair is an `Err(why)` inside the report.
    fn usage(
        &self,
        workspaces: &[WorkspaceId],
        services: &[ServiceQuery],
    ) -> impl Future<Output = Result<UsageReport, ApiError>> + Send;

    /// Display name of a service key, when the source knows one.
    fn service_name(&self, _key: &str) -> Option<String> {
        None
    }
}

/// The connector's mappings, as the store holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mappings {
    pub connector_id: ConnectorId,
    pub workspaces: Vec<WorkspaceLink>,
    pub services: Vec<ServiceLink>,
}

impl Mappings {
    /// The connector's mappings as stored now.
    pub fn load(
        conn: &rusqlite::Connection,
        connector_id: ConnectorId,
    ) -> Result<Mappings, crate::store::StoreError> {
        use crate::store::mappings;
        Ok(Mappings {
            connector_id,
            workspaces: mappings::list_workspaces(conn, connector_id)?
                .into_iter()
                .map(|m| m.link)
                .collect(),
            services: mappings::list_services(conn, connector_id)?
                .into_iter()
                .map(|m| m.link)
                .collect(),
        })
    }
}

/// Everything the planner needs, read at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gathered {
    pub mappings: Mappings,
    /// Every child workspace Coro lists.
    pub coro_workspaces: Vec<SourceWorkspace>,
    pub usage: UsageReport,
    pub billing: BillingState,
    /// Products the PSA still offers (`None`: not checked, so no product is reported gone).
    pub live_products: Option<HashSet<ProductRef>>,
    /// Display names by service key (missing keys show the key itself).
    pub service_names: HashMap<String, String>,
    /// Changes the PSA accepted but does not show yet, by (company, product): the planner
    /// counts them as made, so nothing is sent again meanwhile.
    pub awaiting: HashMap<(CompanyRef, ProductRef), AwaitingChange>,
    /// Names of the unmapped PSA companies read (only with [`Scope::unmapped_companies`]).
    pub other_companies: HashMap<CompanyRef, String>,
    /// Mapped companies the PSA does not hold as active, with how it says so (only with
    /// [`Scope::checks`]).
    pub inactive_companies: HashMap<CompanyRef, String>,
}

/// What gather can fail on: a whole side unreadable (a single pair's failure is in the data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatherError {
    #[error("Could not read Coro: {0}")]
    Source(ApiError),
    #[error("Could not read the PSA: {0}")]
    Psa(PsaError),
}

pub fn to_unit(u: BillingUnit) -> Unit {
    match u {
        BillingUnit::Device => Unit::Device,
        BillingUnit::User => Unit::User,
        BillingUnit::Max => Unit::Max,
    }
}

/// How far a gather reads beyond what the sync needs. The default (the sync's) reads only the
/// mapped workspaces and the mapped (company, product) pairs; the reconciliation report also
/// reads the unmapped workspaces' usage and the mapped products' lines on unmapped companies,
/// in the same requests where the APIs allow it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// Count the usage of every billable workspace, mapped or not.
    pub unmapped_workspaces: bool,
    /// Read the mapped products on every active PSA company, mapped or not.
    pub unmapped_companies: bool,
    /// The pre-flight checks: also the closed agreements / contracts that still hold a mapped
    /// product ([`Psa::read_billing_for_checks`]) and which mapped companies are inactive.
    pub checks: bool,
}

/// Coro's workspaces, and the usage of the mapped (or, wide, every), present, unarchived ones.
async fn read_coro<U: UsageSource>(
    source: &U,
    mappings: &Mappings,
    scope: Scope,
) -> Result<(Vec<SourceWorkspace>, UsageReport), GatherError> {
    let coro_workspaces = source.workspaces().await.map_err(GatherError::Source)?;
    let billable: HashSet<&WorkspaceId> = coro_workspaces
        .iter()
        .filter(|w| !w.archived)
        .map(|w| &w.id)
        .collect();
    let mut asked: Vec<WorkspaceId> = mappings
        .workspaces
        .iter()
        .filter(|w| billable.contains(&w.workspace_id))
        .map(|w| w.workspace_id.clone())
        .collect();
    if scope.unmapped_workspaces {
        let mapped: HashSet<&WorkspaceId> = mappings
            .workspaces
            .iter()
            .map(|w| &w.workspace_id)
            .collect();
        asked.extend(
            coro_workspaces
                .iter()
                .filter(|w| !w.archived && !mapped.contains(&w.id))
                .map(|w| w.id.clone()),
        );
    }
    let queries: Vec<ServiceQuery> = mappings
        .services
        .iter()
        .map(|s| ServiceQuery {
            service_key: s.service_key.clone(),
            unit: s.unit.map(to_unit),
        })
        .collect();
    let usage = if asked.is_empty() {
        UsageReport::default()
    } else {
        source
            .usage(&asked, &queries)
            .await
            .map_err(GatherError::Source)?
    };
    Ok((coro_workspaces, usage))
}

/// The PSA lines of every mapped (company, product) pair, and the PSA's live products.
async fn read_psa<P: Psa>(
    psa: &P,
    mappings: &Mappings,
    scope: Scope,
) -> Result<PsaSide, GatherError> {
    let mut others = HashMap::new();
    let mut companies: Vec<_> = mappings.workspaces.iter().map(|w| w.company_id).collect();
    let products: Vec<_> = mappings.services.iter().map(|s| s.product_id).collect();
    if scope.unmapped_companies && !products.is_empty() {
        let all = psa.list_companies(None).await.map_err(GatherError::Psa)?;
        let mapped: HashSet<CompanyRef> = companies.iter().copied().collect();
        for c in all.into_iter().filter(|c| !mapped.contains(&c.id)) {
            companies.push(c.id);
            others.insert(c.id, c.name);
        }
    }
    if companies.is_empty() || products.is_empty() {
        return Ok((BillingState::default(), None, others, HashMap::new()));
    }
    // Which mapped companies are inactive: only for the checks, at the same time as the rest.
    let mapped: Vec<CompanyRef> = mappings.workspaces.iter().map(|w| w.company_id).collect();
    let inactive = async {
        if scope.checks {
            psa.inactive_companies(&mapped).await
        } else {
            Ok(HashMap::new())
        }
    };
    // The product list tells a deleted or deactivated product ("gone") apart from one that
    // merely has no line; the billing read alone cannot. Both are read at once.
    let billing = async {
        if scope.checks {
            psa.read_billing_for_checks(&companies, &products).await
        } else {
            psa.read_billing(&companies, &products).await
        }
    };
    let (billing, live, inactive) = tokio::join!(billing, psa.list_products(None), inactive);
    let billing = billing.map_err(GatherError::Psa)?;
    let inactive = inactive.map_err(GatherError::Psa)?;
    let live = live
        .map_err(GatherError::Psa)?
        .into_iter()
        .map(|p| p.id)
        .collect();
    Ok((billing, Some(live), others, inactive))
}

/// The PSA side of a gather: the lines, the live products, the unmapped companies' names, the
/// inactive mapped companies.
type PsaSide = (
    BillingState,
    Option<HashSet<ProductRef>>,
    HashMap<CompanyRef, String>,
    HashMap<CompanyRef, String>,
);

/// Reads Coro usage of the mapped, present, unarchived workspaces and the PSA lines of every
/// mapped (company, product) pair.
pub async fn gather<P: Psa, U: UsageSource>(
    psa: &P,
    source: &U,
    mappings: Mappings,
) -> Result<Gathered, GatherError> {
    gather_scoped(psa, source, mappings, Scope::default()).await
}

/// [`gather`], reading as far as `scope` says (the reconciliation report reads wider).
pub async fn gather_scoped<P: Psa, U: UsageSource>(
    psa: &P,
    source: &U,
    mappings: Mappings,
    scope: Scope,
) -> Result<Gathered, GatherError> {
    // The two sides are independent: read them at the same time. A failure on either fails the
    // gather; when both fail, Coro's error is the one reported (as when they ran in turn).
    let (coro, psa_side) = tokio::join!(
        read_coro(source, &mappings, scope),
        read_psa(psa, &mappings, scope)
    );
    let (coro_workspaces, usage) = coro?;
    let (billing, live_products, other_companies, inactive_companies) = psa_side?;

    let mut service_names = HashMap::new();
    let keys = mappings
        .services
        .iter()
        .map(|s| &s.service_key)
        .chain(usage.unasked.keys().map(|(_, k)| k));
    for key in keys {
        if let Some(name) = source.service_name(key) {
            service_names.insert(key.clone(), name);
        }
    }
    Ok(Gathered {
        mappings,
        coro_workspaces,
        usage,
        billing,
        live_products,
        service_names,
        awaiting: HashMap::new(),
        other_companies,
        inactive_companies,
    })
}
