//! The runner as a subreaper: what a dead supervisor leaves behind comes to
//! the runner, which kills and reaps it.
//!
//! Each test's supervisor is the subreaper of its test (see `sandbox.rs`).
//! Where the kernel's namespaces are refused, a test can still kill its
//! supervisor (same user, same PID namespace); its processes would then be
//! re-parented to init and live on. With `PR_SET_CHILD_SUBREAPER` on the
//! runner they are re-parented to the runner instead, and [`sweep`] kills
//! and reaps every child of the runner that the runner did not start.
//!
//! To tell the two apart, every process the runner starts while tests may
//! run is registered: [`spawn`], [`output`] and [`status`] do that around
//! `Command`. A child started past them is taken for an orphan by a sweep;
//! sweeps only run when a supervisor died without its report, and at the
//! end of a run in which one did.

use std::collections::HashSet;
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use crate::procfs;

static STARTED: Mutex<Option<HashSet<i32>>> = Mutex::new(None);

/// Makes the runner the subreaper of everything below it. Called once, at
/// the start of every command but the supervisor's own.
pub fn become_subreaper() {
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

/// Forgets a child once it was waited for.
pub fn forget(pid: u32) {
    if let Some(set) = STARTED.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        set.remove(&(pid as i32));
    }
}

fn started(pid: i32) -> bool {
    STARTED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|s| s.contains(&pid))
}

/// `cmd.spawn()`, the child registered as the runner's own. Call [`forget`]
/// with its id once it was waited for.
pub fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    // Registered under the lock before a sweep could see it: the lock is
    // held across the spawn.
    let mut guard = STARTED.lock().unwrap_or_else(|e| e.into_inner());
    let child = cmd.spawn()?;
    guard
        .get_or_insert_with(HashSet::new)
        .insert(child.id() as i32);
    Ok(child)
}

/// `cmd.output()`, the child registered while it runs.
pub fn output(cmd: &mut Command) -> std::io::Result<Output> {
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = spawn(cmd)?;
    let id = child.id();
    let out = child.wait_with_output();
    forget(id);
    out
}

/// `cmd.status()`, the child registered while it runs.
pub fn status(cmd: &mut Command) -> std::io::Result<ExitStatus> {
    let mut child = spawn(cmd)?;
    let status = child.wait();
    forget(child.id());
    status
}

/// Kills and reaps every child of the runner it did not start (orphans of
/// a supervisor that was killed), and everything below them. Returns how
/// many processes were killed.
pub fn sweep() -> usize {
    let me = std::process::id() as i32;
    let mut killed: HashSet<i32> = HashSet::new();
    let give_up = Instant::now() + Duration::from_secs(10);
    loop {
        let strays: Vec<procfs::Stat> = procfs::processes()
            .into_iter()
            .filter(|p| p.ppid == me && !started(p.pid))
            .collect();
        if strays.is_empty() || Instant::now() > give_up {
            return killed.len();
        }
        for stray in &strays {
            if !stray.is_dead() {
                // Below first: a parent killed first would hand its
                // children on to the runner one round later anyway.
                for below in procfs::descendants(stray.pid) {
                    let _ = kill(Pid::from_raw(below.pid), Signal::SIGKILL);
                    killed.insert(below.pid);
                }
                let _ = kill(Pid::from_raw(stray.pid), Signal::SIGKILL);
                killed.insert(stray.pid);
            }
            // Only this pid: never the status of a child someone waits for.
            let _ = waitpid(Pid::from_raw(stray.pid), Some(WaitPidFlag::WNOHANG));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
