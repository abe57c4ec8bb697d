//! Shares in reasons, stated as they are: a 5.3 % decrease against a 5 % limit must not read
//! "5 % (limit 5 %)", which looks under its own limit. Pure.

/// `value` as a percentage with as few decimals as tell it apart from `limit` (both in %): an
/// exact integer as is, otherwise one decimal, more only while the rounded figure would equal
/// the limit.
pub fn percent_against(value: f64, limit: f64) -> String {
    if !value.is_finite() {
        return "?%".into();
    }
    if value.fract() == 0.0 {
        return format!("{value:.0}%");
    }
    for decimals in 1..=4 {
        let shown = format!("{value:.decimals$}");
        let rounded: f64 = shown.parse().unwrap_or(value);
        if (value > limit) == (rounded > limit) && (value < limit) == (rounded < limit) {
            return format!("{shown}%");
        }
    }
    format!("{value}%")
}

/// A limit (in %) as typed in Settings: `50%`, `5.25%`.
pub fn limit(value: f64) -> String {
    let shown = format!("{value:.2}");
    let shown = shown.trim_end_matches('0').trim_end_matches('.');
    format!("{shown}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_never_rounded_to_their_limit() {
        for (value, lim, want) in [
            (5.3, 5.0, "5.3%"),
            (5.04, 5.0, "5.04%"),
            (5.0001, 5.0, "5.0001%"),
            (50.0, 50.0, "50%"),
            (62.5, 50.0, "62.5%"),
            (66.666_666, 50.0, "66.7%"),
            (4.96, 5.0, "4.96%"),
        ] {
            assert_eq!(percent_against(value, lim), want, "{value} vs {lim}");
        }
        assert_eq!(limit(50.0), "50%");
        assert_eq!(limit(5.25), "5.25%");
        assert_eq!(limit(12.5), "12.5%");
    }
}
