//! The ConnectWise query language used by `conditions`, `childConditions` and
//! `customFieldConditions` (reference §6.2): the expression types, the per-collection field index,
//! and the checks that make the real server answer 400 ("Expected a boolean value, not a numeric.
//! String values should be enclosed …") instead of silently matching nothing. Parsing lives in
//! `parser`, evaluation in `eval`.
//!
//! Semantics follow the SQL the real server generates: `and` binds tighter than `or`, string
//! comparisons ignore case (SQL Server's default collation), and a comparison against a null field
//! is false unless the literal is `null` (so `x != 5` does not match rows where `x` is null).
//! Field names are case-sensitive, like everywhere else in the API.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use super::eval::{eval, parse_datetime, resolve};
pub use super::parser::parse;

/// The tail of the real server's error text for a badly typed value (connectwise-rest README).
pub const VALUE_HINT: &str = "String values should be enclosed with double or single quotes; \
DateTime values should be enclosed in square brackets; numbers should consist of only digits, and \
optionally a decimal point and a negation sign; boolean values should be indicated with the \
keywords true or false; null values should be indicated by the keyword null.";

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(DateTime<Utc>),
}

impl Literal {
    fn kind_name(&self) -> &'static str {
        match self {
            Literal::Str(_) => "string",
            Literal::Num(_) => "numeric",
            Literal::Bool(_) => "boolean",
            Literal::Null => "null",
            Literal::Date(_) => "datetime",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    Like,
    In,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `negated` covers `not contains`, `not like` and `not in`.
    Cmp {
        field: String,
        op: Op,
        negated: bool,
        values: Vec<Literal>,
    },
}

/// What a field holds, learnt from the entities of a collection (see [`FieldIndex`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Number,
    Text,
    Date,
    Object,
    Array,
    /// Only ever seen as null: any literal is accepted.
    Unknown,
}

/// Every field path of a collection with its kind, so bad conditions fail like on the real server
/// instead of silently matching nothing. Paths through arrays (`types/name`) are recorded too.
#[derive(Debug, Clone, Default)]
pub struct FieldIndex {
    kinds: HashMap<String, Kind>,
}

impl FieldIndex {
    pub fn from_entities<'a>(entities: impl IntoIterator<Item = &'a Value>) -> FieldIndex {
        let mut idx = FieldIndex::default();
        for e in entities {
            if let Value::Object(map) = e {
                for (k, v) in map {
                    idx.learn(k.clone(), v);
                }
            }
        }
        idx
    }

    fn learn(&mut self, path: String, v: &Value) {
        let kind = match v {
            Value::Null => Kind::Unknown,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(s) if parse_datetime(s).is_some() => Kind::Date,
            Value::String(_) => Kind::Text,
            Value::Object(_) => Kind::Object,
            Value::Array(_) => Kind::Array,
        };
        let merged = match (self.kinds.get(&path).copied(), kind) {
            (None, k) | (Some(Kind::Unknown), k) => k,
            (Some(old), Kind::Unknown) => old,
            // A string field that is sometimes a date-time is still a string field.
            (Some(Kind::Date), Kind::Text) | (Some(Kind::Text), Kind::Date) => Kind::Text,
            (Some(old), _) => old,
        };
        self.kinds.insert(path.clone(), merged);
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    self.learn(format!("{path}/{k}"), child);
                }
            }
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(map) = item {
                        for (k, child) in map {
                            self.learn(format!("{path}/{k}"), child);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The stored path for a field name: audit fields such as `lastUpdated` live in `_info` but
    /// are filtered by their bare name (reference §6.2: `lastUpdated > [2025-01-01T00:00:00Z]`).
    pub fn canonical(&self, path: &str) -> String {
        let info = format!("_info/{path}");
        if self.lookup(path).is_err() && self.kinds.contains_key(&info) {
            info
        } else {
            path.to_string()
        }
    }

    /// The kind of a path and whether it goes through an array. Unknown fields are an error,
    /// except below a reference that was only ever null (its sub-fields cannot be learnt).
    pub fn lookup(&self, path: &str) -> Result<(Kind, bool), String> {
        let segs: Vec<&str> = path.split('/').collect();
        let mut through_array = false;
        for i in 0..segs.len() {
            let prefix = segs[..=i].join("/");
            match self.kinds.get(&prefix) {
                Some(Kind::Unknown) => return Ok((Kind::Unknown, through_array)),
                Some(Kind::Array) if i + 1 < segs.len() => through_array = true,
                Some(Kind::Object) if i + 1 < segs.len() => {}
                Some(k) if i + 1 == segs.len() => return Ok((*k, through_array)),
                _ => break,
            }
        }
        Err(format!("Unknown field '{path}'."))
    }
}

/// Where an expression is used: plain `conditions` may not reach into arrays (company `types`
/// need `childConditions`, reference §11.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Conditions,
    Child,
}

