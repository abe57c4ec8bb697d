//! Navigable paging over ConnectWise list endpoints (reference §6.3): `page`/`pageSize` with the
//! `Link` header as the continue signal, guarded against servers that never stop.

use std::collections::HashSet;
use std::sync::atomic::AtomicU32;

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::client::{Call, ConnectWiseClient};
use super::errors::Resource;
use super::models::Identified;
use super::query;
use crate::psa::PsaError;

/// Guards paging against a server that never stops answering.
const MAX_PAGES: u32 = 10_000;

impl ConnectWiseClient {
    /// GET every page of a list: `pageSize` at most 1000, `page` from 1, `orderBy=id asc` so
    /// offset paging is stable. Stops when the `Link` header has no `next` (or, without a `Link`
    /// header, on a short page), on an empty page, or when a page brings no new ids.
    pub(super) async fn get_all<T: DeserializeOwned + Identified>(
        &self,
        path: &str,
        params: Vec<(&'static str, String)>,
        resource: Resource,
        sent: &AtomicU32,
    ) -> Result<Vec<T>, PsaError> {
        let page_size = self.inner.page_size;
        let mut rows: Vec<T> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        for page in 1..=MAX_PAGES {
            let mut query = params.clone();
            query.push(("orderBy", "id asc".into()));
            query.push(("pageSize", page_size.to_string()));
            query.push(("page", page.to_string()));
            let call = Call {
                method: Method::GET,
                path: path.to_string(),
                query,
                body: None,
                resource,
            };
            let (reply, batch): (_, Vec<T>) = self.fetch(&call, sent).await?;
            let len = batch.len();
            let mut fresh = 0usize;
            for row in batch {
                // Rows without an id cannot be told apart; keep them, they count as progress.
                if row.id().is_none_or(|id| seen.insert(id)) {
                    fresh += 1;
                    rows.push(row);
                }
            }
            if len == 0 {
                break;
            }
            if fresh == 0 {
                tracing::warn!(
                    path,
                    page,
                    "ConnectWise page repeated earlier rows; stopping"
                );
                break;
            }
            let link = reply.headers.get("link").and_then(|v| v.to_str().ok());
            let more = query::link_has_next(link).unwrap_or(len >= page_size as usize);
            if !more {
                break;
            }
        }
        Ok(rows)
    }
}
