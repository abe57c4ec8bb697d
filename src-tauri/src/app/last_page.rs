//! The page the window showed last, so *Open PSA Bridge* returns to it: the window process is
//! started anew each time it opens (issue 17), so the route is kept with the data folder
//! (settings key `ui.last_page`), not in the webview. A route the tray or a notification asks for
//! (`--route`) wins over it.

use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::store::settings;

const KEY: &str = "ui.last_page";
const MAX_LEN: usize = 80;

/// The route as the window's URL takes it (`history/12`, `connectors/3/services`), or `None` for
/// anything else: only lower-case letters, digits, `-` and `/`, as the UI's routes are. A leading
/// `#/` or `/` is dropped.
pub fn clean(route: &str) -> Option<String> {
    let r = route.trim().trim_start_matches('#').trim_start_matches('/');
    let ok = !r.is_empty()
        && r.len() <= MAX_LEN
        && r.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/');
    ok.then(|| r.to_string())
}

/// Remembers the page the window shows now.
pub fn remember(ctx: &AppContext, route: &str) -> Result<(), ApiError> {
    let Some(r) = clean(route) else {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("'{route}' is not a page of PSA Bridge"),
        ));
    };
    let conn = ctx.store.conn()?;
    settings::set(&conn, KEY, &r)?;
    Ok(())
}

/// The page to open the window at when nothing asked for one (`None`: the first page).
pub fn last(ctx: &AppContext) -> Option<String> {
    let conn = ctx.store.conn().ok()?;
    settings::get(&conn, KEY)
        .ok()
        .flatten()
        .as_deref()
        .and_then(clean)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::secrets::MemoryStore;

    #[test]
    fn a_remembered_page_is_read_back_and_anything_else_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ctx = AppContext::with_secrets(dir.path(), Arc::new(MemoryStore::volatile()))
            .expect("context");
        assert_eq!(last(&ctx), None, "nothing remembered: the first page");
        remember(&ctx, "#/connectors/3/services").expect("remember");
        assert_eq!(last(&ctx).as_deref(), Some("connectors/3/services"));
        for bad in [
            "",
            "#/",
            "javascript:alert(1)",
            "history/1?x=<b>",
            &"a".repeat(81),
        ] {
            assert!(remember(&ctx, bad).is_err(), "{bad:?}");
        }
        assert_eq!(last(&ctx).as_deref(), Some("connectors/3/services"));
        // A value that got into the database some other way is not used.
        let conn = ctx.store.conn().expect("conn");
        settings::set(&conn, KEY, "https://elsewhere.example").expect("set");
        assert_eq!(last(&ctx), None);
    }
}
