//! Turning Autotask error responses into [`PsaError`]s the operator can act on (reference §5).
//!
//! Autotask's error body is `{"errors":["…"]}` (strings; some clients see objects with
//! `message`, so both are read). Many validation failures come back as **500 + `errors[]`**,
//! which is a refusal, not an outage; some permission failures use 500 too, and the thread limit
//! can arrive with a non-429 status, so the text is inspected as well as the status.

use serde_json::Value;

use crate::psa::PsaError;

/// Where in Autotask the API user's permissions are set, for every permission message.
pub const SECURITY_LEVEL_HINT: &str = "In Autotask, open Admin › Account Settings & Users › \
Resources/Users › Security › Security Levels, edit the API-only security level of this API user \
and allow: CRM › Companies: View (All); Contracts: View (All), plus Add/Edit for Contracts to \
write unit adjustments";

/// The `errors[]` strings of a response body (empty when the body is not that shape).
pub fn error_messages(body: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let list = v
        .get("errors")
        .or_else(|| v.get("Errors"))
        .and_then(Value::as_array);
    let mut out: Vec<String> = list
        .into_iter()
        .flatten()
        .filter_map(|e| match e {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("message")
                .or_else(|| o.get("Message"))
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        })
        .filter(|s| !s.trim().is_empty())
        .collect();
    // ASP.NET's own errors (unknown route, wrong method) use `{"Message": "…"}`.
    if out.is_empty() {
        if let Some(m) = v.get("Message").and_then(Value::as_str) {
            out.push(m.to_string());
        }
    }
    out
}

/// The thread limit ("…thread threshold of 3 threads has been exceeded", code `Itgenatr005`)
/// or the hourly threshold, whatever the status code carrying it.
pub fn is_rate_limit(status: u16, messages: &[String]) -> bool {
    status == 429
        || messages.iter().any(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("itgenatr005")
                || m.contains("thread threshold")
                || (m.contains("threshold") && m.contains("exceeded"))
        })
}

fn is_permission_text(messages: &[String]) -> bool {
    messages.iter().any(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("adequate permission")
            || m.contains("does not have permission")
            || m.contains("not have the permission")
            || m.contains("security level")
    })
}

/// The messages as one clause, without a final period (callers add punctuation).
fn joined(messages: &[String]) -> String {
    messages
        .join("; ")
        .trim_end()
        .trim_end_matches('.')
        .to_string()
}

/// The message for a 401 that survived a fresh zone lookup. The username was already accepted
/// by the zone lookup, so the Secret or the tracking identifier is at fault.
pub fn unauthorized(messages: &[String]) -> PsaError {
    let text = joined(messages);
    let lower = text.to_ascii_lowercase();
    let said = if text.is_empty() {
        String::new()
    } else {
        format!(" Autotask said: {text}.")
    };
    if lower.contains("integrationcode")
        || lower.contains("integration code")
        || lower.contains("tracking")
    {
        PsaError::Unauthorized(format!(
            "Autotask refused the API tracking identifier (ApiIntegrationCode): it is wrong, missing, or \
             has been disabled. Copy the tracking identifier from the API user's page in Autotask \
             (Security tab › API Tracking Identifier › Custom (Internal Integration)), or ask the \
             vendor if a vendor identifier was disabled.{said}"
        ))
    } else {
        PsaError::Unauthorized(format!(
            "Autotask refused the API user's Secret (HTTP 401). Check the Secret; if it was lost, \
             generate a new one on the API user's page in Autotask. If the Secret is right, the API \
             tracking identifier may be wrong or disabled.{said}"
        ))
    }
}

