//! One test (or one build), run under limits, leaving nothing behind.
//!
//! # Design: a supervisor process per run
//!
//! The runner never runs a test binary itself. For each test it starts a
//! copy of itself, `course __supervise SPEC` (the hidden subcommand), and the
//! supervisor:
//!
//! 1. makes itself a child subreaper (`PR_SET_CHILD_SUBREAPER`), so every
//!    process the test starts and orphans is re-parented to it and not to
//!    init;
//! 2. where the machine allows it (`isolate::probe`), enters fresh user,
//!    network and PID namespaces; its one child is then the namespace's init
//!    (`isolate::set_up_init`: a read-only file system, private `/tmp`, a
//!    `/proc` of its own, a loopback), which starts the test and reports its
//!    end. When the init ends, the kernel kills everything left in the
//!    namespace. Elsewhere the test starts in a process group of its own;
//! 3. hands the test binary the course harness's channel (`verdict.rs`): a
//!    per-run secret on one pipe, the verdict back on another. Only that
//!    verdict makes a pass; what the test prints never does;
//! 4. drains the test's output (stdout and stderr merged into one pipe,
//!    keeping the first 64 KiB and the last 4 KiB, counting the rest) while
//!    it waits for the test process, reaping adopted orphans on the way;
//! 5. counts the processes below it and adds up their resident memory on
//!    every tick: past [`MAX_PROCESSES`] (a fork bomb) or [`MEMORY_CAP`] it
//!    kills them all at once. Each test process also starts with `RLIMIT_AS`
//!    at [`ADDRESS_SPACE_CAP`], inherited by its children;
//! 6. on the wall-clock limit, or when the test process ends, kills and
//!    reaps every remaining descendant (found through `/proc`), round after
//!    round until it has no child left;
//! 7. prints the [`Outcome`] as JSON on stdout (or on descriptor 3 for a
//!    build, whose own output passes through).
//!
//! Why not one central reaper in the runner: a subreaper's `waitpid(-1)`
//! would collect the statuses of the runner's own children (cargo, the
//! tests) from under the code that waits for them, and every kill would have
//! to know which test an orphan came from. Per test, the tree below one
//! supervisor *is* that test, so the limits (time, output, process count,
//! memory) are per test as well. The runner is a subreaper too (`reaper.rs`),
//! for the one case this misses: a test that kills its own supervisor where
//! namespaces are refused.
//!
//! The supervisor ignores SIGINT (a Ctrl-C to the runner reaches it too) and
//! watches its parent instead: when the runner goes away, it kills the test
//! tree and leaves.

use std::fs;
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigHandler, Signal, kill, killpg, signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::isolate::{self, Plan};
use crate::procfs;
use crate::verdict::{Channel, Verdict};

/// How much output a test keeps, from its start.
pub const OUTPUT_CAP: usize = 64 * 1024;
/// How much of the end is kept as well once output was dropped: libtest's
/// summary line is there.
pub const TAIL_CAP: usize = 4 * 1024;
/// How long the pipe is still read once the test tree is dead.
const DRAIN_GRACE: Duration = Duration::from_millis(300);
const TICK: Duration = Duration::from_millis(10);
/// How many of the processes a test left running are named.
const NAMED_LEFTOVERS: usize = 5;

/// How many processes a test may have alive at once (the test process and
/// everything below it). Root ignores `RLIMIT_NPROC` and no cgroup is
/// writable on the machines this runs on, so the supervisor counts.
pub const MAX_PROCESSES: u32 = 256;
/// The address space a test process (and each child) may map: generous for
/// a test with many threads (each reserves its stack and a malloc arena),
/// small enough that a runaway allocation fails fast instead of swapping.
pub const ADDRESS_SPACE_CAP: u64 = 4 << 30;
/// The resident memory all the processes of one test may hold together,
/// sampled every tick (so a test may overshoot it by what it touches in
/// 10 ms before it is stopped).
pub const MEMORY_CAP: u64 = 2 << 30;

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
    /// Resident memory of all the run's processes together, in bytes; 0: no
    /// limit.
    #[serde(default)]
    pub memory: u64,
}

