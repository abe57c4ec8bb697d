//! Reading usage: every shape and unit the reference allows, and the counts they give.

use super::*;
use crate::coro::client::ClientOptions;
use crate::secrets::Sensitive;
use mockito::{Matcher, Server};
use serde_json::json;

fn stats(users: Option<u64>, devices: Option<u64>, licensed: Option<u64>) -> ModuleStatistics {
    ModuleStatistics {
        protected_users: users,
        protected_devices: devices,
        licensed_devices: licensed,
    }
}

#[test]
fn counts_per_unit_table() {
    let ws = |n| Some((n, CountSource::Workspace));
    type Case<'a> = (
        &'a str,
        &'a str,
        Option<ModuleStatistics>,
        Totals,
        Option<(u64, CountSource)>,
    );
    let cases: Vec<Case> = vec![
        (
            "device from module",
            "edr",
            Some(stats(Some(9), Some(20), None)),
            Totals::default(),
            Some((20, CountSource::Module)),
        ),
        (
            "licensed preferred",
            "edr",
            Some(stats(Some(9), Some(20), Some(18))),
            Totals::default(),
            Some((18, CountSource::Module)),
        ),
        (
            "user from module",
            "emailSecurity",
            Some(stats(Some(9), Some(20), None)),
            Totals::default(),
            Some((9, CountSource::Module)),
        ),
        (
            "unknown key counts users",
            "aiAssistantPlus",
            Some(stats(Some(4), Some(7), None)),
            Totals::default(),
            Some((4, CountSource::Module)),
        ),
        (
            "no entry: workspace total",
            "edr",
            None,
            Totals {
                users: ws(3),
                devices: ws(30),
            },
            ws(30),
        ),
        (
            "entry lacks the unit: total",
            "emailSecurity",
            Some(stats(None, Some(5), None)),
            Totals {
                users: ws(11),
                devices: None,
            },
            ws(11),
        ),
        (
            "nothing anywhere",
            "edr",
            None,
            Totals {
                users: ws(3),
                devices: None,
            },
            None,
        ),
    ];
    let units: HashMap<String, Unit> = HashMap::new();
    let unit_of = |k: &str| {
        units
            .get(k)
            .copied()
            .unwrap_or_else(|| catalog::default_unit(k))
    };
    for (case, key, entry, totals, want) in cases {
        let enabled = BTreeSet::from([key.to_string()]);
        let stats: BTreeMap<String, ModuleStatistics> =
            entry.into_iter().map(|s| (key.to_string(), s)).collect();
        let got = service_counts(&enabled, &stats, &totals, &unit_of);
        assert_eq!(got[0].quantity.zip(got[0].source), want, "{case}");
        let needs = missing_totals(&enabled, &stats, &totals, &unit_of);
        assert_eq!(
            needs.0 || needs.1,
            want.is_none(),
            "{case}: list count needed"
        );
    }
    // The larger of users and devices: both from the service's own entry, a fallback when
    // either side is the workspace total, unknown when either side is unknown.
    let max = |_: &str| Unit::Max;
    let enabled = BTreeSet::from(["edr".to_string()]);
    let cases: Vec<(&str, ModuleStatistics, Totals, Option<Counted>)> = vec![
        (
            "devices larger",
            stats(Some(9), Some(20), None),
            Totals::default(),
            Some((20, CountSource::Module)),
        ),
        (
            "users larger",
            stats(Some(31), Some(20), Some(18)),
            Totals::default(),
            Some((31, CountSource::Module)),
        ),
        (
            "users from the total",
            stats(None, Some(20), None),
            Totals {
                users: ws(25),
                devices: None,
            },
            Some((25, CountSource::Workspace)),
        ),
        (
            "users unknown",
            stats(None, Some(20), None),
            Totals::default(),
            None,
        ),
    ];
    for (case, entry, totals, want) in cases {
        let s = BTreeMap::from([("edr".to_string(), entry)]);
        let got = &service_counts(&enabled, &s, &totals, &max)[0];
        assert_eq!(got.quantity.zip(got.source), want, "max: {case}");
        assert_eq!(got.basis.is_some(), want.is_some(), "max: {case}");
        let needs = missing_totals(&enabled, &s, &totals, &max);
        assert_eq!(
            needs.0,
            totals.users.is_none() && s["edr"].protected_users.is_none(),
            "max: {case}"
        );
    }
    assert_eq!(
        service_counts(
            &enabled,
            &BTreeMap::from([("edr".to_string(), stats(Some(9), Some(20), Some(18)))]),
            &Totals::default(),
            &max
        )[0]
        .basis,
        Some((9, 18)),
        "licensed devices are the device side"
    );
    // A mapping's unit overrides the catalogue default.
    let over = |_: &str| Unit::User;
    let enabled = BTreeSet::from(["edr".to_string()]);
    let s = BTreeMap::from([("edr".to_string(), stats(Some(9), Some(20), None))]);
    assert_eq!(
        service_counts(&enabled, &s, &Totals::default(), &over)[0].quantity,
        Some(9)
    );
}

