//! Graded tests of chapter 2, pipes. One module per exercise; the same source
//! is compiled against the skeleton and against the solution.

// Signals that cut blocking calls short; shared with chapter 1's tests.
#[path = "../01-processes/interrupts.rs"]
mod interrupts;

mod capacity_trap;
mod duplex;
mod fd_table;
mod one_way_pipe;
mod pipeline;
mod poll_timeout;

use std::sync::{Mutex, MutexGuard};

use forklings_support::procs;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::{Pid, getpid};

/// Tests that start processes take this lock for their whole run, and so do
/// tests that wait for end of file on a pipe they made.
///
/// A forked child inherits every fd of the test process, including the pipe
/// ends of tests running on other threads. Two tests whose children each held
/// the other's write end would wait for each other's end of file forever; one
/// process-starting test at a time rules that out. A test that waits for end
/// of file takes the lock too, so that no child forked meanwhile holds a copy
/// of its write end and delays that end of file.
pub(crate) fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    // A test that failed while holding the lock poisons it; the next test
    // does not care.
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Kills, on a failed test, the children this test left running: a student's
/// child stuck reading a pipe that never ends must not outlive the test.
/// Holds only while [`one_at_a_time`] is held, so the new children are ours.
pub(crate) struct KillLeftovers {
    before: Vec<i32>,
}

impl KillLeftovers {
    pub(crate) fn new() -> Self {
        Self {
            before: procs::children_of(getpid().as_raw()),
        }
    }
}

impl Drop for KillLeftovers {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for pid in procs::children_of(getpid().as_raw()) {
            if !self.before.contains(&pid) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                let _ = waitpid(Pid::from_raw(pid), None);
            }
        }
    }
}