/// One run: by default `binary --exact name --test-threads=1 --nocapture`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestSpec {
    pub binary: PathBuf,
    /// The libtest name of the test; empty for a plain program (`args`).
    pub name: String,
    pub cwd: PathBuf,
    /// The whole environment of the run: the supervisor passes nothing of
    /// its own (a student's `[env]` in `.cargo/config.toml` reaches the
    /// runner through `cargo course`, and must not reach the tests).
    pub env: Vec<(String, String)>,
    pub limits: Limits,
    /// The arguments, when not those of one test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Hand the binary the course harness's channel; its verdict decides.
    #[serde(default)]
    pub harness: bool,
    /// Run in namespaces by this plan; none: a process group and a sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<Plan>,
    /// The run's stdout and stderr are the supervisor's own (a build, whose
    /// output the runner reads itself); the outcome goes to descriptor 3.
    #[serde(default)]
    pub passthrough: bool,
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
    /// Its processes held more than `limit` bytes of memory together: the
    /// whole tree was killed.
    TooMuchMemory {
        bytes: u64,
        limit: u64,
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
    /// The most resident memory the run's processes held together, in KiB.
    #[serde(default)]
    pub max_memory_kib: u64,
    /// What the course harness reported (for a run with `harness`).
    #[serde(default)]
    pub verdict: Verdict,
    /// What the processes left running were (`leftovers_killed` of them,
    /// where they could be seen): a child it forked, `sleep 60`...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_running: Vec<String>,
    /// A test that ran out of time: what its threads were doing then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall: Option<crate::stall::Stall>,
}

impl TestSpec {
    /// The arguments that run exactly this one test. `--nocapture`: the
    /// output streams into the pipe as the test writes it, so what a test
    /// printed before it hung or crashed is still there to explain it.
    pub fn args(&self) -> Vec<String> {
        if let Some(args) = &self.args {
            return args.clone();
        }
        vec![
            "--exact".into(),
            self.name.clone(),
            "--test-threads=1".into(),
            "--nocapture".into(),
        ]
    }
}

/// The variables of the runner's own environment a run may see: what a
/// program needs to find its tools and its home. Everything else (a
/// student's `[env]`, the instructor's settings) stays out.
pub fn base_env() -> Vec<(String, String)> {
    const KEPT: [&str; 12] = [
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LC_ALL",
        "TZ",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "NO_COLOR",
    ];
    KEPT.iter()
        .filter_map(|k| Some((k.to_string(), std::env::var(k).ok()?)))
        .collect()
}

/// Runs one test under a supervisor (a re-executed copy of this program) and
/// returns what happened. Called from the driver's worker threads.
pub fn run_supervised(spec: &TestSpec) -> Outcome {
    match try_run_supervised(spec) {
        Ok(outcome) => outcome,
        Err(reason) => {
            // A supervisor that died without its report may have left its
            // test's processes to the runner: kill them.
            crate::reaper::sweep();
            not_started(reason)
        }
    }
}

fn supervisor_command(spec: &TestSpec) -> Result<Command, String> {
    let json = serde_json::to_string(spec).map_err(|e| e.to_string())?;
    // /proc/self/exe still works when the runner's file was rebuilt since.
    let mut cmd = Command::new("/proc/self/exe");
    cmd.args(["__supervise", &json]).stdin(Stdio::null());
    Ok(cmd)
}

fn try_run_supervised(spec: &TestSpec) -> Result<Outcome, String> {
    let mut cmd = supervisor_command(spec)?;
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = crate::reaper::spawn(&mut cmd)
        .map_err(|e| format!("could not start the supervisor: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = thread::spawn(move || crate::cargo_build::read_capped(&mut stderr, 8192));
    let status = wait_bounded(&mut child, spec.limits.wall_ms);
    crate::reaper::forget(child.id());
    let status = status?;
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    serde_json::from_str(&out).map_err(|_| {
        format!(
            "the supervisor failed ({status}): {}",
            err.trim().lines().last().unwrap_or("no message")
        )
    })
}

/// Waits for a supervisor; past its run's limit and 30 s more (the
/// supervisor enforces the limit; this is the last resort should it be
/// stuck) it is killed.
fn wait_bounded(child: &mut Child, wall_ms: u64) -> Result<std::process::ExitStatus, String> {
    let deadline = Instant::now() + Duration::from_millis(wall_ms) + Duration::from_secs(30);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                return child.wait().map_err(|e| e.to_string());
            }
            Ok(None) => thread::sleep(TICK),
            Err(e) => return Err(format!("waiting for the supervisor: {e}")),
        }
    }
}

