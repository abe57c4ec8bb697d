//! The REST query language (reference §3.2–3.3): the QueryModel body, the filter evaluator over
//! `serde_json::Value` entities, and the id-ordered paging cursor behind `nextPageUrl`.
//!
//! Filters are compiled first, so a bad field, operator or value is reported as the 500 +
//! `errors[]` the API uses for validation failures even when the entity set is empty.

use std::cmp::Ordering;

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use super::meta::{Entity, Ty};
use super::time::parse_utc;

/// Records per page, and the ceiling for `MaxRecords`.
pub const MAX_RECORDS: usize = 500;

/// A parsed QueryModel. Top-level keys are bound case-insensitively (`filter`/`Filter`, ...).
#[derive(Debug, Clone)]
pub struct QueryModel {
    pub filter: Vec<Value>,
    pub max_records: usize,
    pub include_fields: Vec<String>,
}

/// Case-insensitive key lookup: the server's model binding ignores casing (reference §3.2, §4).
pub fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The ids a top-level `eq` / `in` condition on `field` allows (top-level conditions are ANDed, so
/// every match is among them); None when there is no such condition. Lets the server look rows up
/// by an index instead of scanning them all; the full filter is still applied to each.
pub fn ids_named(filter: &[Value], field: &str) -> Option<Vec<i64>> {
    filter.iter().find_map(|item| {
        let obj = item.as_object()?;
        let named = get_ci(obj, "field")?.as_str()?;
        if !named.eq_ignore_ascii_case(field) {
            return None;
        }
        let value = get_ci(obj, "value")?;
        match get_ci(obj, "op")?.as_str()?.to_ascii_lowercase().as_str() {
            "eq" => Some(vec![value.as_i64()?]),
            "in" => value
                .as_array()?
                .iter()
                .map(Value::as_i64)
                .collect::<Option<Vec<i64>>>(),
            _ => None,
        }
    })
}

pub fn parse_model(v: &Value) -> Result<QueryModel, String> {
    let obj = v.as_object().ok_or_else(|| {
        "The query could not be parsed: a QueryModel object is required.".to_string()
    })?;
    let filter = match get_ci(obj, "filter") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err("filter must be an array of filter items.".to_string()),
    };
    let max_records = match get_ci(obj, "maxRecords") {
        None | Some(Value::Null) => MAX_RECORDS,
        Some(m) => match m.as_i64() {
            Some(n) if (1..=MAX_RECORDS as i64).contains(&n) => n as usize,
            _ => {
                return Err(format!(
                    "MaxRecords must be between 1 and {MAX_RECORDS}; got {m}."
                ))
            }
        },
    };
    let include_fields = match get_ci(obj, "includeFields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|f| {
                f.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "IncludeFields must be an array of field names.".to_string())
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("IncludeFields must be an array of field names.".to_string()),
    };
    Ok(QueryModel {
        filter,
        max_records,
        include_fields,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    NotEq,
    Gt,
    Gte,
    Lt,
    Lte,
    BeginsWith,
    EndsWith,
    Contains,
}

/// A typed literal: numbers compare numerically, strings case-insensitively (SQL Server's default
/// collation), dates as UTC instants.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Num(f64),
    Str(String),
    Date(NaiveDateTime),
    Bool(bool),
}

