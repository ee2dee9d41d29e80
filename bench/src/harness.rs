//! Runs one leg and brings back its samples.
//!
//! Every leg runs in a fresh process, its own process group, with a time
//! limit: a Rust leg as `forklings-bench __leg WORKLOAD LEG ...`, a Python
//! leg as `python3 bench/python/SCRIPT ...`. A fresh process keeps one leg's
//! threads (rayon's pool, a runtime) and memory from slowing the next leg's
//! forks, and a leg that hangs or crashes costs its own result, not the run.
//! Both kinds print one JSON `Sample` per line on stdout, after the warm-up
//! runs, or one `{"skipped": "why"}` line.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, killpg, sigaction};
use nix::unistd::Pid;
use serde::Deserialize;

use crate::model::{Latency, Sample, Size};

/// What became of one leg.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The samples, and the latency of each one's requests where the leg
    /// times them (serve): one per sample, or none.
    Measured(Vec<Sample>, Vec<Latency>),
    /// Could not run here (python3 or gevent missing).
    Skipped(String),
    /// The reference solution's API is not there yet.
    NotAvailable(String),
    /// Crashed, timed out, or got the wrong answer.
    Failed(String),
}

/// How many times to run, and for how long at most.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub warmup: u32,
    pub runs: u32,
    pub timeout: Duration,
}

/// The body of `__leg`: warm up, then print each timed sample as a line.
pub fn run_here(leg: crate::model::RustLeg, size: Size, plan: Plan) -> Result<(), String> {
    for _ in 0..plan.warmup {
        leg(warmup_size(size))?;
    }
    for _ in 0..plan.runs {
        let sample = leg(size)?;
        println!(
            "{}",
            serde_json::to_string(&sample).map_err(|e| e.to_string())?
        );
    }
    Ok(())
}

/// A warm-up runs every code path once (threads started, pages touched,
/// caches filled) at a tenth of the size: it needs the paths, not the time.
pub fn warmup_size(size: Size) -> Size {
    Size {
        n: (size.n / 10).max(1),
        ..size
    }
}

pub fn run_rust_leg(workload: &str, leg: &str, size: Size, plan: Plan) -> Outcome {
    match std::env::current_exe() {
        Ok(exe) => run_rust_leg_in(&exe, workload, leg, size, plan),
        Err(e) => Outcome::Failed(format!("cannot find this program: {e}")),
    }
}

/// A Rust leg run by `exe`: this program, or the same legs built against
/// the student's chapter crates (`forklings-bench-mine`).
pub fn run_rust_leg_in(exe: &Path, workload: &str, leg: &str, size: Size, plan: Plan) -> Outcome {
    let mut command = Command::new(exe);
    command.arg("__leg").arg(workload).arg(leg);
    command.args(size_args(size, plan));
    run_child(command, plan.timeout)
}

/// A Python server loaded by a Rust leg: the Rust leg, told where Python is.
pub fn run_python_server_leg(
    python: &Path,
    workload: &str,
    leg: &str,
    size: Size,
    plan: Plan,
) -> Outcome {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return Outcome::Failed(format!("cannot find this program: {e}")),
    };
    let mut command = Command::new(exe);
    command.env("FORKLINGS_BENCH_PYTHON", python);
    command.env("PYTHONDONTWRITEBYTECODE", "1");
    command.arg("__leg").arg(workload).arg(leg);
    command.args(size_args(size, plan));
    run_child(command, plan.timeout)
}

pub fn run_python_leg(python: &Path, script: &str, size: Size, plan: Plan) -> Outcome {
    let path = python_dir().join(script);
    if !path.is_file() {
        return Outcome::Failed(format!("{} is missing", path.display()));
    }
    let mut command = Command::new(python);
    // No `__pycache__` left in the source tree by importing `_harness`.
    command.env("PYTHONDONTWRITEBYTECODE", "1");
    command.arg(path).args(size_args(size, plan));
    run_child(command, plan.timeout)
}

/// Where the Python originals live: `bench/python/` of this source tree.
pub fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python")
}

/// `python3 --version`, if there is a `python3` that runs.
pub fn python_version(python: &Path) -> Option<String> {
    let out = Command::new(python)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn size_args(size: Size, plan: Plan) -> Vec<String> {
    [
        ("--n", size.n.to_string()),
        ("--workers", size.workers.to_string()),
        ("--warmup", plan.warmup.to_string()),
        ("--runs", plan.runs.to_string()),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_string(), value])
    .collect()
}

#[derive(Deserialize)]
struct Skip {
    skipped: String,
}

/// The line a leg that times its requests prints before each sample.
#[derive(Deserialize)]
struct LatencyLine {
    latency: Latency,
}

