//! The raw-capture hook for diagnostics: a client given a [`Capture`] hands it the body of every
//! answer it reads (the same request the sync sends, no second HTTP path), and the capture keeps
//! the first body per vendor, method and path shape (`/finance/agreements/{id}/additions`). Only
//! bodies: request headers (where the credentials are) never reach it. Redaction is the
//! diagnostics' job.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A body longer than this is cut (a diagnostics sample, not a backup).
const MAX_BODY: usize = 256 * 1024;

/// Captured bodies by "vendor METHOD /path/{id}".
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<BTreeMap<String, String>>>);

/// Where a client keeps its capture, when one is set (once; normally never).
pub type Slot = OnceLock<Capture>;

impl Capture {
    /// Keeps `body` unless a body for the same vendor, method and path shape is already kept.
    pub fn record(&self, vendor: &str, method: &str, path: &str, body: &str) {
        let key = format!("{vendor} {method} {}", path_shape(path));
        let mut kept = match self.0.lock() {
            Ok(k) => k,
            Err(p) => p.into_inner(),
        };
        kept.entry(key).or_insert_with(|| {
            let mut end = body.len().min(MAX_BODY);
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body[..end].to_string()
        });
    }

    /// Everything kept so far.
    pub fn samples(&self) -> BTreeMap<String, String> {
        match self.0.lock() {
            Ok(k) => k.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

/// Numeric path segments become `{id}`, so one sample stands for every id.
pub fn path_shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Hands `body` to the slot's capture, if set.
pub fn note(slot: &Slot, vendor: &str, method: &str, path: &str, body: &str) {
    if let Some(c) = slot.get() {
        c.record(vendor, method, path, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_body_per_shape_is_kept() {
        let c = Capture::default();
        c.record("cw", "GET", "/finance/agreements/12/additions", "first");
        c.record("cw", "GET", "/finance/agreements/99/additions", "second");
        c.record("cw", "GET", "/company/companies", "list");
        let s = c.samples();
        assert_eq!(s.len(), 2);
        assert_eq!(s["cw GET /finance/agreements/{id}/additions"], "first");
        let big = "é".repeat(MAX_BODY);
        c.record("x", "GET", "/big", &big);
        assert!(c.samples()["x GET /big"].len() <= MAX_BODY);
        let slot = Slot::new();
        note(&slot, "x", "GET", "/a", "ignored without a capture");
        assert!(slot.get().is_none());
    }
}
