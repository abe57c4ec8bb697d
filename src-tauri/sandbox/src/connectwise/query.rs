//! The list-query parameters every ConnectWise collection accepts (reference §6.1, §6.3):
//! `conditions`, `childConditions`, `customFieldConditions`, `orderBy`, `fields`, `page`,
//! `pageSize`, `pageId`, plus the `pagination-type: forward-only` header; selection of one page,
//! partial responses, and the `Link` header.

use std::cmp::Ordering;

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::conditions::{self, Expr, FieldIndex, Kind, Scope};
use super::errors::ApiError;
use crate::common::url_decode_pairs;

pub const DEFAULT_PAGE_SIZE: usize = 25;
/// The hard limit; larger requests are clamped (whether CW errors or clamps is UNCONFIRMED).
pub const MAX_PAGE_SIZE: usize = 1000;

#[derive(Debug, Default)]
pub struct ListQuery {
    pub conditions: Option<Expr>,
    pub child_conditions: Option<Expr>,
    pub custom_field_conditions: Option<Expr>,
    /// (field, descending)
    pub order_by: Vec<(String, bool)>,
    pub fields: Option<Vec<String>>,
    pub page: usize,
    pub page_size: usize,
    pub page_id: Option<i64>,
    pub forward_only: bool,
    /// Every other query parameter, in order, so `Link` URLs repeat the caller's filters.
    pub passthrough: Vec<(String, String)>,
}

/// The fields a custom-field value has (`CustomFieldValue` in the spec).
fn custom_field_index() -> FieldIndex {
    let proto = serde_json::json!({
        "id": 1, "caption": "x", "type": "Text", "entryMethod": "EntryField",
        "numberOfDecimals": 0, "value": null, "connectWiseId": "x"
    });
    FieldIndex::from_entities([&proto])
}

/// Reads the list parameters (names matched case-insensitively, like ASP.NET binding) and checks
/// them against the collection's fields.
pub fn parse(
    raw_query: Option<&str>,
    headers: &HeaderMap,
    index: &FieldIndex,
) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery {
        page: 1,
        page_size: DEFAULT_PAGE_SIZE,
        ..ListQuery::default()
    };
    q.forward_only = headers
        .get("pagination-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("forward-only"));
    let bad = |m: String| ApiError::invalid(m);
    for (name, value) in url_decode_pairs(raw_query.unwrap_or("")) {
        match name.to_ascii_lowercase().as_str() {
            "conditions" => {
                q.conditions =
                    Some(conditions::compile(&value, index, Scope::Conditions).map_err(bad)?);
            }
            "childconditions" => {
                q.child_conditions =
                    Some(conditions::compile(&value, index, Scope::Child).map_err(bad)?);
            }
            "customfieldconditions" => {
                let expr = conditions::compile(&value, &custom_field_index(), Scope::Conditions)
                    .map_err(bad)?;
                q.custom_field_conditions = Some(expr);
            }
            "orderby" => q.order_by = parse_order_by(&value, index)?,
            "fields" => q.fields = Some(parse_fields(&value, index)?),
            "page" => q.page = parse_int(&name, &value)?.max(1) as usize,
            "pagesize" => {
                let n = parse_int(&name, &value)?;
                q.page_size = if n <= 0 {
                    DEFAULT_PAGE_SIZE
                } else {
                    (n as usize).min(MAX_PAGE_SIZE)
                };
            }
            "pageid" => q.page_id = Some(parse_int(&name, &value)?),
            _ => {}
        }
        if !matches!(
            name.to_ascii_lowercase().as_str(),
            "page" | "pagesize" | "pageid"
        ) {
            q.passthrough.push((name, value));
        }
    }
    if q.forward_only && !q.order_by.is_empty() {
        return Err(ApiError::invalid(
            "orderBy is not supported with forward-only pagination (results are ordered by id)."
                .into(),
        ));
    }
    Ok(q)
}

fn parse_int(name: &str, value: &str) -> Result<i64, ApiError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| ApiError::invalid(format!("The value '{value}' is not valid for {name}.")))
}