fn client(url: &str) -> CoroClient {
    let opts = ClientOptions {
        workspace_concurrency: 2,
        ..ClientOptions::default()
    };
    CoroClient::with_options(
        url,
        "cid".into(),
        Sensitive::new("secret-value".into()),
        "root_AAAA_c".into(),
        opts,
    )
    .unwrap()
}

#[tokio::test]
async fn reads_subscriptions_and_usage_per_workspace() {
    let mut server = Server::new_async().await;
    let _token = server
        .mock("POST", wire::TOKEN_PATH)
        .with_body(json!({"access_token": "tok", "expires_in": 86400}).to_string())
        .expect(1)
        .create_async()
        .await;
    fn on(server: &mut Server, ws: &str, path: &str) -> mockito::Mock {
        server
            .mock("GET", path)
            .match_header(wire::WORKSPACE_HEADER, ws)
            .match_header(wire::AUTH_HEADER, "Bearer tok")
    }
    let subs = on(&mut server, "a_1", wire::SUBSCRIPTIONS_PATH)
        .with_body(
            json!({"modules": {"EDR": {"enabled": true}, "emailSecurity": {"enabled": true},
                                      "mdm": {"enabled": false}}, "bundles": ["CORO_COMPLETE"]})
            .to_string(),
        )
        .create_async()
        .await;
    let usage = on(&mut server, "a_1", wire::USAGE_PATH)
        .with_body(
            json!({"items": [{"workspaceId": "a_1", "protectedDevices": 40,
                                     "moduleStatistics": {"edr": {"protectedDevices": 12}}}],
                          "totalElements": 1})
            .to_string(),
        )
        .create_async()
        .await;
    // No user count anywhere: counted from the user list's totalElements.
    let users = on(&mut server, "a_1", wire::USERS_PATH)
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded(wire::PAGE_PARAM.into(), "0".into()),
            Matcher::UrlEncoded(wire::PAGE_SIZE_PARAM.into(), "1".into()),
        ]))
        .with_body(json!({"items": [{"id": "u"}], "totalElements": 17}).to_string())
        .create_async()
        .await;
    let broken = on(&mut server, "b_2", wire::SUBSCRIPTIONS_PATH)
        .with_status(403)
        .create_async()
        .await;
    let c = client(&server.url());
    let ids = vec!["a_1".to_string(), "b_2".to_string()];
    let report = c.usage(&ids, &HashMap::new()).await;
    let a = report.workspaces[0].counts.as_ref().unwrap();
    let got: Vec<(&str, Unit, Option<u64>, Option<CountSource>)> = a
        .services
        .iter()
        .map(|s| (s.key.as_str(), s.unit, s.quantity, s.source))
        .collect();
    assert_eq!(
        got,
        vec![
            // The bundle is a billable source of its own, on the workspace's counts.
            (
                "bundle:coroComplete",
                Unit::User,
                Some(17),
                Some(CountSource::List)
            ),
            ("edr", Unit::Device, Some(12), Some(CountSource::Module)),
            (
                "emailSecurity",
                Unit::User,
                Some(17),
                Some(CountSource::List)
            ),
        ]
    );
    assert_eq!(a.bundles, vec!["coroComplete"]);
    let b = &report.workspaces[1];
    assert_eq!(b.workspace_id, "b_2");
    assert!(
        matches!(b.counts, Err(CoroError::Forbidden { .. })),
        "{:?}",
        b.counts
    );
    assert_eq!(report.requests, 1 + 3 + 1);
    for m in [subs, usage, users, broken] {
        m.assert_async().await;
    }
}
