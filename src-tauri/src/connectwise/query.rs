//! The ConnectWise query language as this client writes it: string literals, `in (…)` lists split
//! to keep URLs short, percent-encoding of query values, and `Link` header paging.

/// ConnectWise asks integrations to keep URLs at or under ~2,000 characters (reference §6.2).
pub const MAX_URL_LEN: usize = 2_000;

/// A condition string literal for `value`, or `None` when it cannot be written safely.
///
/// How to escape a quote *inside* a literal is undocumented (reference §6.2, §13), while both
/// quote characters delimit strings. So the literal uses whichever quote the value does not
/// contain; a value holding both has no safe form and callers fall back to a quote-free part.
pub fn string_literal(value: &str) -> Option<String> {
    match (value.contains('"'), value.contains('\'')) {
        (false, _) => Some(format!("\"{value}\"")),
        (true, false) => Some(format!("'{value}'")),
        (true, true) => None,
    }
}

/// The longest run of `term` that holds no quote character, trimmed: what a server-side
/// `contains` can still search for when the term itself cannot be written as a literal.
pub fn quote_free_part(term: &str) -> &str {
    term.split(['"', '\''])
        .map(str::trim)
        .max_by_key(|part| part.chars().count())
        .unwrap_or("")
}

/// `(field contains "term" or …)` over `fields`, or `None` for an empty/unsearchable term.
/// Callers filter the rows client-side too, because the server-side term may be only part of it.
pub fn contains_any(fields: &[&str], term: &str) -> Option<String> {
    let term = term.trim();
    let literal = string_literal(term).or_else(|| string_literal(quote_free_part(term)))?;
    if literal.len() <= 2 {
        return None;
    }
    let parts: Vec<String> = fields
        .iter()
        .map(|f| format!("{f} contains {literal}"))
        .collect();
    Some(format!("({})", parts.join(" or ")))
}

/// Splits `field in (…)` over `ids` into as few conditions as possible whose percent-encoded
/// form (with `suffix` appended, e.g. ` and agreementStatus="Active"`) stays within
/// `max_encoded`. Ids are sorted and deduplicated so requests are stable.
pub fn in_chunks(field: &str, ids: &[i64], suffix: &str, max_encoded: usize) -> Vec<String> {
    in_chunks_with_ids(field, ids, suffix, max_encoded)
        .into_iter()
        .map(|(_, condition)| condition)
        .collect()
}

/// [`in_chunks`], each condition with the ids it lists (so a failed request can be traced to
/// the records it covered).
pub fn in_chunks_with_ids(
    field: &str,
    ids: &[i64],
    suffix: &str,
    max_encoded: usize,
) -> Vec<(Vec<i64>, String)> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    let mut current: Vec<i64> = Vec::new();
    for id in ids {
        current.push(id);
        if current.len() > 1 && encoded_len(&in_condition(field, &current, suffix)) > max_encoded {
            current.pop();
            let condition = in_condition(field, &current, suffix);
            out.push((std::mem::replace(&mut current, vec![id]), condition));
        }
    }
    if !current.is_empty() {
        let condition = in_condition(field, &current, suffix);
        out.push((current, condition));
    }
    out
}

fn in_condition(field: &str, ids: &[i64], suffix: &str) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("{field} in ({}){suffix}", list.join(", "))
}

/// Percent-encodes a query value: everything but RFC 3986 unreserved characters. Spaces become
/// `%20`, never `+`, since ConnectWise's own table encodes `+` as `%2B` (§6.2).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn encoded_len(value: &str) -> usize {
    encode(value).len()
}

