//! Keeps src-tauri/ARCHITECTURE.md true: the layers below `app/` never import `app/`, `cli/` or
//! `desktop/`, `app/` never imports `cli/` or `desktop/`, and `desktop/` never imports `cli/`.
//! Reads the sources as text (cheap, no dependency) and names the file and line of each import
//! that breaks the rule. Also keeps the unit tests sandbox-free: only demo-mode product code
//! reaches the sandbox crate.

use std::path::{Path, PathBuf};

/// The top-level modules above the core, highest first; each may import only the ones after it
/// (and the core).
const UPPER: [&str; 3] = ["cli", "desktop", "app"];

/// What `module` (a top-level module of the crate) may not import.
fn forbidden_for(module: &str) -> &'static [&'static str] {
    match module {
        // The command line sits on top of everything: with no arguments it starts the desktop app.
        "cli" | "bin" | "main" | "lib" => &[],
        // The desktop shell may use everything but the command line (what both need as processes,
        // exit codes and logging, is `process/`, below them).
        "desktop" => &UPPER[..1],
        "app" => &UPPER[..2],
        _ => &UPPER,
    }
}

/// The upper modules a source file imports (one entry a line), with the line number.
fn upper_imports(source: &str, forbidden: &[&str]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_crate_group = false;
    for (i, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let named = |m: &str| {
            code.contains(&format!("crate::{m}::"))
                || code.contains(&format!("crate::{m};"))
                || code.contains(&format!("crate::{m}}}"))
                || code.contains(&format!("crate::{m},"))
                || code.contains(&format!("psa_bridge::{m}::"))
        };
        // `use crate::{app::…, …}` across lines: every segment that starts a path.
        if code.starts_with("use crate::{") || code.starts_with("pub use crate::{") {
            in_crate_group = true;
        }
        let in_group = |m: &str| {
            in_crate_group
                && code
                    .trim_start_matches("pub use crate::{")
                    .trim_start_matches("use crate::{")
                    .split(',')
                    .any(|seg| {
                        let seg = seg.trim().trim_start_matches('{');
                        let seg = seg.trim_end_matches(';').trim_end_matches('}').trim();
                        seg == m || seg.starts_with(&format!("{m}::"))
                    })
        };
        for m in forbidden {
            if named(m) || in_group(m) {
                found.push((i + 1, (*m).to_string()));
            }
        }
        if in_crate_group && code.ends_with(';') {
            in_crate_group = false;
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("src-tauri/src is readable");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 50,
        "found only {} files under {}",
        files.len(),
        src.display()
    );
    let mut broken = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs");
        if top == "layering_tests" {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for (line, m) in upper_imports(&text, forbidden_for(top)) {
            broken.push(format!(
                "src-tauri/src/{}:{line} imports {m}/",
                rel.display()
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layering of src-tauri/ARCHITECTURE.md:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_scan_sees_each_form_of_import() {
    let lower = forbidden_for("context");
    let text = "use crate::app::blocking;\n\
                // crate::app::demo in a comment is fine\n\
                let x = crate::desktop::link::endpoint(d);\n\
                use crate::{\n    error::ApiError,\n    cli::output,\n};\n\
                use crate::{store, app};\n\
                use crate::views::Unit;\n";
    let found: Vec<usize> = upper_imports(text, lower)
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(found, vec![1, 3, 6, 8]);
    // app/ may import the core, not the shell.
    assert!(upper_imports("use crate::context::AppContext;", forbidden_for("app")).is_empty());
    assert_eq!(
        upper_imports("use crate::cli::output;", forbidden_for("app")).len(),
        1
    );
    assert!(upper_imports("use crate::app;", forbidden_for("cli")).is_empty());
    assert!(upper_imports("use crate::desktop::LaunchOptions;", forbidden_for("cli")).is_empty());
    // The desktop shell may not reach back into the command line.
    assert_eq!(
        upper_imports(
            "crate::cli::output::print_error(&e, false);",
            forbidden_for("desktop")
        ),
        vec![(1, "cli".to_string())]
    );
    assert!(upper_imports("use crate::app::blocking;", forbidden_for("desktop")).is_empty());
}

/// The product files that serve demo mode and so may reach the sandbox crate.
const DEMO_MODE: [&str; 4] = ["lib.rs", "app/demo.rs", "cli/mod.rs", "cli/sandbox.rs"];

/// Lines of `source` (at `rel` under src/) that tie code to the sandbox where only demo mode may:
/// a path into the sandbox crate outside [`DEMO_MODE`], or test code gated on the `demo` feature.
/// Tests against the sandbox belong in `src-tauri/tests/` (see ARCHITECTURE.md).
fn sandbox_reach(rel: &str, source: &str) -> Vec<usize> {
    let demo_mode = DEMO_MODE.contains(&rel);
    let test_file = rel.split('/').any(|p| p.contains("tests"));
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let to_sandbox = code.contains("sandbox::") || code.contains("psa_bridge_sandbox");
        let demo_gate = code.contains("feature = \"demo\"");
        if (to_sandbox && !demo_mode) || (demo_gate && (test_file || code.contains("test"))) {
            found.push(i + 1);
        }
    }
    found
}

#[test]
fn unit_tests_do_not_depend_on_the_sandbox() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == "layering_tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for line in sandbox_reach(&rel, &text) {
            broken.push(format!("src-tauri/src/{rel}:{line}"));
        }
    }
    assert!(
        broken.is_empty(),
        "sandbox-backed code outside demo mode (move such tests to src-tauri/tests/):\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_sandbox_scan_sees_a_test_that_starts_it() {
    let text = "#[cfg(all(test, feature = \"demo\"))]\nmod tests;\n\
                // crate::sandbox::start in a comment is fine\n\
                let sb = crate::sandbox::start(o);\n";
    assert_eq!(sandbox_reach("coro/usage.rs", text), vec![1, 4]);
    assert_eq!(sandbox_reach("app/demo.rs", text), vec![1]);
    assert_eq!(
        sandbox_reach("x/tests/mod.rs", "#[cfg(feature = \"demo\")]\nmod batch;"),
        vec![1]
    );
    assert!(sandbox_reach("app/mod.rs", "#[cfg(feature = \"demo\")]\npub mod demo;").is_empty());
}