/// The process group of the leg running now (0: none), for `on_interrupt`.
static RUNNING_GROUP: AtomicI32 = AtomicI32::new(0);

/// Ctrl-C reaches only the terminal's foreground group, and each leg runs in
/// a group of its own: on SIGINT or SIGTERM, end the running leg's group
/// too, then leave.
pub fn stop_legs_on_interrupt() {
    extern "C" fn on_interrupt(signal: libc::c_int) {
        let group = RUNNING_GROUP.load(Ordering::SeqCst);
        // SAFETY: `kill` and `_exit` are async-signal-safe.
        unsafe {
            if group > 0 {
                libc::kill(-group, libc::SIGKILL);
            }
            libc::_exit(128 + signal);
        }
    }
    let action = SigAction::new(
        SigHandler::Handler(on_interrupt),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only calls async-signal-safe functions.
        let _ = unsafe { sigaction(signal, &action) };
    }
}

fn run_child(mut command: Command, timeout: Duration) -> Outcome {
    use std::os::unix::process::CommandExt;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own group, so a timeout also ends every process the leg forked.
    command.process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Outcome::Failed(format!("cannot start: {e}")),
    };
    RUNNING_GROUP.store(child.id() as i32, Ordering::SeqCst);
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_until(&mut child, timeout);
    // Anything the leg forked and left behind would hold the pipes open.
    let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
    RUNNING_GROUP.store(0, Ordering::SeqCst);
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();

    let mut samples = Vec::new();
    let mut latencies = Vec::new();
    // A warm-up prints its latency too, with no sample after it: a latency
    // belongs to the sample that follows it.
    let mut latency = None;
    for line in stdout.lines().filter(|line| !line.trim().is_empty()) {
        if let Ok(skip) = serde_json::from_str::<Skip>(line) {
            return Outcome::Skipped(skip.skipped);
        }
        if let Ok(line) = serde_json::from_str::<LatencyLine>(line) {
            latency = Some(line.latency);
            continue;
        }
        match serde_json::from_str::<Sample>(line) {
            Ok(sample) => {
                samples.push(sample);
                latencies.extend(latency.take());
            }
            Err(_) => return Outcome::Failed(format!("unexpected output: {line}")),
        }
    }
    let last_words = || {
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        if tail.is_empty() {
            String::new()
        } else {
            format!(": {}", tail.join(" / "))
        }
    };
    match status {
        None => Outcome::Failed(format!(
            "timed out after {} s ({} runs done)",
            timeout.as_secs(),
            samples.len()
        )),
        Some(Ok(status)) if status.success() && !samples.is_empty() => {
            // All or nothing: a latency for every sample, or for none.
            if latencies.len() != samples.len() {
                latencies.clear();
            }
            Outcome::Measured(samples, latencies)
        }
        Some(Ok(_)) if stderr.contains("not yet implemented") => {
            // A `todo!()` of a skeleton: an exercise the student has not
            // written yet, not a failure.
            Outcome::NotAvailable(format!("not written yet ({})", todo_site(&stderr)))
        }
        Some(Ok(status)) => Outcome::Failed(format!("{status}{}", last_words())),
        Some(Err(e)) => Outcome::Failed(format!("wait: {e}")),
    }
}

/// Where a `todo!()` panicked: the exercise module (`chapters/NN-name/src/
/// MODULE.rs`) named in the panic message, or "todo!() reached".
fn todo_site(stderr: &str) -> String {
    stderr
        .split(|c: char| c.is_whitespace() || c == ':')
        .find(|word| word.contains("chapters/") && word.ends_with(".rs"))
        .map(|path| path[path.find("chapters/").unwrap_or(0)..].to_string())
        .unwrap_or_else(|| "todo!() reached".to_string())
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// The child's exit status, or `None` after killing its group at the deadline.
fn wait_until(
    child: &mut Child,
    timeout: Duration,
) -> Option<std::io::Result<std::process::ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(Ok(status)),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => break,
            Err(e) => return Some(Err(e)),
        }
    }
    // The group is the one this program made for the child: its pid.
    let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
    let _ = child.wait();
    None
}

/// Checks every sample's answer against the workload's answer key.
pub fn verify(outcome: Outcome, expected: u64) -> Outcome {
    match outcome {
        Outcome::Measured(samples, latencies) => match samples.iter().find(|s| s.check != expected)
        {
            Some(wrong) => Outcome::Failed(format!(
                "wrong result: got {}, expected {expected}",
                wrong.check
            )),
            None => Outcome::Measured(samples, latencies),
        },
        other => other,
    }
}