/// `k=v&k=v` with every value percent-encoded.
pub fn query_string(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What the `Link` header says about a next page: `Some(true)` when it has `rel="next"`,
/// `Some(false)` when present without one, `None` when there is no header (then the caller falls
/// back to the short-page rule, as connectwise-rest does).
pub fn link_has_next(link: Option<&str>) -> Option<bool> {
    let link = link?;
    Some(link.split(',').any(|part| {
        part.split(';').skip(1).any(|p| {
            let p = p.trim().to_ascii_lowercase().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        })
    }))
}

/// The search re-applied locally (the server may have searched only a quote-free part of the
/// term): whether the name or identifier contains the lower-cased `needle`.
pub fn matches(needle: Option<&str>, name: &str, identifier: Option<&str>) -> bool {
    match needle {
        None => true,
        Some(n) => {
            name.to_lowercase().contains(n)
                || identifier.is_some_and(|i| i.to_lowercase().contains(n))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_pick_a_safe_quote() {
        let cases = [
            ("Acme", Some("\"Acme\"")),
            ("O'Brien Dental", Some("\"O'Brien Dental\"")),
            ("The \"Best\" MSP", Some("'The \"Best\" MSP'")),
            ("Bob's \"Best\"", None),
            ("", Some("\"\"")),
        ];
        for (value, want) in cases {
            assert_eq!(string_literal(value).as_deref(), want, "{value}");
        }
    }

    #[test]
    fn contains_conditions() {
        let f = ["name", "identifier"];
        assert_eq!(
            contains_any(&f, " acme ").as_deref(),
            Some("(name contains \"acme\" or identifier contains \"acme\")")
        );
        assert_eq!(
            contains_any(&f, "O'Brien").as_deref(),
            Some("(name contains \"O'Brien\" or identifier contains \"O'Brien\")")
        );
        assert_eq!(
            contains_any(&["name"], "Bob's \"Best Dental\"").as_deref(),
            Some("(name contains \"Best Dental\")")
        );
        assert_eq!(contains_any(&f, "  "), None);
        assert_eq!(contains_any(&f, "'\""), None);
    }

    #[test]
    fn encoding_matches_connectwise_table() {
        assert_eq!(
            encode("a&b\"c'd*e%f+g h[i]"),
            "a%26b%22c%27d%2Ae%25f%2Bg%20h%5Bi%5D"
        );
        assert_eq!(encode("deletedFlag=false"), "deletedFlag%3Dfalse");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(
            query_string(&[("pageSize", "1000".into()), ("page", "2".into())]),
            "pageSize=1000&page=2"
        );
    }

    #[test]
    fn in_lists_are_chunked_by_encoded_length() {
        let ids: Vec<i64> = (1000..1400).rev().collect();
        let suffix = " and agreementStatus=\"Active\"";
        let chunks = in_chunks("company/id", &ids, suffix, 600);
        assert!(chunks.len() > 1);
        let mut seen = Vec::new();
        for c in &chunks {
            assert!(encoded_len(c) <= 600, "{} > 600", encoded_len(c));
            assert!(
                c.starts_with("company/id in (") && c.ends_with(suffix),
                "{c}"
            );
            let inner = &c["company/id in (".len()..c.len() - suffix.len() - 1];
            seen.extend(inner.split(", ").map(|s| s.parse::<i64>().unwrap()));
        }
        assert_eq!(
            seen,
            (1000..1400).collect::<Vec<_>>(),
            "every id once, in order"
        );
        assert_eq!(
            in_chunks("x", &[3, 1, 3], "", 600),
            vec!["x in (1, 3)".to_string()]
        );
        assert!(in_chunks("x", &[], "", 600).is_empty());
    }

    #[test]
    fn link_header_next() {
        let both = r#"<https://h/v/apis/3.0/x?page=3>; rel="next", <https://h/v/apis/3.0/x?page=9>; rel="last""#;
        assert_eq!(link_has_next(Some(both)), Some(true));
        let last = r#"<https://h/x?page=1>; rel="first", <https://h/x?page=2>; rel="prev""#;
        assert_eq!(link_has_next(Some(last)), Some(false));
        assert_eq!(link_has_next(Some("")), Some(false));
        assert_eq!(link_has_next(None), None);
    }
}
