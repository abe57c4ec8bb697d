//! The backend → UI notifications, one type for every sender: the window's commands, the sync
//! runner (in the window or the tray process) and the tray's menu. They travel as the payload of
//! the Tauri event [`APP_EVENT`] and, from the tray process, inside its link to the window (the
//! same JSON). The UI's type is generated from this enum (`ui/src/bindings/AppEvent.ts`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::store::runs::RunStatus;
use crate::sync::Progress;

/// The Tauri event that carries every [`AppEvent`].
pub const APP_EVENT: &str = "app-event";

/// Something a screen shows changed. JSON: `{"kind": "<snake_case variant>", ...fields}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum AppEvent {
    /// One more item of a run was handled (`done` of `total`).
    SyncProgress {
        #[ts(type = "number")]
        run_id: i64,
        done: u32,
        total: u32,
    },
    /// A run ended (sync, approved held changes or undo) with this status.
    RunFinished {
        #[ts(type = "number")]
        run_id: i64,
        #[ts(
            type = "\"running\" | \"succeeded\" | \"partial\" | \"failed\" | \"held\" | \"interrupted\""
        )]
        status: RunStatus,
    },
    /// A connector, its mappings or its status changed: reload the connector list.
    ConnectorsChanged,
    /// A setting changed (daily sync paused, cadence, Coro connection…).
    SettingsChanged,
}

impl AppEvent {
    /// The `sync_progress` event of one step of a run.
    pub fn progress(p: &Progress) -> AppEvent {
        AppEvent::SyncProgress {
            run_id: p.run_id,
            done: p.done,
            total: p.total,
        }
    }

    /// The `run_finished` event of a run.
    pub fn run_finished(run_id: i64, status: RunStatus) -> AppEvent {
        AppEvent::RunFinished { run_id, status }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The UI (ui/src/ipc/events.ts) reads exactly these shapes: a change here must be a change
    /// there too.
    #[test]
    fn each_variant_has_the_json_the_ui_reads() {
        let cases = [
            (
                AppEvent::progress(&Progress {
                    run_id: 7,
                    done: 2,
                    total: 9,
                }),
                json!({"kind": "sync_progress", "run_id": 7, "done": 2, "total": 9}),
            ),
            (
                AppEvent::run_finished(7, RunStatus::Partial),
                json!({"kind": "run_finished", "run_id": 7, "status": "partial"}),
            ),
            (
                AppEvent::ConnectorsChanged,
                json!({"kind": "connectors_changed"}),
            ),
            (
                AppEvent::SettingsChanged,
                json!({"kind": "settings_changed"}),
            ),
        ];
        for (event, want) in cases {
            let got = serde_json::to_value(&event).expect("serialises");
            assert_eq!(got, want, "{event:?}");
            // The tray's link carries the same JSON and reads it back.
            let back: AppEvent = serde_json::from_value(want).expect("parses");
            assert_eq!(back, event);
        }
    }

    #[test]
    fn an_unknown_kind_is_an_error_not_a_guess() {
        let e = serde_json::from_value::<AppEvent>(json!({"kind": "renamed"}));
        assert!(e.is_err());
    }
}
