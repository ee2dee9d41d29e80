//! What the kernel says about a process, read from `/proc`, for tests that
//! check reaping, orphans and daemons.

use std::fs;
use std::thread;
use std::time::{Duration, Instant};

/// The state letter of a process (`R`, `S`, `Z`...), or `None` once it is
/// gone (reaped, or never existed).
pub fn state(pid: i32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name sits in parentheses and may itself hold spaces or
    // parentheses: the state is the first field after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().next()?.chars().next()
}

/// The parent PID of a process, or `None` once it is gone.
pub fn parent_of(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// True while the process exists and is not a zombie.
pub fn is_running(pid: i32) -> bool {
    matches!(state(pid), Some(s) if s != 'Z' && s != 'X')
}

/// True if the process has exited but nobody has reaped it yet.
pub fn is_zombie(pid: i32) -> bool {
    state(pid) == Some('Z')
}

/// Polls until `done()` holds, for at most `limit`; returns whether it held.
/// For facts another process makes true (a daemon starting, an orphan being
/// adopted), where there is nothing to block on.
pub fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// The PIDs of every living child of `parent`, sorted.
pub fn children_of(parent: i32) -> Vec<i32> {
    let mut kids: Vec<i32> = fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .filter(|&pid| parent_of(pid) == Some(parent) && is_running(pid))
        .collect();
    kids.sort_unstable();
    kids
}

/// The kernel's id of the calling thread, as `/proc/<tid>/stat` knows it:
/// with [`state`], a test can see that a thread is asleep in a wait.
pub fn tid() -> i32 {
    nix::unistd::gettid().as_raw()
}