/// A supervised run whose output the caller reads itself (a build): its
/// stdout and stderr are piped to the caller; [`Passthrough::finish`] gives
/// the outcome.
pub struct Passthrough {
    pub child: Child,
    outcome: OwnedFd,
    wall_ms: u64,
}

/// Starts a supervised run with `passthrough` set.
pub fn spawn_passthrough(spec: &TestSpec) -> Result<Passthrough, String> {
    let mut spec = spec.clone();
    spec.passthrough = true;
    let mut cmd = supervisor_command(&spec)?;
    let (read_end, write_end) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let raw = write_end.as_raw_fd();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: dup2 is async-signal-safe; the copy on descriptor 3 is not
    // close-on-exec, so the supervisor (and only it) inherits it.
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(raw, 3) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = crate::reaper::spawn(&mut cmd)
        .map_err(|e| format!("could not start the supervisor: {e}"))?;
    drop(write_end);
    Ok(Passthrough {
        child,
        outcome: read_end,
        wall_ms: spec.limits.wall_ms,
    })
}

impl Passthrough {
    /// Waits for the supervisor (read its stdout and stderr to their end
    /// first) and returns the outcome.
    pub fn finish(mut self) -> Outcome {
        let status = wait_bounded(&mut self.child, self.wall_ms);
        crate::reaper::forget(self.child.id());
        let mut text = String::new();
        let _ = fs::File::from(self.outcome).read_to_string(&mut text);
        match (status, serde_json::from_str(&text)) {
            (_, Ok(outcome)) => outcome,
            (Ok(status), Err(_)) => {
                crate::reaper::sweep();
                not_started(format!("the supervisor failed ({status})"))
            }
            (Err(e), Err(_)) => not_started(e),
        }
    }
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
    if spec.passthrough {
        // The outcome pipe is the supervisor's alone: nothing it starts
        // inherits it.
        // SAFETY: fcntl on a descriptor number; no memory is involved.
        unsafe { libc::fcntl(3, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    let outcome = supervise(&spec);
    let json = match serde_json::to_string(&outcome) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("course __supervise: {e}");
            return 2;
        }
    };
    if spec.passthrough {
        // SAFETY: descriptor 3 is the outcome pipe the runner set up for
        // this process (spawn_passthrough); it is owned here from now on.
        let mut file = unsafe { fs::File::from_raw_fd(3) };
        let _ = std::io::Write::write_all(&mut file, json.as_bytes());
    } else {
        println!("{json}");
    }
    0
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

pub fn not_started(reason: String) -> Outcome {
    Outcome {
        ended: Ended::NotStarted { reason },
        duration_ms: 0,
        output: String::new(),
        dropped_bytes: 0,
        tail: String::new(),
        leftovers_killed: 0,
        supervisor_max_rss_kib: 0,
        max_memory_kib: 0,
        verdict: Verdict::default(),
        left_running: Vec::new(),
        stall: None,
    }
}

/// The descriptors the test process gets: its output, and the harness's
/// two ends (placed on high numbers, out of the way of the test's own).
struct TestFds {
    /// Where stdout and stderr go; none: inherited (passthrough).
    output: Option<(OwnedFd, OwnedFd)>,
    harness: Option<(RawFd, RawFd)>,
}

/// The test's command: its arguments, its whole environment, and what runs
/// in the child before exec.
fn test_command(spec: &TestSpec, fds: TestFds) -> Command {
    let mut cmd = Command::new(&spec.binary);
    cmd.args(spec.args())
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    if let Some((out, err)) = fds.output {
        cmd.stdout(Stdio::from(out)).stderr(Stdio::from(err));
    }
    let placed = fds.harness.map(|(secret, report)| {
        let (high_secret, high_report) = harness_fd_numbers();
        cmd.env(
            crate::harness::VARIABLE,
            format!("{high_secret},{high_report}"),
        );
        (secret, report, high_secret, high_report)
    });
    // Its own group, so a kill reaches the children it did not detach, and,
    // above all, so that a kill(0, ...) from the test reaches only its own
    // group. Process groups cross PID namespaces: a forked child that takes
    // itself for the parent holds the Pid 0 fork gave it, and killing "that
    // child" in a clean-up would otherwise kill the runner and whatever
    // started it (a CI job ended by SIGKILL).
    cmd.process_group(0);
    let address_space = spec.limits.address_space;
    // SAFETY: only async-signal-safe calls (setrlimit, dup2, prctl) on
    // values computed before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if address_space > 0 {
                let limit = libc::rlimit {
                    rlim_cur: address_space as libc::rlim_t,
                    rlim_max: address_space as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some((secret, report, high_secret, high_report)) = placed {
                // dup2's copies are not close-on-exec: the test gets them.
                if libc::dup2(secret, high_secret) < 0 || libc::dup2(report, high_report) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            isolate::before_exec()
        });
    }
    cmd
}

/// Two descriptor numbers below the soft limit on open files, high enough
/// that a test's own descriptors never meet them.
fn harness_fd_numbers() -> (RawFd, RawFd) {
    let soft = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map_or(1024, |(soft, _)| soft)
        .min(1024) as RawFd;
    (soft - 2, soft - 1)
}

/// How the test process is being waited for.
enum Waiting {
    /// A direct child of the supervisor.
    Direct(Pid),
    /// Inside a PID namespace: its init (the supervisor's child) reports
    /// the test's wait status and the count of processes left on a pipe.
    Namespace { init: Pid, report: OwnedFd },
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
    let output = if spec.passthrough {
        None
    } else {
        match nix::unistd::pipe2(OFlag::O_CLOEXEC) {
            Ok(pair) => Some(pair),
            Err(e) => return not_started(format!("pipe: {e}")),
        }
    };
    let mut channel = if spec.harness {
        match Channel::new() {
            Ok(c) => Some(c),
            Err(e) => return not_started(format!("the harness channel: {e}")),
        }
    } else {
        None
    };
    if let Some(plan) = &spec.isolation
        && let Err(e) = isolate::enter(plan)
    {
        return not_started(format!("cannot enter the namespaces: {e}"));
    }
    let (read_end, fds) = match output {
        Some((read_end, write_end)) => {
            let write_err = match write_end.try_clone() {
                Ok(fd) => fd,
                Err(e) => return not_started(format!("dup: {e}")),
            };
            (
                Some(read_end),
                TestFds {
                    output: Some((write_end, write_err)),
                    harness: channel.as_ref().and_then(Channel::test_fds),
                },
            )
        }
        None => (
            None,
            TestFds {
                output: None,
                harness: channel.as_ref().and_then(Channel::test_fds),
            },
        ),
    };
    let start = Instant::now();
    let waiting = match &spec.isolation {
        None => match test_command(spec, fds).spawn() {
            Ok(child) => Waiting::Direct(Pid::from_raw(child.id() as i32)),
            Err(e) => {
                return not_started(format!("could not start {}: {e}", spec.binary.display()));
            }
        },
        Some(plan) => match start_init(spec, plan, fds) {
            Ok(w) => w,
            Err(e) => return not_started(e),
        },
    };
    // Only the test tree holds the write ends now: the pipes end when it
    // has gone.
    if let Some(c) = channel.as_mut() {
        c.close_test_ends();
    }
    if let Some(fd) = &read_end {
        let _ = fcntl(fd, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    }

    let deadline = start + Duration::from_millis(spec.limits.wall_ms);
    let me = std::process::id() as i32;
    let mut capture = Capture::new(spec.limits.output_cap);
    let mut pipe_open = read_end.is_some();
    let mut max_memory: u64 = 0;
    let mut leftovers_inside: Option<(u32, Vec<String>)> = None;
    let mut stall = None;
    // When the time ran out: the look at its threads comes after.
    let mut ran_out = None;
    let mut last_scan = Instant::now();
    let kill_all = |waiting: &Waiting| match waiting {
        Waiting::Direct(test) => {
            let _ = killpg(*test, Signal::SIGKILL);
        }
        Waiting::Namespace { init, .. } => {
            let _ = kill(*init, Signal::SIGKILL);
        }
    };
    let ended = loop {
        match (&read_end, pipe_open) {
            (Some(fd), true) => pipe_open = drain(fd, &mut capture, TICK),
            _ => thread::sleep(TICK),
        }
        if let Some(c) = channel.as_mut() {
            c.drain();
        }
        match &waiting {
            Waiting::Direct(test) => {
                if let Some(status) = reap_all(Some(*test)) {
                    break ended_of(status);
                }
            }
            Waiting::Namespace { init, report } => {
                let ended = match read_init_report(report) {
                    None => reap_all(Some(*init)).map(|status| {
                        // The init ended: its report is in the pipe, or it
                        // died without one.
                        read_init_report(report).unwrap_or_else(|| {
                            Err(format!("the namespace's first process ended: {status:?}"))
                        })
                    }),
                    found => found,
                };
                match ended {
                    Some(Ok((status, left, names))) => {
                        leftovers_inside = Some((left, names));
                        break ended_of(status);
                    }
                    Some(Err(reason)) => break Ended::NotStarted { reason },
                    None => {}
                }
            }
        }
        if Instant::now() >= deadline {
            ran_out = Some(Instant::now());
            if spec.harness {
                // Where it hung, before it is gone.
                stall = Some(look_at_test(&waiting, me, spec));
            }
            kill_all(&waiting);
            break Ended::TimedOut;
        }
        // A scan of /proc costs milliseconds on a busy machine: once a
        // tick, however fast the output comes.
        if last_scan.elapsed() < TICK {
            continue;
        }
        last_scan = Instant::now();
        let below = procfs::descendants(me);
        let limit = spec.limits.max_processes;
        let count = match waiting {
            Waiting::Direct(_) => below.len(),
            // The namespace's init is the supervisor's, not the test's.
            Waiting::Namespace { .. } => below.len().saturating_sub(1),
        } as u32;
        if limit > 0 && count > limit {
            kill_all(&waiting);
            break Ended::TooManyProcesses { count, limit };
        }
        let memory: u64 = below.iter().map(procfs::Stat::rss_bytes).sum();
        max_memory = max_memory.max(memory);
        if spec.limits.memory > 0 && memory > spec.limits.memory {
            kill_all(&waiting);
            break Ended::TooMuchMemory {
                bytes: memory,
                limit: spec.limits.memory,
            };
        }
        if std::os::unix::process::parent_id() != parent {
            kill_all(&waiting);
            kill_tree(None, &spec.binary);
            return not_started("the runner went away".into());
        }
    };
    let duration = ran_out.unwrap_or_else(Instant::now) - start;
    let test = match waiting {
        Waiting::Direct(test) => Some(test),
        Waiting::Namespace { .. } => None,
    };
    let swept = kill_tree(test, &spec.binary);
    let (leftovers, left_running) = match leftovers_inside {
        Some(left) => left,
        // The init does not count itself; nor does a timed-out test.
        None if test.is_none() => (swept.0.saturating_sub(1), Vec::new()),
        None => swept,
    };
    // Every writer is dead now; read what is still in the pipe, but never
    // wait long for an end-of-file that something outside could withhold.
    let grace = Instant::now() + DRAIN_GRACE;
    while let (Some(fd), true) = (&read_end, pipe_open) {
        if Instant::now() >= grace {
            break;
        }
        pipe_open = drain(fd, &mut capture, TICK);
    }
    let (output, dropped_bytes, tail) = capture.finish();
    Outcome {
        ended,
        duration_ms: duration.as_millis() as u64,
        output,
        dropped_bytes,
        tail,
        leftovers_killed: leftovers,
        supervisor_max_rss_kib: procfs::max_rss_kib(),
        max_memory_kib: max_memory / 1024,
        verdict: channel.map(Channel::finish).unwrap_or_default(),
        left_running,
        stall,
    }
}

/// What the test's processes are doing (see `stall`): every process below
/// this supervisor but a namespace's init, the test process first.
fn look_at_test(waiting: &Waiting, me: i32, spec: &TestSpec) -> crate::stall::Stall {
    let below = procfs::descendants(me);
    let (test, pids): (Option<i32>, Vec<i32>) = match waiting {
        Waiting::Direct(test) => (Some(test.as_raw()), below.iter().map(|p| p.pid).collect()),
        Waiting::Namespace { init, .. } => {
            let init = init.as_raw();
            (
                below.iter().find(|p| p.ppid == init).map(|p| p.pid),
                below.iter().map(|p| p.pid).filter(|&p| p != init).collect(),
            )
        }
    };
    crate::stall::look(&pids, test, &spec.binary, &spec.name)
}

fn ended_of(status: WaitStatus) -> Ended {
    match status {
        WaitStatus::Exited(_, code) => Ended::Exited { code },
        WaitStatus::Signaled(_, signal, _) => Ended::Signaled {
            signal: signal.as_str().to_string(),
        },
        other => Ended::NotStarted {
            reason: format!("unexpected wait status {other:?}"),
        },
    }
}

/// Forks the namespace's init, which sets up its mounts and network, starts
/// the test, and reports the test's end on a pipe.
fn start_init(spec: &TestSpec, plan: &Plan, fds: TestFds) -> Result<Waiting, String> {
    let (report_read, report_write) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    // The init's lifeline: it reads end of file here once the supervisor
    // is gone, should it die before the init asked to die with it.
    let (life_read, life_write) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let _ = fcntl(&report_read, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    // SAFETY: the supervisor is single-threaded (a fresh exec that started
    // no thread), so the child may run any code before it exits.
    match unsafe { nix::unistd::fork() } {
        Err(e) => Err(format!("fork: {e}")),
        Ok(nix::unistd::ForkResult::Child) => {
            drop((report_read, life_write));
            let code = run_init(spec, plan, fds, report_write, life_read);
            // SAFETY: _exit ends the init without running the supervisor's
            // clean-up; the kernel then kills what is left in the namespace.
            unsafe { libc::_exit(code) }
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            // Kept open for the supervisor's life (leaked on purpose: the
            // process ends soon after the run).
            std::mem::forget(life_write);
            drop(life_read);
            Ok(Waiting::Namespace {
                init: child,
                report: report_read,
            })
        }
    }
}

/// The body of the namespace's init. Returns its exit code.
fn run_init(spec: &TestSpec, plan: &Plan, fds: TestFds, report: OwnedFd, life: OwnedFd) -> i32 {
    // SAFETY: prctl with integer arguments.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
    }
    let mut poll_fds = [PollFd::new(life.as_fd(), PollFlags::POLLIN)];
    if poll(&mut poll_fds, PollTimeout::ZERO).is_ok_and(|n| n > 0) {
        return 1;
    }
    let fail = |why: String| {
        let _ = nix::unistd::write(&report, format!("error {why}\n").as_bytes());
        1
    };
    if let Err(e) = isolate::set_up_init(plan) {
        return fail(e);
    }
    let test = match test_command(spec, fds).spawn() {
        Ok(child) => Pid::from_raw(child.id() as i32),
        Err(e) => return fail(format!("could not start {}: {e}", spec.binary.display())),
    };
    // The command (and with it the output's write ends) is gone; the
    // harness's ends are the supervisor's copies, closed on its side.
    loop {
        match waitpid(None, None) {
            Ok(status) if status.pid() == Some(test) => {
                if !matches!(status, WaitStatus::Exited(..) | WaitStatus::Signaled(..)) {
                    continue;
                }
                let raw = raw_status(status);
                let (left, names) = living_in_namespace(&spec.binary);
                let names = serde_json::to_string(&names).unwrap_or_default();
                let message = format!("{raw} {left} {names}\n");
                let _ = nix::unistd::write(&report, message.as_bytes());
                return 0;
            }
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(_) => return 1,
        }
    }
}

/// A wait status as the kernel encodes it, to cross the pipe.
fn raw_status(status: WaitStatus) -> i32 {
    match status {
        WaitStatus::Exited(_, code) => (code & 0xff) << 8,
        WaitStatus::Signaled(_, signal, core) => signal as i32 | if core { 0x80 } else { 0 },
        _ => 0,
    }
}

/// The processes alive in this PID namespace but its init, each said in
/// words (`stall::what_process`); at most a few are named.
fn living_in_namespace(binary: &std::path::Path) -> (u32, Vec<String>) {
    let living: Vec<procfs::Stat> = procfs::processes()
        .into_iter()
        .filter(|p| p.pid != 1 && !p.is_dead())
        .collect();
    let names = living
        .iter()
        .take(NAMED_LEFTOVERS)
        .map(|p| crate::stall::what_process(p.pid, binary))
        .collect();
    (living.len() as u32, names)
}

/// The test's wait status, how many processes were left, and the first few
/// of them in words.
type InitReport = (WaitStatus, u32, Vec<String>);

/// What the init reported: the test's wait status and the processes left
/// (how many, and what the first few were), or why it could not start the
/// test.
fn read_init_report(fd: &OwnedFd) -> Option<Result<InitReport, String>> {
    let mut buf = [0u8; 4096];
    let n = nix::unistd::read(fd, &mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]);
    if let Some(why) = text.strip_prefix("error ") {
        return Some(Err(why.trim().to_string()));
    }
    parse_init_report(&text).map(Ok)
}

fn parse_init_report(text: &str) -> Option<InitReport> {
    let mut words = text.trim_end().splitn(3, ' ');
    let raw: i32 = words.next()?.parse().ok()?;
    let left: u32 = words.next()?.parse().ok()?;
    let names: Vec<String> = words
        .next()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let pid = Pid::from_raw(0);
    let status = if raw & 0x7f == 0 {
        WaitStatus::Exited(pid, (raw >> 8) & 0xff)
    } else {
        WaitStatus::Signaled(pid, Signal::try_from(raw & 0x7f).ok()?, raw & 0x80 != 0)
    };
    Some((status, left, names))
}

/// This process's peak resident memory (VmHWM), in KiB.
pub fn max_rss_kib() -> u64 {
    procfs::max_rss_kib()
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
/// the status of `wanted` if it was among them.
fn reap_all(wanted: Option<Pid>) -> Option<WaitStatus> {
    let mut found = None;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(_) => return found,
            Ok(status) => {
                if status.pid().is_some()
                    && status.pid() == wanted
                    && matches!(status, WaitStatus::Exited(..) | WaitStatus::Signaled(..))
                {
                    found = Some(status);
                }
            }
        }
    }
}

