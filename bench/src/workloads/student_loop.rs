//! The student's loop: save a chapter 1 exercise, and time until the verdict
//! is on `cargo course watch`'s screen; beside it, the same edit followed by
//! a plain `cargo test` of the same exercise. Not a chapter's workload: the
//! runner's own speed (issue 14).
//!
//! Both legs work in a copy of the course under the bench's output folder
//! (`student-loop/course`, its own target dir beside it, kept between runs
//! so only the first run builds from cold; give that one `--timeout 900`),
//! never in the student's tree. In the copy, `fork_wait` holds its reference
//! solution, so every save is checked to a pass with all its tests run, and
//! each save changes the code (a function whose body differs each time),
//! not only a comment.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::model::{Latency, Leg, Profile, Sample, Size, Target, Workload};

/// The exercise saved: chapter 1's first.
const CHAPTER: &str = "01-processes";
const EXERCISE: &str = "fork_wait";

pub fn workload() -> Workload {
    Workload {
        id: "student-loop",
        title: "save a chapter 1 exercise, see the verdict",
        unit: "save",
        // At most 0.5 s from a save to the verdict (median).
        target: Target::Rate { min: 2.0 },
        size: size_of,
        python_size: size_of,
        expect: |size| size.n,
        legs: vec![
            Leg::reference("watch", "cargo course watch: save -> verdict", watch_leg),
            Leg::floor(
                "cargo-test",
                "save, then cargo test -p ch01 fork_wait",
                cargo_test_leg,
            ),
        ],
    }
}

fn size_of(profile: Profile) -> Size {
    Size {
        n: match profile {
            Profile::Quick => 5,
            Profile::Full => 15,
        },
        workers: 1,
    }
}

/// The course this program was built from.
fn course_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where the copy of the course and its target dir live.
fn scratch() -> PathBuf {
    let out = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => course_root().join("target"),
    };
    out.join("bench").join("student-loop")
}

struct Copy {
    root: PathBuf,
    target: PathBuf,
    exercise: PathBuf,
    /// The exercise module as the reference solution has it.
    solution: String,
}

impl Copy {
    /// The copy, brought up to date with the course (files whose bytes are
    /// the same are left alone, so cargo rebuilds nothing for them).
    fn prepare() -> Result<Copy, String> {
        let from = course_root();
        let root = scratch().join("course");
        mirror(&from, &root, Path::new("")).map_err(|e| format!("copy the course: {e}"))?;
        let solution = std::fs::read_to_string(
            from.join("solutions")
                .join(CHAPTER)
                .join("src")
                .join(format!("{EXERCISE}.rs")),
        )
        .map_err(|e| format!("read the reference solution: {e}"))?;
        let exercise = root
            .join("chapters")
            .join(CHAPTER)
            .join("src")
            .join(format!("{EXERCISE}.rs"));
        let copy = Copy {
            root,
            target: scratch().join("target"),
            exercise,
            solution,
        };
        copy.save(0)?;
        Ok(copy)
    }

    /// Writes the exercise: the solution and a function that differs with
    /// `version`.
    fn save(&self, version: u64) -> Result<(), String> {
        let text = format!(
            "{}\n/// Changed by the benchmark on every save.\n#[allow(dead_code)]\nfn bench_edit() -> u64 {{\n    {version}\n}}\n",
            self.solution
        );
        if std::fs::read_to_string(&self.exercise).is_ok_and(|now| now == text) {
            return Ok(());
        }
        std::fs::write(&self.exercise, text).map_err(|e| format!("save: {e}"))
    }

    fn cargo(&self) -> Command {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .stdin(Stdio::null());
        cmd
    }
}

/// A version number not used before in this copy, so each save is new.
fn fresh_version() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