fn parse_order_by(value: &str, index: &FieldIndex) -> Result<Vec<(String, bool)>, ApiError> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let field = index.canonical(words.next().unwrap_or_default());
        let desc = match words.next().map(|w| w.to_ascii_lowercase()) {
            None => false,
            Some(w) if w == "asc" => false,
            Some(w) if w == "desc" => true,
            Some(w) => {
                return Err(ApiError::invalid(format!(
                    "Invalid sort direction '{w}' in orderBy."
                )))
            }
        };
        match index.lookup(&field) {
            Ok((Kind::Object | Kind::Array, _)) | Ok((_, true)) => {
                return Err(ApiError::invalid(format!("Cannot order by '{field}'.")))
            }
            Ok(_) => out.push((field, desc)),
            Err(m) => return Err(ApiError::invalid(format!("{m} (orderBy)"))),
        }
    }
    Ok(out)
}

fn parse_fields(value: &str, index: &FieldIndex) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for f in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        // Strict on purpose: a typo here would otherwise show up as a silently missing field.
        index
            .lookup(f)
            .map_err(|m| ApiError::invalid(format!("{m} (fields)")))?;
        out.push(f.to_string());
    }
    Ok(out)
}

/// The entities matching every filter, in the requested order.
pub fn filter<'a>(entities: impl Iterator<Item = &'a Value>, q: &ListQuery) -> Vec<&'a Value> {
    let mut hits: Vec<&Value> = entities
        .filter(|e| q.conditions.as_ref().is_none_or(|c| conditions::eval(c, e)))
        .filter(|e| {
            q.child_conditions
                .as_ref()
                .is_none_or(|c| conditions::eval(c, e))
        })
        .filter(|e| {
            q.custom_field_conditions.as_ref().is_none_or(|c| {
                e.get("customFields")
                    .and_then(Value::as_array)
                    .is_some_and(|cfs| cfs.iter().any(|cf| conditions::eval(c, cf)))
            })
        })
        .collect();
    if q.forward_only {
        hits.retain(|e| id_of(e) > q.page_id.unwrap_or(i64::MIN));
        hits.sort_by_key(|e| id_of(e));
    } else if !q.order_by.is_empty() {
        hits.sort_by(|a, b| {
            for (field, desc) in &q.order_by {
                let o = sort_cmp(first(a, field), first(b, field));
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            id_of(a).cmp(&id_of(b))
        });
    }
    hits
}

pub fn id_of(v: &Value) -> i64 {
    v.get("id").and_then(Value::as_i64).unwrap_or(0)
}

fn first<'a>(v: &'a Value, path: &str) -> &'a Value {
    conditions::resolve(v, path)
        .into_iter()
        .next()
        .unwrap_or(&Value::Null)
}

/// SQL Server order: nulls first, strings without regard to case.
fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        _ => Ordering::Equal,
    }
}

/// One page of `hits` plus the `Link` header value. Navigable paging gives `prev`/`next` when they
/// exist and always `first`/`last` (reference §6.3); forward-only gives `next` with
/// `pageId=<last id>`, and an empty `Link` on the final page.
pub fn page<'a>(hits: &[&'a Value], q: &ListQuery, self_url: &str) -> (Vec<&'a Value>, String) {
    let size = q.page_size;
    if q.forward_only {
        let items: Vec<&Value> = hits.iter().take(size).copied().collect();
        let link = match items.last() {
            Some(last) if hits.len() > size => {
                let url = with_params(
                    self_url,
                    &q.passthrough,
                    &[("pageSize", size), ("pageId", id_of(last) as usize)],
                );
                format!("<{url}>; rel=\"next\"")
            }
            _ => String::new(),
        };
        return (items, link);
    }
    let last_page = hits.len().div_ceil(size).max(1);
    let start = (q.page - 1).saturating_mul(size);
    let items: Vec<&Value> = hits.iter().skip(start).take(size).copied().collect();
    let url = |p: usize| with_params(self_url, &q.passthrough, &[("pageSize", size), ("page", p)]);
    let mut rels = Vec::new();
    if q.page > 1 {
        rels.push(format!(
            "<{}>; rel=\"prev\"",
            url((q.page - 1).min(last_page))
        ));
    }
    if q.page < last_page {
        rels.push(format!("<{}>; rel=\"next\"", url(q.page + 1)));
    }
    rels.push(format!("<{}>; rel=\"first\"", url(1)));
    rels.push(format!("<{}>; rel=\"last\"", url(last_page)));
    (items, rels.join(", "))
}

