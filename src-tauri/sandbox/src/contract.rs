//! Reading the contract fixtures (`src-tauri/contract`) in the sandbox's tests, and checking an
//! answer has a fixture's shape.

use std::path::PathBuf;

use serde_json::Value;

/// A fixture by its path under `src-tauri/contract`.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../contract")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("contract fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("contract fixture {name}: {e}"))
}

/// Where `got` lacks the shape of `want`: every key of `want` present with the same JSON type,
/// recursively; every element of a list in `want` matched by some element of the list in `got`
/// (an empty list in `got` cannot show the shape, so it is a problem); objects under a key named
/// in `maps` are keyed by data (service keys), so each of their values only needs to match some
/// value of the answer's map. A `null` in the fixture pins nothing (the field may be missing,
/// null or any value: a null shows no type), and `_info` (ConnectWise's links and audit data,
/// which no client reads) and `_reference` (what documents the fixture) are skipped.
pub fn conforms(want: &Value, got: &Value, maps: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    check(want, got, maps, "$", false, &mut out);
    out
}

const SKIPPED: [&str; 2] = ["_reference", "_info"];

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check(want: &Value, got: &Value, maps: &[&str], at: &str, map: bool, out: &mut Vec<String>) {
    if want.is_null() {
        return;
    }
    if kind(want) != kind(got) {
        out.push(format!("{at}: want {}, got {}", kind(want), kind(got)));
        return;
    }
    match (want, got) {
        (Value::Object(w), Value::Object(g)) if map => {
            for (k, wv) in w {
                let fits = g.values().any(|gv| {
                    let mut sub = Vec::new();
                    check(wv, gv, maps, at, false, &mut sub);
                    sub.is_empty()
                });
                if !fits {
                    out.push(format!("{at}: no entry shaped like {k:?}"));
                }
            }
        }
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w.iter().filter(|(k, _)| !SKIPPED.contains(&k.as_str())) {
                match g.get(k) {
                    Some(gv) => check(
                        wv,
                        gv,
                        maps,
                        &format!("{at}.{k}"),
                        maps.contains(&k.as_str()),
                        out,
                    ),
                    None if wv.is_null() => {}
                    None => out.push(format!("{at}: missing key {k:?}")),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            for (i, wv) in w.iter().enumerate() {
                let fits = g.iter().any(|gv| {
                    let mut sub = Vec::new();
                    check(wv, gv, maps, at, false, &mut sub);
                    sub.is_empty()
                });
                if !fits {
                    let mut why = Vec::new();
                    if let Some(first) = g.first() {
                        check(wv, first, maps, &format!("{at}[0]"), false, &mut why);
                    }
                    out.push(format!(
                        "{at}[{i}]: no element of the answer has this shape{}",
                        if g.is_empty() {
                            " (the list is empty)".to_string()
                        } else {
                            format!(" ({})", why.join("; "))
                        }
                    ));
                }
            }
        }
        _ => {}
    }
}
