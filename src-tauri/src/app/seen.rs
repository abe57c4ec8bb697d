//! What Coro was last seen to bill, per workspace: every service key (module or add-on, known to
//! the catalogue or new) with its count. Kept from each usage read (discovery and every sync), so
//! the Service mapping screen and `psa-bridge services` can show new keys *with their counts* without
//! re-reading Coro. Nothing here is billed: only mapped keys ever reach a plan's writes.

use std::collections::BTreeMap;

use super::blocking;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::store;
use crate::views::KeyUse;

/// Settings key of the per-workspace counts.
const USAGE_SEEN: &str = "coro_usage_seen";

/// Per workspace id: key → count in the unit it was read in.
pub type SeenUsage = BTreeMap<String, BTreeMap<String, u64>>;

/// The counts as last seen (empty before the first read).
pub fn load(ctx: &AppContext) -> Result<SeenUsage, ApiError> {
    Ok(store::settings::get_json::<SeenUsage>(&ctx.store.conn()?, USAGE_SEEN)?.unwrap_or_default())
}

/// Replaces what is remembered of each workspace in `read` (others are kept).
pub async fn remember(ctx: &AppContext, read: SeenUsage) -> Result<(), ApiError> {
    if read.is_empty() {
        return Ok(());
    }
    blocking(ctx, move |ctx| {
        let mut all = load(ctx)?;
        all.extend(read);
        store::settings::set_json(&ctx.store.conn()?, USAGE_SEEN, &all)?;
        Ok(())
    })
    .await
}

/// Per key: in how many workspaces it was seen and the counts added up.
pub fn totals(seen: &SeenUsage) -> BTreeMap<String, KeyUse> {
    let mut out: BTreeMap<String, KeyUse> = BTreeMap::new();
    for keys in seen.values() {
        for (key, n) in keys {
            let u = out.entry(key.clone()).or_default();
            u.workspaces += 1;
            u.count = u.count.saturating_add(*n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_per_key() {
        let seen: SeenUsage = [
            ("a_1", vec![("edr", 4), ("aiAssistantPlus", 2)]),
            ("b_2", vec![("edr", 6)]),
            ("c_3", vec![]),
        ]
        .into_iter()
        .map(|(ws, keys)| {
            let keys = keys.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
            (ws.to_string(), keys)
        })
        .collect();
        let t = totals(&seen);
        assert_eq!(
            t["edr"],
            KeyUse {
                workspaces: 2,
                count: 10
            }
        );
        assert_eq!(
            t["aiAssistantPlus"],
            KeyUse {
                workspaces: 1,
                count: 2
            }
        );
        assert_eq!(t.len(), 2);
    }
}
