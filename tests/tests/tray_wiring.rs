//! The tray menu wiring on Tauri's mock runtime: the five items exist with their labels, the two
//! toggles reflect the stored state, and each id maps to the right action.

use psa_bridge::desktop::tray::{self, TrayAction};
use tauri::menu::MenuItemKind;

fn label_and_id<R: tauri::Runtime>(item: &MenuItemKind<R>) -> Option<(String, String)> {
    match item {
        MenuItemKind::MenuItem(i) => Some((i.id().0.clone(), i.text().ok()?)),
        MenuItemKind::Check(i) => Some((i.id().0.clone(), i.text().ok()?)),
        _ => None,
    }
}

#[test]
fn tray_menu_has_every_item_and_reflects_state() {
    let app = tauri::test::mock_builder()
        .build(tauri::test::mock_context(tauri::test::noop_assets()))
        .expect("mock app");
    let menu = tray::build_menu(&app, true, false).expect("menu");
    let items: Vec<(String, String)> = menu
        .menu
        .items()
        .expect("items")
        .iter()
        .filter_map(label_and_id)
        .collect();
    let want = [
        (tray::MENU_OPEN, "Open PSA Bridge"),
        (tray::MENU_SYNC_NOW, "Sync now"),
        (tray::MENU_PAUSE, "Pause daily sync"),
        (tray::MENU_AUTOSTART, "Launch at login"),
        (tray::MENU_QUIT, "Quit"),
    ];
    assert_eq!(
        items,
        want.iter()
            .map(|(i, l)| (i.to_string(), l.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(
        menu.pause.is_checked().expect("pause state"),
        "paused state shown"
    );
    assert!(!menu.autostart.is_checked().expect("autostart state"));

    // Toggling reads the new checked state into the action.
    menu.pause.set_checked(false).expect("toggle");
    let now = menu.pause.is_checked().expect("state");
    assert_eq!(
        tray::action_for(tray::MENU_PAUSE, Some(now)),
        Some(TrayAction::SetPaused(false))
    );
    assert_eq!(
        tray::action_for(tray::MENU_QUIT, None),
        Some(TrayAction::Quit)
    );
}
