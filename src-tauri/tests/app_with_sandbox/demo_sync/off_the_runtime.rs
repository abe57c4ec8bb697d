//! The sync engine's database calls run on blocking threads (issue 10): with another process
//! holding the database's write lock, a sync waits on SQLite's busy timeout without stalling the
//! async runtime it runs on — here a single-threaded one, where a blocked call would stop every
//! other task (the sandbox, the UI's events) until the lock is released.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::connected;

const HOLD: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "current_thread")]
async fn a_sync_waiting_on_a_locked_database_does_not_stall_the_runtime() {
    let w = connected().await;
    let path = w.ctx.store.path().to_path_buf();
    // Another writer (a second PSA Bridge process) holds the write lock for HOLD.
    let locked = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&locked);
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(path).expect("open");
        conn.execute_batch("BEGIN IMMEDIATE").expect("lock");
        flag.store(true, Ordering::SeqCst);
        std::thread::sleep(HOLD);
        conn.execute_batch("COMMIT").expect("unlock");
    });
    while !locked.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A ticker on the same (only) runtime thread: the longest gap between its ticks is how long
    // the runtime was stalled.
    let ticker = tokio::spawn(async {
        let mut longest = Duration::ZERO;
        let mut last = Instant::now();
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            longest = longest.max(last.elapsed());
            last = Instant::now();
        }
        longest
    });
    let started = Instant::now();
    w.sync().await;
    let took = started.elapsed();
    holder.join().expect("lock holder");
    let longest = ticker.await.expect("ticker");
    assert!(
        took >= HOLD - Duration::from_millis(500),
        "the sync waited for the lock ({took:?}), so the test saw a blocked call"
    );
    assert!(
        longest < Duration::from_secs(1),
        "the runtime stalled for {longest:?} while the sync waited on the database"
    );
}
