//! Reading Coro's wire forms, each way the reference allows.

use super::*;
use serde_json::json;

#[test]
fn regions_and_urls() {
    assert_eq!(region_base_url("US"), Some("https://api.secure.coro.net"));
    assert_eq!(
        region_base_url("eu"),
        Some("https://api.secure-eu.coro.net")
    );
    assert_eq!(region_base_url("mars"), None);
    assert_eq!(
        resolve_base_url("http://127.0.0.1:9000/").as_deref(),
        Some("http://127.0.0.1:9000")
    );
    assert_eq!(
        resolve_base_url("ca").as_deref(),
        Some("https://api.secure-ca.coro.net")
    );
    assert_eq!(
        audience("https://api.secure.coro.net/"),
        "https://api.secure.coro.net"
    );
}

#[test]
fn token_round_trip() {
    let req = TokenRequest::new("id", "secret", "https://api.secure.coro.net");
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(
        v,
        json!({"client_id": "id", "client_secret": "secret",
               "audience": "https://api.secure.coro.net", "grant_type": "client_credentials"})
    );
    let resp: TokenResponse = serde_json::from_value(
        json!({"access_token": "eyJ", "token_type": "Bearer", "expires_in": 86400, "scope": ""}),
    )
    .unwrap();
    assert_eq!(
        resp.access_token.as_ref().map(|t| t.expose().as_str()),
        Some("eyJ")
    );
    // Neither the secret nor the token shows in Debug (logs, errors).
    let shown = format!("{req:?} {resp:?}");
    assert!(
        !shown.contains("secret\"") && !shown.contains("eyJ"),
        "{shown}"
    );
    assert_eq!(resp.lifetime_secs(), 86_400);
    let bare: TokenResponse = serde_json::from_value(json!({"access_token": "x"})).unwrap();
    assert_eq!(bare.lifetime_secs(), TOKEN_LIFETIME_SECS);
}

/// The create-workspace response sample of coro.md §2.2, with an unknown field added.
#[test]
fn workspace_sample_parses() {
    let sample = json!({
        "id": "corodevonmicrosoftcom_TX7T_u", "companyName": "Coro Dev",
        "displayName": "Coro Dev", "type": "child", "domain": "corodev.onmicrosoft.com",
        "maxProtectedUsers": 50, "notificationsLevel": "parent",
        "parentWorkspaceId": "exampleWS_92NB_b", "children": [], "protectedDevices": 12,
        "mainAdminEmail": "a@corodev.com", "adminEmails": ["a@corodev.com"],
        "pendingAdminEmails": [], "lastAdminLoginTime": 1_700_000_000_000i64,
        "workspaceCreationTime": 1_690_000_000_000i64, "workspaceCreationType": "direct",
        "overCapacityAllowance": 10, "maxDevicesLimit": 100, "limited": false,
        "somethingNew": {"x": 1}
    });
    let ws: Workspace = serde_json::from_value(sample).unwrap();
    assert_eq!(ws.name(), Some("Coro Dev"));
    assert_eq!(ws.kind(), Some(WorkspaceType::Child));
    assert_eq!(ws.protected_devices, Some(12));
    assert_eq!(ws.status(), None);
    assert!(is_billable(&ws, false));
    let back: Workspace = serde_json::from_value(serde_json::to_value(&ws).unwrap()).unwrap();
    assert_eq!(back, ws);
}

#[test]
fn status_and_billing_rules() {
    let ws = |status: &str, kind: &str| Workspace {
        status: Some(status.into()),
        workspace_type: Some(kind.into()),
        ..Workspace::default()
    };
    assert!(is_archived(&ws("ARCHIVED", "child")));
    assert!(is_archived(&ws("archived", "child")));
    assert!(!is_billable(&ws("ARCHIVED", "child"), true));
    assert!(is_billable(&ws("SUBSCRIPTION", "child"), false));
    assert!(!is_billable(&ws("SUBSCRIPTION", "channel"), false));
    assert!(!is_billable(&ws("TRIAL", "child"), false));
    assert!(is_billable(&ws("Trial", "child"), true));
    assert!(!is_billable(&ws("SUSPENDED", "child"), true));
    let alias: Workspace = serde_json::from_value(json!({"workspaceStatus": "ARCHIVED"})).unwrap();
    assert!(is_archived(&alias));
    assert_eq!(WorkspaceStatus::parse("ARCHIVED").as_wire(), "ARCHIVED");
}

#[test]
fn children_in_either_form() {
    let ws: Workspace =
        serde_json::from_value(json!({"children": ["a_1", {"id": "b_2"}, {"name": "x"}]})).unwrap();
    assert_eq!(ws.child_ids(), vec!["a_1", "b_2"]);
}

#[test]
fn paging_helpers() {
    let page: Page<Workspace> =
        serde_json::from_value(json!({"items": [{"id": "a"}], "totalElements": 3})).unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(has_more(1, 1, page.total_elements));
    assert!(!has_more(1, 3, Some(3)));
    assert!(!has_more(0, 1, Some(3)));
    assert!(has_more(5, 5, None));
    assert_eq!(page_query(2, 50)[1], ("size", "50".to_string()));
    let empty: Page<Device> = serde_json::from_value(json!({"totalElements": 0})).unwrap();
    assert!(empty.items.is_empty());
}

