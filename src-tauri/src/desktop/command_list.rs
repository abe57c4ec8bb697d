// The app's IPC commands: build.rs gives each an `allow-…` permission through the tauri-build app
// manifest (so a command missing here cannot be called at all), capabilities/default.json allows
// exactly these for the main window, and `desktop::commands` tests check that both match what
// ui/src/ipc calls. Included by build.rs, so plain Rust with no imports.

/// Every command the UI invokes, in snake_case as in `generate_handler!`.
pub const COMMANDS: &[&str] = &[
    "app_info",
    "list_connectors",
    "add_connectwise",
    "add_autotask",
    "test_connector",
    "remove_connector",
    "set_time_zone",
    "machine_time_zone",
    "sandbox_defaults",
    "get_settings",
    "save_settings",
    "coro_status",
    "coro_connect",
    "companies",
    "products",
    "workspace_rows",
    "map_workspace",
    "unmap_workspace",
    "service_rows",
    "map_service",
    "unmap_service",
    "sync_now",
    "sync_preview",
    "sync_apply",
    "list_runs",
    "run_detail",
    "export_run_csv",
    "edit_connector",
    "connector_settings",
    "held_preview",
    "apply_held",
    "bulk_map_workspaces",
    "export_mappings",
    "import_mappings",
    "set_excluded",
    "undo_run",
];
