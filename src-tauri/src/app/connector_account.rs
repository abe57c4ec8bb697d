//! One PSA account, one connector: two connectors for the same ConnectWise company on the same
//! site, or the same Autotask database, would each write the same lines every day (billing
//! twice). Adding or editing a connector into an account another connector holds is refused
//! with a message naming that connector.
//!
//! The account of a connector comes from its stored settings: ConnectWise's API origin (the
//! typed site normalised, so `na.myconnectwise.net` and `https://api-na.myconnectwise.net/` are
//! one site) with the company id; Autotask's API user and, when the zone lookup answered one,
//! the customer database id (`ci`), so a second API user of the same database is caught too.

use rusqlite::Connection;
use serde_json::Value;

use crate::model::{ConnectorId, PsaKind};
use crate::store::{self, connectors::ConnectorRow, StoreError};

/// The `connectors.config` key holding an Autotask connector's database id, when known.
pub const DATABASE_ID_KEY: &str = "database_id";

/// The PSA account a connector writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    Connectwise {
        /// API origin, e.g. `https://api-na.myconnectwise.net/`.
        origin: String,
        /// Company id, lower case (ConnectWise logins ignore its case).
        company: String,
    },
    Autotask {
        /// API user name, lower case.
        username: String,
        database: Option<i64>,
    },
}

