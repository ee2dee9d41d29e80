//! `cargo course grade-class DIR`: every submission under DIR (a folder
//! holding the student's course tree, or a git repository), graded like
//! `grade` but each in a clean copy of the instructor's course with the
//! student's `chapters/` put in, several at once, into one CSV and one JSON
//! table.
//!
//! Each submission is graded by a child `course grade` of its own, in its
//! own copy and its own target dir (cargo must never build two copies of
//! the course in one target dir; they may share the registry). The target
//! dir starts as a copy of one warmed once from the pristine course, so a
//! submission compiles its chapters, not the dependencies: the copy's
//! sources are newer than those artifacts, so cargo rebuilds every crate of
//! the workspace and trusts only the registry's. A submission that breaks
//! anything (no chapters, a build that hangs, a grader that dies) gets a row
//! saying so; the others go on.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use serde::Serialize;

use super::{CmdResult, Ctx};
use crate::pristine;
use crate::progress::write_atomically;
use crate::results::{Report, fmt_points};
use crate::tamper;
use crate::term;

pub struct Options<'a> {
    pub dir: &'a Path,
    /// Where the tables, the reports and the work copies go.
    pub out: PathBuf,
    /// Submissions graded at once.
    pub at_once: usize,
    /// The wall-clock limit of one submission's whole grade.
    pub limit: Duration,
    /// Keep each submission's copy and target dir.
    pub keep: bool,
}

/// One line of the class table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub student: String,
    /// Points per chapter, in the course's order.
    pub chapters: BTreeMap<String, f64>,
    pub total: f64,
    pub possible: f64,
    pub problems: Vec<String>,
    pub seconds: f64,
}

#[derive(Serialize)]
struct Table<'a> {
    version: u32,
    course_points: f64,
    chapters: Vec<&'a str>,
    students: &'a [Row],
}

pub fn run(ctx: &Ctx, opts: &Options) -> CmdResult {
    let started = Instant::now();
    let course = &ctx.course;
    let mut submissions: Vec<PathBuf> = fs::read_dir(opts.dir)
        .map_err(|e| format!("cannot read {}: {e}", opts.dir.display()))?
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    submissions.sort();
    if submissions.is_empty() {
        return Err(format!("no submission folders in {}", opts.dir.display()));
    }
    let out = &opts.out;
    let work = out.join("work");
    fs::create_dir_all(out.join("reports"))
        .map_err(|e| format!("cannot make {}: {e}", out.display()))?;
    let pristine = pristine::load(&course.root).ok();

    // One warm build of the pristine course, for every submission's start.
    eprintln!(
        "{}",
        term::dim(&format!(
            "grade-class: {} submissions, {} at once; warming a build of the course first",
            submissions.len(),
            opts.at_once
        ))
    );
    let base = work.join("_base");
    tamper::copy_course(&course.root, &base.join("course"))
        .map_err(|e| format!("cannot copy the course: {e}"))?;
    let warm = grade_child(
        &course.root,
        &base.join("course"),
        &base.join("target"),
        &base.join("report.json"),
        ctx.jobs,
        opts.limit,
    );
    if let Err(e) = &warm {
        eprintln!(
            "{}",
            term::yellow(&format!("the warm-up build failed: {e}"))
        );
    }

    let jobs_each = (ctx.jobs / opts.at_once).max(1);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; submissions.len()]);
    let total = submissions.len();
    thread::scope(|scope| {
        for _ in 0..opts.at_once.max(1).min(total) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(dir) = submissions.get(i) else { break };
                    let student = dir
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let t = Instant::now();
                    let mut row = grade_one(
                        ctx,
                        opts,
                        pristine.as_ref(),
                        &base,
                        dir,
                        &student,
                        jobs_each,
                    );
                    row.seconds = (t.elapsed().as_secs_f64() * 10.0).round() / 10.0;
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    eprintln!(
                        "[{n}/{total}] {student}: {} / {}{} ({:.0} s)",
                        fmt_points(row.total),
                        fmt_points(row.possible),
                        if row.problems.is_empty() {
                            String::new()
                        } else {
                            format!(", {} problem(s)", row.problems.len())
                        },
                        row.seconds
                    );
                    rows.lock().expect("no worker panics")[i] = Some(row);
                }
            });
        }
    });
    let rows: Vec<Row> = rows
        .into_inner()
        .expect("no worker panics")
        .into_iter()
        .flatten()
        .collect();
    let chapter_ids: Vec<&str> = course.chapters.iter().map(|c| c.id.as_str()).collect();
    let course_points: f64 = course.exercises().map(|e| f64::from(e.points)).sum();
    write_atomically(&out.join("grades.csv"), csv(&chapter_ids, &rows).as_bytes())
        .map_err(|e| format!("cannot write grades.csv: {e}"))?;
    let table = Table {
        version: 1,
        course_points,
        chapters: chapter_ids.clone(),
        students: &rows,
    };
    let json = serde_json::to_vec_pretty(&table).map_err(|e| e.to_string())?;
    write_atomically(&out.join("grades.json"), &json)
        .map_err(|e| format!("cannot write grades.json: {e}"))?;
    if !opts.keep {
        let _ = fs::remove_dir_all(&work);
    }
    println!(
        "graded {} submissions in {:.0} s: {} and {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        out.join("grades.csv").display(),
        out.join("grades.json").display()
    );
    println!(
        "the grader's peak memory: {} MiB",
        crate::sandbox::max_rss_kib() / 1024
    );
    Ok(0)
}