#[test]
fn parse_list_accepts_page_array_and_object() {
    let (items, total) =
        parse_list::<Workspace>(json!({"items": [{"id": "a"}], "totalElements": 1})).unwrap();
    assert_eq!((items.len(), total), (1, Some(1)));
    let (items, total) = parse_list::<Workspace>(json!([{"id": "a"}, {"id": "b"}])).unwrap();
    assert_eq!((items.len(), total), (2, None));
    let (items, _) = parse_list::<Workspace>(json!({"id": "a", "type": "channel"})).unwrap();
    assert_eq!(items[0].kind(), Some(WorkspaceType::Channel));
    assert!(parse_list::<Workspace>(json!("nope")).is_err());
}

#[test]
fn keys_normalise() {
    assert_eq!(normalize_key("ENDPOINT_SECURITY"), "endpointSecurity");
    assert_eq!(normalize_key("endpointSecurity"), "endpointSecurity");
    assert_eq!(normalize_key("EndpointSecurity"), "endpointSecurity");
    assert_eq!(normalize_key("endpoint-security"), "endpointSecurity");
    assert_eq!(normalize_key("EDR"), "edr");
    assert_eq!(
        normalize_key("MANAGED_CORO_COMPLETE"),
        "managedCoroComplete"
    );
    assert_eq!(normalize_key("aiAssistantPlus"), "aiAssistantPlus");
    assert_eq!(normalize_key(""), "");
}

#[test]
fn subscription_shapes() {
    let sub: Subscription = serde_json::from_value(json!({
        "modules": {
            "endpointSecurity": {"enabled": true},
            "EMAIL_SECURITY": {"enabled": true, "addons": {"secureMessages": {"enabled": true},
                                                          "inboundGateway": {"enabled": false}}},
            "edr": true, "mdm": false, "network": {"active": true}, "sat": {}
        },
        "bundles": ["CORO_COMPLETE"]
    }))
    .unwrap();
    let keys: Vec<_> = sub.enabled_services().into_iter().collect();
    assert_eq!(
        keys,
        vec![
            "edr",
            "emailSecurity",
            "endpointSecurity",
            "network",
            "secureMessages"
        ]
    );
    let back: Subscription = serde_json::from_value(serde_json::to_value(&sub).unwrap()).unwrap();
    assert_eq!(back.enabled_services(), sub.enabled_services());
    assert_eq!(normalize_key(&back.bundles.unwrap()[0]), "coroComplete");
}

#[test]
fn usage_round_trip_and_quantity() {
    let body = json!({"items": [{
        "workspaceId": "acme_AB1C_d", "protectedUsers": 40, "protectedDevices": 55,
        "demoModeEnabled": false, "demoModeEndDate": null,
        "moduleStatistics": {
            "ENDPOINT_SECURITY": {"protectedUsers": 40, "protectedDevices": 55, "licensedDevices": 50},
            "emailSecurity": {"protectedUsers": 38, "protectedDevices": 51}
        }
    }], "totalElements": 1});
    let (records, _) = parse_list::<WorkspaceUsage>(body).unwrap();
    let counts = records[0].module_counts();
    assert_eq!(counts["endpointSecurity"].quantity(true), Some(50));
    assert_eq!(counts["emailSecurity"].quantity(true), Some(51));
    assert_eq!(counts["emailSecurity"].quantity(false), Some(38));
    let back: WorkspaceUsage =
        serde_json::from_value(serde_json::to_value(&records[0]).unwrap()).unwrap();
    assert_eq!(back.module_counts(), counts);
}

/// The device fields of the community script's real response (coro.md §2.4).
#[test]
fn device_sample_parses() {
    let d: Device = serde_json::from_value(json!({
        "enrollmentCode": "ABCD1234", "deviceId": "9f86d081884c7d65", "deviceModel": "Latitude 5420",
        "hostname": "ACME-PC-01", "osType": "WINDOWS", "osVersion": "10.0.19045",
        "appVersion": "3.8.1.12", "activationTime": 1_700_000_000_000i64
    }))
    .unwrap();
    assert!(d.is_licensed());
    let un = Device {
        license_status: Some(DEVICE_UNLICENSED.into()),
        ..d.clone()
    };
    assert!(!un.is_licensed());
    let v = serde_json::to_value(&un).unwrap();
    assert_eq!(v["deviceProtectionStatus"], "UNLICENSED");
}

#[test]
fn error_bodies_and_retry_after() {
    let api: ErrorBody = serde_json::from_value(
        json!({"code": "TooManyRequests", "message": "slow down", "errors": ["x"]}),
    )
    .unwrap();
    assert_eq!(api.describe().as_deref(), Some("slow down"));
    let oauth: ErrorBody = serde_json::from_value(
        json!({"error": "access_denied", "error_description": "Unauthorized"}),
    )
    .unwrap();
    assert_eq!(oauth.describe().as_deref(), Some("Unauthorized"));
    assert_eq!(
        serde_json::to_value(ErrorBody::oauth("a", "b")).unwrap(),
        json!({"error": "a", "error_description": "b"})
    );
    let now = DateTime::parse_from_rfc3339("2026-05-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
    assert_eq!(
        retry_after("Fri, 01 May 2026 10:00:30 GMT", now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        retry_after("Fri, 01 May 2026 09:00:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(retry_after("soon", now), None);
}
