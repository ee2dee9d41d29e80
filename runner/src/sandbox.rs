//! One test, run under limits, leaving nothing behind.
//!
//! # Design: a supervisor process per test
//!
//! The runner never runs a test binary itself. For each test it starts a
//! copy of itself, `course __supervise SPEC` (the hidden subcommand), and the
//! supervisor:
//!
//! 1. makes itself a child subreaper (`PR_SET_CHILD_SUBREAPER`), so every
//!    process the test starts and orphans, even one that left the test's
//!    process group or session with `setsid`, is re-parented to it and not
//!    to init;
//! 2. starts the test in a process group of its own, stdout and stderr
//!    merged into one pipe, stdin from `/dev/null`;
//! 3. drains that pipe (keeping the first 64 KiB, counting the rest) while
//!    it waits, with `waitpid(-1)`, for the test process and reaps any
//!    adopted orphan on the way: the supervisor's only own child is the
//!    test, so waiting for "any child" steals nobody's status. This is the
//!    one place that waits for test processes;
//! 4. counts the processes below it on every tick: past
//!    [`MAX_PROCESSES`] (a fork bomb; root ignores `RLIMIT_NPROC` and no
//!    cgroup is writable here) it kills the group at once. The test process
//!    starts with `RLIMIT_AS` at [`ADDRESS_SPACE_CAP`], inherited by its
//!    children, so a runaway allocation fails (and Rust aborts, saying so);
//! 5. on the wall-clock limit, or when the test process ends, kills the
//!    test's process group with SIGKILL, then kills and reaps every
//!    remaining descendant (found through `/proc`), round after round until
//!    it has no child left;
//! 6. stops reading the pipe shortly after (a leaked child holding the pipe
//!    cannot hold the run), and prints the [`Outcome`] as JSON on stdout.
//!
//! Why not one central reaper in the runner: a subreaper's `waitpid(-1)`
//! would collect the statuses of the runner's own children (cargo, the
//! tests) from under the code that waits for them, and every kill would have
//! to know which test an orphan came from. Per test, the tree below one
//! supervisor *is* that test, so the limits (time, output, process count,
//! memory) are per test as well: they are in [`Limits`] and in the
//! supervisor's loop below.
//!
//! The supervisor ignores SIGINT (a Ctrl-C to the runner reaches it too) and
//! watches its parent instead: when the runner goes away, it kills the test
//! tree and leaves.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigHandler, Signal, kill, killpg, signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

/// How much output a test keeps, from its start.
pub const OUTPUT_CAP: usize = 64 * 1024;
/// How much of the end is kept as well once output was dropped: libtest's
/// summary line is there.
pub const TAIL_CAP: usize = 4 * 1024;
/// How long the pipe is still read once the test tree is dead.
const DRAIN_GRACE: Duration = Duration::from_millis(300);
const TICK: Duration = Duration::from_millis(10);

/// How many processes a test may have alive at once (the test process and
/// everything below it). Root ignores `RLIMIT_NPROC` and no cgroup is
/// writable on the machines this runs on, so the supervisor counts.
pub const MAX_PROCESSES: u32 = 256;
/// The address space a test process (and each child) may map: generous for
/// a test with many threads (each reserves its stack and a malloc arena),
/// small enough that a runaway allocation fails fast instead of swapping.
pub const ADDRESS_SPACE_CAP: u64 = 4 << 30;

/// What a test may use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    pub wall_ms: u64,
    pub output_cap: usize,
    /// Processes alive at once below the supervisor; 0: no limit.
    #[serde(default)]
    pub max_processes: u32,
    /// `RLIMIT_AS` of the test process, in bytes; 0: no limit.
    #[serde(default)]
    pub address_space: u64,
}

