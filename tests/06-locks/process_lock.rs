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

/// The descriptors of process `pid` open on the file at `target`.
fn fds_on(pid: i32, target: &Path) -> Vec<i32> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == target))
        .filter_map(|fd| fd.file_name().to_str()?.parse().ok())
        .collect()
}

/// The children of `parent` that have the file at `target` open, each with
/// its descriptors of it.
fn children_with_open(parent: i32, target: &Path) -> Vec<(i32, Vec<i32>)> {
    procs::children_of(parent)
        .into_iter()
        .map(|pid| (pid, fds_on(pid, target)))
        .filter(|(_, fds)| !fds.is_empty())
        .collect()
}

/// Whether two descriptors of two processes are one open file description
/// (kcmp(2)); `None` where the kernel cannot tell.
fn same_description((pid1, fd1): (i32, i32), (pid2, fd2): (i32, i32)) -> Option<bool> {
    const KCMP_FILE: libc::c_long = 0;
    // SAFETY: kcmp only compares kernel objects; it reads no memory of ours.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_kcmp,
            pid1 as libc::c_long,
            pid2 as libc::c_long,
            KCMP_FILE,
            fd1 as libc::c_long,
            fd2 as libc::c_long,
        )
    };
    match rc {
        0 => Some(true),
        1..=3 => Some(false),
        _ => None,
    }
}

#[test]
fn the_children_wait_while_the_test_holds_the_lock() {
    let dir = TempDir::new("held");
    let path = dir.0.join("held.lock");
    let lock = FileLock::new(&path);
    within(LIMIT, "count_in_processes", move || {
        let held = lock.lock().expect("lock failed");
        let target = std::fs::canonicalize(&path).expect("the lock file exists");
        let me = std::process::id() as i32;
        // The test's own descriptor: the children inherit it through fork.
        let tests: Vec<(i32, i32)> = fds_on(me, &target).into_iter().map(|fd| (me, fd)).collect();
        let (tx, rx) = mpsc::channel();
        let for_children = lock.clone();
        let counting = thread::spawn(move || {
            let total = count_in_processes(&for_children, 3, 100).map_err(|e| e.to_string());
            let _ = tx.send(total);
        });
        // Three child processes, each stuck in its first `lock`.
        let waiting = procs::eventually(Duration::from_secs(20), || {
            children_with_open(me, &target).len() >= 3
        });
        // Each child must wait through an open file description of its own:
        // one opened before the fork is shared, and a lock held by one
        // description excludes none of the processes that share it.
        let theirs: Vec<(i32, i32)> = children_with_open(me, &target)
            .into_iter()
            .flat_map(|(pid, fds)| fds.into_iter().map(move |fd| (pid, fd)))
            .filter(|&child| {
                !tests
                    .iter()
                    .any(|&t| same_description(child, t) == Some(true))
            })
            .collect();
        let shared = theirs.iter().enumerate().any(|(i, &a)| {
            theirs[i + 1..]
                .iter()
                .any(|&b| a.0 != b.0 && same_description(a, b) == Some(true))
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
        assert!(
            !shared,
            "two children wait through one open file description, opened before the fork: \
             open the file in each lock(), after the fork"
        );
        assert_eq!(
            total,
            Ok(Ok(300)),
            "once the test unlocks (LOCK_UN), the children count to 3 x 100, losing nothing"
        );
        counting.join().unwrap();
        drop(dir);
    });
}