impl Lit {
    fn cmp(&self, other: &Lit) -> Option<Ordering> {
        match (self, other) {
            (Lit::Num(a), Lit::Num(b)) => a.partial_cmp(b),
            (Lit::Str(a), Lit::Str(b)) => Some(a.cmp(b)),
            (Lit::Date(a), Lit::Date(b)) => Some(a.cmp(b)),
            (Lit::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Where a condition reads its value: a standard field (canonical name) or a user-defined field.
#[derive(Debug, Clone)]
pub enum Target {
    Field(&'static str, Ty),
    Udf(String),
}

impl Target {
    fn ty(&self) -> Ty {
        match self {
            Target::Field(_, ty) => *ty,
            Target::Udf(_) => Ty::Str,
        }
    }

    fn read(&self, entity: &Value) -> Option<Lit> {
        match self {
            Target::Field(name, ty) => entity.get(*name).and_then(|v| to_lit(*ty, v).ok()),
            Target::Udf(name) => entity
                .get("userDefinedFields")
                .and_then(Value::as_array)?
                .iter()
                .find(|u| {
                    u.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .and_then(|u| u.get("value"))
                .and_then(|v| to_lit(Ty::Str, v).ok()),
        }
    }
}

/// A compiled filter.
#[derive(Debug, Clone)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Cmp(Target, Op, Lit),
    Exist(Target, bool),
    In(Target, Vec<Lit>, bool),
}

fn to_lit(ty: Ty, v: &Value) -> Result<Lit, String> {
    match (ty, v) {
        (_, Value::Null) => Err("null".to_string()),
        (t, Value::Number(n)) if t.numeric() => n
            .as_f64()
            .map(Lit::Num)
            .ok_or_else(|| "invalid number".to_string()),
        (t, Value::String(s)) if t.numeric() => s
            .trim()
            .parse::<f64>()
            .map(Lit::Num)
            .map_err(|_| format!("'{s}' is not a number")),
        (Ty::Bool, Value::Bool(b)) => Ok(Lit::Bool(*b)),
        // Booleans must be literal true/false (reference §3.2).
        (Ty::Bool, other) => Err(format!("{other} is not a boolean; use true or false")),
        (Ty::DateTime, Value::String(s)) => parse_utc(s)
            .map(Lit::Date)
            .ok_or_else(|| format!("'{s}' is not a valid date-time")),
        (Ty::Str, Value::String(s)) => Ok(Lit::Str(s.to_lowercase())),
        (Ty::Str, Value::Number(n)) => Ok(Lit::Str(n.to_string())),
        (Ty::Str, Value::Bool(b)) => Ok(Lit::Str(b.to_string())),
        (_, other) => Err(format!("{other} is not a valid value")),
    }
}

/// Compiles the top-level filter list (its items are ANDed).
pub fn compile(entity: Entity, filter: &[Value]) -> Result<Cond, String> {
    filter
        .iter()
        .map(|item| compile_item(entity, item))
        .collect::<Result<Vec<_>, _>>()
        .map(Cond::And)
}

fn compile_item(entity: Entity, item: &Value) -> Result<Cond, String> {
    let obj = item.as_object().ok_or_else(|| {
        format!("Invalid filter item {item}: expected an object with op/field/value.")
    })?;
    let op = get_ci(obj, "op")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Filter item {item} has no 'op'."))?
        .to_ascii_lowercase();
    if op == "and" || op == "or" {
        let items = get_ci(obj, "items")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("The '{op}' operator needs an 'items' array."))?;
        let conds = items
            .iter()
            .map(|i| compile_item(entity, i))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(if op == "and" {
            Cond::And(conds)
        } else {
            Cond::Or(conds)
        });
    }
    let field = get_ci(obj, "field")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Filter item {item} has no 'field'."))?;
    let udf = get_ci(obj, "udf").and_then(Value::as_bool).unwrap_or(false);
    let target = if udf {
        Target::Udf(field.to_string())
    } else {
        let def = entity.field(field).ok_or_else(|| {
            format!(
                "Unable to find {field} in the {} entity.",
                entity.singular()
            )
        })?;
        Target::Field(def.name, def.ty)
    };
    let ty = target.ty();
    let value = get_ci(obj, "value").unwrap_or(&Value::Null);
    let bad = |why: String| format!("Invalid value for {field} ({op}): {why}.");
    let cmp_op = match op.as_str() {
        "exist" => return Ok(Cond::Exist(target, true)),
        "notexist" => return Ok(Cond::Exist(target, false)),
        "in" | "notin" => {
            let values = value
                .as_array()
                .ok_or_else(|| bad("'in'/'notIn' needs an array value".to_string()))?;
            let lits = values
                .iter()
                .map(|v| to_lit(ty, v).map_err(bad))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Cond::In(target, lits, op == "in"));
        }
        "eq" => Op::Eq,
        "noteq" => Op::NotEq,
        "gt" => Op::Gt,
        "gte" => Op::Gte,
        "lt" => Op::Lt,
        "lte" => Op::Lte,
        "beginswith" => Op::BeginsWith,
        "endswith" => Op::EndsWith,
        "contains" => Op::Contains,
        other => return Err(format!("Unknown filter operator '{other}'.")),
    };
    let text_op = matches!(cmp_op, Op::BeginsWith | Op::EndsWith | Op::Contains);
    if text_op && ty != Ty::Str {
        return Err(bad("text operators apply to string fields only".to_string()));
    }
    if ty == Ty::Bool && !matches!(cmp_op, Op::Eq | Op::NotEq) {
        return Err(bad("boolean fields support eq and noteq only".to_string()));
    }
    let lit = to_lit(ty, value).map_err(bad)?;
    Ok(Cond::Cmp(target, cmp_op, lit))
}

impl Cond {
    /// Whether `entity` matches. A null field matches only `noteq`, `notIn` and `notExist`.
    pub fn eval(&self, entity: &Value) -> bool {
        match self {
            Cond::And(items) => items.iter().all(|c| c.eval(entity)),
            Cond::Or(items) => items.iter().any(|c| c.eval(entity)),
            Cond::Exist(t, want) => t.read(entity).is_some() == *want,
            Cond::In(t, lits, positive) => {
                let hit = t
                    .read(entity)
                    .is_some_and(|a| lits.iter().any(|b| a.cmp(b) == Some(Ordering::Equal)));
                hit == *positive
            }
            Cond::Cmp(t, op, b) => {
                let Some(a) = t.read(entity) else {
                    return *op == Op::NotEq;
                };
                let ord = a.cmp(b);
                match op {
                    Op::Eq => ord == Some(Ordering::Equal),
                    Op::NotEq => ord != Some(Ordering::Equal),
                    Op::Gt => ord == Some(Ordering::Greater),
                    Op::Gte => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
                    Op::Lt => ord == Some(Ordering::Less),
                    Op::Lte => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                    Op::BeginsWith | Op::EndsWith | Op::Contains => {
                        let (Lit::Str(a), Lit::Str(b)) = (&a, b) else {
                            return false;
                        };
                        match op {
                            Op::BeginsWith => a.starts_with(b.as_str()),
                            Op::EndsWith => a.ends_with(b.as_str()),
                            _ => a.contains(b.as_str()),
                        }
                    }
                }
            }
        }
    }
}

/// Keeps only the requested fields (matched case-insensitively, emitted with canonical casing).
pub fn project(item: &Value, include: &[String]) -> Value {
    if include.is_empty() {
        return item.clone();
    }
    let Some(obj) = item.as_object() else {
        return item.clone();
    };
    let mut out = Map::new();
    for want in include {
        if let Some((k, v)) = obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(want)) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Position in an id-ordered result: the `paging` parameter of next/prev URLs.
/// `{"pageSize":500,"nextIdPos":N}` = the page after id N; `{"pageSize":500,"previousIdPos":N}` =
/// the page before id N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub page_size: Option<usize>,
    pub after: Option<i64>,
    pub before: Option<i64>,
}

impl Cursor {
    pub fn parse(s: &str) -> Result<Cursor, String> {
        let v: Value =
            serde_json::from_str(s).map_err(|_| "The paging parameter is invalid.".to_string())?;
        let obj = v
            .as_object()
            .ok_or_else(|| "The paging parameter is invalid.".to_string())?;
        let num = |k: &str| get_ci(obj, k).and_then(Value::as_i64);
        let cursor = Cursor {
            page_size: num("pageSize").map(|n| n.clamp(1, MAX_RECORDS as i64) as usize),
            after: num("nextIdPos"),
            before: num("previousIdPos"),
        };
        if cursor.after.is_none() && cursor.before.is_none() {
            return Err("The paging parameter is invalid.".to_string());
        }
        Ok(cursor)
    }

    pub fn next(page_size: usize, last_id: i64) -> String {
        json!({"pageSize": page_size, "nextIdPos": last_id}).to_string()
    }

    pub fn prev(page_size: usize, first_id: i64) -> String {
        json!({"pageSize": page_size, "previousIdPos": first_id}).to_string()
    }

    /// The `[start, end)` window of an id-sorted list this cursor selects.
    pub fn window(&self, ids: &[i64], size: usize) -> (usize, usize) {
        if let Some(before) = self.before.filter(|_| self.after.is_none()) {
            let end = ids.partition_point(|id| *id < before);
            (end.saturating_sub(size), end)
        } else {
            let start = match self.after {
                Some(after) => ids.partition_point(|id| *id <= after),
                None => 0,
            };
            (start, (start + size).min(ids.len()))
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for `paging=` / `search=`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
