//! Records the build's commit for `--version` and the About panel, and runs tauri-build for the
//! desktop feature (the headless core needs no other build step). The app manifest lists the
//! app's commands, so only those a capability allows can be invoked.
//!
//! The commit comes from `PSA_BRIDGE_BUILD_COMMIT` if set (release builds from a tarball), else
//! from `git`; without either it is `unknown`, so a build never fails for lack of git.

use std::path::{Path, PathBuf};
use std::process::Command;

#[cfg(feature = "desktop")]
include!("src/desktop/command_list.rs");

fn main() {
    println!("cargo:rerun-if-env-changed=PSA_BRIDGE_BUILD_COMMIT");
    let commit = std::env::var("PSA_BRIDGE_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=PSA_BRIDGE_COMMIT={}", commit.trim());
    for path in git_files_to_watch() {
        // Only existing files: cargo reruns a build script on every build while a watched path is
        // missing, which would make every build recompile the crate.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }

    #[cfg(feature = "desktop")]
    {
        println!("cargo:rerun-if-changed=src/desktop/command_list.rs");
        let attributes = tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
        if let Err(e) = tauri_build::try_build(attributes) {
            println!("cargo:warning=tauri-build failed: {e:#}");
            std::process::exit(1);
        }
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn git_commit() -> Option<String> {
    git(&["rev-parse", "--short=12", "HEAD"])
}

/// HEAD, the branch it points at and packed-refs: a commit or checkout changes one of them.
fn git_files_to_watch() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for spec in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&["rev-parse", "--git-path", spec]) {
            files.push(PathBuf::from(p));
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(p) = git(&["rev-parse", "--git-path", &branch]) {
            files.push(PathBuf::from(p));
        }
    }
    files
        .into_iter()
        .map(|p| {
            if p.is_absolute() {
                p
            } else {
                Path::new(".").join(p)
            }
        })
        .collect()
}
