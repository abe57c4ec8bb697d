//! Previews expire: a preview applied more than [`PREVIEW_TTL`] after it was made is checked
//! against a fresh read of Coro as well as the PSA (apply always re-reads the PSA lines it
//! writes). If the fresh plan would write anything differently, nothing is written and the
//! operator is shown what changed, to review a new preview.

use chrono::Duration;

use super::gather::{gather, Mappings, UsageSource};
use super::model::{is_write, Action, Plan, PlanItem};
use super::run::{plan_from, SyncEnv, SyncPolicy};
use super::SyncError;
use crate::psa::Psa;

/// How long a preview may be applied as it is.
pub const PREVIEW_TTL: Duration = Duration::minutes(15);

/// What one item would write: the action (held counts when approved) and the target.
fn write_of(item: &PlanItem, approve_held: bool) -> Option<(Action, Option<i64>, Option<i64>)> {
    is_write(item.action, approve_held).then_some((item.action, item.before, item.after))
}

fn label(item: &PlanItem) -> String {
    format!("{} / {}", item.workspace_name, item.service_name)
}

fn shown(w: Option<(Action, Option<i64>, Option<i64>)>) -> String {
    let q = |v: Option<i64>| v.map_or_else(|| "?".into(), |v| v.to_string());
    match w {
        None => "no change".into(),
        Some((_, b, a)) => format!("{} → {}", q(b), q(a)),
    }
}

/// The items whose write differs between the preview and a fresh plan, one line each.
pub fn changes(old: &Plan, fresh: &Plan, approve_held: bool) -> Vec<String> {
    let key = |i: &PlanItem| (i.workspace_id.clone(), i.service_key.clone());
    let mut out = Vec::new();
    for f in &fresh.items {
        let before = old.items.iter().find(|o| key(o) == key(f));
        let (was, now) = (
            before.and_then(|o| write_of(o, approve_held)),
            write_of(f, approve_held),
        );
        if was != now {
            out.push(format!(
                "{}: the preview said {}, now {}",
                label(f),
                shown(was),
                shown(now)
            ));
        }
    }
    for o in &old.items {
        if !fresh.items.iter().any(|f| key(f) == key(o)) && write_of(o, approve_held).is_some() {
            out.push(format!("{}: no longer in the plan", label(o)));
        }
    }
    out
}

/// Checks an old preview against a fresh read; `Err(PreviewExpired)` when it is stale.
pub async fn check<P: Psa, U: UsageSource>(
    env: &SyncEnv<'_, P, U>,
    the_plan: &Plan,
    policy: &SyncPolicy,
    approve_held: bool,
) -> Result<(), SyncError> {
    let age = env.clock.now() - the_plan.generated_at;
    if age <= PREVIEW_TTL {
        return Ok(());
    }
    let connector = the_plan.connector_id;
    let maps = env
        .store
        .call(move |conn| Mappings::load(conn, connector))
        .await?;
    let mut gathered = gather(env.psa, env.source, maps).await?;
    let fresh = plan_from(env, &mut gathered, policy, approve_held).await?;
    let changed = changes(the_plan, &fresh, approve_held);
    if changed.is_empty() {
        return Ok(());
    }
    Err(SyncError::PreviewExpired {
        minutes: age.num_minutes(),
        changes: changed,
    })
}
