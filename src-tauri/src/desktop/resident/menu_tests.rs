//! Tests of [`super`]: clicks map to actions, the icons decode, the status lines read well.

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
        // The title and the status lines do nothing.
        (MENU_TITLE, None, None),
        (MENU_LAST, None, None),
        ("something-else", None, None),
    ];
    for (id, checked, want) in cases {
        assert_eq!(action_for(id, checked), want, "{id} {checked:?}");
    }
}

#[test]
fn the_icons_decode_to_rgba() {
    for bytes in [
        &include_bytes!("../../../icons/tray.png")[..],
        &include_bytes!("../../../icons/tray-error.png")[..],
        &include_bytes!("../../../icons/tray-template.png")[..],
    ] {
        icon(bytes).expect("icon decodes");
    }
    assert!(icon(b"not a png").is_err());
}

#[test]
fn the_template_icon_is_a_glyph_on_transparency() {
    let (px, w, h) = decode_rgba(include_bytes!("../../../icons/tray-template.png")).unwrap();
    assert_eq!(px.len() as u32, w * h * 4);
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
fn status_lines_and_tooltip() {
    let t = Utc::now();
    assert!(next_line(Some(t)).starts_with("Next sync: "));
    assert_eq!(next_line(None), "Next sync: paused");
    assert_eq!(tooltip(false, true, Some(t)), "PSA Bridge — syncing…");
    assert!(tooltip(true, false, Some(t)).contains("needs attention"));
    assert!(tooltip(false, false, Some(t)).contains("next sync"));
    assert!(tooltip(false, false, None).contains("paused"));
}
