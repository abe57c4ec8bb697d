//! The tray icon and its menu lines: built once the event loop runs, brought in line with the
//! state on every refresh.

use chrono::Utc;
use tray_icon::{TrayIcon, TrayIconBuilder};

use super::menu::{self, TrayMenu};
use super::Resident;

pub(super) fn build_tray(resident: &Resident) -> Result<(TrayIcon, TrayMenu), String> {
    let ctx = &resident.ctx;
    let paused = ctx.daily_sync_paused().unwrap_or(false);
    let autostart = resident
        .autostart
        .as_ref()
        .is_some_and(|a| a.is_enabled().unwrap_or(false));
    let next = crate::app::sync::next_due(ctx, Utc::now()).ok().flatten();
    let m = menu::build_menu(
        paused,
        autostart,
        &menu::last_line(ctx),
        &menu::next_line(next),
    )
    .map_err(|e| e.to_string())?;
    let icon = TrayIconBuilder::new()
        .with_id(menu::TRAY_ID)
        .with_icon(menu::normal_icon()?)
        .with_icon_as_template(menu::NORMAL_ICON_IS_TEMPLATE)
        .with_tooltip(menu::tooltip(false, false, next))
        .with_menu(Box::new(m.menu.clone()))
        .with_menu_on_left_click(!menu::LEFT_CLICK_OPENS_WINDOW)
        .build()
        .map_err(|e| e.to_string())?;
    Ok((icon, m))
}

/// Brings the icon (normal or error), the tooltip, the toggles and the status lines in line.
pub(super) fn refresh_tray(
    resident: &Resident,
    icon: &TrayIcon,
    m: &TrayMenu,
    shown: &mut Option<bool>,
) {
    let ctx = &resident.ctx;
    let problem = resident.sync.problem().is_some();
    if *shown != Some(problem) {
        let img = if problem {
            menu::error_icon()
        } else {
            menu::normal_icon()
        };
        if let Ok(img) = img {
            let _ = icon.set_icon(Some(img));
            // The error icon is in colour; the normal one is a template where the OS wants one.
            icon.set_icon_as_template(!problem && menu::NORMAL_ICON_IS_TEMPLATE);
            *shown = Some(problem);
        }
    }
    let next = crate::app::sync::next_due(ctx, Utc::now()).ok().flatten();
    let _ = icon.set_tooltip(Some(menu::tooltip(
        problem,
        resident.sync.is_running(),
        next,
    )));
    m.last.set_text(if resident.sync.is_running() {
        "Last sync: syncing now…".to_string()
    } else {
        menu::last_line(ctx)
    });
    m.next.set_text(menu::next_line(next));
    m.pause
        .set_checked(ctx.daily_sync_paused().unwrap_or(false));
    // Settings in the window can change Launch at login too.
    if let Some(a) = &resident.autostart {
        m.autostart.set_checked(a.is_enabled().unwrap_or(false));
    }
}
