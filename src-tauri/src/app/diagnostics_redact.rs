//! What leaves the machine in a diagnostics archive: every secret, token and authorization value
//! removed, customer names replaced by stable hashes unless the operator opts in. Pure.
//!
//! Three passes, so a miss in one is caught by another: JSON keys that hold secrets are emptied;
//! JSON keys that hold customer identity (company, account and workspace names, domains, email
//! addresses) are hashed; then the text as a whole has every known secret value, `Bearer` /
//! `Basic` credential and (without names) every known customer name replaced.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// What stands in for a removed secret.
pub const REMOVED: &str = "[removed]";

/// Keys (compared lower-case, without `_` / `-`) whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "secret",
    "clientsecret",
    "token",
    "accesstoken",
    "refreshtoken",
    "password",
    "authorization",
    "privatekey",
    "publickey",
    "apikey",
    "integrationcode",
];

/// Keys whose values name a customer.
const NAME_KEYS: &[&str] = &[
    "companyname",
    "accountname",
    "workspacename",
    "customername",
    "domain",
    "email",
    "adminemail",
    "invitedbyadminemail",
    "invitedbyadminname",
];

/// Keys of objects that stand for a customer: their `name` / `identifier` are hashed.
const CUSTOMER_OBJECTS: &[&str] = &["company", "account", "workspace"];

fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `customer-` and the first 12 hex digits of the name's SHA-256: the same name always gives
/// the same stand-in, so support can still tell customers apart.
pub fn name_hash(name: &str) -> String {
    let digest = Sha256::digest(name.trim().as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("customer-{hex}")
}

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Secret values known to this computer (keys, secrets), removed wherever they appear.
    secrets: Vec<String>,
    /// Customer names, longest first (so "Acme Dental West" goes before "Acme Dental").
    names: Vec<String>,
    keep_names: bool,
}

impl Redactor {
    pub fn new(secrets: Vec<String>, names: Vec<String>, keep_names: bool) -> Redactor {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| s.len() >= 4)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let mut names: Vec<String> = names
            .into_iter()
            .map(|n| n.trim().to_string())
            .filter(|n| n.len() >= 3)
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names.dedup();
        Redactor {
            secrets,
            names,
            keep_names,
        }
    }

    /// A JSON value with secret keys emptied and (without names) customer keys hashed.
    pub fn json(&self, v: &Value) -> Value {
        self.walk(v, false)
    }

    fn walk(&self, v: &Value, customer: bool) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, val)| {
                        let key = norm(k);
                        let out = if SECRET_KEYS.iter().any(|s| key.contains(s)) {
                            Value::String(REMOVED.into())
                        } else if !self.keep_names
                            && (NAME_KEYS.contains(&key.as_str())
                                || (customer && (key == "name" || key == "identifier")))
                        {
                            match val {
                                Value::String(s) => Value::String(name_hash(s)),
                                other => self.walk(other, false),
                            }
                        } else {
                            self.walk(val, CUSTOMER_OBJECTS.contains(&key.as_str()))
                        };
                        (k.clone(), out)
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.walk(i, customer)).collect())
            }
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }

    /// Text with known secrets, `Bearer`/`Basic` credentials and (without names) known customer
    /// names replaced.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), REMOVED);
        }
        for scheme in ["Bearer ", "bearer ", "Basic ", "basic "] {
            out = strip_credentials(&out, scheme);
        }
        if !self.keep_names {
            for name in &self.names {
                if out.contains(name.as_str()) {
                    out = out.replace(name.as_str(), &name_hash(name));
                }
            }
        }
        out
    }

    /// A captured answer body: JSON redacted by key then as text; anything else as text.
    pub fn body(&self, body: &str) -> String {
        match serde_json::from_str::<Value>(body) {
            Ok(v) => {
                let pretty = serde_json::to_string_pretty(&self.json(&v))
                    .unwrap_or_else(|_| body.to_string());
                self.text(&pretty)
            }
            Err(_) => self.text(body),
        }
    }
}

/// `scheme` followed by a credential: the credential (up to whitespace or a quote) removed.
fn strip_credentials(s: &str, scheme: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(scheme) {
        let (before, after) = rest.split_at(at + scheme.len());
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str(REMOVED);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(keep: bool) -> Redactor {
        Redactor::new(
            vec!["s3cr3t-value".into(), "ab".into()],
            vec!["Acme Dental".into(), "Acme Dental West".into()],
            keep,
        )
    }

    #[test]
    fn secrets_are_removed_by_key_value_and_scheme() {
        let v = json!({"access_token": "tok123", "clientSecret": "x", "Authorization": "Basic abc",
                       "note": "key s3cr3t-value here", "items": [{"privateKey": "pk"}],
                       "header": "Authorization: Bearer eyJabc.def", "count": 3});
        let out = serde_json::to_string(&r(false).json(&v)).unwrap();
        for leaked in ["tok123", "\"x\"", "abc", "s3cr3t-value", "pk\"", "eyJabc"] {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        assert!(out.contains("\"count\":3"), "{out}");
        assert_eq!(
            r(false).text("ab stays (too short to be a secret)"),
            "ab stays (too short to be a secret)"
        );
    }

    #[test]
    fn customer_names_are_hashed_unless_kept() {
        let v = json!({"company": {"id": 7, "name": "Acme Dental", "identifier": "AcmeDental"},
                       "workspaceName": "Unlisted Clinic", "domain": "acme.example.com",
                       "description": "Coro for Acme Dental West", "product": {"name": "EDR Seat"}});
        let out = serde_json::to_string(&r(false).json(&v)).unwrap();
        for leaked in [
            "Acme Dental",
            "AcmeDental",
            "Unlisted Clinic",
            "acme.example.com",
        ] {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        assert!(
            out.contains(&name_hash("Acme Dental West")),
            "longest name first: {out}"
        );
        assert!(out.contains("EDR Seat"), "products keep their names: {out}");
        assert_eq!(name_hash("Acme Dental"), name_hash(" Acme Dental "));
        assert_ne!(name_hash("Acme Dental"), name_hash("Acme Dental West"));
        let kept = serde_json::to_string(&r(true).json(&v)).unwrap();
        assert!(
            kept.contains("Acme Dental West") && kept.contains("Unlisted Clinic"),
            "{kept}"
        );
        assert!(r(true).body("not json: s3cr3t-value").contains(REMOVED));
    }
}
