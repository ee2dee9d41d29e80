//! Building the graded test binaries: one cargo call for every selected
//! crate, run under a supervisor like a test (a time limit, every process it
//! started killed at the end), its JSON messages read for the executables
//! and the first compiler error of each crate.
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
//!
//! # One target dir per course
//!
//! Cargo names a workspace crate's artifacts by its path *inside* the
//! workspace and trusts file times: two copies of the course sharing one
//! target dir would each be graded with whichever binary is newer. So a
//! target dir is claimed by one course (a marker file names its root), and
//! a course that finds a target dir claimed by another, or used by someone
//! else, builds in a folder of its own below it ([`target_dir`]).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::course::{Course, Flavor, GRADED};
use crate::isolate::{self, Isolation, Plan};
use crate::results::CompileError;
use crate::sandbox::{self, Ended, Limits, TestSpec};

pub type CrateKey = (String, Flavor);

/// How long one build may take by default.
pub const BUILD_LIMIT: Duration = Duration::from_secs(1800);
/// The file in a target dir that names the course it belongs to.
const OWNER_FILE: &str = ".forklings-course";

#[derive(Debug, Default)]
pub struct Built {
    /// The `graded` executable of every crate that built.
    pub binaries: HashMap<CrateKey, PathBuf>,
    /// The first error of every crate that did not build.
    pub errors: HashMap<CrateKey, CompileError>,
    /// Every error of every crate that did not build (where a chapter's
    /// broken modules are: see `aside`).
    pub all_errors: HashMap<CrateKey, Vec<CompileError>>,
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
pub fn cargo_program() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// A cargo command for the course at `root`, its target dir set.
pub fn cargo_for(root: &Path) -> Command {
    let mut cmd = Command::new(cargo_program());
    cmd.env("CARGO_TARGET_DIR", target_dir(root));
    cmd
}

/// A cargo command with the run's override of the target dir, if any.
pub fn cargo() -> Command {
    let mut cmd = Command::new(cargo_program());
    if let Some(dir) = TARGET_DIR.get() {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    cmd
}

/// Where this course's builds go: the run's override, or a target dir that
/// belongs to this course: `CARGO_TARGET_DIR` (or the course's `target/`)
/// when it is unclaimed or claimed by this course, else a folder of this
/// course's own below it.
pub fn target_dir(root: &Path) -> PathBuf {
    if let Some(dir) = TARGET_DIR.get() {
        return dir.clone();
    }
    let own = root.join("target");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| if d.is_absolute() { d } else { root.join(d) })
        .unwrap_or_else(|| own.clone());
    let root_text = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let root_text = root_text.to_string_lossy().into_owned();
    let owner = std::fs::read_to_string(dir.join(OWNER_FILE)).ok();
    let claimable = match &owner {
        Some(owner) => owner.trim() == root_text,
        // Unclaimed: the course's own target/, or a dir nobody built in.
        None => dir == own || !dir.join("debug").exists(),
    };
    let dir = if claimable {
        dir
    } else {
        let hash = crate::pristine::blob_id(root_text.as_bytes());
        dir.join(format!("forklings-{}", &hash[..16]))
    };
    let _ = std::fs::create_dir_all(&dir);
    if std::fs::read_to_string(dir.join(OWNER_FILE))
        .ok()
        .as_deref()
        != Some(&root_text)
    {
        let _ = std::fs::write(dir.join(OWNER_FILE), &root_text);
    }
    dir
}

/// How a build runs.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Where cargo builds; none: [`target_dir`].
    pub target_dir: Option<PathBuf>,
    /// The course is a grading copy the runner made: the build sees the
    /// file system read-only but its target dir, and no network.
    pub grading_copy: bool,
    pub limit: Duration,
}

/// Builds the `graded` test binary of each crate in `crates`, in one cargo
/// call, in the course's target dir.
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
    build_with(
        course,
        crates,
        &BuildOptions {
            target_dir: target_dir.map(Path::to_path_buf),
            grading_copy: false,
            limit: BUILD_LIMIT,
        },
    )
}

