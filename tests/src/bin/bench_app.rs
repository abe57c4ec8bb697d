//! Desktop benchmark: start-up time to tray (the session's first launch, then the median of 5
//! later ones), the memory of the tray process alone (tray idle),
//! the time from *Open PSA Bridge* to a loaded window (median of 5), and the memory with the
//! window open. Run it on a release build inside a desktop session:
//!
//! ```sh
//! cargo build -p psa-bridge --release --features bench-hooks
//! cargo build -p psa-bridge-e2e --release --bin bench_app
//! scripts/desktop-session.sh target/release/bench_app target/release/psa-bridge
//! ```

use std::path::{Path, PathBuf};
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

fn wait_for(file: &Path, limit: Duration) -> anyhow::Result<Duration> {
    let t0 = Instant::now();
    while !file.exists() {
        anyhow::ensure!(t0.elapsed() < limit, "{} not written", file.display());
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(t0.elapsed())
}

fn main() -> anyhow::Result<()> {
    let app = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| psa_bridge_e2e::workspace_root().join("target/release/psa-bridge"));
    anyhow::ensure!(
        app.exists(),
        "{} not found: cargo build -p psa-bridge --release --features bench-hooks",
        app.display()
    );
    let data = tempfile::tempdir()?;
    let home = tempfile::tempdir()?;
    let ready = data.path().join("ready");
    let window_ready = data.path().join("window-ready");
    let env = |c: &mut Command| {
        c.env("PSA_BRIDGE_DATA_DIR", data.path())
            .env("HOME", home.path())
            .env("PSA_BRIDGE_READY_FILE", &ready)
            .env("PSA_BRIDGE_WINDOW_READY_FILE", &window_ready)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    };

    // Start-up to tray: the tray process, hidden (as at login).
    let t0 = Instant::now();
    let mut cmd = Command::new(&app);
    env(&mut cmd);
    let mut child = cmd.arg("--hidden").spawn()?;
    wait_for(&ready, Duration::from_secs(60))?;
    println!(
        "start-up to tray, first launch in this session: {:.0} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    std::thread::sleep(Duration::from_secs(4));
    report("tray only (before any window):", &memory::tree(child.id()));

    // Open PSA Bridge (a second launch, as the desktop entry does) to a loaded window, 5 times.
    let mut opens = Vec::new();
    for i in 0..5 {
        let _ = std::fs::remove_file(&window_ready);
        let t0 = Instant::now();
        let mut open = Command::new(&app);
        env(&mut open);
        open.status()?;
        let took = wait_for(&window_ready, Duration::from_secs(60))?;
        let took = took.max(t0.elapsed());
        opens.push(took);
        std::thread::sleep(Duration::from_secs(if i == 4 { 4 } else { 1 }));
        if i == 4 {
            report("window open, all processes:", &memory::tree(child.id()));
        }
        let mut close = Command::new(&app);
        env(&mut close);
        close.arg("--close-window").status()?;
        // The window process ends with its window.
        let t1 = Instant::now();
        while memory::tree(child.id()).len() > 1 && t1.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    opens.sort();
    let ms: Vec<String> = opens
        .iter()
        .map(|d| format!("{:.0}", d.as_secs_f64() * 1000.0))
        .collect();
    println!(
        "open to loaded window: median {:.0} ms (runs, sorted: {} ms)",
        opens[2].as_secs_f64() * 1000.0,
        ms.join(", ")
    );

    std::thread::sleep(Duration::from_secs(4));
    let tray = memory::tree(child.id());
    report("window closed again (tray only):", &tray);
    let _ = child.kill();
    let _ = child.wait();

    // Start-up again, as at a later login: the data folder exists, and the session's D-Bus
    // services (the accessibility bus, the desktop portal GTK asks for) are running, as on a real
    // desktop. The first launch above also paid for D-Bus starting those in this fresh session.
    let mut starts = Vec::new();
    for _ in 0..5 {
        let _ = std::fs::remove_file(&ready);
        let t0 = Instant::now();
        let mut cmd = Command::new(&app);
        env(&mut cmd);
        let mut tray = cmd.arg("--hidden").spawn()?;
        wait_for(&ready, Duration::from_secs(60))?;
        starts.push(t0.elapsed());
        let _ = tray.kill();
        let _ = tray.wait();
        std::thread::sleep(Duration::from_millis(500));
    }
    starts.sort();
    let ms: Vec<String> = starts
        .iter()
        .map(|d| format!("{:.0}", d.as_secs_f64() * 1000.0))
        .collect();
    println!(
        "start-up to tray, later launches: median {:.0} ms (runs, sorted: {} ms)",
        starts[2].as_secs_f64() * 1000.0,
        ms.join(", ")
    );
    Ok(())
}