/// Kills the test's group (when it has one) and every descendant of this
/// supervisor, and reaps them all. Returns the processes besides the test
/// that were still running when it started, each in words.
fn kill_tree(test: Option<Pid>, binary: &std::path::Path) -> (u32, Vec<String>) {
    let me = std::process::id() as i32;
    let others: Vec<procfs::Stat> = procfs::descendants(me)
        .into_iter()
        .filter(|p| Some(p.pid) != test.map(Pid::as_raw))
        .collect();
    let left_running = (
        others.len() as u32,
        others
            .iter()
            .take(NAMED_LEFTOVERS)
            .map(|p| crate::stall::what_process(p.pid, binary))
            .collect(),
    );
    let give_up = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(test) = test {
            let _ = killpg(test, Signal::SIGKILL);
        }
        let alive = procfs::descendants(me);
        for p in &alive {
            let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
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

    #[test]
    fn a_wait_status_crosses_the_pipe() {
        for status in [
            WaitStatus::Exited(Pid::from_raw(0), 101),
            WaitStatus::Exited(Pid::from_raw(0), 0),
            WaitStatus::Signaled(Pid::from_raw(0), Signal::SIGSEGV, false),
        ] {
            let (r, w) = nix::unistd::pipe().unwrap();
            let report = format!("{} 2 [\"`sleep 60`\",\"a child\"]\n", raw_status(status));
            nix::unistd::write(&w, report.as_bytes()).unwrap();
            let names = vec!["`sleep 60`".to_string(), "a child".to_string()];
            assert_eq!(read_init_report(&r), Some(Ok((status, 2, names))));
        }
    }
}
