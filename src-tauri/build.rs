//! Runs tauri-build only for the desktop feature; the headless core needs no build step.

fn main() {
    #[cfg(feature = "desktop")]
    tauri_build::build();
}
