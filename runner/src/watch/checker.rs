//! One check of `watch`, in a process of its own (`course __check-json`), so
//! that a save can cancel it: the process is killed, and the supervisors of
//! its tests, which watch their parent, kill their tests and leave. Its
//! report comes back as JSON on its stdout.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::commands::{CmdResult, Ctx};
use crate::course::{Exercise, Flavor};
use crate::driver;
use crate::results::Report;
use crate::term;

/// What came of a check.
pub struct Finished {
    pub generation: u64,
    pub result: Result<Report, String>,
    /// When the save that asked for it happened.
    pub since: Instant,
}

/// A check under way.
pub struct Running {
    pub generation: u64,
    cancel: Arc<AtomicBool>,
}

impl Running {
    /// Stops the check: its process is killed and nothing is reported.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

/// Starts checking `targets` (exercises or chapters) of the course at
/// `root`; `done` hears the result unless the check was cancelled.
pub fn start(
    root: &Path,
    jobs: usize,
    targets: &[String],
    generation: u64,
    since: Instant,
    done: impl FnOnce(Finished) + Send + 'static,
) -> Running {
    let cancel = Arc::new(AtomicBool::new(false));
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg("--jobs")
        .arg(jobs.to_string())
        .arg("__check-json")
        .args(targets)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let flag = Arc::clone(&cancel);
    thread::spawn(move || {
        let result = run(cmd, &flag);
        if !flag.load(Ordering::SeqCst) {
            done(Finished {
                generation,
                result,
                since,
            });
        }
    });
    Running { generation, cancel }
}

fn run(mut cmd: Command, cancel: &AtomicBool) -> Result<Report, String> {
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start a check: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let status = loop {
        if cancel.load(Ordering::SeqCst) {
            let _ = child.kill();
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for the check: {e}")),
        }
    };
    let text = reader.join().unwrap_or_default();
    if cancel.load(Ordering::SeqCst) {
        return Err("cancelled".into());
    }
    serde_json::from_str(&text).map_err(|_| format!("the check failed ({status})"))
}

/// Says that a build is under way once it has taken a second (the first
/// build of a chapter takes a while; the usual one is done before).
#[derive(Default)]
struct Building {
    built: Arc<AtomicBool>,
}

impl driver::Progress for Building {
    fn building(&self, chapters: &[String]) {
        let built = Arc::clone(&self.built);
        let words = format!(
            "building {} (the first build of a chapter takes a minute or two) ...",
            chapters.join(", ")
        );
        thread::spawn(move || {
            thread::sleep(Duration::from_secs(1));
            if !built.load(Ordering::SeqCst) {
                eprintln!("{}", term::dim(&words));
            }
        });
    }

    fn built(&self, _built: &crate::cargo_build::Built) {
        self.built.store(true, Ordering::SeqCst);
    }
}

/// The hidden `course __check-json TARGET...`: runs the tests of the
/// exercises and chapters named and prints the report as JSON. Records no
/// progress: the watch that started it does.
pub fn main(ctx: &Ctx, targets: &[String]) -> CmdResult {
    let mut exercises: Vec<&Exercise> = Vec::new();
    for t in targets {
        let found: Vec<&Exercise> = if let Some(ex) = ctx.course.exercise(t) {
            vec![ex]
        } else if let Some(ch) = ctx.course.chapter(t) {
            ch.exercises.iter().collect()
        } else {
            return Err(format!("`{t}` is neither an exercise nor a chapter"));
        };
        for ex in found {
            if !exercises.iter().any(|e| e.id == ex.id) {
                exercises.push(ex);
            }
        }
    }
    let report = driver::run(
        &ctx.course,
        &exercises,
        Flavor::Skeleton,
        ctx.jobs,
        &Building::default(),
    )
    .map_err(|e| format!("could not run cargo: {e}"))?;
    let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(0)
}
