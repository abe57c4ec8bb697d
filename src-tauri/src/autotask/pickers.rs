//! The one path of both mapping-picker lists (companies and services): active rows, narrowed on
//! the server by a `contains` search on the list's name field (reference §4.1, §4.2), all pages,
//! then the rows kept, named and sorted. `companies.rs` and `services.rs` say only what differs.

use serde::de::DeserializeOwned;

use super::client::AutotaskClient;
use super::models::HasId;
use super::query::{Filter, Query, Tally};
use crate::psa::{picker_order, PsaError, PsaItem};

/// What one picker list reads.
pub(super) struct PickerList {
    pub entity: &'static str,
    /// The field a search term is looked for in.
    pub search_field: &'static str,
    /// For errors: "list companies"…
    pub what: &'static str,
}

impl PickerList {
    /// The filter for active rows, with an optional search.
    pub fn query(&self, search: Option<&str>) -> Query {
        let mut f = vec![Filter::eq("isActive", true)];
        if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
            f.push(Filter::contains(self.search_field, s));
        }
        Query::new(f)
    }
}

impl AutotaskClient {
    /// Every page of `list`'s rows that `to_item` keeps, sorted as pickers show.
    pub(super) async fn picker_items<T, Id>(
        &self,
        list: &PickerList,
        search: Option<&str>,
        tally: &Tally,
        to_item: impl Fn(T) -> Option<PsaItem<Id>>,
    ) -> Result<Vec<PsaItem<Id>>, PsaError>
    where
        T: DeserializeOwned + HasId,
        Id: Ord + Copy,
    {
        let rows: Vec<T> = self
            .query_all(list.entity, &list.query(search), list.what, tally)
            .await?;
        Ok(picker_order(rows.into_iter().filter_map(to_item).collect()))
    }
}