/// A non-success response of a request that touched `what` ("read contracts", "write a unit
/// adjustment"). 401 goes through [`unauthorized`] after zone re-discovery, not here.
pub fn from_status(
    status: u16,
    messages: &[String],
    retry_after_secs: Option<u64>,
    what: &str,
) -> PsaError {
    let text = joined(messages);
    let said = if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    };
    if is_rate_limit(status, messages) {
        return PsaError::RateLimited {
            message: format!(
                "Autotask is limiting requests (thread limit or hourly threshold) while trying to {what}{said}. \
                 Another integration may be using the shared budget; try again later."
            ),
            retry_after_secs,
        };
    }
    match status {
        401 => unauthorized(messages),
        403 => PsaError::Forbidden(format!(
            "The Autotask API user is not allowed to {what} (HTTP 403){said}. {SECURITY_LEVEL_HINT}."
        )),
        500 if is_permission_text(messages) => PsaError::Forbidden(format!(
            "The Autotask API user is not allowed to {what}{said}. {SECURITY_LEVEL_HINT}."
        )),
        500 if !messages.is_empty() => PsaError::Rejected {
            message: format!("Autotask refused to {what}{said}"),
            request_id: None,
        },
        404 | 405 => PsaError::Remote {
            status: Some(status),
            message: format!(
                "Autotask does not serve this request (HTTP {status}) while trying to {what}{said}. \
                 If a zone URL override is set, check it."
            ),
            request_id: None,
        },
        s if (400..500).contains(&s) => PsaError::Rejected {
            message: format!("Autotask refused to {what} (HTTP {s}){said}"),
            request_id: None,
        },
        s => PsaError::Remote {
            status: Some(s),
            message: format!("Autotask failed to {what} (HTTP {s}){said}. Try again later."),
            request_id: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msgs(body: &str) -> Vec<String> {
        error_messages(body.as_bytes())
    }

    #[test]
    fn error_bodies_in_every_shape() {
        assert_eq!(msgs(r#"{"errors":["a","b"]}"#), vec!["a", "b"]);
        assert_eq!(msgs(r#"{"errors":[{"message":"m"}]}"#), vec!["m"]);
        assert_eq!(
            msgs(r#"{"Message":"No HTTP resource"}"#),
            vec!["No HTTP resource"]
        );
        assert!(msgs("<html>504 Gateway Time-out</html>").is_empty());
        assert!(msgs(r#"{"errors":[]}"#).is_empty());
    }

    #[test]
    fn status_mapping_table() {
        let perm = r#"{"errors":["The logged in Resource does not have the adequate permissions to access the ContractServiceUnit entity."]}"#;
        let thread =
            r#"{"errors":["Itgenatr005: The thread threshold of 3 threads has been exceeded"]}"#;
        let validation = r#"{"errors":["The effectiveDate must be within the contract's dates."]}"#;
        type Check = fn(&PsaError) -> bool;
        let cases: [(u16, &str, Check); 10] = [
            (
                403,
                r#"{"errors":["no"]}"#,
                |e| matches!(e, PsaError::Forbidden(m) if m.contains("Security Levels")),
            ),
            (
                500,
                perm,
                |e| matches!(e, PsaError::Forbidden(m) if m.contains("Contracts: View")),
            ),
            (
                500,
                validation,
                |e| matches!(e, PsaError::Rejected { message, .. } if message.contains("effectiveDate")),
            ),
            (500, thread, |e| matches!(e, PsaError::RateLimited { .. })),
            (429, "", |e| {
                matches!(
                    e,
                    PsaError::RateLimited {
                        retry_after_secs: Some(7),
                        ..
                    }
                )
            }),
            (500, "<html>", |e| {
                matches!(
                    e,
                    PsaError::Remote {
                        status: Some(500),
                        ..
                    }
                )
            }),
            (503, "", |e| {
                matches!(
                    e,
                    PsaError::Remote {
                        status: Some(503),
                        ..
                    }
                )
            }),
            (404, r#"{"Message":"No HTTP resource was found"}"#, |e| {
                matches!(
                    e,
                    PsaError::Remote {
                        status: Some(404),
                        ..
                    }
                )
            }),
            (
                400,
                r#"{"errors":["bad"]}"#,
                |e| matches!(e, PsaError::Rejected { message, .. } if message.contains("bad")),
            ),
            (
                401,
                r#"{"errors":["The ApiIntegrationCode has been disabled."]}"#,
                |e| matches!(e, PsaError::Unauthorized(m) if m.contains("tracking identifier")),
            ),
        ];
        for (status, body, check) in cases {
            let e = from_status(status, &msgs(body), Some(7), "read contracts");
            assert!(check(&e), "{status} {body} -> {e:?}");
        }
    }

    #[test]
    fn unauthorized_names_the_secret_or_the_tracking_identifier() {
        let secret = unauthorized(&msgs(
            r#"{"errors":["The UserName or Secret is incorrect."]}"#,
        ));
        assert!(
            matches!(&secret, PsaError::Unauthorized(m) if m.contains("Secret") && m.starts_with("Autotask refused the API user's Secret"))
        );
        let code = unauthorized(&msgs(
            r#"{"errors":["The ApiIntegrationCode is not valid."]}"#,
        ));
        assert!(matches!(&code, PsaError::Unauthorized(m) if m.contains("tracking identifier")));
        let bare = unauthorized(&[]);
        assert!(matches!(&bare, PsaError::Unauthorized(m) if !m.contains("Autotask said")));
    }
}