/// The namespaces of a build, where the machine gives them.
fn build_isolation(options: &BuildOptions, root: &Path, target: &Path) -> Option<Plan> {
    if *isolate::probe() != Isolation::Namespaces {
        return None;
    }
    if !options.grading_copy {
        // A student's own tree: cargo may fetch crates and update
        // Cargo.lock, so only the PID namespace (a time limit, and nothing
        // left running).
        return Some(Plan::default());
    }
    let mut writable = vec![target.to_path_buf()];
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    // Cargo locks its package cache even offline.
    writable.extend(home.filter(|h| h.is_dir()));
    Some(Plan {
        read_only: true,
        writable,
        private_network: true,
        private_tmp: true,
        holder: isolate::holder(),
        keep: vec![root.to_path_buf()],
    })
}

/// [`build`] with every option.
pub fn build_with(
    course: &Course,
    crates: &[CrateKey],
    options: &BuildOptions,
) -> std::io::Result<Built> {
    build_test_target(course, crates, options, GRADED, &[])
}

/// Builds the test target `name` of each crate in `crates`, with `features`
/// of the chapter packages on (a `[[chapter.target]]`, such as the loom
/// tests): [`Built::binaries`] then holds that target's executables.
pub fn build_test_target(
    course: &Course,
    crates: &[CrateKey],
    options: &BuildOptions,
    name: &str,
    features: &[String],
) -> std::io::Result<Built> {
    if crates.is_empty() {
        return Ok(Built::default());
    }
    let mut args: Vec<String> = ["build", "--test", name, "--keep-going"]
        .map(String::from)
        .to_vec();
    let mut wanted = Vec::new();
    for key in crates {
        let chapter = course.chapter(&key.0).expect("a chapter of the course");
        args.extend(["-p".into(), chapter.package(key.1)]);
        for feature in features {
            args.extend([
                "--features".into(),
                format!("{}/{feature}", chapter.package(key.1)),
            ]);
        }
        wanted.push((
            chapter.dir(&course.root, key.1).join("Cargo.toml"),
            key.clone(),
        ));
    }
    run_call(
        &Call {
            args,
            cwd: course.root.clone(),
            root: course.root.clone(),
            target: name.into(),
            wanted,
        },
        options,
    )
}

/// One cargo call of a build: its arguments from the subcommand on (the
/// message format is added), the crates it builds (their manifests) and the
/// test target whose executable each one's binary is.
struct Call {
    args: Vec<String>,
    cwd: PathBuf,
    /// What the files of compiler errors are named relative to.
    root: PathBuf,
    target: String,
    wanted: Vec<(PathBuf, CrateKey)>,
}

