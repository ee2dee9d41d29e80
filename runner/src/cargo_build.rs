//! Building the graded test binaries: one cargo call for every selected
//! crate, its JSON messages read for the executables and the first compiler
//! error of each crate.
//!
//! Why `cargo build --test graded --keep-going` and not `cargo test --no-run`:
//! `cargo test` has no `--keep-going`, and its `--no-fail-fast` does not go
//! on building after a crate fails to compile (checked with `-j1` on cargo
//! 1.95: the second package's test binary was never built). A student's
//! broken chapter 3 must not stop chapter 1 from being graded, so the runner
//! asks `cargo build` for the `graded` test targets instead: that builds the
//! very same test-harness executables (same profile, same file names, so a
//! later `cargo test` reuses them), skips the crates' unit-test binaries that
//! grading never runs, and `--keep-going` builds every crate that can be.
//! One call, however many chapters are broken.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::course::{Course, Flavor};
use crate::results::CompileError;

pub type CrateKey = (String, Flavor);

#[derive(Debug, Default)]
pub struct Built {
    /// The `graded` executable of every crate that built.
    pub binaries: HashMap<CrateKey, PathBuf>,
    /// The first error of every crate that did not build.
    pub errors: HashMap<CrateKey, CompileError>,
    pub duration: Duration,
}

impl Built {
    /// Why a crate has no binary: its first compiler error, or what cargo said.
    pub fn error_of(&self, key: &CrateKey) -> Option<&CompileError> {
        self.errors.get(key)
    }
}

/// A target dir for every build of this run, instead of the course's own:
/// set once when the grade runs on a scratch copy of the course.
pub static TARGET_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The cargo the runner was started by (`cargo course` sets `CARGO`), or the
/// one on the PATH.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    if let Some(dir) = TARGET_DIR.get() {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    cmd
}

/// Where this run's builds go: the override, `CARGO_TARGET_DIR`, or the
/// course's `target/`.
pub fn target_dir(root: &Path) -> PathBuf {
    TARGET_DIR
        .get()
        .cloned()
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .map(|d| if d.is_absolute() { d } else { root.join(d) })
        .unwrap_or_else(|| root.join("target"))
}

/// Builds the `graded` test binary of each crate in `crates`, in one cargo
/// call. The course's normal target dir is used (cargo's default, or
/// `CARGO_TARGET_DIR` when set): the runner only invokes cargo.
pub fn build(course: &Course, crates: &[CrateKey]) -> std::io::Result<Built> {
    build_in(course, crates, None)
}

/// [`build`] into `target_dir` when given (the wrong-answer suite's copy of
/// the course keeps a target dir of its own between runs).
pub fn build_in(
    course: &Course,
    crates: &[CrateKey],
    target_dir: Option<&Path>,
) -> std::io::Result<Built> {
    let start = Instant::now();
    let mut built = Built::default();
    if crates.is_empty() {
        return Ok(built);
    }
    let mut cmd = cargo();
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    cmd.current_dir(&course.root)
        .args([
            "build",
            "--test",
            "graded",
            "--keep-going",
            "--message-format=json",
            "--color=never",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut by_manifest: HashMap<PathBuf, CrateKey> = HashMap::new();
    for key in crates {
        let chapter = course.chapter(&key.0).expect("a chapter of the course");
        cmd.args(["-p", &chapter.package(key.1)]);
        let manifest = chapter.dir(&course.root, key.1).join("Cargo.toml");
        by_manifest.insert(canonical(&manifest), key.clone());
    }
    let mut child = cmd.spawn()?;
    let stderr = child.stderr.take().expect("piped");
    let stderr_reader = thread::spawn(move || read_capped(stderr, 64 * 1024));
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    for line in stdout.lines() {
        let line = line?;
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let Some(key) = msg["manifest_path"]
            .as_str()
            .and_then(|p| by_manifest.get(&canonical(Path::new(p))))
        else {
            continue;
        };
        match msg["reason"].as_str() {
            Some("compiler-artifact") if msg["target"]["name"] == "graded" => {
                if let Some(exe) = msg["executable"].as_str() {
                    built.binaries.insert(key.clone(), PathBuf::from(exe));
                }
            }
            Some("compiler-message")
                if msg["message"]["level"] == "error" && !built.errors.contains_key(key) =>
            {
                built
                    .errors
                    .insert(key.clone(), compile_error(&course.root, &msg["message"]));
            }
            _ => {}
        }
    }
    let status = child.wait()?;
    let stderr_text = stderr_reader.join().unwrap_or_default();
    // A crate without a binary and without a compiler error: cargo itself
    // refused (a broken Cargo.toml, a missing dependency). Say what it said.
    for key in crates {
        if !built.binaries.contains_key(key) && !built.errors.contains_key(key) {
            built
                .errors
                .insert(key.clone(), cargo_failure(&stderr_text, status.code()));
        }
    }
    built.duration = start.elapsed();
    Ok(built)
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

fn compile_error(root: &Path, message: &Value) -> CompileError {
    let spans = message["spans"].as_array().cloned().unwrap_or_default();
    let primary = spans
        .iter()
        .find(|s| s["is_primary"] == true)
        .or(spans.first());
    let file = primary.and_then(|s| s["file_name"].as_str()).map(|f| {
        let path = Path::new(f);
        let root = canonical(root);
        path.strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string()
    });
    let code = message["code"]["code"].as_str();
    let text = message["message"].as_str().unwrap_or("a compiler error");
    CompileError {
        message: match code {
            Some(code) => format!("error[{code}]: {text}"),
            None => format!("error: {text}"),
        },
        file,
        line: primary.and_then(|s| s["line_start"].as_u64()),
        column: primary.and_then(|s| s["column_start"].as_u64()),
        rendered: message["rendered"].as_str().unwrap_or("").trim_end().into(),
    }
}

fn cargo_failure(stderr: &str, code: Option<i32>) -> CompileError {
    let errors: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("error"))
        .take(20)
        .collect();
    let rendered = if errors.is_empty() {
        stderr
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        errors.join("\n")
    };
    CompileError {
        message: errors.first().map_or_else(
            || format!("cargo failed (exit code {code:?}) before compiling this crate"),
            |l| l.trim().to_string(),
        ),
        file: None,
        line: None,
        column: None,
        rendered,
    }
}

/// Reads everything, keeping the first `cap` bytes.
pub fn read_capped(mut from: impl Read, cap: usize) -> String {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// Every test a graded binary holds, as `--list --format terse` prints them.
pub fn list_tests(binary: &Path, cwd: &Path) -> std::io::Result<Vec<String>> {
    let out = Command::new(binary)
        .args(["--list", "--format", "terse"])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "{} --list failed ({})",
            binary.display(),
            out.status
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect())
}
