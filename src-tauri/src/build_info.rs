//! What this build is: the crate version and the commit it was built from (recorded by
//! `build.rs`; `unknown` when built without git). Shown by `psa-bridge --version` and About.

/// The release version, e.g. `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit the build came from (12 hex digits), or `unknown`.
pub const COMMIT: &str = env!("PSA_BRIDGE_COMMIT");

/// `0.1.0 (commit 1a2b3c4d5e6f)`: what `--version` prints after the program name.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("PSA_BRIDGE_COMMIT"),
    ")"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_long_version_names_version_and_commit() {
        assert_eq!(LONG_VERSION, format!("{VERSION} (commit {COMMIT})"));
        assert!(!COMMIT.is_empty());
        // Built from this repository's checkout, the commit is a hex id, not the fallback.
        if std::process::Command::new("git")
            .args(["rev-parse", "HEAD"])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            assert!(
                COMMIT.len() == 12 && COMMIT.chars().all(|c| c.is_ascii_hexdigit()),
                "{COMMIT}"
            );
        }
    }
}