/// The runner, built from the course this program came from.
fn runner() -> Result<PathBuf, String> {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(course_root())
        .args([
            "build",
            "--quiet",
            "--package",
            "forklings-runner",
            "--bin",
            "course",
            "--message-format=json",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo build of the runner: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .next_back()
        .ok_or_else(|| "the runner did not build".to_string())
}

/// `course watch fork_wait` in the copy, its stdout line by line.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watch {
    fn start(copy: &Copy) -> Result<Watch, String> {
        let mut child = Command::new(runner()?)
            .args(["watch", EXERCISE])
            .current_dir(&copy.root)
            .env("CARGO_TARGET_DIR", &copy.target)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start watch: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Watch { child, lines })
    }

    /// Waits for the next verdict; whether it was a pass.
    fn verdict(&self, limit: Duration) -> Result<bool, String> {
        let deadline = Instant::now() + limit;
        let mut passed = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .map_err(|_| format!("no verdict from watch within {limit:?}"))?;
            if line.starts_with("done:") {
                passed = true;
            }
            if line.contains("(save → verdict)") {
                return Ok(passed);
            }
        }
    }

    /// After a pass, watch moves on and shows the next exercise's state:
    /// that check is waited for too (untimed), so it does not run under the
    /// next save.
    fn settle(&self) -> Result<(), String> {
        let mut moved = false;
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(300)) {
            if line.contains("passed! on to") {
                moved = true;
                break;
            }
        }
        if moved {
            self.verdict(Duration::from_secs(300))?;
        }
        Ok(())
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sample(times: &[Duration], passed: u64) -> Sample {
    let mut sorted: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
    sorted.sort_by(f64::total_cmp);
    let at = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let latency = Latency {
        p50_s: at(0.5),
        p99_s: at(0.99),
    };
    println!("{}", serde_json::json!({ "latency": latency }));
    Sample {
        elapsed_s: sorted.iter().sum(),
        ops: times.len() as u64,
        check: passed,
    }
}

/// `n` saves, each timed until watch has drawn its verdict.
fn watch_leg(size: Size) -> Result<Sample, String> {
    let copy = Copy::prepare()?;
    let watch = Watch::start(&copy)?;
    // The first check (and, the first time, the build) is set-up.
    watch.verdict(Duration::from_secs(900))?;
    watch.settle()?;
    let mut times = Vec::new();
    let mut passed = 0;
    for _ in 0..size.n {
        let start = Instant::now();
        copy.save(fresh_version())?;
        if watch.verdict(Duration::from_secs(120))? {
            passed += 1;
        }
        times.push(start.elapsed());
        watch.settle()?;
    }
    Ok(sample(&times, passed))
}

/// `n` saves, each followed by `cargo test` of the exercise's tests.
fn cargo_test_leg(size: Size) -> Result<Sample, String> {
    let copy = Copy::prepare()?;
    let test = |copy: &Copy| -> Result<bool, String> {
        let status = copy
            .cargo()
            .args([
                "test",
                "--quiet",
                "--package",
                &format!("ch{CHAPTER}"),
                "--test",
                "graded",
                "--",
                &format!("{EXERCISE}::"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cargo test: {e}"))?;
        Ok(status.success())
    };
    test(&copy)?;
    let mut times = Vec::new();
    let mut passed = 0;
    for _ in 0..size.n {
        let start = Instant::now();
        copy.save(fresh_version())?;
        if test(&copy)? {
            passed += 1;
        }
        times.push(start.elapsed());
    }
    Ok(sample(&times, passed))
}

/// Copies every file below `from` (but `target/`, `.git/` and the student's
/// `.forklings/`) to the same place below `to`, leaving files whose bytes
/// are already right alone.
fn mirror(from: &Path, to: &Path, rel: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from.join(rel))?.flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == ".forklings" {
            continue;
        }
        let child = rel.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            mirror(from, to, &child)?;
        } else if kind.is_file() {
            let bytes = std::fs::read(from.join(&child))?;
            let dest = to.join(&child);
            if std::fs::read(&dest).is_ok_and(|old| old == bytes) {
                continue;
            }
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&dest, &bytes)?;
        }
    }
    Ok(())
}
