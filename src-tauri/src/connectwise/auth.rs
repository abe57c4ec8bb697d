//! HTTP Basic credentials for an API member: `base64("{company}+{public}:{private}")`
//! (reference §2). The header value is marked sensitive so reqwest never prints it.

use reqwest::header::HeaderValue;

use crate::psa::PsaError;

/// `Basic …` for the API member, marked sensitive.
pub fn basic_authorization(
    company: &str,
    public_key: &str,
    private_key: &str,
) -> Result<HeaderValue, PsaError> {
    let credentials = format!("{company}+{public_key}:{private_key}");
    let mut value = HeaderValue::from_str(&format!("Basic {}", base64(credentials.as_bytes())))
        .map_err(|_| PsaError::InvalidConfig("The ConnectWise keys could not be encoded".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Standard base64 with padding (RFC 4648), for the Basic credentials.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("contoso+pub:priv", "Y29udG9zbytwdWI6cHJpdg=="),
        ];
        for (input, want) in cases {
            assert_eq!(base64(input.as_bytes()), want, "{input}");
        }
    }

    #[test]
    fn authorization_is_company_plus_public_colon_private() {
        let v = basic_authorization("contoso", "pub", "priv").unwrap();
        assert_eq!(v.to_str().unwrap(), "Basic Y29udG9zbytwdWI6cHJpdg==");
        assert!(v.is_sensitive());
        assert!(!format!("{v:?}").contains("Y29u"));
    }
}