/// Parses and type-checks a condition string against a collection's fields.
pub fn compile(src: &str, index: &FieldIndex, scope: Scope) -> Result<Expr, String> {
    let expr = canonical_fields(parse(src)?, index);
    check(&expr, index, scope)?;
    Ok(expr)
}

fn canonical_fields(expr: Expr, index: &FieldIndex) -> Expr {
    match expr {
        Expr::And(a, b) => Expr::And(
            Box::new(canonical_fields(*a, index)),
            Box::new(canonical_fields(*b, index)),
        ),
        Expr::Or(a, b) => Expr::Or(
            Box::new(canonical_fields(*a, index)),
            Box::new(canonical_fields(*b, index)),
        ),
        Expr::Cmp {
            field,
            op,
            negated,
            values,
        } => Expr::Cmp {
            field: index.canonical(&field),
            op,
            negated,
            values,
        },
    }
}

fn check(expr: &Expr, index: &FieldIndex, scope: Scope) -> Result<(), String> {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            check(a, index, scope)?;
            check(b, index, scope)
        }
        Expr::Cmp {
            field, op, values, ..
        } => {
            let (kind, through_array) = index.lookup(field)?;
            if through_array && scope == Scope::Conditions {
                return Err(format!(
                    "'{field}' is a field of a collection; filter it with childConditions."
                ));
            }
            for v in values {
                check_value(field, kind, *op, v)?;
            }
            Ok(())
        }
    }
}