/// One test to run: `binary --exact name --test-threads=1 --nocapture`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestSpec {
    pub binary: PathBuf,
    pub name: String,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
    pub limits: Limits,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Ended {
    Exited {
        code: i32,
    },
    Signaled {
        signal: String,
    },
    TimedOut,
    /// More than `limit` processes were alive at once: the whole tree was
    /// killed.
    TooManyProcesses {
        count: u32,
        limit: u32,
    },
    /// The test could not even be started, or the supervisor failed.
    NotStarted {
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub ended: Ended,
    pub duration_ms: u64,
    pub output: String,
    pub dropped_bytes: u64,
    pub tail: String,
    /// Processes still alive after the test process ended (or was killed),
    /// which the supervisor then killed.
    pub leftovers_killed: u32,
    /// The supervisor's own peak memory (VmHWM), in KiB: it reads all the
    /// output, so this shows the cap at work.
    #[serde(default)]
    pub supervisor_max_rss_kib: u64,
}

impl TestSpec {
    /// The arguments that run exactly this one test. `--nocapture`: the
    /// output streams into the pipe as the test writes it, so what a test
    /// printed before it hung or crashed is still there to explain it.
    pub fn args(&self) -> Vec<String> {
        vec![
            "--exact".into(),
            self.name.clone(),
            "--test-threads=1".into(),
            "--nocapture".into(),
        ]
    }
}

/// Runs one test under a supervisor (a re-executed copy of this program) and
/// returns what happened. Called from the driver's worker threads.
pub fn run_supervised(spec: &TestSpec) -> Outcome {
    match try_run_supervised(spec) {
        Ok(outcome) => outcome,
        Err(reason) => not_started(reason),
    }
}

fn try_run_supervised(spec: &TestSpec) -> Result<Outcome, String> {
    let json = serde_json::to_string(spec).map_err(|e| e.to_string())?;
    // /proc/self/exe still works when the runner's file was rebuilt since.
    let mut child = Command::new("/proc/self/exe")
        .args(["__supervise", &json])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start the supervisor: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = thread::spawn(move || crate::cargo_build::read_capped(&mut stderr, 8192));
    // The supervisor enforces the limit; this is the last resort should the
    // supervisor itself be stuck.
    let deadline =
        Instant::now() + Duration::from_millis(spec.limits.wall_ms) + Duration::from_secs(30);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                break child.wait().map_err(|e| e.to_string())?;
            }
            Ok(None) => thread::sleep(TICK),
            Err(e) => return Err(format!("waiting for the supervisor: {e}")),
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    serde_json::from_str(&out).map_err(|_| {
        format!(
            "the supervisor failed ({status}): {}",
            err.trim().lines().last().unwrap_or("no message")
        )
    })
}

/// The hidden `course __supervise SPEC` subcommand: runs the test, prints
/// the outcome as JSON. Returns the process exit code.
pub fn supervise_main(spec_json: &str) -> i32 {
    let spec: TestSpec = match serde_json::from_str(spec_json) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("course __supervise: bad spec: {e}");
            return 2;
        }
    };
    let outcome = supervise(&spec);
    match serde_json::to_string(&outcome) {
        Ok(json) => {
            println!("{json}");
            0
        }
        Err(e) => {
            eprintln!("course __supervise: {e}");
            2
        }
    }
}

/// Output kept from the start, the count of what was dropped, and the end.
struct Capture {
    head: Vec<u8>,
    cap: usize,
    dropped: u64,
    tail: Vec<u8>,
}

impl Capture {
    fn new(cap: usize) -> Self {
        Capture {
            head: Vec::new(),
            cap,
            dropped: 0,
            tail: Vec::new(),
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.head.len());
        let (kept, rest) = bytes.split_at(bytes.len().min(room));
        self.head.extend_from_slice(kept);
        if rest.is_empty() {
            return;
        }
        self.dropped += rest.len() as u64;
        self.tail.extend_from_slice(rest);
        if self.tail.len() > 2 * TAIL_CAP {
            self.tail.drain(..self.tail.len() - TAIL_CAP);
        }
    }

    fn finish(mut self) -> (String, u64, String) {
        if self.tail.len() > TAIL_CAP {
            self.tail.drain(..self.tail.len() - TAIL_CAP);
        }
        (
            String::from_utf8_lossy(&self.head).into_owned(),
            self.dropped,
            String::from_utf8_lossy(&self.tail).into_owned(),
        )
    }
}

