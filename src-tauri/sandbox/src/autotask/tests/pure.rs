//! The parts that need no server: the filter evaluator, paging cursors, tenant time.

use super::*;

#[test]
fn filter_evaluator_table() {
    let entity = json!({
        "id": 29684183, "companyID": 0, "contractName": "Contoso – Managed Security",
        "contractType": 7, "status": 1, "startDate": "2024-01-01T00:00:00Z",
        "endDate": "2026-12-31T00:00:00Z", "isDefaultContract": false, "description": null,
        "setupFee": 12.5, "userDefinedFields": [{"name": "Region", "value": "East"}]
    });
    let cases: &[(Value, bool)] = &[
        (
            json!({"op": "eq", "field": "contractType", "value": 7}),
            true,
        ),
        (
            json!({"op": "eq", "field": "contracttype", "value": "7"}),
            true,
        ),
        (
            json!({"op": "noteq", "field": "contractType", "value": 7}),
            false,
        ),
        (json!({"op": "eq", "field": "companyID", "value": 0}), true),
        (json!({"op": "gt", "field": "setupFee", "value": 12}), true),
        (json!({"op": "gte", "field": "status", "value": 1}), true),
        (json!({"op": "lt", "field": "status", "value": 1}), false),
        (
            json!({"op": "lte", "field": "setupFee", "value": 12.5}),
            true,
        ),
        (
            json!({"op": "gt", "field": "endDate", "value": "2025-01-01T00:00:00Z"}),
            true,
        ),
        (
            json!({"op": "lt", "field": "startDate", "value": "2024-01-01"}),
            false,
        ),
        (
            json!({"op": "lte", "field": "startDate", "value": "2024-01-01T00:00:00"}),
            true,
        ),
        (
            json!({"op": "beginsWith", "field": "contractName", "value": "contoso"}),
            true,
        ),
        (
            json!({"op": "endsWith", "field": "contractName", "value": "SECURITY"}),
            true,
        ),
        (
            json!({"op": "contains", "field": "contractName", "value": "managed"}),
            true,
        ),
        (
            json!({"op": "contains", "field": "contractName", "value": "backup"}),
            false,
        ),
        (json!({"op": "exist", "field": "description"}), false),
        (json!({"op": "notExist", "field": "description"}), true),
        (json!({"op": "exist", "field": "id"}), true),
        (
            json!({"op": "in", "field": "id", "value": [1, 29684183]}),
            true,
        ),
        (json!({"op": "notIn", "field": "id", "value": [1, 2]}), true),
        (
            json!({"op": "in", "field": "contractType", "value": ["1", "3"]}),
            false,
        ),
        (
            json!({"op": "eq", "field": "isDefaultContract", "value": false}),
            true,
        ),
        (
            json!({"op": "noteq", "field": "description", "value": "x"}),
            true,
        ),
        (
            json!({"op": "eq", "field": "description", "value": "x"}),
            false,
        ),
        (
            json!({"op": "eq", "field": "region", "udf": true, "value": "east"}),
            true,
        ),
        (
            json!({"op": "eq", "field": "missing", "udf": true, "value": "x"}),
            false,
        ),
        (
            json!({"op": "or", "items": [{"op": "eq", "field": "status", "value": 0},
                                          {"op": "gt", "field": "endDate", "value": "2025-01-01"}]}),
            true,
        ),
        (
            json!({"op": "and", "items": [{"op": "eq", "field": "status", "value": 1},
                                           {"op": "eq", "field": "contractType", "value": 3}]}),
            false,
        ),
        (
            json!({"op": "or", "items": [{"op": "and", "items": [{"op": "eq", "field": "id", "value": 1}]},
                                          {"op": "contains", "field": "contractName", "value": "contoso"}]}),
            true,
        ),
    ];
    for (filter, want) in cases {
        let cond = compile(Entity::Contracts, std::slice::from_ref(filter))
            .unwrap_or_else(|e| panic!("{filter}: {e}"));
        assert_eq!(cond.eval(&entity), *want, "{filter}");
    }
    // Top-level items are ANDed; an empty filter matches everything.
    let both = [cases[0].0.clone(), cases[2].0.clone()];
    assert!(!compile(Entity::Contracts, &both).unwrap().eval(&entity));
    assert!(compile(Entity::Contracts, &[]).unwrap().eval(&entity));

    let rejected = [
        json!({"op": "eq", "field": "nope", "value": 1}),
        json!({"op": "eq", "field": "isDefaultContract", "value": "false"}),
        json!({"op": "eq", "field": "isDefaultContract", "value": null}),
        json!({"op": "like", "field": "id", "value": 1}),
        json!({"op": "beginsWith", "field": "id", "value": "1"}),
        json!({"op": "eq", "field": "id"}),
        json!({"op": "in", "field": "id", "value": 1}),
        json!({"op": "gt", "field": "startDate", "value": "yesterday"}),
        json!({"op": "or"}),
        json!("id eq 1"),
    ];
    for filter in rejected {
        assert!(
            compile(Entity::Contracts, std::slice::from_ref(&filter)).is_err(),
            "{filter}"
        );
    }
}

#[test]
fn cursor_windows() {
    let ids = [0, 5, 9, 12, 20];
    assert_eq!(Cursor::default().window(&ids, 2), (0, 2));
    let next = Cursor::parse(&Cursor::next(2, 5)).unwrap();
    assert_eq!(next.window(&ids, 2), (2, 4));
    let prev = Cursor::parse(&Cursor::prev(2, 12)).unwrap();
    assert_eq!(prev.window(&ids, 2), (1, 3));
    assert!(Cursor::parse("{}").is_err() && Cursor::parse("x").is_err());
}

#[test]
fn time_zone_conversion() {
    let ny = TenantTimeZone::new_york();
    let d = |s: &str| ny.local_date(parse_utc(s).unwrap());
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // The docs' example: 02:00 UTC on 9 October is 8 October in a US database.
    assert_eq!(d("2023-10-09T02:00:00"), day(2023, 10, 8));
    assert_eq!(d("2023-10-09T12:00:00Z"), day(2023, 10, 9));
    assert_eq!(d("2024-01-10T04:59:59Z"), day(2024, 1, 9));
    assert_eq!(d("2024-01-10T05:00:00.000Z"), day(2024, 1, 10));
    assert_eq!(
        d("2024-01-10"),
        day(2024, 1, 9),
        "a date-only value is midnight UTC"
    );
    assert_eq!(d("2024-01-10T12:00:00+02:00"), day(2024, 1, 10));
    let off = |s: &str| ny.offset_minutes_at(parse_utc(s).unwrap());
    assert_eq!(off("2024-03-10T06:59:00Z"), -300);
    assert_eq!(off("2024-03-10T07:00:00Z"), -240);
    assert_eq!(off("2024-11-03T05:59:00Z"), -240);
    assert_eq!(off("2024-11-03T06:00:00Z"), -300);
    let auckland = TenantTimeZone::fixed(780);
    assert_eq!(
        auckland.local_date(parse_utc("2024-01-10T12:00:00Z").unwrap()),
        day(2024, 1, 11)
    );
}
