//! Companies for the mapping picker: every non-deleted company, all pages, optionally searched
//! server-side on name and identifier.

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;

use super::client::ConnectWiseClient;
use super::errors::Resource;
use super::models::Company;
use super::query;
use crate::model::CompanyRef;
use crate::psa::{PsaCompany, PsaError};

const FIELDS: &str = "id,identifier,name,status/name,deletedFlag";

impl ConnectWiseClient {
    /// `GET /company/companies?conditions=deletedFlag=false[ and (name contains …)]`, all pages,
    /// sorted by name.
    pub async fn companies(&self, search: Option<&str>) -> Result<Vec<PsaCompany>, PsaError> {
        let sent = AtomicU32::new(0);
        let term = search.map(str::trim).filter(|t| !t.is_empty());
        let mut conditions = "deletedFlag=false".to_string();
        if let Some(c) = term.and_then(|t| query::contains_any(&["name", "identifier"], t)) {
            conditions.push_str(" and ");
            conditions.push_str(&c);
        }
        let params = vec![("conditions", conditions), ("fields", FIELDS.to_string())];
        let rows: Vec<Company> = self
            .get_all("/company/companies", params, Resource::Companies, &sent)
            .await?;
        Ok(to_companies(rows, term))
    }

    /// Which of `companies` are not active: the same read as the picker's list (every
    /// non-deleted company, with its status), so a company deleted since it was mapped is
    /// reported as not listed, and one with a status other than Active by its status name.
    pub async fn inactive_of(
        &self,
        companies: &[CompanyRef],
    ) -> Result<HashMap<CompanyRef, String>, PsaError> {
        let sent = AtomicU32::new(0);
        let params = vec![
            ("conditions", "deletedFlag=false".to_string()),
            ("fields", FIELDS.to_string()),
        ];
        let rows: Vec<Company> = self
            .get_all("/company/companies", params, Resource::Companies, &sent)
            .await?;
        let status: HashMap<i64, Option<String>> = rows
            .into_iter()
            .filter(|c| c.deleted_flag != Some(true))
            .filter_map(|c| Some((c.id?, c.status.and_then(|s| s.name))))
            .collect();
        Ok(companies
            .iter()
            .filter_map(|&c| match status.get(&c.0) {
                None => Some((c, "not listed in ConnectWise (deleted?)".to_string())),
                Some(s) if super::containers::company_inactive(s.as_deref()) => Some((
                    c,
                    format!(
                        "its status in ConnectWise is \"{}\"",
                        s.as_deref().unwrap_or_default()
                    ),
                )),
                Some(_) => None,
            })
            .collect())
    }
}

/// DTOs → domain rows. Deleted rows are dropped here too (defence against a server ignoring the
/// condition), and a search term is re-applied, because the server may have searched only a
/// quote-free part of it.
pub(super) fn to_companies(rows: Vec<Company>, term: Option<&str>) -> Vec<PsaCompany> {
    let needle = term.map(str::to_lowercase);
    let mut out: Vec<PsaCompany> = rows
        .into_iter()
        .filter(|c| c.deleted_flag != Some(true))
        .filter_map(|c| {
            let id = c.id?;
            let name = c
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| c.identifier.clone())
                .unwrap_or_else(|| format!("company {id}"));
            Some(PsaCompany {
                id: CompanyRef(id),
                name,
                identifier: c.identifier,
            })
        })
        .filter(|c| query::matches(needle.as_deref(), &c.name, c.identifier.as_deref()))
        .collect();
    out.sort_by_cached_key(|r| (r.name.to_lowercase(), r.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_and_idless_rows_are_dropped_and_search_reapplied() {
        let rows: Vec<Company> = serde_json::from_str(
            r#"[{"id":2,"identifier":"Zeta","name":"Zeta Corp","deletedFlag":false},
                {"id":1,"identifier":"Bob","name":"Bob's \"Best\" Dental"},
                {"id":3,"identifier":"Gone","name":"Gone Inc","deletedFlag":true},
                {"identifier":"NoId","name":"No id"}]"#,
        )
        .unwrap();
        let all = to_companies(rows.clone(), None);
        let ids: Vec<i64> = all.iter().map(|c| c.id.0).collect();
        assert_eq!(ids, vec![1, 2]);
        let found = to_companies(rows, Some("bob's \"best"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].identifier.as_deref(), Some("Bob"));
    }
}
