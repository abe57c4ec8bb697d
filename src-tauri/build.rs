//! Runs tauri-build only for the desktop feature; the headless core needs no build step. The app
//! manifest lists the app's commands, so only those a capability allows can be invoked.

#[cfg(feature = "desktop")]
include!("src/desktop/command_list.rs");

fn main() {
    #[cfg(feature = "desktop")]
    {
        println!("cargo:rerun-if-changed=src/desktop/command_list.rs");
        let attributes = tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
        if let Err(e) = tauri_build::try_build(attributes) {
            println!("cargo:warning=tauri-build failed: {e:#}");
            std::process::exit(1);
        }
    }
}