fn failed_row(student: &str, problem: String, possible: f64) -> Row {
    Row {
        student: student.to_string(),
        chapters: BTreeMap::new(),
        total: 0.0,
        possible,
        problems: vec![problem],
        seconds: 0.0,
    }
}

fn grade_one(
    ctx: &Ctx,
    opts: &Options,
    pristine: Option<&pristine::Pristine>,
    base: &Path,
    submitted: &Path,
    student: &str,
    jobs: usize,
) -> Row {
    let course = &ctx.course;
    let possible: f64 = course.exercises().map(|e| f64::from(e.points)).sum();
    let here = opts.out.join("work").join(safe_name(student));
    let _ = fs::remove_dir_all(&here);
    let mut problems = Vec::new();

    // A bare git repository: its HEAD, checked out.
    let mut tree = submitted.to_path_buf();
    if !submitted.join(".git").exists()
        && submitted.join("HEAD").is_file()
        && submitted.join("objects").is_dir()
    {
        let checkout = here.join("checkout");
        let ok = Command::new("git")
            .args(["clone", "-q"])
            .arg(submitted)
            .arg(&checkout)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return failed_row(
                student,
                "a git repository that cannot be cloned".into(),
                possible,
            );
        }
        tree = checkout;
    }
    let Some(chapters) = find_chapters(&tree) else {
        return failed_row(
            student,
            "no chapters/ folder in the submission".into(),
            possible,
        );
    };
    let root = chapters.parent().unwrap_or(&tree).to_path_buf();

    // What the student changed of the graded files is reported; the copy
    // is graded with the course's own whatever they did.
    if let Some(p) = pristine.filter(|p| !p.graded.is_empty()) {
        for t in tamper::tampered(&root, p) {
            // Only what they handed in: a submission of chapters/ alone
            // deleted nothing.
            if t.change == tamper::Change::Deleted && !root.join("tests").exists() {
                continue;
            }
            problems.push(tamper::tamper_problem(&t).message);
        }
    }

    let copy = here.join("course");
    if let Err(e) = tamper::copy_course(&course.root, &copy) {
        return failed_row(student, format!("could not copy the course: {e}"), possible);
    }
    for chapter in &course.chapters {
        let theirs = chapters.join(&chapter.id);
        if theirs.is_dir() {
            let ours = copy.join("chapters").join(&chapter.id);
            let _ = fs::remove_dir_all(&ours);
            if let Err(e) = tamper::copy_course(&theirs, &ours) {
                return failed_row(
                    student,
                    format!("could not copy chapters/{}: {e}", chapter.id),
                    possible,
                );
            }
        } else {
            problems.push(format!(
                "chapters/{} is missing: the skeleton was graded",
                chapter.id
            ));
        }
    }
    // The warm target dir, copied (not linked: cargo rewrites what it rebuilds).
    let target = here.join("target");
    let _ = Command::new("cp")
        .args(["-a", "--reflink=auto"])
        .arg(base.join("target"))
        .arg(&target)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let report_file = opts
        .out
        .join("reports")
        .join(format!("{}.json", safe_name(student)));
    let _ = fs::remove_file(&report_file);
    let graded = grade_child(&course.root, &copy, &target, &report_file, jobs, opts.limit);
    if !opts.keep {
        let _ = fs::remove_dir_all(&here);
    }
    match graded {
        Ok(report) => {
            problems.extend(report.problems.iter().map(|p| p.message.clone()));
            Row {
                student: student.to_string(),
                chapters: report
                    .chapters
                    .iter()
                    .map(|c| (c.id.clone(), c.points_earned))
                    .collect(),
                total: report.points_earned,
                possible: report.points_possible,
                problems,
                seconds: 0.0,
            }
        }
        Err(e) => {
            problems.push(e);
            Row {
                student: student.to_string(),
                chapters: BTreeMap::new(),
                total: 0.0,
                possible,
                problems,
                seconds: 0.0,
            }
        }
    }
}