fn with_params(base: &str, passthrough: &[(String, String)], paging: &[(&str, usize)]) -> String {
    let mut parts: Vec<String> = passthrough
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    parts.extend(paging.iter().map(|(k, v)| format!("{k}={v}")));
    format!("{base}?{}", parts.join("&"))
}

/// Percent-encodes everything outside RFC 3986's unreserved set.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Partial response for `fields=id,name,company/id`: only the listed paths, nested as in the
/// entity (arrays keep their shape, each element cut down).
pub fn project(v: &Value, fields: &[String]) -> Value {
    let mut out = Value::Object(Map::new());
    for f in fields {
        let segs: Vec<&str> = f.split('/').collect();
        insert_path(&mut out, v, &segs);
    }
    out
}

fn insert_path(out: &mut Value, src: &Value, segs: &[&str]) {
    let (Some(seg), Value::Object(src_map), Value::Object(out_map)) =
        (segs.first(), src, &mut *out)
    else {
        return;
    };
    let child = src_map.get(*seg).unwrap_or(&Value::Null);
    if segs.len() == 1 {
        out_map.insert((*seg).to_string(), child.clone());
        return;
    }
    match child {
        Value::Object(_) => {
            let slot = out_map
                .entry((*seg).to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            insert_path(slot, child, &segs[1..]);
        }
        Value::Array(items) => {
            let slot = out_map.entry((*seg).to_string()).or_insert_with(|| {
                Value::Array(items.iter().map(|_| Value::Object(Map::new())).collect())
            });
            if let Value::Array(slots) = slot {
                for (s, item) in slots.iter_mut().zip(items) {
                    insert_path(s, item, &segs[1..]);
                }
            }
        }
        // A null reference stays null rather than becoming an object of nulls.
        _ => {
            out_map.entry((*seg).to_string()).or_insert(Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projection_keeps_nested_paths() {
        let v = json!({"id": 1, "name": "n", "company": {"id": 2, "name": "c"}, "parentAgreement": null,
                       "types": [{"id": 1, "name": "Client"}]});
        let p = project(
            &v,
            &[
                "id".into(),
                "company/id".into(),
                "parentAgreement/id".into(),
                "types/name".into(),
            ],
        );
        assert_eq!(
            p,
            json!({"id": 1, "company": {"id": 2}, "parentAgreement": null, "types": [{"name": "Client"}]})
        );
    }

    #[test]
    fn link_header_has_the_documented_rels() {
        let items: Vec<Value> = (1..=5).map(|i| json!({"id": i})).collect();
        let refs: Vec<&Value> = items.iter().collect();
        let q = ListQuery {
            page: 2,
            page_size: 2,
            passthrough: vec![("conditions".into(), "id > 0".into())],
            ..ListQuery::default()
        };
        let (page, link) = page(&refs, &q, "http://h/v1/apis/3.0/x");
        assert_eq!(page.len(), 2);
        assert_eq!(
            link,
            "<http://h/v1/apis/3.0/x?conditions=id%20%3E%200&pageSize=2&page=1>; rel=\"prev\", \
             <http://h/v1/apis/3.0/x?conditions=id%20%3E%200&pageSize=2&page=3>; rel=\"next\", \
             <http://h/v1/apis/3.0/x?conditions=id%20%3E%200&pageSize=2&page=1>; rel=\"first\", \
             <http://h/v1/apis/3.0/x?conditions=id%20%3E%200&pageSize=2&page=3>; rel=\"last\""
        );
    }
}
