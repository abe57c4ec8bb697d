//! Memory of a process tree from /proc (Linux): RSS, PSS and private bytes per process, so the
//! benchmark can judge memory by what a process really owns rather than shared GTK/WebKit pages.

use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcMemory {
    pub pid: u32,
    pub name: String,
    pub rss_kib: u64,
    pub pss_kib: u64,
    pub private_kib: u64,
}

fn field(text: &str, name: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Memory of one process from `/proc/PID/smaps_rollup`.
pub fn of(pid: u32) -> Option<ProcMemory> {
    let base = Path::new("/proc").join(pid.to_string());
    let text = std::fs::read_to_string(base.join("smaps_rollup")).ok()?;
    let name = std::fs::read_to_string(base.join("comm"))
        .unwrap_or_default()
        .trim()
        .to_string();
    Some(ProcMemory {
        pid,
        name,
        rss_kib: field(&text, "Rss:"),
        pss_kib: field(&text, "Pss:"),
        private_kib: field(&text, "Private_Clean:") + field(&text, "Private_Dirty:"),
    })
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: parse after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// `root` and every descendant.
pub fn tree(root: u32) -> Vec<ProcMemory> {
    let mut pids = vec![root];
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let mut grew = true;
    while grew {
        grew = false;
        for &p in &all {
            if !pids.contains(&p) && parent_of(p).is_some_and(|pp| pids.contains(&pp)) {
                pids.push(p);
                grew = true;
            }
        }
    }
    pids.into_iter().filter_map(of).collect()
}

/// The direct children of `pid` that are still running (not zombies).
pub fn children(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter(|&p| parent_of(p) == Some(pid) && !is_zombie(p))
                .collect()
        })
        .unwrap_or_default()
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(|st| st == "Z"))
        })
        .unwrap_or(true)
}

/// True while `pid` runs (a zombie has ended).
pub fn alive(pid: u32) -> bool {
    !is_zombie(pid)
}

/// The shared libraries `pid` has mapped whose path contains `needle` (case-insensitive).
pub fn mapped_libraries(pid: u32, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    let mut libs: Vec<String> = std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|path| path.to_lowercase().contains(&needle))
        .map(str::to_string)
        .collect();
    libs.dedup();
    libs
}

/// The command line of `pid`, one argument per item.
pub fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_process() {
        let me = of(std::process::id()).expect("own smaps_rollup");
        assert!(
            me.rss_kib > 0 && me.pss_kib > 0 && me.private_kib > 0,
            "{me:?}"
        );
        assert!(me.pss_kib <= me.rss_kib);
    }

    #[test]
    fn tree_includes_children() {
        let child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep");
        let t = tree(std::process::id());
        assert!(
            t.iter().any(|p| p.pid == child.id()),
            "child missing from {t:?}"
        );
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
    }
}
