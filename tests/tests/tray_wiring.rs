//! The tray menu wiring (muda, as the tray process builds it): the title, the last and next sync
//! lines and the five actions exist with their labels, the two toggles reflect the stored state,
//! and each id maps to the right action.

use psa_bridge::desktop::resident::menu::{self, TrayAction};
use tray_icon::menu::MenuItemKind;

fn label_and_id(item: &MenuItemKind) -> Option<(String, String, bool)> {
    match item {
        MenuItemKind::MenuItem(i) => Some((i.id().0.clone(), i.text(), i.is_enabled())),
        MenuItemKind::Check(i) => Some((i.id().0.clone(), i.text(), i.is_enabled())),
        _ => None,
    }
}

#[test]
fn tray_menu_has_every_item_and_reflects_state() {
    let m = menu::build_menu(
        true,
        false,
        "Last sync: Mon 07 Dec 06:00 — 2 applied",
        "Next sync: Tue 08 Dec 06:00",
    )
    .expect("menu");
    let items: Vec<(String, String, bool)> =
        m.menu.items().iter().filter_map(label_and_id).collect();
    let want = [
        (menu::MENU_TITLE, "PSA Bridge", false),
        (
            menu::MENU_LAST,
            "Last sync: Mon 07 Dec 06:00 — 2 applied",
            false,
        ),
        (menu::MENU_NEXT, "Next sync: Tue 08 Dec 06:00", false),
        (menu::MENU_OPEN, "Open PSA Bridge", true),
        (menu::MENU_SYNC_NOW, "Sync now", true),
        (menu::MENU_PAUSE, "Pause daily sync", true),
        (menu::MENU_AUTOSTART, "Launch at login", true),
        (menu::MENU_QUIT, "Quit", true),
    ];
    assert_eq!(
        items,
        want.iter()
            .map(|(i, l, e)| (i.to_string(), l.to_string(), *e))
            .collect::<Vec<_>>()
    );
    assert!(m.pause.is_checked(), "paused state shown");
    assert!(!m.autostart.is_checked());

    // Toggling reads the new checked state into the action.
    m.pause.set_checked(false);
    assert_eq!(
        menu::action_for(menu::MENU_PAUSE, Some(m.pause.is_checked())),
        Some(TrayAction::SetPaused(false))
    );
    assert_eq!(
        menu::action_for(menu::MENU_QUIT, None),
        Some(TrayAction::Quit)
    );
    // The status lines change in place.
    m.next.set_text("Next sync: paused");
    assert_eq!(m.next.text(), "Next sync: paused");
}
