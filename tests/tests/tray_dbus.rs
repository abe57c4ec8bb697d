//! The real tray menu, clicked over D-Bus (com.canonical.dbusmenu, as a desktop shell would):
//! *Pause daily sync* pauses the schedule, *Launch at login* writes the autostart entry with
//! `--hidden`, and *Sync now* runs a sync recorded with the tray as its trigger.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::tray_bus::{click, find_menu, wait_until};
use psa_bridge_e2e::{app_binary, app_lock, cli, require_desktop_session, sandbox_cli};

struct App(Child);
impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = cli(dir, args, None);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn tray_menu_items_do_what_they_say() -> anyhow::Result<()> {
    require_desktop_session("tray_menu_items_do_what_they_say");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let home = tempfile::tempdir()?;
    // A connector so that Sync now has something to run.
    sandbox_cli::add_connectwise(data.path(), &sb);
    sandbox_cli::connect_coro(data.path(), &sb);

    let _app = App(Command::new(app_binary())
        .arg("--hidden")
        .env("PSA_BRIDGE_DATA_DIR", data.path())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?);
    let mut menu = None;
    wait_until("the tray menu on D-Bus", Duration::from_secs(30), || {
        menu = find_menu();
        menu.is_some()
    });
    let (bus, items) = menu.unwrap_or_default();
    let labels: Vec<&str> = items.iter().map(|(_, l)| l.as_str()).collect();
    for want in [
        "Open PSA Bridge",
        "Sync now",
        "Pause daily sync",
        "Launch at login",
        "Quit",
    ] {
        assert!(labels.contains(&want), "{want:?} missing from {labels:?}");
    }

    // Pause daily sync: the schedule is paused (read back through the CLI from the database).
    assert_eq!(
        json(data.path(), &["status", "--json"])["app"]["daily_sync_paused"],
        false
    );
    click(&bus, &items, "Pause daily sync");
    wait_until("the pause to be stored", Duration::from_secs(10), || {
        json(data.path(), &["status", "--json"])["app"]["daily_sync_paused"] == true
    });

    // Launch at login: an autostart entry that starts the app hidden in the tray.
    click(&bus, &items, "Launch at login");
    // The entry is created and then written: wait for its Exec line, not just for the file (the
    // file alone was once read while still empty).
    let autostart = home.path().join(".config").join("autostart");
    let exec_line = || -> Option<String> {
        std::fs::read_dir(&autostart)
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .find_map(|text| {
                text.lines()
                    .find(|l| l.starts_with("Exec="))
                    .map(str::to_string)
            })
    };
    wait_until("the autostart entry", Duration::from_secs(10), || {
        exec_line().is_some()
    });
    // This executable, hidden in the tray (the path quoted only if it needs it).
    let exec = exec_line().unwrap_or_default();
    let program = psa_bridge::desktop::autostart::entry_command(
        psa_bridge::desktop::autostart::Os::Linux,
        &app_binary(),
    );
    assert_eq!(exec, format!("Exec={program}"), "starts hidden in the tray");

    // Sync now: a run recorded with the tray as its trigger.
    click(&bus, &items, "Sync now");
    wait_until("a tray-triggered run", Duration::from_secs(60), || {
        json(data.path(), &["runs", "--json"])
            .as_array()
            .is_some_and(|runs| {
                runs.iter()
                    .any(|r| r["trigger"] == "tray" && r["status"] != "running")
            })
    });
    Ok(())
}
