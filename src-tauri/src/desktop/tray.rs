//! The tray icon and its menu. The menu is built by a function generic over the runtime so the
//! wiring is testable with Tauri's mock runtime; what a click does is decided by a pure function
//! ([`action_for`]) and carried out by [`perform`].

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

pub const TRAY_ID: &str = "main";
pub const MENU_OPEN: &str = "open";
pub const MENU_SYNC_NOW: &str = "sync_now";
pub const MENU_PAUSE: &str = "pause_daily_sync";
pub const MENU_AUTOSTART: &str = "launch_at_login";
pub const MENU_QUIT: &str = "quit";

/// What a tray menu click asks for.
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

/// The menu items, kept so their state can be read and updated later.
pub struct TrayMenu<R: Runtime> {
    pub menu: Menu<R>,
    pub pause: CheckMenuItem<R>,
    pub autostart: CheckMenuItem<R>,
}

/// Builds the tray menu: Open PSA Bridge, Sync now, Pause daily sync, Launch at login, Quit.
pub fn build_menu<R: Runtime, M: Manager<R>>(
    manager: &M,
    paused: bool,
    autostart: bool,
) -> tauri::Result<TrayMenu<R>> {
    let open = MenuItem::with_id(manager, MENU_OPEN, "Open PSA Bridge", true, None::<&str>)?;
    let sync = MenuItem::with_id(manager, MENU_SYNC_NOW, "Sync now", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(
        manager,
        MENU_PAUSE,
        "Pause daily sync",
        true,
        paused,
        None::<&str>,
    )?;
    let autostart = CheckMenuItem::with_id(
        manager,
        MENU_AUTOSTART,
        "Launch at login",
        true,
        autostart,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(manager, MENU_QUIT, "Quit", true, None::<&str>)?;
    let sep1 = PredefinedMenuItem::separator(manager)?;
    let sep2 = PredefinedMenuItem::separator(manager)?;
    let menu = Menu::with_items(
        manager,
        &[&open, &sync, &sep1, &pause, &autostart, &sep2, &quit],
    )?;
    Ok(TrayMenu {
        menu,
        pause,
        autostart,
    })
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

pub fn normal_icon() -> tauri::Result<Image<'static>> {
    if NORMAL_ICON_IS_TEMPLATE {
        Image::from_bytes(include_bytes!("../../icons/tray-template.png"))
    } else {
        Image::from_bytes(include_bytes!("../../icons/tray.png"))
    }
}

pub fn error_icon() -> tauri::Result<Image<'static>> {
    Image::from_bytes(include_bytes!("../../icons/tray-error.png"))
}

/// Creates the tray icon with its menu; clicks go to `on_action`.
pub fn build<R: Runtime, F>(
    app: &AppHandle<R>,
    menu: &TrayMenu<R>,
    tooltip: &str,
    on_action: F,
) -> tauri::Result<TrayIcon<R>>
where
    F: Fn(&AppHandle<R>, TrayAction) + Send + Sync + 'static,
{
    let pause = menu.pause.clone();
    let autostart = menu.autostart.clone();
    let on_action = std::sync::Arc::new(on_action);
    let on_click = on_action.clone();
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(normal_icon()?)
        .icon_as_template(NORMAL_ICON_IS_TEMPLATE)
        .tooltip(tooltip)
        .menu(&menu.menu)
        .show_menu_on_left_click(!LEFT_CLICK_OPENS_WINDOW)
        .on_tray_icon_event(move |tray, event| {
            if let TrayIconEvent::Click {
                button,
                button_state,
                ..
            } = event
            {
                if let Some(action) = click_action(LEFT_CLICK_OPENS_WINDOW, button, button_state) {
                    on_click(tray.app_handle(), action);
                }
            }
        })
        .on_menu_event(move |app, event| {
            let id = event.id().as_ref();
            let checked = match id {
                MENU_PAUSE => pause.is_checked().ok(),
                MENU_AUTOSTART => autostart.is_checked().ok(),
                _ => None,
            };
            if let Some(action) = action_for(id, checked) {
                on_action(app, action);
            }
        })
        .build(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_left_click_release_opens_the_window_where_that_is_the_convention() {
        use MouseButton::*;
        use MouseButtonState::*;
        assert_eq!(click_action(true, Left, Up), Some(TrayAction::OpenWindow));
        assert_eq!(click_action(true, Left, Down), None);
        assert_eq!(click_action(true, Right, Up), None);
        assert_eq!(click_action(false, Left, Up), None);
        assert_eq!(LEFT_CLICK_OPENS_WINDOW, cfg!(windows));
    }

    #[test]
    fn the_template_icon_is_a_glyph_on_transparency() {
        let template = Image::from_bytes(include_bytes!("../../icons/tray-template.png")).unwrap();
        let px = template.rgba();
        let opaque_black = px
            .chunks_exact(4)
            .filter(|p| p[3] == 255 && p[..3] == [0, 0, 0])
            .count();
        let transparent = px.chunks_exact(4).filter(|p| p[3] == 0).count();
        // Every pixel is either glyph (black) or background (clear), and there is some of both.
        assert_eq!(opaque_black + transparent, px.len() / 4);
        assert!(opaque_black > 0 && transparent > opaque_black);
    }

    #[test]
    fn menu_ids_map_to_actions() {
        let cases = [
            (MENU_OPEN, None, Some(TrayAction::OpenWindow)),
            (MENU_SYNC_NOW, None, Some(TrayAction::SyncNow)),
            (MENU_PAUSE, Some(true), Some(TrayAction::SetPaused(true))),
            (MENU_PAUSE, Some(false), Some(TrayAction::SetPaused(false))),
            (MENU_PAUSE, None, None),
            (
                MENU_AUTOSTART,
                Some(true),
                Some(TrayAction::SetAutostart(true)),
            ),
            (MENU_QUIT, None, Some(TrayAction::Quit)),
            ("something-else", None, None),
        ];
        for (id, checked, want) in cases {
            assert_eq!(action_for(id, checked), want, "{id} {checked:?}");
        }
    }
}