/// Runs `course grade` on a copy, bounded by `limit`; its report.
fn grade_child(
    instructor: &Path,
    course: &Path,
    target: &Path,
    report: &Path,
    jobs: usize,
    limit: Duration,
) -> Result<Report, String> {
    let log = fs::File::create(report.with_extension("log")).map_err(|e| e.to_string())?;
    let mut child = Command::new("/proc/self/exe")
        .args([
            "grade",
            "--format",
            "json",
            "-j",
            &jobs.to_string(),
            "--output",
        ])
        .arg(report)
        .current_dir(course)
        .env("CARGO_TARGET_DIR", target)
        .env("NO_COLOR", "1")
        .env(super::grade::GIT_DIR_ENV, instructor)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("could not start the grader: {e}"))?;
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() > deadline => {
                // The grader first: its supervisors see it go and kill their
                // tests; then the rest of its group (cargo, rustc).
                let pid = Pid::from_raw(child.id() as i32);
                let _ = kill(pid, Signal::SIGKILL);
                let _ = child.wait();
                thread::sleep(Duration::from_millis(500));
                let _ = killpg(pid, Signal::SIGKILL);
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for the grader: {e}")),
        }
    };
    let Some(status) = status else {
        return Err(format!(
            "grading stopped after {} s: the build or the tests took too long",
            limit.as_secs()
        ));
    };
    let text = fs::read_to_string(report).map_err(|_| {
        let log = fs::read_to_string(report.with_extension("log")).unwrap_or_default();
        format!(
            "the grader stopped without a report ({status}): {}",
            log.trim().lines().last().unwrap_or("no message")
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("the grader's report is unreadable: {e}"))
}

/// The `chapters/` folder of a submission: the one nearest its top.
fn find_chapters(tree: &Path) -> Option<PathBuf> {
    let mut level = vec![tree.to_path_buf()];
    for _ in 0..4 {
        let mut below = Vec::new();
        for dir in &level {
            let candidate = dir.join("chapters");
            if candidate.is_dir() {
                return Some(candidate);
            }
            if let Ok(entries) = fs::read_dir(dir) {
                let mut subdirs: Vec<PathBuf> = entries
                    .flatten()
                    .filter(|e| {
                        let name = e.file_name();
                        let name = name.to_string_lossy();
                        !name.starts_with('.') && name != "target"
                    })
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect();
                subdirs.sort();
                below.extend(subdirs);
            }
        }
        level = below;
    }
    None
}

fn safe_name(student: &str) -> String {
    student
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The class as CSV: student, a column per chapter, total, possible,
/// problems (joined with ` | `).
pub fn csv(chapters: &[&str], rows: &[Row]) -> String {
    let mut out = String::from("student");
    for c in chapters {
        out.push(',');
        out.push_str(&field(c));
    }
    out.push_str(",total,possible,problems\n");
    for row in rows {
        out.push_str(&field(&row.student));
        for c in chapters {
            out.push(',');
            if let Some(points) = row.chapters.get(*c) {
                out.push_str(&fmt_points(*points));
            }
        }
        out.push_str(&format!(
            ",{},{},{}\n",
            fmt_points(row.total),
            fmt_points(row.possible),
            field(&row.problems.join(" | "))
        ));
    }
    out
}

fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!(
            "\"{}\"",
            text.replace('"', "\"\"").replace(['\n', '\r'], " ")
        )
    } else {
        text.to_string()
    }
}
