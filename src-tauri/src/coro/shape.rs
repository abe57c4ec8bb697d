//! Strict reading of the `GET /v1/usage` answer (coro.md §2.6: its body is UNCONFIRMED).
//!
//! The DTOs in [`wire`] are lenient on purpose (every field an `Option`), so almost any JSON
//! object deserializes into a [`WorkspaceUsage`] with nothing in it. For usage that leniency is
//! dangerous: an answer in a shape we did not guess would read as "no per-service counts", and
//! the counts would silently come from the workspace totals or the user/device lists. So the
//! answer is checked here first, and anything that is not one of the shapes we rely on makes the
//! workspace fail alone with [`UNEXPECTED_USAGE_SHAPE`] — never billed from a fallback total.

use serde_json::Value;

use super::wire::WorkspaceUsage;

/// What the operator reads when the usage answer is not in a shape we rely on.
pub const UNEXPECTED_USAGE_SHAPE: &str =
    "Coro's usage answer has an unexpected shape (see diagnostics)";

/// Count fields of a usage record and of each `moduleStatistics` entry; when present they must
/// be whole numbers ≥ 0 (or `null`, read as absent).
const COUNT_FIELDS: &[&str] = &["protectedUsers", "protectedDevices", "licensedDevices"];

/// The usage record of `workspace_id` in a `GET /v1/usage` answer, or what is wrong with it.
///
/// UNCONFIRMED: the whole body (coro.md §2.6). What we rely on, and nothing more:
/// - the answer is a page `{ "items": [records], "totalElements" }`, a bare array of records or
///   one bare record (the sandbox serves each way: `POST /_sandbox/usage-shape`);
/// - the record for the workspace carries its `workspaceId`, or is the only record and has none;
/// - the record holds `moduleStatistics`, an object keyed by service whose entries are objects;
/// - every count field ([`COUNT_FIELDS`]) present is a whole number ≥ 0.
///
/// Unknown fields anywhere are ignored (new Coro releases add fields).
pub fn usage_record(body: &Value, workspace_id: &str) -> Result<WorkspaceUsage, String> {
    let records: Vec<&Value> = match body {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => match map.get("items") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(other) => return Err(format!("`items` is {}, not a list", kind(other))),
            None => vec![body],
        },
        other => {
            return Err(format!(
                "the answer is {}, not an object or a list",
                kind(other)
            ))
        }
    };
    if let Some(bad) = records.iter().find(|r| !r.is_object()) {
        return Err(format!("a usage record is {}, not an object", kind(bad)));
    }
    let id_of = |r: &Value| {
        r.get("workspaceId")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let lone = records.len() == 1;
    let record = records
        .iter()
        .find(|r| id_of(r).as_deref() == Some(workspace_id) || (lone && id_of(r).is_none()))
        .ok_or_else(|| {
            format!(
                "no usage record for this workspace among the {} returned",
                records.len()
            )
        })?;
    check_counts(record, "the usage record")?;
    let stats = match record.get("moduleStatistics") {
        Some(Value::Object(stats)) => stats,
        Some(other) => {
            return Err(format!(
                "`moduleStatistics` is {}, not an object",
                kind(other)
            ))
        }
        None => return Err("the usage record has no `moduleStatistics`".into()),
    };
    for (key, entry) in stats {
        if !entry.is_object() {
            return Err(format!(
                "`moduleStatistics.{key}` is {}, not an object",
                kind(entry)
            ));
        }
        check_counts(entry, &format!("`moduleStatistics.{key}`"))?;
    }
    serde_json::from_value((*record).clone()).map_err(|e| e.to_string())
}

fn check_counts(record: &Value, what: &str) -> Result<(), String> {
    for field in COUNT_FIELDS {
        match record.get(*field) {
            None | Some(Value::Null) => {}
            Some(v) if v.as_u64().is_some() => {}
            Some(v) => {
                return Err(format!(
                    "{what} has `{field}` = {}, not a whole number ≥ 0",
                    short(v)
                ))
            }
        }
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A value for an error message, cut short (never more than 40 characters).
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: Option<&str>) -> Value {
        let mut r = json!({"protectedUsers": 9, "protectedDevices": 20,
                           "moduleStatistics": {"edr": {"protectedDevices": 12}}});
        if let Some(id) = id {
            r["workspaceId"] = json!(id);
        }
        r
    }

    #[test]
    fn accepted_shapes() {
        let cases = [
            (
                "page",
                json!({"items": [record(Some("a_1"))], "totalElements": 1}),
            ),
            ("array", json!([record(Some("b_2")), record(Some("a_1"))])),
            ("object", record(Some("a_1"))),
            ("lone record without id", json!({"items": [record(None)]})),
            (
                "null counts and unknown fields",
                json!({"workspaceId": "a_1", "protectedUsers": null, "newThing": [1],
                       "moduleStatistics": {}}),
            ),
        ];
        for (case, body) in cases {
            let got = usage_record(&body, "a_1");
            assert!(got.is_ok(), "{case}: {got:?}");
        }
        let r = usage_record(&record(None), "a_1").unwrap();
        assert_eq!(r.module_counts()["edr"].quantity(true), Some(12));
    }

    #[test]
    fn unexpected_shapes() {
        let cases = [
            ("a string", json!("ok"), "not an object or a list"),
            (
                "items not a list",
                json!({"items": {}}),
                "`items` is an object",
            ),
            (
                "record not an object",
                json!([1]),
                "a number, not an object",
            ),
            (
                "other workspace only",
                json!({"items": [record(Some("b_2"))]}),
                "no usage record for this workspace among the 1",
            ),
            ("empty page", json!({"items": []}), "among the 0"),
            (
                "two records without ids",
                json!([record(None), record(None)]),
                "no usage record",
            ),
            (
                "different schema",
                json!({"workspaceId": "a_1", "usage": {"users": 4, "devices": 9}}),
                "no `moduleStatistics`",
            ),
            (
                "statistics a list",
                json!({"moduleStatistics": [{"edr": 1}]}),
                "`moduleStatistics` is a list",
            ),
            (
                "entry a number",
                json!({"moduleStatistics": {"edr": 12}}),
                "`moduleStatistics.edr` is a number",
            ),
            (
                "count a string",
                json!({"moduleStatistics": {"edr": {"protectedDevices": "12"}}}),
                "`protectedDevices` = \"12\"",
            ),
            (
                "negative total",
                json!({"protectedUsers": -3, "moduleStatistics": {}}),
                "`protectedUsers` = -3",
            ),
            (
                "fractional count",
                json!({"moduleStatistics": {"edr": {"protectedUsers": 1.5}}}),
                "= 1.5",
            ),
        ];
        for (case, body, want) in cases {
            match usage_record(&body, "a_1") {
                Ok(r) => panic!("{case}: accepted as {r:?}"),
                Err(e) => assert!(e.contains(want), "{case}: {e}"),
            }
        }
    }
}
