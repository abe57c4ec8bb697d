//! The mapping rules at scale on the sandbox's generated names (moved from `src/mapping.rs`):
//! 500 workspaces against 10,000 companies, and the picker filter per keystroke on 10,000.

use std::collections::HashSet;
use std::time::Instant;

use psa_bridge::mapping::{suggest_companies, OptionIndex};
use psa_bridge::sandbox::seed::World;
use psa_bridge::views::PickOption;

fn opt(id: i64, name: &str, identifier: Option<&str>) -> PickOption {
    PickOption {
        id,
        name: name.into(),
        identifier: identifier.map(str::to_string),
    }
}

/// 500 workspaces × 10,000 companies (the sandbox's own names): every workspace finds its
/// company, well under a second in release builds.
#[test]
fn suggestions_scale() {
    let world = World::new(1, 500, 10_000);
    let companies: Vec<PickOption> = world
        .company_names
        .iter()
        .enumerate()
        .map(|(i, n)| opt(i as i64, n, None))
        .collect();
    let workspaces: Vec<(String, String)> = world
        .customers
        .iter()
        .map(|c| (c.workspace_id.clone(), c.name.clone()))
        .collect();
    let start = Instant::now();
    let got = suggest_companies(&workspaces, &companies, &HashSet::new());
    let elapsed = start.elapsed();
    for (i, c) in world.customers.iter().enumerate() {
        assert_eq!(
            got.get(&c.workspace_id).map(|s| s.id),
            Some(i as i64),
            "{}",
            c.name
        );
    }
    let budget = if cfg!(debug_assertions) {
        10_000
    } else {
        1_000
    };
    assert!(elapsed.as_millis() < budget, "{elapsed:?}");
    eprintln!("suggest 500 x 10000: {elapsed:?}");
}

#[test]
fn picker_filter_is_fast_on_10k() {
    let world = World::new(3, 14, 10_000);
    let options: Vec<PickOption> = world
        .company_names
        .iter()
        .enumerate()
        .map(|(i, n)| opt(i as i64, n, Some(&format!("C{i:05}"))))
        .collect();
    let index = OptionIndex::new(&options);
    // Worst case: a query matching nothing scans every option.
    let queries = ["z", "zq", "zqx", "acme", "acme den", "acme dental grp"];
    let start = Instant::now();
    for q in queries {
        index.filter(q, 50);
    }
    let per_keystroke = start.elapsed() / queries.len() as u32;
    let budget_us = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000
    };
    assert!(per_keystroke.as_micros() < budget_us, "{per_keystroke:?}");
    eprintln!("filter 10000 per keystroke: {per_keystroke:?}");
}
