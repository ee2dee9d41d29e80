use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use forklings_support::{procs, within};
use locks::process_lock::{FileLock, count_in_processes};

const LIMIT: Duration = Duration::from_secs(60);

/// A folder of its own for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("forklings-ch06-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cannot make a temp folder");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn four_processes_lose_no_update() {
    let dir = TempDir::new("count");
    let lock = FileLock::new(dir.0.join("counter.lock"));
    let total = within(LIMIT, "count_in_processes", move || {
        count_in_processes(&lock, 4, 1_000).expect("count_in_processes failed")
    });
    assert_eq!(total, 4_000);
}

#[test]
fn the_lock_file_is_made_on_first_use() {
    let dir = TempDir::new("create");
    let path = dir.0.join("fresh.lock");
    let lock = FileLock::new(&path);
    assert!(!path.exists());
    let guard = lock.lock().expect("lock failed");
    assert!(path.exists());
    drop(guard);
}

#[test]
fn a_second_holder_waits_until_the_guard_drops() {
    let dir = TempDir::new("exclude");
    let lock = FileLock::new(dir.0.join("x.lock"));
    within(LIMIT, "FileLock", move || {
        let held = lock.lock().expect("lock failed");
        let (tx, rx) = mpsc::channel();
        let other = lock.clone();
        let waiter = thread::spawn(move || {
            let guard = other.lock().expect("lock failed");
            tx.send(()).unwrap();
            drop(guard);
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "a second holder got the file lock while it was held"
        );
        drop(held);
        rx.recv_timeout(Duration::from_secs(20))
            .expect("the lock was never freed");
        waiter.join().unwrap();
        drop(dir);
    });
}

#[test]
fn two_locks_on_the_same_path_exclude_each_other() {
    let dir = TempDir::new("same-path");
    let path = dir.0.join("y.lock");
    within(LIMIT, "FileLock", move || {
        let first = FileLock::new(&path);
        let second = FileLock::new(&path);
        let held = first.lock().expect("lock failed");
        let (tx, rx) = mpsc::channel();
        let waiter = thread::spawn(move || {
            drop(second.lock().expect("lock failed"));
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "not exclusive"
        );
        drop(held);
        rx.recv_timeout(Duration::from_secs(20))
            .expect("the lock was never freed");
        waiter.join().unwrap();
        drop(dir);
    });
}

/// How many children of `parent` have the file at `target` open.
fn children_with_open(parent: i32, target: &Path) -> usize {
    procs::children_of(parent)
        .into_iter()
        .filter(|pid| {
            std::fs::read_dir(format!("/proc/{pid}/fd"))
                .into_iter()
                .flatten()
                .flatten()
                .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == target))
        })
        .count()
}

#[test]
fn the_children_wait_while_the_test_holds_the_lock() {
    let dir = TempDir::new("held");
    let path = dir.0.join("held.lock");
    let lock = FileLock::new(&path);
    within(LIMIT, "count_in_processes", move || {
        let held = lock.lock().expect("lock failed");
        let target = std::fs::canonicalize(&path).expect("the lock file exists");
        let (tx, rx) = mpsc::channel();
        let for_children = lock.clone();
        let counting = thread::spawn(move || {
            let total = count_in_processes(&for_children, 3, 10).map_err(|e| e.to_string());
            let _ = tx.send(total);
        });
        // Three child processes, each stuck in its first `lock`.
        let me = std::process::id() as i32;
        let waiting = procs::eventually(Duration::from_secs(20), || {
            children_with_open(me, &target) >= 3
        });
        let early = rx.try_recv();
        drop(held);
        let total = rx.recv_timeout(Duration::from_secs(20));
        assert!(
            early.is_err(),
            "count_in_processes returned while the test held the lock: {early:?}"
        );
        assert!(
            waiting,
            "three child processes should be waiting for the lock the test holds"
        );
        assert_eq!(
            total,
            Ok(Ok(30)),
            "once the test unlocks (LOCK_UN), the children count to 3 x 10"
        );
        counting.join().unwrap();
        drop(dir);
    });
}
