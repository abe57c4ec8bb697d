//! Turns ConnectWise error responses (reference §7) into operator messages: what went wrong, and
//! what to change — the key pair, the clientId, the security-role permission the setup guide
//! names for the endpoint, or the site. Request ids stay in the message so support can trace them.

use reqwest::StatusCode;

use super::models::ErrorBody;
use crate::psa::PsaError;

/// The message for an empty clientId; nothing is sent without one.
pub const NO_CLIENT_ID: &str =
    "No ConnectWise clientId is configured: enter your integration's clientId (from developer.connectwise.com › Client IDs) with the connector or in Settings";

/// The message for a rejected key pair.
pub const BAD_KEYS: &str =
    "401 from ConnectWise: check the public/private key pair of the API member";

/// Which ConnectWise resource a request touched: decides the permission named on a 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    SystemInfo,
    Companies,
    Catalog,
    Agreements,
    Additions,
    AdditionWrite,
    /// Service boards and their statuses (the optional ticket feature, reference §14.7).
    Boards,
    /// Service tickets and their notes (reference §14.7).
    Tickets,
}

impl Resource {
    /// The security-role row (setup guide, "Assign permissions to a security role").
    pub fn permission(self) -> &'static str {
        match self {
            // No source says which row gates /system/info (reference §8), so name the whole
            // minimum set rather than guess one.
            Resource::SystemInfo => {
                "the minimum role from the setup guide (Companies > Company Maintenance: Inquire All; \
                 Finance > Agreements: Add/Edit/Inquire All; Procurement > Product Catalog: Inquire All)"
            }
            Resource::Companies => "Companies > Company Maintenance: Inquire Level All",
            Resource::Catalog => {
                "Procurement > Product Catalog and Procurement > Products: Inquire Level All"
            }
            Resource::Agreements | Resource::Additions => {
                "Finance > Agreements: Inquire Level All (and Finance > Agreement Sales: Inquire Level All)"
            }
            Resource::AdditionWrite => {
                "Finance > Agreements: Edit Level All (Customize: all sections set to Allow)"
            }
            Resource::Boards => {
                "System > Table Setup: Inquire Level All (Customize: Service / Service Board set to Allow)"
            }
            Resource::Tickets => {
                "Service Desk > Service Tickets: Add, Edit and Inquire Level All (and Service Desk > \
                 Close Service Tickets to close them)"
            }
        }
    }

    /// What the request was about, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Resource::SystemInfo => "system information",
            Resource::Companies => "companies",
            Resource::Catalog => "the product catalog",
            Resource::Agreements => "agreements",
            Resource::Additions => "agreement additions",
            Resource::AdditionWrite => "the agreement addition",
            Resource::Boards => "service boards",
            Resource::Tickets => "service tickets",
        }
    }
}

/// A non-success response as the client saw it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub body: String,
    pub request_id: Option<String>,
    pub retry_after_secs: Option<u64>,
}

