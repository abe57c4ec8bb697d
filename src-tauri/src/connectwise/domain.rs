//! Turns the site an operator typed ("na.myconnectwise.net", "https://api-eu.myconnectwise.net/v4_6_release/…",
//! "cw.example.com") into the API origin: ConnectWise cloud login hosts get the `api-` prefix
//! (calling the login host answers "SSL is required", reference §1.1), on-premise hosts are used as
//! they are, and plain http is allowed only on loopback (tests and the sandbox).

use reqwest::Url;

use crate::psa::PsaError;

/// Domains whose login hosts have an `api-` twin (reference §1.1 table: na, eu, au, aus, za,
/// staging). Any region under these domains follows the same rule.
const CLOUD_DOMAINS: [&str; 2] = ["myconnectwise.net", "connectwisedev.com"];

/// The API origin (`scheme://host[:port]/`) for an operator-entered site.
pub fn normalise_site(input: &str) -> Result<Url, PsaError> {
    let url = crate::http::endpoint_url(input)
        .map_err(|e| PsaError::InvalidConfig(format!("ConnectWise site: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in the URL would end up in logs and error texts; the keys go elsewhere.
        return Err(PsaError::InvalidConfig(
            "ConnectWise site: remove the user name/password from the address; the API keys are entered separately"
                .into(),
        ));
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            PsaError::InvalidConfig(format!("ConnectWise site {input:?} has no host name"))
        })?
        .to_ascii_lowercase();
    let host = api_host(&host);
    let origin = match url.port() {
        Some(port) => format!("{}://{host}:{port}/", url.scheme()),
        None => format!("{}://{host}/", url.scheme()),
    };
    Url::parse(&origin)
        .map_err(|e| PsaError::InvalidConfig(format!("ConnectWise site {input:?}: {e}")))
}

/// `na.myconnectwise.net` → `api-na.myconnectwise.net`; `api-…` and on-premise hosts unchanged.
fn api_host(host: &str) -> String {
    let cloud = CLOUD_DOMAINS
        .iter()
        .any(|d| host.len() > d.len() + 1 && host.ends_with(&format!(".{d}")));
    if cloud && !host.starts_with("api-") {
        format!("api-{host}")
    } else {
        host.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_normalise_to_api_origins() {
        let cases = [
            ("na.myconnectwise.net", "https://api-na.myconnectwise.net/"),
            ("eu.myconnectwise.net", "https://api-eu.myconnectwise.net/"),
            ("au.myconnectwise.net", "https://api-au.myconnectwise.net/"),
            // Both au and aus exist; neither is "corrected" into the other.
            (
                "aus.myconnectwise.net",
                "https://api-aus.myconnectwise.net/",
            ),
            ("za.myconnectwise.net", "https://api-za.myconnectwise.net/"),
            (
                "staging.connectwisedev.com",
                "https://api-staging.connectwisedev.com/",
            ),
            (
                "api-na.myconnectwise.net",
                "https://api-na.myconnectwise.net/",
            ),
            (
                "api-staging.connectwisedev.com",
                "https://api-staging.connectwisedev.com/",
            ),
            (
                " https://na.myconnectwise.net ",
                "https://api-na.myconnectwise.net/",
            ),
            ("NA.MyConnectWise.net", "https://api-na.myconnectwise.net/"),
            (
                "https://na.myconnectwise.net/v4_6_release/ConnectWise.aspx?x=1",
                "https://api-na.myconnectwise.net/",
            ),
            (
                "https://api-eu.myconnectwise.net/v2025_1/apis/3.0/",
                "https://api-eu.myconnectwise.net/",
            ),
            ("cw.example.com", "https://cw.example.com/"),
            (
                "https://cw.example.com:8443/login",
                "https://cw.example.com:8443/",
            ),
            ("psa.example.com/", "https://psa.example.com/"),
            (
                "na.myconnectwise . net",
                "https://api-na.myconnectwise.net/",
            ),
            // The bare domain is not a login host; leave it alone.
            ("myconnectwise.net", "https://myconnectwise.net/"),
            ("http://127.0.0.1:4780", "http://127.0.0.1:4780/"),
            ("http://localhost:9/x", "http://localhost:9/"),
        ];
        for (input, want) in cases {
            let got = normalise_site(input).map(|u| u.to_string());
            assert_eq!(got, Ok(want.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn bad_sites_are_refused_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("http://na.myconnectwise.net", "plain http"),
            ("ftp://cw.example.com", "unsupported scheme"),
            ("https://user:pw@cw.example.com", "user name/password"),
        ];
        for (input, needle) in cases {
            match normalise_site(input) {
                Err(PsaError::InvalidConfig(msg)) => {
                    assert!(msg.contains(needle), "{input:?}: {msg}");
                    assert!(msg.starts_with("ConnectWise site"), "{input:?}: {msg}");
                }
                other => panic!("{input:?} should be refused, got {other:?}"),
            }
        }
    }
}
