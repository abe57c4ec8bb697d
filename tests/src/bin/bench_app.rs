//! Desktop benchmark: start-up time to tray, and memory of the app with the window open and after
//! it is closed (tray only). Run it on a release build inside a desktop session:
//!
//! ```sh
//! cargo build -p psa-bridge --release
//! scripts/desktop-session.sh cargo run -p psa-bridge-e2e --release --bin bench_app -- target/release/psa-bridge
//! ```

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use psa_bridge_e2e::memory::{self, ProcMemory};

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn report(label: &str, procs: &[ProcMemory]) {
    println!("{label}");
    for p in procs {
        println!(
            "  {:<22} pid {:>7}  RSS {:>7.1} MiB  PSS {:>7.1} MiB  private {:>7.1} MiB",
            p.name,
            p.pid,
            mib(p.rss_kib),
            mib(p.pss_kib),
            mib(p.private_kib)
        );
    }
    let (r, s, v) = procs.iter().fold((0, 0, 0), |a, p| {
        (a.0 + p.rss_kib, a.1 + p.pss_kib, a.2 + p.private_kib)
    });
    println!(
        "  {:<22} {:>11}  RSS {:>7.1} MiB  PSS {:>7.1} MiB  private {:>7.1} MiB",
        "total",
        "",
        mib(r),
        mib(s),
        mib(v)
    );
}

fn main() -> anyhow::Result<()> {
    let app = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| psa_bridge_e2e::workspace_root().join("target/release/psa-bridge"));
    anyhow::ensure!(
        app.exists(),
        "{} not found: cargo build -p psa-bridge --release",
        app.display()
    );
    let data = tempfile::tempdir()?;
    let home = tempfile::tempdir()?;
    let ready = data.path().join("ready");
    let env = |c: &mut Command| {
        c.env("PSA_BRIDGE_DATA_DIR", data.path())
            .env("HOME", home.path())
            .env("PSA_BRIDGE_READY_FILE", &ready)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    };

    let t0 = Instant::now();
    let mut cmd = Command::new(&app);
    env(&mut cmd);
    let mut child = cmd.spawn()?;
    while !ready.exists() {
        anyhow::ensure!(t0.elapsed() < Duration::from_secs(60), "no tray after 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    let startup = t0.elapsed();
    println!("start-up to tray: {:.0} ms", startup.as_secs_f64() * 1000.0);

    std::thread::sleep(Duration::from_secs(4));
    let open = memory::tree(child.id());
    report("window open:", &open);

    // A second launch with --close-window asks the running instance to destroy its window.
    let mut close = Command::new(&app);
    env(&mut close);
    close.arg("--close-window").status()?;
    std::thread::sleep(Duration::from_secs(4));
    let tray = memory::tree(child.id());
    report("window closed (tray only):", &tray);
    if let Some(main) = tray.first() {
        println!(
            "tray-idle main process: RSS {:.1} MiB, PSS {:.1} MiB, private {:.1} MiB (target: under 60 MB)",
            mib(main.rss_kib), mib(main.pss_kib), mib(main.private_kib)
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}
