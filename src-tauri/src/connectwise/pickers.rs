//! The one path of both mapping-picker lists (companies and catalog items): the list's own
//! conditions plus an optional server-side search, all pages, then the rows kept, named,
//! searched again locally (the server may have searched only a quote-free part of the term)
//! and sorted. `companies.rs` and `catalog.rs` say only what differs.

use std::sync::atomic::AtomicU32;

use serde::de::DeserializeOwned;

use super::client::ConnectWiseClient;
use super::errors::Resource;
use super::models::Identified;
use super::query;
use crate::psa::{picker_order, PsaError, PsaItem};

/// What one picker list reads.
pub(super) struct PickerList {
    pub path: &'static str,
    pub resource: Resource,
    /// The list's own conditions (active rows only…).
    pub conditions: &'static str,
    /// The fields a search term is looked for in.
    pub search_fields: &'static [&'static str],
    pub fields: &'static str,
}

impl ConnectWiseClient {
    /// Every page of `list`'s rows, narrowed by `term` on the server when it can be said there.
    pub(super) async fn picker_rows<T: DeserializeOwned + Identified>(
        &self,
        list: &PickerList,
        term: Option<&str>,
    ) -> Result<Vec<T>, PsaError> {
        let sent = AtomicU32::new(0);
        let mut conditions = list.conditions.to_string();
        if let Some(c) = term.and_then(|t| query::contains_any(list.search_fields, t)) {
            conditions.push_str(" and ");
            conditions.push_str(&c);
        }
        let params = vec![
            ("conditions", conditions),
            ("fields", list.fields.to_string()),
        ];
        self.get_all(list.path, params, list.resource, &sent).await
    }
}

/// The listed rows: the ones `to_item` keeps, matching `term` (again), sorted as pickers show.
pub(super) fn picker_items<T, Id: Ord + Copy>(
    rows: Vec<T>,
    term: Option<&str>,
    to_item: impl Fn(T) -> Option<PsaItem<Id>>,
) -> Vec<PsaItem<Id>> {
    let needle = term.map(str::to_lowercase);
    let out = rows
        .into_iter()
        .filter_map(to_item)
        .filter(|r| query::matches(needle.as_deref(), &r.name, r.identifier.as_deref()))
        .collect();
    picker_order(out)
}