fn not_started(reason: String) -> Outcome {
    Outcome {
        ended: Ended::NotStarted { reason },
        duration_ms: 0,
        output: String::new(),
        dropped_bytes: 0,
        tail: String::new(),
        leftovers_killed: 0,
        supervisor_max_rss_kib: 0,
    }
}

fn supervise(spec: &TestSpec) -> Outcome {
    let parent = std::os::unix::process::parent_id();
    // A Ctrl-C reaches the whole foreground group; the supervisor must live
    // on to clean up (it sees the runner go and then leaves).
    // SAFETY: setting a disposition to SIG_IGN runs no handler code.
    unsafe {
        let _ = signal(Signal::SIGINT, SigHandler::SigIgn);
    }
    if let Err(e) = nix::sys::prctl::set_child_subreaper(true) {
        return not_started(format!("cannot become a child subreaper: {e}"));
    }
    let (read_end, write_end) = match nix::unistd::pipe2(OFlag::O_CLOEXEC) {
        Ok(pair) => pair,
        Err(e) => return not_started(format!("pipe: {e}")),
    };
    let write_err = match write_end.try_clone() {
        Ok(fd) => fd,
        Err(e) => return not_started(format!("dup: {e}")),
    };
    let start = Instant::now();
    let child = {
        // The command holds copies of the pipe's write end: it is dropped
        // right after the spawn so that only the test tree holds it.
        let mut cmd = Command::new(&spec.binary);
        cmd.args(spec.args())
            .current_dir(&spec.cwd)
            .env_remove("CLICOLOR_FORCE")
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(write_end))
            .stderr(Stdio::from(write_err))
            .process_group(0);
        let address_space = spec.limits.address_space;
        if address_space > 0 {
            // SAFETY: setrlimit is async-signal-safe and touches nothing
            // of the parent's.
            unsafe {
                cmd.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: address_space as libc::rlim_t,
                        rlim_max: address_space as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        cmd.spawn()
    };
    let child = match child {
        Ok(child) => child,
        Err(e) => {
            return not_started(format!("could not start {}: {e}", spec.binary.display()));
        }
    };
    let test = Pid::from_raw(child.id() as i32);
    drop(child);
    let _ = fcntl(&read_end, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));

    let deadline = start + Duration::from_millis(spec.limits.wall_ms);
    let me = std::process::id() as i32;
    let mut capture = Capture::new(spec.limits.output_cap);
    let mut pipe_open = true;
    let ended = loop {
        if pipe_open {
            pipe_open = drain(&read_end, &mut capture, TICK);
        } else {
            thread::sleep(TICK);
        }
        if let Some(status) = reap_all(test) {
            break match status {
                WaitStatus::Exited(_, code) => Ended::Exited { code },
                WaitStatus::Signaled(_, signal, _) => Ended::Signaled {
                    signal: signal.as_str().to_string(),
                },
                other => Ended::NotStarted {
                    reason: format!("unexpected wait status {other:?}"),
                },
            };
        }
        if Instant::now() >= deadline {
            let _ = killpg(test, Signal::SIGKILL);
            // The test process itself is reaped by the clean-up below.
            break Ended::TimedOut;
        }
        let limit = spec.limits.max_processes;
        if limit > 0 {
            let count = descendants(me).len() as u32;
            if count > limit {
                let _ = killpg(test, Signal::SIGKILL);
                break Ended::TooManyProcesses { count, limit };
            }
        }
        if std::os::unix::process::parent_id() != parent {
            let _ = killpg(test, Signal::SIGKILL);
            kill_tree(test);
            return not_started("the runner went away".into());
        }
    };
    let duration = start.elapsed();
    let leftovers = kill_tree(test);
    // Every writer is dead now; read what is still in the pipe, but never
    // wait long for an end-of-file that something outside could withhold.
    let grace = Instant::now() + DRAIN_GRACE;
    while pipe_open && Instant::now() < grace {
        pipe_open = drain(&read_end, &mut capture, TICK);
    }
    let (output, dropped_bytes, tail) = capture.finish();
    Outcome {
        ended,
        duration_ms: duration.as_millis() as u64,
        output,
        dropped_bytes,
        tail,
        leftovers_killed: leftovers,
        supervisor_max_rss_kib: max_rss_kib(),
    }
}