/// Runs one cargo call under a supervisor and reads its messages.
fn run_call(call: &Call, options: &BuildOptions) -> std::io::Result<Built> {
    let start = Instant::now();
    let mut built = Built::default();
    let target = options
        .target_dir
        .clone()
        .unwrap_or_else(|| target_dir(&call.root));
    std::fs::create_dir_all(&target)?;
    let mut args = call.args.clone();
    // Cargo's own arguments go before a `--` that hands the rest to rustc.
    let at = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let mut own = vec![
        "--message-format=json".to_string(),
        "--color=never".to_string(),
    ];
    if options.grading_copy && !args.iter().any(|a| a == "--offline") {
        own.push("--offline".into());
    }
    args.splice(at..at, own);
    let by_manifest: HashMap<PathBuf, CrateKey> = call
        .wanted
        .iter()
        .map(|(manifest, key)| (canonical(manifest), key.clone()))
        .collect();
    let mut env = sandbox::base_env();
    env.push((
        "CARGO_TARGET_DIR".into(),
        target.to_string_lossy().into_owned(),
    ));
    env.push(("CARGO_TERM_COLOR".into(), "never".into()));
    let spec = TestSpec {
        binary: cargo_program(),
        name: String::new(),
        cwd: call.cwd.clone(),
        env,
        limits: Limits {
            wall_ms: options.limit.as_millis() as u64,
            output_cap: 0,
            max_processes: 512,
            address_space: 0,
            memory: 0,
        },
        args: Some(args),
        harness: false,
        isolation: build_isolation(options, &call.root, &target),
        passthrough: true,
    };
    let mut supervised = sandbox::spawn_passthrough(&spec).map_err(std::io::Error::other)?;
    let stderr = supervised.child.stderr.take().expect("piped");
    let stderr_reader = thread::spawn(move || read_capped(stderr, 64 * 1024));
    let stdout = supervised.child.stdout.take().expect("piped");
    for msg in messages(stdout) {
        let Some(key) = msg["manifest_path"]
            .as_str()
            .and_then(|p| by_manifest.get(&canonical(Path::new(p))))
        else {
            continue;
        };
        match msg["reason"].as_str() {
            Some("compiler-artifact") if msg["target"]["name"] == call.target.as_str() => {
                if let Some(exe) = msg["executable"].as_str() {
                    built.binaries.insert(key.clone(), PathBuf::from(exe));
                }
            }
            Some("compiler-message") if msg["message"]["level"] == "error" => {
                let error = compile_error(&call.root, &msg["message"]);
                built.errors.entry(key.clone()).or_insert(error.clone());
                built.all_errors.entry(key.clone()).or_default().push(error);
            }
            _ => {}
        }
    }
    let outcome = supervised.finish();
    let stderr_text = stderr_reader.join().unwrap_or_default();
    // A crate without a binary and without a compiler error: the build was
    // stopped, or cargo itself refused (a broken Cargo.toml, a missing
    // dependency). Say which, with what it said.
    let stopped = match &outcome.ended {
        Ended::TimedOut => Some(format!(
            "the build took longer than {} s and was stopped",
            options.limit.as_secs()
        )),
        Ended::NotStarted { reason } => Some(format!("the build could not run: {reason}")),
        Ended::TooManyProcesses { count, .. } => Some(format!(
            "the build started too many processes ({count}) and was stopped"
        )),
        _ => None,
    };
    let code = match outcome.ended {
        Ended::Exited { code } => Some(code),
        _ => None,
    };
    for (_, key) in &call.wanted {
        if built.binaries.contains_key(key) {
            continue;
        }
        if let Some(why) = &stopped {
            built.binaries.remove(key);
            built.errors.insert(key.clone(), stopped_error(why));
        } else if !built.errors.contains_key(key) {
            built
                .errors
                .insert(key.clone(), cargo_failure(&stderr_text, code));
        }
    }
    built.duration = start.elapsed();
    Ok(built)
}

/// Builds the `graded` test target of the package at `manifest` (a
/// workspace of its own, see `aside`) into `target_dir`, offline and
/// isolated as a build of the course at `root` is (`grading_copy`); its
/// binary and errors are filed under `key`, its errors' files named from
/// `root`.
pub fn build_manifest(
    root: &Path,
    manifest: &Path,
    key: &CrateKey,
    target_dir: &Path,
    grading_copy: bool,
) -> std::io::Result<Built> {
    run_call(
        &Call {
            args: vec![
                "build".into(),
                "--manifest-path".into(),
                manifest.display().to_string(),
                "--test".into(),
                GRADED.into(),
                "--offline".into(),
            ],
            cwd: manifest.parent().unwrap_or(root).to_path_buf(),
            root: root.to_path_buf(),
            target: GRADED.into(),
            wanted: vec![(manifest.to_path_buf(), key.clone())],
        },
        &BuildOptions {
            target_dir: Some(target_dir.to_path_buf()),
            grading_copy,
            limit: BUILD_LIMIT,
        },
    )
}

/// Cargo's JSON messages (`--message-format=json`), one per line, for the
/// build and for clippy; lines that are not JSON (a build script's own
/// output) are skipped.
pub fn messages(from: impl Read) -> impl Iterator<Item = Value> {
    BufReader::new(from)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Value>(&line).ok())
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

fn stopped_error(why: &str) -> CompileError {
    CompileError {
        message: why.to_string(),
        file: None,
        line: None,
        column: None,
        rendered: why.to_string(),
    }
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
    let mut cmd = Command::new(binary);
    cmd.args(["--list", "--format", "terse"])
        .current_dir(cwd)
        .env_clear()
        .envs(sandbox::base_env())
        .stdin(Stdio::null());
    let out = crate::reaper::output(&mut cmd)?;
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