impl Account {
    /// The account of stored (or about to be stored) connector settings; `None` when they are
    /// too incomplete to say (never the case for a connector that passed its check).
    pub fn of(kind: PsaKind, config: &Value) -> Option<Account> {
        let text = |k: &str| {
            config
                .get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        match kind {
            PsaKind::Connectwise => {
                let site = text("site")?;
                let origin = crate::connectwise::normalise_site(site)
                    .map(|u| u.to_string())
                    .unwrap_or_else(|_| site.to_ascii_lowercase());
                Some(Account::Connectwise {
                    origin,
                    company: text("company")?.to_lowercase(),
                })
            }
            PsaKind::Autotask => Some(Account::Autotask {
                username: text("username")?.to_lowercase(),
                database: config.get(DATABASE_ID_KEY).and_then(Value::as_i64),
            }),
        }
    }

    /// Whether two connectors with these accounts would write the same lines.
    pub fn same_as(&self, other: &Account) -> bool {
        match (self, other) {
            (
                Account::Connectwise { origin, company },
                Account::Connectwise {
                    origin: o,
                    company: c,
                },
            ) => origin == o && company == c,
            (
                Account::Autotask { username, database },
                Account::Autotask {
                    username: u,
                    database: d,
                },
            ) => username == u || (database.is_some() && database == d),
            _ => false,
        }
    }

    /// "ConnectWise company brightpath on api-na.myconnectwise.net" / "Autotask database 7301042".
    fn describe(&self) -> String {
        match self {
            Account::Connectwise { origin, company } => {
                let host = reqwest::Url::parse(origin)
                    .ok()
                    .and_then(|u| {
                        u.host_str().map(|h| match u.port() {
                            Some(p) => format!("{h}:{p}"),
                            None => h.to_string(),
                        })
                    })
                    .unwrap_or_else(|| origin.clone());
                format!("ConnectWise company '{company}' on {host}")
            }
            Account::Autotask {
                username,
                database: Some(db),
            } => format!("Autotask database {db} (API user {username})"),
            Account::Autotask { username, .. } => format!("Autotask API user {username}"),
        }
    }
}

/// The connector (other than `except`) that already holds `account`, if any.
pub fn holder(
    conn: &Connection,
    kind: PsaKind,
    account: &Account,
    except: Option<ConnectorId>,
) -> Result<Option<ConnectorRow>, StoreError> {
    Ok(store::connectors::list(conn)?.into_iter().find(|row| {
        Some(row.id) != except
            && row.kind == kind
            && Account::of(row.kind, &row.config).is_some_and(|a| a.same_as(account))
    }))
}

/// Refuses `config` when another connector holds its account (the refusal names it).
pub fn ensure_free(
    conn: &Connection,
    kind: PsaKind,
    config: &Value,
    except: Option<ConnectorId>,
) -> Result<(), StoreError> {
    let Some(account) = Account::of(kind, config) else {
        return Ok(());
    };
    match holder(conn, kind, &account, except)? {
        None => Ok(()),
        Some(row) => Err(StoreError::Conflict(format!(
            "Connector '{}' (id {}) already connects to {}. Two connectors for one PSA account \
             would write the same billing lines twice: edit that connector instead (to rename it \
             or change its keys).",
            row.name,
            row.id,
            account.describe()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{at, temp_store};
    use serde_json::json;

    fn cw(site: &str, company: &str) -> Value {
        json!({"site": site, "company": company, "public_key": "pub"})
    }

    fn at_user(username: &str, db: Option<i64>) -> Value {
        json!({"username": username, "integration_code": "X", DATABASE_ID_KEY: db})
    }

    #[test]
    fn the_same_account_is_refused_naming_its_connector() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let main = store::connectors::insert(
            &conn,
            PsaKind::Connectwise,
            "Main CW",
            &cw("na.myconnectwise.net", "Brightpath"),
            at(0),
        )
        .unwrap();
        let att = store::connectors::insert(
            &conn,
            PsaKind::Autotask,
            "Main AT",
            &at_user("api@bp.example", Some(7301042)),
            at(0),
        )
        .unwrap();
        // (kind, config, refused?) — each a way of spelling an account.
        let cases = [
            (
                "same CW site and company",
                PsaKind::Connectwise,
                cw("na.myconnectwise.net", "brightpath"),
                true,
            ),
            (
                "CW api- host and full URL",
                PsaKind::Connectwise,
                cw(
                    "https://api-na.myconnectwise.net/v4_6_release/apis/3.0",
                    "BRIGHTPATH",
                ),
                true,
            ),
            (
                "CW other company",
                PsaKind::Connectwise,
                cw("na.myconnectwise.net", "other"),
                false,
            ),
            (
                "CW other region",
                PsaKind::Connectwise,
                cw("eu.myconnectwise.net", "brightpath"),
                false,
            ),
            (
                "AT same user",
                PsaKind::Autotask,
                at_user("API@bp.example", None),
                true,
            ),
            (
                "AT other user, same database",
                PsaKind::Autotask,
                at_user("api2@bp.example", Some(7301042)),
                true,
            ),
            (
                "AT other user, other database",
                PsaKind::Autotask,
                at_user("api2@bp.example", Some(1)),
                false,
            ),
            (
                "AT other user, database unknown",
                PsaKind::Autotask,
                at_user("api2@bp.example", None),
                false,
            ),
        ];
        for (name, kind, config, refused) in cases {
            let got = ensure_free(&conn, kind, &config, None);
            assert_eq!(got.is_err(), refused, "{name}: {got:?}");
            if let Err(e) = got {
                let holder = if kind == PsaKind::Connectwise {
                    "'Main CW' (id"
                } else {
                    "'Main AT' (id"
                };
                assert!(e.to_string().contains(holder), "{name}: {e}");
                assert!(matches!(e, StoreError::Conflict(_)), "{name}: {e:?}");
            }
        }
        // A connector never conflicts with itself (editing it in place).
        ensure_free(
            &conn,
            PsaKind::Connectwise,
            &cw("na.myconnectwise.net", "brightpath"),
            Some(main),
        )
        .unwrap();
        ensure_free(
            &conn,
            PsaKind::Autotask,
            &at_user("api@bp.example", Some(7301042)),
            Some(att),
        )
        .unwrap();
        // But editing another connector into the account is refused.
        let other = store::connectors::insert(
            &conn,
            PsaKind::Connectwise,
            "Other",
            &cw("eu.myconnectwise.net", "x"),
            at(0),
        )
        .unwrap();
        let e = ensure_free(
            &conn,
            PsaKind::Connectwise,
            &cw("api-na.myconnectwise.net", "brightpath"),
            Some(other),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("ConnectWise company 'brightpath' on api-na.myconnectwise.net"),
            "{e}"
        );
    }
}
