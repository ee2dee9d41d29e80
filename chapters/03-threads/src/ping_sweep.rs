//! # Exercise: the ping sweep
//!
//! The tutorial checks which machines of a network answer by running `ping`
//! once per address, one thread each, so that the slow, silent addresses
//! are waited for at the same time instead of one after another:
//!
//! ```python
//! import os, threading
//!
//! results = {}
//! def ping(ip):
//!     output = os.popen(f"ping -c 1 {ip}").read()
//!     results[ip] = "up" if "bytes from" in output else "down"
//!
//! threads = [threading.Thread(target=ping, args=(f"192.168.1.{i}",))
//!            for i in range(1, 255)]
//! for t in threads: t.start()
//! for t in threads: t.join()
//! ```
//!
//! Two hundred and fifty-four threads and processes at once is a lot, and a
//! `ping` that never returns hangs its thread for ever. Build a sweep that
//! runs at most `at_once` commands at a time, kills a command that runs past
//! its timeout, and gives the results in host order:
//!
//! - [`hosts_in`]: `"192.168.1."` and `1..=254` give `"192.168.1.1"` to
//!   `"192.168.1.254"` (the range may end at 255).
//! - [`check`]: runs `program -c 1 HOST` with `std::process::Command`, its
//!   standard input, output and error sent to `/dev/null` (`Stdio::null()`:
//!   the exit status says it all, and a pipe nobody reads fills up and
//!   stalls the command). Exit status 0 is [`Reply::Up`], another status
//!   [`Reply::Down`]. `Child` has no wait with a timeout: poll `try_wait`
//!   with a short sleep until a deadline; past it, `kill` the command *and*
//!   `wait` for it (or it stays a zombie), and say [`Reply::TimedOut`]. A
//!   program that cannot be started is [`Reply::NotStarted`] with the
//!   error's text. The timeout is for this one command.
//! - [`sweep`]: checks every host with at most `at_once` commands running at
//!   any moment, and never fewer while hosts are left: `at_once` worker
//!   threads (scoped) that each take the next unchecked host until none is
//!   left. The results come back in the order of `hosts`, whatever order
//!   the commands finish in.
//! - [`report`]: one line per host, `HOST is up`, `HOST is down (exit N)`
//!   or `HOST is down (killed by a signal)`, `HOST did not answer in time`,
//!   `HOST could not be checked: ERROR`.
//!
//! The tests give your sweep a stand-in for `ping`: a small shell script in
//! a temporary directory that answers as each test tells it (nothing leaves
//! the machine). They hold the commands open to count how many run at once
//! (exactly `at_once`), release them out of order, hang some for ever and
//! check that those were killed and reaped, flood the output of one, and
//! snapshot the report.
//!
//! Stuck? `cargo course hint ping_sweep`.

use std::ops::RangeInclusive;
use std::path::Path;
use std::time::Duration;

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

/// `prefix` followed by each number of `numbers`.
pub fn hosts_in(prefix: &str, numbers: RangeInclusive<u8>) -> Vec<String> {
    todo!()
}

/// Runs `program -c 1 HOST`, for at most `timeout`.
pub fn check(program: &Path, host: &str, timeout: Duration) -> Reply {
    todo!()
}

/// Checks every host, at most `at_once` at a time; the results in the
/// order of `hosts`.
pub fn sweep(
    program: &Path,
    hosts: &[String],
    at_once: usize,
    timeout: Duration,
) -> Vec<(String, Reply)> {
    todo!()
}

/// One line per host, each ending with a newline.
pub fn report(results: &[(String, Reply)]) -> String {
    todo!()
}