/// This process's peak resident memory (VmHWM), in KiB.
pub fn max_rss_kib() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Waits up to `wait` for output and reads all there is. Returns false at
/// end of file.
fn drain(fd: &OwnedFd, capture: &mut Capture, wait: Duration) -> bool {
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
    let timeout = PollTimeout::try_from(wait).unwrap_or(PollTimeout::ZERO);
    match poll(&mut fds, timeout) {
        Ok(0) | Err(Errno::EINTR) => return true,
        Ok(_) => {}
        Err(_) => return false,
    }
    let mut buf = vec![0u8; 64 * 1024];
    // Bounded so a torrent of output cannot starve the wait for the test.
    for _ in 0..64 {
        match nix::unistd::read(fd, &mut buf) {
            Ok(0) => return false,
            Ok(n) => capture.push(&buf[..n]),
            Err(Errno::EAGAIN) => return true,
            Err(Errno::EINTR) => continue,
            Err(_) => return false,
        }
    }
    true
}

/// Reaps every child that has ended (adopted orphans included) and returns
/// the test process's status if it was among them.
fn reap_all(test: Pid) -> Option<WaitStatus> {
    let mut found = None;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(_) => return found,
            Ok(status) => {
                if status.pid() == Some(test)
                    && matches!(status, WaitStatus::Exited(..) | WaitStatus::Signaled(..))
                {
                    found = Some(status);
                }
            }
        }
    }
}

/// Kills the test's group and every descendant of this supervisor, and
/// reaps them all. Returns how many processes besides the test were still
/// running when it started.
fn kill_tree(test: Pid) -> u32 {
    let me = std::process::id() as i32;
    let left_running = descendants(me)
        .iter()
        .filter(|&&pid| pid != test.as_raw())
        .count() as u32;
    let give_up = Instant::now() + Duration::from_secs(10);
    loop {
        let _ = killpg(test, Signal::SIGKILL);
        let alive = descendants(me);
        for &pid in &alive {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        // Reap whatever is ours now; ECHILD means nothing is left below us.
        let mut no_children = false;
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => break,
                Ok(_) => continue,
                Err(Errno::ECHILD) => {
                    no_children = true;
                    break;
                }
                Err(_) => break,
            }
        }
        if (no_children && alive.is_empty()) || Instant::now() > give_up {
            break;
        }
        thread::sleep(Duration::from_millis(2));
    }
    left_running
}

/// Every live (non-zombie) process below `root`, from `/proc`.
pub fn descendants(root: i32) -> Vec<i32> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut zombies = std::collections::HashSet::new();
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        if let Some((state, ppid)) = stat_of(pid) {
            children.entry(ppid).or_default().push(pid);
            if state == 'Z' || state == 'X' {
                zombies.insert(pid);
            }
        }
    }
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or(&[]) {
            if !zombies.contains(&child) {
                found.push(child);
            }
            stack.push(child);
        }
    }
    found
}

/// The state letter and parent PID of a process.
pub fn stat_of(pid: i32) -> Option<(char, i32)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold anything: the fields
    // start after the last ')'.
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((state, ppid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_the_head_counts_the_rest_and_keeps_a_tail() {
        let mut c = Capture::new(10);
        c.push(b"0123456");
        c.push(b"789abcdef");
        for _ in 0..3000 {
            c.push(b"xxxxxxxxxx");
        }
        c.push(b"END");
        let (head, dropped, tail) = c.finish();
        assert_eq!(head, "0123456789");
        assert_eq!(dropped, 6 + 30_000 + 3);
        assert!(tail.ends_with("xxEND"));
        assert_eq!(tail.len(), TAIL_CAP);
    }
}
