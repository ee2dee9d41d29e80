//! The ping sweep: the reference solution. The statement is in
//! `chapters/03-threads/src/ping_sweep.rs`.

use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How one host answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The command exited with status 0.
    Up,
    /// The command exited with another status (`Some(code)`), or a signal
    /// ended it (`None`).
    Down(Option<i32>),
    /// The command was still running at the timeout: it was killed.
    TimedOut,
    /// The command could not be started; the error's text.
    NotStarted(String),
}

/// How often a running command is looked at: `Child` has no timed wait.
const POLL: Duration = Duration::from_millis(5);

/// `prefix` followed by each number of `numbers`.
pub fn hosts_in(prefix: &str, numbers: RangeInclusive<u8>) -> Vec<String> {
    numbers.map(|n| format!("{prefix}{n}")).collect()
}

/// Kills a command and reaps it: a killed child that nobody waits for
/// stays a zombie.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `program -c 1 HOST`, for at most `timeout`.
pub fn check(program: &Path, host: &str, timeout: Duration) -> Reply {
    let spawned = Command::new(program)
        .args(["-c", "1", host])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return Reply::NotStarted(e.to_string()),
    };
    // The deadline is this command's own, set when it starts.
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Reply::Up,
            Ok(Some(status)) => return Reply::Down(status.code()),
            Ok(None) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    stop(&mut child);
                    return Reply::TimedOut;
                }
                thread::sleep(left.min(POLL));
            }
            Err(e) => {
                stop(&mut child);
                return Reply::NotStarted(e.to_string());
            }
        }
    }
}

/// Checks every host, at most `at_once` at a time; the results in the
/// order of `hosts`.
pub fn sweep(
    program: &Path,
    hosts: &[String],
    at_once: usize,
    timeout: Duration,
) -> Vec<(String, Reply)> {
    let next = AtomicUsize::new(0);
    let workers = at_once.max(1).min(hosts.len());
    let mut replies: Vec<Option<Reply>> = vec![None; hosts.len()];
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let next = &next;
                scope.spawn(move || {
                    // Each worker takes the next unchecked host: a slow
                    // host holds up one worker, never the others.
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(host) = hosts.get(i) else { break };
                        done.push((i, check(program, host, timeout)));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            for (i, reply) in handle.join().expect("a sweep worker panicked") {
                replies[i] = Some(reply);
            }
        }
    });
    hosts
        .iter()
        .cloned()
        .zip(
            replies
                .into_iter()
                .map(|r| r.expect("every host was checked")),
        )
        .collect()
}

/// One line per host, each ending with a newline.
pub fn report(results: &[(String, Reply)]) -> String {
    let mut out = String::new();
    for (host, reply) in results {
        let _ = match reply {
            Reply::Up => writeln!(out, "{host} is up"),
            Reply::Down(Some(code)) => writeln!(out, "{host} is down (exit {code})"),
            Reply::Down(None) => writeln!(out, "{host} is down (killed by a signal)"),
            Reply::TimedOut => writeln!(out, "{host} did not answer in time"),
            Reply::NotStarted(error) => writeln!(out, "{host} could not be checked: {error}"),
        };
    }
    out
}