fn check_value(field: &str, kind: Kind, op: Op, v: &Literal) -> Result<(), String> {
    let expected = match kind {
        Kind::Unknown => return Ok(()),
        Kind::Object | Kind::Array => {
            return Err(format!(
            "'{field}' is a reference; compare one of its fields instead (for example {field}/id)."
        ))
        }
        Kind::Bool => "boolean",
        Kind::Number => "numeric",
        Kind::Text => "string",
        Kind::Date => "datetime",
    };
    if *v == Literal::Null {
        return if matches!(op, Op::Eq | Op::Ne | Op::In) {
            Ok(())
        } else {
            Err(format!(
                "The operator cannot be used with null on '{field}'. {VALUE_HINT}"
            ))
        };
    }
    if v.kind_name() != expected {
        return Err(format!(
            "Expected a {expected} value, not a {}. {VALUE_HINT}",
            v.kind_name()
        ));
    }
    let text_only = matches!(op, Op::Contains | Op::Like);
    let ordered = matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge);
    if (text_only && kind != Kind::Text) || (ordered && kind == Kind::Bool) {
        return Err(format!(
            "The operator is not valid for the {expected} field '{field}'."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::eval::like;
    use super::*;
    use serde_json::json;

    fn entity() -> Value {
        json!({
            "id": 12, "name": "Acme Dental LLC", "deletedFlag": false, "quantity": 37.0,
            "company": {"id": 250, "identifier": "AcmeDental", "name": "Acme Dental LLC"},
            "parentAgreement": null, "agreementStatus": "Active",
            "cancelledDate": null, "effectiveDate": "2024-01-01T00:00:00Z",
            "types": [{"id": 1, "name": "Client"}, {"id": 5, "name": "Partner"}],
            "_info": {"lastUpdated": "2025-03-02T14:11:09Z"},
        })
    }

    fn index() -> FieldIndex {
        let other = json!({"parentAgreement": {"id": 3, "name": "P"}, "cancelledDate": "2025-01-31T00:00:00Z"});
        FieldIndex::from_entities([&entity(), &other])
    }

    #[test]
    fn conditions_evaluate_like_the_server() {
        let cases: &[(&str, bool)] = &[
            ("id=12", true),
            ("id = 13", false),
            ("id != 13", true),
            ("id < 13 and id >= 12", true),
            ("id > 12", false),
            ("id <= 11 or id in (5, 12, 99)", true),
            ("id not in (12)", false),
            ("name = \"acme dental llc\"", true),
            ("name = 'Acme Dental LLC'", true),
            ("name contains \"dental\"", true),
            ("name not contains \"Dental\"", false),
            ("name like \"Acme%\"", true),
            ("name like \"%LLC\"", true),
            ("name like \"A_me*\"", true),
            ("name not like \"Fred%\"", true),
            ("deletedFlag = false", true),
            ("DELETEDFLAG = false", false),
            ("company/id=250 AND agreementStatus=\"Active\"", true),
            ("company/identifier in (\"X\", \"AcmeDental\")", true),
            ("parentAgreement/id = null", true),
            ("parentAgreement/id != 3", false),
            ("cancelledDate = null", true),
            ("cancelledDate != null", false),
            ("(cancelledDate = null or cancelledDate > [2025-01-01T00:00:00Z]) and quantity = 37", true),
            ("effectiveDate <= [2024-01-01T00:00:00Z]", true),
            ("effectiveDate > [2024-01-01]", false),
            ("id = 1 or id = 12 and name = \"x\"", false),
            ("(id = 1 or id = 12) and name like \"acme%\"", true),
            ("quantity = 37.0", true),
            ("quantity > -1", true),
            ("lastUpdated > [2025-01-01T00:00:00Z]", true),
        ];
        let idx = index();
        for (src, want) in cases {
            match compile(src, &idx, Scope::Conditions) {
                Ok(e) => assert_eq!(eval(&e, &entity()), *want, "{src}"),
                Err(msg) if src.starts_with("DELETEDFLAG") => {
                    assert!(msg.contains("Unknown field"))
                }
                Err(msg) => panic!("{src}: {msg}"),
            }
        }
    }

    #[test]
    fn bad_conditions_are_refused_with_the_server_text() {
        let idx = index();
        let cases: &[(&str, &str)] = &[
            ("deletedFlag = 1", "Expected a boolean value, not a numeric"),
            ("name = Acme", "Expected a value"),
            (
                "company/id = \"250\"",
                "Expected a numeric value, not a string",
            ),
            (
                "effectiveDate > \"2024-01-01\"",
                "Expected a datetime value, not a string",
            ),
            ("nosuch = 1", "Unknown field 'nosuch'"),
            ("company/nosuch = 1", "Unknown field"),
            ("company = 250", "is a reference"),
            ("types/name = \"Client\"", "childConditions"),
            ("id = ", "Expected a value"),
            ("(id = 1", "Expected ')'"),
            ("id = 1 id = 2", "Unexpected"),
            ("name = \"open", "Unterminated string"),
            ("effectiveDate > [yesterday]", "Invalid date-time"),
            ("id like \"1%\"", "Expected a numeric value, not a string"),
            ("deletedFlag > true", "not valid"),
            ("id in 1, 2", "Expected '('"),
            ("", "empty"),
            ("id == 1", "Expected a value"),
        ];
        for (src, want) in cases {
            let err = compile(src, &idx, Scope::Conditions).expect_err(src);
            assert!(err.contains(want), "{src}: {err}");
        }
    }

    #[test]
    fn child_conditions_reach_into_arrays() {
        let idx = index();
        let e = compile("types/name = \"Client\"", &idx, Scope::Child).expect("valid");
        assert!(eval(&e, &entity()));
        let e = compile("types/id = 9", &idx, Scope::Child).expect("valid");
        assert!(!eval(&e, &entity()));
    }

    #[test]
    fn like_patterns() {
        assert!(like("a[b", "a[[]b"));
        assert!(like("abc", "%"));
        assert!(!like("abc", "ab"));
        assert!(like("abc", "a%c"));
    }
}
