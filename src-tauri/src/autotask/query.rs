//! The REST query language (reference §3.2–3.3): a [`Query`] builder for the QueryModel body,
//! `in`-list chunking, and the paging loop that POSTs the same body to each `nextPageUrl`.
//!
//! The body uses the key casing live clients send (`filter`, `MaxRecords`, `IncludeFields`;
//! the server binds them case-insensitively). Filter values are plain JSON values as on the wire:
//! the Swagger's `ValueItem` wrapper is a .NET model artefact that no live client sends.

use std::collections::HashSet;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::client::AutotaskClient;
use super::models::{HasId, QueryPage};
use super::send::Target;
use crate::psa::PsaError;

/// Records per page: the API's maximum.
pub const MAX_RECORDS: u32 = 500;
/// Values per `in` list. SOAP documents 500 OR conditions per query and REST is assumed to share
/// it (reference §3.2); 400 leaves room for a second, short list in the same query.
pub const IN_CHUNK: usize = 400;
/// Longest second `in` list sent next to a chunked one; longer lists are filtered in code.
pub const SECONDARY_IN_MAX: usize = 100;
// The two lists together stay within the assumed 500-condition limit.
const _: () = assert!(IN_CHUNK + SECONDARY_IN_MAX <= 500);
/// Guard against a server that keeps handing out pages (500 × 2,000 = one million rows).
const MAX_PAGES: usize = 2_000;

/// One filter item: `{op, field, value}` or a group `{op: "and"|"or", items}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filter {
    pub op: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Filter>,
}

impl Filter {
    fn cond(op: &'static str, field: &str, value: Value) -> Filter {
        Filter {
            op,
            field: Some(field.to_string()),
            value: Some(value),
            items: Vec::new(),
        }
    }

    pub fn eq(field: &str, value: impl Into<Value>) -> Filter {
        Filter::cond("eq", field, value.into())
    }

    pub fn gte(field: &str, value: impl Into<Value>) -> Filter {
        Filter::cond("gte", field, value.into())
    }

    pub fn lte(field: &str, value: impl Into<Value>) -> Filter {
        Filter::cond("lte", field, value.into())
    }

    pub fn contains(field: &str, value: &str) -> Filter {
        Filter::cond("contains", field, Value::from(value))
    }

    /// `in` over ids; callers keep the list within [`IN_CHUNK`].
    pub fn in_ids(field: &str, ids: &[i64]) -> Filter {
        Filter::cond("in", field, Value::from(ids.to_vec()))
    }

    pub fn or(items: Vec<Filter>) -> Filter {
        Filter {
            op: "or",
            field: None,
            value: None,
            items,
        }
    }
}

/// A QueryModel body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub filter: Vec<Filter>,
    #[serde(rename = "MaxRecords")]
    pub max_records: u32,
    #[serde(rename = "IncludeFields", skip_serializing_if = "Vec::is_empty")]
    pub include_fields: Vec<String>,
}

impl Query {
    /// Top-level items are ANDed by the server. Clients always send at least one item (an empty
    /// filter is not a documented query), so "everything" is `id gte 0`: company 0 exists and
    /// must be included (reference §4.1).
    pub fn new(filter: Vec<Filter>) -> Query {
        let filter = if filter.is_empty() {
            vec![Filter::gte("id", 0)]
        } else {
            filter
        };
        Query {
            filter,
            max_records: MAX_RECORDS,
            include_fields: Vec::new(),
        }
    }

    pub fn max_records(mut self, n: u32) -> Query {
        self.max_records = n.clamp(1, MAX_RECORDS);
        self
    }
}

/// Sorted, de-duplicated ids split into `in`-sized chunks.
pub fn chunks(ids: &[i64], size: usize) -> Vec<Vec<i64>> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v.chunks(size.max(1)).map(<[i64]>::to_vec).collect()
}

/// The shared request counter of one operation (every HTTP request, retries included).
pub type Tally = Arc<AtomicU32>;

impl AutotaskClient {
    /// Every row matching `query` on `entity`, following `nextPageUrl` with the same POST body.
    /// Fails rather than return a partial list when paging stops making progress (a page with
    /// nothing new, a repeated cursor) or points at another host (credentials stay on the zone).
    pub(crate) async fn query_all<T>(
        &self,
        entity: &str,
        query: &Query,
        what: &str,
        tally: &Tally,
    ) -> Result<Vec<T>, PsaError>
    where
        T: DeserializeOwned + HasId,
    {
        let body =
            serde_json::to_value(query).map_err(|e| PsaError::InvalidConfig(e.to_string()))?;
        let mut target = Target::Path(format!("V1.0/{entity}/query"));
        let mut cursors: HashSet<String> = HashSet::new();
        let mut ids: HashSet<i64> = HashSet::new();
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let bytes = self
                .read(Method::POST, &target, Some(&body), what, tally)
                .await?;
            let page: QueryPage<T> =
                serde_json::from_slice(&bytes).map_err(|e| PsaError::Remote {
                    status: Some(200),
                    message: format!(
                        "Autotask answered something unreadable while trying to {what}: {e}"
                    ),
                    request_id: None,
                })?;
            let before = out.len();
            for item in page.items {
                if item.id().is_none_or(|id| ids.insert(id)) {
                    out.push(item);
                }
            }
            let next = page
                .page_details
                .and_then(|p| p.next_page_url)
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty());
            let Some(next) = next else {
                return Ok(out);
            };
            if out.len() == before || !cursors.insert(next.clone()) {
                return Err(no_progress(what, out.len()));
            }
            target = Target::Absolute(self.same_zone_url(&next, what).await?);
        }
        Err(no_progress(what, out.len()))
    }
}

fn no_progress(what: &str, rows: usize) -> PsaError {
    PsaError::Remote {
        status: None,
        message: format!(
            "Autotask paging made no progress while trying to {what} (after {rows} rows); \
             stopped rather than use an incomplete list. Try again later."
        ),
        request_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_body_shape() {
        let q = Query::new(vec![
            Filter::eq("contractType", 7),
            Filter::in_ids("companyID", &[3, 1]),
            Filter::or(vec![
                Filter::eq("status", 1),
                Filter::gte("endDate", "2025-01-01T00:00:00Z"),
            ]),
            Filter::contains("companyName", "dent"),
        ]);
        assert_eq!(
            serde_json::to_value(&q).unwrap(),
            json!({"filter":[
                {"op":"eq","field":"contractType","value":7},
                {"op":"in","field":"companyID","value":[3,1]},
                {"op":"or","items":[{"op":"eq","field":"status","value":1},
                                    {"op":"gte","field":"endDate","value":"2025-01-01T00:00:00Z"}]},
                {"op":"contains","field":"companyName","value":"dent"}],
              "MaxRecords":500})
        );
        assert_eq!(
            serde_json::to_value(Query::new(vec![]).max_records(0)).unwrap(),
            json!({"filter":[{"op":"gte","field":"id","value":0}],"MaxRecords":1})
        );
        assert_eq!(Query::new(vec![]).max_records(9_999).max_records, 500);
    }

    #[test]
    fn chunking_sorts_dedups_and_splits() {
        assert_eq!(chunks(&[5, 1, 5, 3], 2), vec![vec![1, 3], vec![5]]);
        assert!(chunks(&[], 400).is_empty());
        let big: Vec<i64> = (0..1_001).collect();
        let c = chunks(&big, IN_CHUNK);
        assert_eq!(
            c.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![400, 400, 201]
        );
    }
}