impl Failure {
    fn parsed(&self) -> ErrorBody {
        serde_json::from_str::<Option<ErrorBody>>(&self.body)
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// The server's message with its field errors, or a trimmed raw body when it is not JSON.
    pub fn server_message(&self) -> String {
        let body = self.parsed();
        let mut text = body.message.clone().unwrap_or_default();
        for e in body.errors.iter().flatten() {
            let msg = e.message.clone().unwrap_or_default();
            let item = match (&e.field, &e.code) {
                (Some(f), _) if !f.is_empty() => format!("{f}: {msg}"),
                (_, Some(c)) => format!("{c}: {msg}"),
                _ => msg,
            };
            if !item.is_empty() {
                text.push_str(if text.is_empty() { "" } else { "; " });
                text.push_str(&item);
            }
        }
        if text.is_empty() && !self.body.trim_start().starts_with('<') {
            // An HTML error page says nothing useful; a short plain body might.
            text = self.body.trim().chars().take(200).collect();
        }
        text
    }

    fn suffix(&self) -> String {
        let said = self.server_message();
        let said = if said.is_empty() {
            String::new()
        } else {
            // Server messages usually end with a period already; do not double it.
            format!(" ConnectWise said: {}.", said.trim_end_matches('.'))
        };
        match &self.request_id {
            Some(id) => format!("{said} (request id {id})"),
            None => said,
        }
    }

    /// The operator-facing error for this response.
    pub fn into_error(self, resource: Resource) -> PsaError {
        let parsed = self.parsed();
        let said = self.server_message();
        let lower =
            format!("{} {}", said, parsed.code.clone().unwrap_or_default()).to_ascii_lowercase();
        let code = self.status.as_u16();
        if matches!(code, 400 | 401 | 403) && lower.contains("clientid") {
            return PsaError::InvalidConfig(format!(
                "ConnectWise rejected the integration's clientId ({code}): check the integration clientId (from developer.connectwise.com › Client IDs).{}",
                self.suffix()
            ));
        }
        if lower.contains("ssl is required") {
            return PsaError::InvalidConfig(format!(
                "ConnectWise answered \"SSL is required\": the site is a login host, not the API host; enter the api-… host (for example api-na.myconnectwise.net).{}",
                self.suffix()
            ));
        }
        // The PowerShell module also reads `UserNotAuthenticated` as bad keys, whatever the status.
        if code == 401 || lower.contains("usernotauthenticated") {
            return PsaError::Unauthorized(BAD_KEYS.to_string());
        }
        match code {
            403 => PsaError::Forbidden(format!(
                "403 from ConnectWise on {}: the API member's security role lacks {}. Grant it under System > Security Roles, then try again.{}",
                resource.noun(),
                resource.permission(),
                self.suffix()
            )),
            404 if resource == Resource::AdditionWrite => PsaError::NotFound(format!(
                "404 from ConnectWise: the agreement addition no longer exists; read billing again.{}",
                self.suffix()
            )),
            404 => PsaError::NotFound(format!(
                "404 from ConnectWise on {}: the endpoint or record was not found. On ConnectWise cloud a 404 can also mean the company id or API keys were not accepted; check the site, company and keys.{}",
                resource.noun(),
                self.suffix()
            )),
            429 => PsaError::RateLimited {
                message: format!(
                    "ConnectWise is throttling requests (429){}: other integrations share this limit; try again later.{}",
                    self.retry_after_secs.map(|s| format!(", retry after {s} s")).unwrap_or_default(),
                    self.suffix()
                ),
                retry_after_secs: self.retry_after_secs,
            },
            500..=599 => PsaError::Remote {
                status: Some(code),
                message: format!(
                    "ConnectWise failed with {code} on {}; try again later.{}",
                    resource.noun(),
                    self.suffix()
                ),
                request_id: self.request_id.clone(),
            },
            _ => PsaError::Rejected {
                message: format!(
                    "ConnectWise refused the request on {} ({code}).{}",
                    resource.noun(),
                    self.suffix()
                ),
                request_id: self.request_id.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: u16, body: &str) -> Failure {
        Failure {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.to_string(),
            request_id: Some("req-1".into()),
            retry_after_secs: None,
        }
    }

    #[test]
    fn field_errors_are_spelled_out() {
        let f = failure(
            400,
            r#"{"code":"InvalidObject","message":"company object is invalid","errors":[{"code":"OutOfRange","message":"The field yearEstablished must be between 1900 and 9999.","resource":"company","field":"yearEstablished"}]}"#,
        );
        match f.into_error(Resource::AdditionWrite) {
            PsaError::Rejected {
                message,
                request_id,
            } => {
                assert!(message.contains("company object is invalid; yearEstablished: The field yearEstablished must be between 1900 and 9999."), "{message}");
                assert!(message.contains("(request id req-1)"), "{message}");
                assert!(!message.contains(".."), "{message}");
                assert_eq!(request_id.as_deref(), Some("req-1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn html_bodies_are_not_quoted() {
        let f = failure(502, "<html><body>Bad gateway</body></html>");
        assert_eq!(f.server_message(), "");
    }

    #[test]
    fn permissions_follow_the_setup_guide() {
        let f = failure(
            403,
            r#"{"code":"Security","message":"You do not have security permission to perform this action."}"#,
        );
        let cases = [
            (
                Resource::Companies,
                "Companies > Company Maintenance: Inquire Level All",
            ),
            (Resource::Catalog, "Procurement > Product Catalog"),
            (
                Resource::Agreements,
                "Finance > Agreements: Inquire Level All",
            ),
            (Resource::Additions, "Finance > Agreement Sales"),
            (
                Resource::AdditionWrite,
                "Finance > Agreements: Edit Level All",
            ),
        ];
        for (resource, needle) in cases {
            match f.clone().into_error(resource) {
                PsaError::Forbidden(msg) => assert!(msg.contains(needle), "{resource:?}: {msg}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
