//! The matching rules, case by case.

use super::*;

fn opt(id: i64, name: &str, identifier: Option<&str>) -> PickOption {
    PickOption {
        id,
        name: name.into(),
        identifier: identifier.map(str::to_string),
    }
}

fn ws(id: &str) -> WorkspaceId {
    WorkspaceId(id.into())
}

#[test]
fn workspace_one_to_one() {
    let existing = vec![(ws("a_1"), CompanyRef(10)), (ws("b_2"), CompanyRef(20))];
    let cases = [
        ("free company", "c_3", 30, None),
        ("same pair again", "a_1", 10, None),
        ("workspace moves to a free company", "a_1", 30, None),
        ("company used elsewhere", "c_3", 10, Some("a_1")),
        (
            "mapped workspace takes a used company",
            "a_1",
            20,
            Some("b_2"),
        ),
    ];
    for (case, w, c, holder) in cases {
        let got = check_workspace_mapping(&existing, &ws(w), CompanyRef(c));
        assert_eq!(
            got.as_ref().err().map(|e| e.holder.as_str()),
            holder,
            "{case}"
        );
    }
    let err = check_workspace_mapping(&existing, &ws("c_3"), CompanyRef(10)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PSA company #10 already backs workspace a_1: unmap it there first"
    );
    let named = err.named("Acme Dental", "Acme Dental Group");
    assert_eq!(
        named.to_string(),
        "Acme Dental Group already backs workspace Acme Dental: unmap it there first"
    );
    assert_eq!(ApiError::from(named).code, ErrorCode::InvalidInput);
}

#[test]
fn service_one_to_one() {
    let existing = vec![("edr".to_string(), ProductRef(7))];
    let cases = [
        ("free product", "mdm", 8, None),
        ("same pair", "edr", 7, None),
        ("product used elsewhere", "mdm", 7, Some("edr")),
    ];
    for (case, s, p, holder) in cases {
        let got = check_service_mapping(&existing, s, ProductRef(p));
        assert_eq!(
            got.as_ref().err().map(|e| e.holder.as_str()),
            holder,
            "{case}"
        );
    }
    let err = check_service_mapping(&existing, "mdm", ProductRef(7))
        .unwrap_err()
        .named("EDR", "Coro EDR");
    assert_eq!(
        err.to_string(),
        "Coro EDR already backs service EDR: unmap it there first"
    );
}

#[test]
fn stale_detection_flags_without_dropping() {
    let mappings = vec![
        (ws("a"), CompanyRef(1)),
        (ws("b"), CompanyRef(2)),
        (ws("c"), CompanyRef(3)),
    ];
    let cases: [(&str, Vec<i64>, Vec<&str>); 3] = [
        ("all present", vec![1, 2, 3, 4], vec![]),
        ("one deleted", vec![1, 3], vec!["b"]),
        ("empty PSA read flags all", vec![], vec!["a", "b", "c"]),
    ];
    for (case, current, want) in cases {
        let got = stale_mappings(&mappings, current.into_iter().map(CompanyRef));
        let got: Vec<&str> = got.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(got, want, "{case}");
    }
    assert_eq!(mappings.len(), 3);
    let products = vec![("edr".to_string(), ProductRef(9))];
    assert_eq!(
        stale_mappings(&products, [ProductRef(8)]),
        vec!["edr".to_string()]
    );
}

#[test]
fn normalisation() {
    let cases = [
        ("legal suffix", "Acme Dental, Inc.", "acme dental"),
        ("stacked suffixes", "Summit Co. Group LLC", "summit"),
        ("dotted LLC", "Harbor Realty L.L.C.", "harbor realty"),
        ("leading the", "The Keystone Motors Ltd", "keystone motors"),
        ("apostrophe", "O'Brien's Clinic GmbH", "obriens clinic"),
        ("unicode", "MÜLLER Bäckerei GmbH", "müller bäckerei"),
        ("suffix only", "Group", "group"),
        ("suffix in the middle", "Co Op Foods", "co op foods"),
    ];
    for (case, input, want) in cases {
        assert_eq!(company_core(&tokens(input)).join(" "), want, "{case}");
    }
    let products = [
        ("vendor prefix", "Coro EDR", "edr"),
        ("identifier", "CORO-EDR", "edr"),
        (
            "per unit",
            "Coro Endpoint Security - per device (monthly)",
            "endpoint security",
        ),
        ("only noise", "Coro License", "coro license"),
    ];
    for (case, input, want) in products {
        assert_eq!(product_core(&tokens(input)).join(" "), want, "{case}");
    }
}

