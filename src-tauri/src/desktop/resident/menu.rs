//! The tray icon's menu (muda, through the `tray-icon` crate): a "PSA Bridge" title, the last and
//! the next sync, Open PSA Bridge, Sync now, Pause daily sync, Launch at login, Quit. What a click
//! does is decided by pure functions ([`action_for`], [`click_action`]) so it is testable.

use chrono::{DateTime, Utc};
use tray_icon::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tray_icon::{MouseButton, MouseButtonState};

use crate::context::AppContext;

pub const TRAY_ID: &str = "main";
pub const MENU_TITLE: &str = "title";
pub const MENU_LAST: &str = "last_sync";
pub const MENU_NEXT: &str = "next_sync";
pub const MENU_OPEN: &str = "open";
pub const MENU_SYNC_NOW: &str = "sync_now";
pub const MENU_PAUSE: &str = "pause_daily_sync";
pub const MENU_AUTOSTART: &str = "launch_at_login";
pub const MENU_QUIT: &str = "quit";

/// What a tray click asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    OpenWindow,
    SyncNow,
    SetPaused(bool),
    SetAutostart(bool),
    Quit,
}

/// Maps a menu item id (and, for toggles, its new checked state) to an action.
pub fn action_for(id: &str, checked: Option<bool>) -> Option<TrayAction> {
    match id {
        MENU_OPEN => Some(TrayAction::OpenWindow),
        MENU_SYNC_NOW => Some(TrayAction::SyncNow),
        MENU_PAUSE => checked.map(TrayAction::SetPaused),
        MENU_AUTOSTART => checked.map(TrayAction::SetAutostart),
        MENU_QUIT => Some(TrayAction::Quit),
        _ => None,
    }
}

/// Windows convention: a left click on the tray icon opens the window (the right click shows the
/// menu). Elsewhere the left click shows the menu.
pub const LEFT_CLICK_OPENS_WINDOW: bool = cfg!(windows);

/// macOS draws the menu-bar icon from a template image (black glyph, alpha only) so it follows
/// the light/dark menu bar; the error icon stays in colour there so the red shows.
pub const NORMAL_ICON_IS_TEMPLATE: bool = cfg!(target_os = "macos");

/// What a click on the tray icon itself (not its menu) asks for.
pub fn click_action(
    left_click_opens: bool,
    button: MouseButton,
    state: MouseButtonState,
) -> Option<TrayAction> {
    (left_click_opens && button == MouseButton::Left && state == MouseButtonState::Up)
        .then_some(TrayAction::OpenWindow)
}

/// The menu items, kept so their state can be read and updated later.
pub struct TrayMenu {
    pub menu: Menu,
    pub last: MenuItem,
    pub next: MenuItem,
    pub pause: CheckMenuItem,
    pub autostart: CheckMenuItem,
}

/// Builds the tray menu; `last` and `next` are the two status lines ([`last_line`],
/// [`next_line`]).
pub fn build_menu(
    paused: bool,
    autostart: bool,
    last: &str,
    next: &str,
) -> Result<TrayMenu, tray_icon::menu::Error> {
    let title = MenuItem::with_id(MENU_TITLE, "PSA Bridge", false, None);
    let last = MenuItem::with_id(MENU_LAST, last, false, None);
    let next = MenuItem::with_id(MENU_NEXT, next, false, None);
    let open = MenuItem::with_id(MENU_OPEN, "Open PSA Bridge", true, None);
    let sync = MenuItem::with_id(MENU_SYNC_NOW, "Sync now", true, None);
    let pause = CheckMenuItem::with_id(MENU_PAUSE, "Pause daily sync", true, paused, None);
    let autostart =
        CheckMenuItem::with_id(MENU_AUTOSTART, "Launch at login", true, autostart, None);
    let quit = MenuItem::with_id(MENU_QUIT, "Quit", true, None);
    let menu = Menu::new();
    menu.append_items(&[
        &title,
        &last,
        &next,
        &PredefinedMenuItem::separator(),
        &open,
        &sync,
        &PredefinedMenuItem::separator(),
        &pause,
        &autostart,
        &PredefinedMenuItem::separator(),
        &quit,
    ])?;
    Ok(TrayMenu {
        menu,
        last,
        next,
        pause,
        autostart,
    })
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%a %d %b %H:%M")
        .to_string()
}

/// "Last sync: Mon 07 Dec 06:00 — 2 applied" from the newest real (not dry) run.
pub fn last_line(ctx: &AppContext) -> String {
    let newest = ctx.store.conn().ok().and_then(|c| {
        crate::store::runs::list(&c, None, None, 50)
            .ok()?
            .into_iter()
            .find(|r| !r.dry_run)
    });
    match newest {
        Some(r) => format!("Last sync: {} — {}", local(r.started_at), r.summary()),
        None => "Last sync: none yet".to_string(),
    }
}

/// "Next sync: Tue 08 Dec 06:00", or that the daily sync is paused.
pub fn next_line(next: Option<DateTime<Utc>>) -> String {
    match next {
        Some(t) => format!("Next sync: {}", local(t)),
        None => "Next sync: paused".to_string(),
    }
}

/// The icon's tooltip (Windows, macOS; Linux trays show the menu instead).
pub fn tooltip(problem: bool, running: bool, next: Option<DateTime<Utc>>) -> String {
    if running {
        return "PSA Bridge — syncing…".to_string();
    }
    match (problem, next) {
        (true, _) => "PSA Bridge — the last sync needs attention".to_string(),
        (false, Some(t)) => format!("PSA Bridge — next sync {}", local(t)),
        (false, None) => "PSA Bridge — daily sync paused".to_string(),
    }
}

/// A PNG decoded to RGBA pixels, width and height.
pub fn decode_rgba(png_bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "icon too large".to_string())?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        other => return Err(format!("unexpected icon colour type {other:?}")),
    };
    Ok((rgba, info.width, info.height))
}

/// A PNG icon decoded to the RGBA the tray wants.
pub fn icon(png_bytes: &[u8]) -> Result<tray_icon::Icon, String> {
    let (rgba, width, height) = decode_rgba(png_bytes)?;
    tray_icon::Icon::from_rgba(rgba, width, height).map_err(|e| e.to_string())
}

pub fn normal_icon() -> Result<tray_icon::Icon, String> {
    if NORMAL_ICON_IS_TEMPLATE {
        icon(include_bytes!("../../../icons/tray-template.png"))
    } else {
        icon(include_bytes!("../../../icons/tray.png"))
    }
}

pub fn error_icon() -> Result<tray_icon::Icon, String> {
    icon(include_bytes!("../../../icons/tray-error.png"))
}

#[cfg(test)]
#[path = "menu_tests.rs"]
mod tests;