#[test]
fn company_suggestions() {
    let companies = vec![
        opt(1, "Acme Dental Group", None),
        opt(2, "Acme Dental LLC", None),
        opt(3, "Contoso Logistics Ltd", None),
        opt(4, "Fabrikam Legal Inc.", None),
        opt(5, "Fabrikam Legal, LLC", None),
        opt(6, "Northwind Foods", None),
        opt(7, "Summit Realty", None),
    ];
    let none = HashSet::new();
    let cases: Vec<(&str, &str, HashSet<i64>, Option<i64>)> = vec![
        (
            "exact name wins over same core",
            "Acme Dental Group",
            none.clone(),
            Some(1),
        ),
        ("suffix differs", "Contoso Logistics", none.clone(), Some(3)),
        ("typo", "Contoso Logistcs", none.clone(), Some(3)),
        (
            "case and punctuation",
            "NORTHWIND FOODS, INC",
            none.clone(),
            Some(6),
        ),
        ("word order", "Realty Summit", none.clone(), Some(7)),
        (
            "mapped company never suggested",
            "Northwind Foods",
            HashSet::from([6]),
            None,
        ),
        (
            "tie between equal candidates",
            "Fabrikam Legal",
            none.clone(),
            None,
        ),
        ("below threshold", "Acme Logistics", none.clone(), None),
        ("unrelated", "Zephyr Aviation", none.clone(), None),
    ];
    let m = Matcher::companies(&companies);
    for (case, name, taken, want) in cases {
        let got = m.best(&[name], &taken, SUGGESTION_THRESHOLD);
        assert_eq!(got.as_ref().map(|s| s.id), want, "{case}: {got:?}");
        if let Some(s) = got {
            assert!(s.score >= SUGGESTION_THRESHOLD && s.score <= 1.0, "{case}");
        }
    }
}

#[test]
fn batch_suggestions_never_offer_one_company_twice() {
    let companies = vec![opt(1, "Acme Dental", None), opt(2, "Harbor Marine", None)];
    let workspaces = vec![
        ("w1".to_string(), "Acme Dental".to_string()),
        ("w2".to_string(), "Acme Dental Inc".to_string()),
        ("w3".to_string(), "Harbor Marine".to_string()),
        ("w4".to_string(), "Harbor Marine".to_string()),
    ];
    let got = suggest_companies(&workspaces, &companies, &HashSet::new());
    let mut ids: Vec<(&str, i64)> = got.iter().map(|(k, s)| (k.as_str(), s.id)).collect();
    ids.sort();
    // w1 is the exact match; w3 and w4 tie for Harbor Marine, so neither gets it.
    assert_eq!(ids, vec![("w1", 1)]);
}

#[test]
fn product_suggestions() {
    let products = vec![
        opt(10, "Coro EDR", Some("CORO-EDR")),
        opt(11, "Coro Endpoint Security - per device", Some("CORO-ES")),
        opt(12, "Coro MDM", None),
        opt(13, "Network Cable Cat6", None),
        opt(14, "Managed Service (SOC)", Some("CORO-SOC")),
        opt(15, "Email Protection", Some("CORO-EMAIL-SECURITY")),
    ];
    let cases = [
        ("short name", "edr", "EDR", Some(10)),
        (
            "name with noise",
            "endpointSecurity",
            "Endpoint Security",
            Some(11),
        ),
        ("key spelt out", "mdm", "Mobile Device Management", Some(12)),
        ("not a service product", "network", "Network", None),
        (
            "parenthesised",
            "managedService",
            "Managed Service (SOC)",
            Some(14),
        ),
        (
            "identifier only",
            "emailSecurity",
            "Email Security",
            Some(15),
        ),
    ];
    let m = Matcher::products(&products);
    for (case, key, name, want) in cases {
        let spelt = catalog::name_from_key(key);
        let got = m.best(&[name, &spelt], &HashSet::new(), SUGGESTION_THRESHOLD);
        assert_eq!(got.map(|s| s.id), want, "{case}");
    }
    let batch = suggest_products(
        &[("edr".into(), "EDR".into())],
        &products,
        &HashSet::from([10]),
    );
    assert!(batch.is_empty(), "mapped product never suggested");
}

#[test]
fn picker_filter() {
    let options = vec![
        opt(1, "Acme Dental Group", Some("ACME01")),
        opt(2, "Contoso Logistics", Some("CONT")),
        opt(3, "acme logistics", None),
        opt(4, "Ärzte Zentrum", Some("AZ")),
    ];
    let cases: [(&str, &str, usize, Vec<usize>); 9] = [
        ("empty query", "", 10, vec![0, 1, 2, 3]),
        ("case-insensitive", "ACME", 10, vec![0, 2]),
        ("all terms", "acme logi", 10, vec![2]),
        ("term order free", "logistics acme", 10, vec![2]),
        ("identifier", "acme01", 10, vec![0]),
        ("name and identifier terms", "contoso cont", 10, vec![1]),
        ("no match across fields", "logisticscont", 10, vec![]),
        ("unicode", "ärzte", 10, vec![3]),
        ("limit", "a", 2, vec![0, 2]),
    ];
    let index = OptionIndex::new(&options);
    for (case, q, limit, want) in cases {
        assert_eq!(index.filter(q, limit), want, "{case}");
        assert_eq!(filter_options(&options, q, limit), want, "{case}");
    }
}
