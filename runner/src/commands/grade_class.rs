//! `cargo course grade-class DIR`: every submission under DIR (a folder
//! holding the student's course tree, or a git repository), graded by the
//! one grading pipeline (`grade --submission`: a fresh copy of the
//! instructor's course with only the submission's exercise modules in it),
//! several at once, into one CSV and one JSON table.
//!
//! Each submission is graded by a child `course grade --submission` of its
//! own, bounded by a wall-clock limit, in one of a few work folders (one per
//! submission graded at once): a work folder keeps its copy and its target
//! dir from one submission to the next, so a grade rebuilds only the
//! chapters whose modules differ. The first work folder is warmed once by a
//! grade of the untouched skeletons, and the others start from a copy of
//! its target dir. A submission that breaks anything (no chapters, a build
//! that hangs, a grader that dies) gets a row saying so; the others go on.

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
use crate::progress::write_atomically;
use crate::results::{Report, fmt_points};
use crate::submission;
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
    /// What kept the grade's processes in bounds (`Isolation::words`).
    pub isolation: String,
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
    for dir in [out.join("reports"), work.clone()] {
        fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    }
    let slots = opts.at_once.max(1).min(submissions.len());
    let slot_dir = |k: usize| work.join(format!("slot-{k}"));

    // One warm build of the pristine course, for every work folder's start.
    eprintln!(
        "{}",
        term::dim(&format!(
            "grade-class: {} submissions, {slots} at once; warming a build of the course first",
            submissions.len(),
        ))
    );
    let warm = grade_child(
        &course.root,
        &course.root,
        &slot_dir(0),
        &work.join("warm.json"),
        ctx.jobs,
        opts.limit,
    );
    if let Err(e) = &warm {
        eprintln!(
            "{}",
            term::yellow(&format!("the warm-up build failed: {e}"))
        );
    }
    for k in 1..slots {
        // Copied, not linked: cargo rewrites what it rebuilds.
        let _ = fs::create_dir_all(slot_dir(k));
        let mut cp = Command::new("cp");
        cp.args(["-a", "--reflink=auto"])
            .arg(slot_dir(0).join("target"))
            .arg(slot_dir(k).join("target"))
            .stdin(Stdio::null())
            .stderr(Stdio::null());
        let _ = crate::reaper::status(&mut cp);
    }

    let jobs_each = (ctx.jobs / slots).max(1);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; submissions.len()]);
    let total = submissions.len();
    thread::scope(|scope| {
        for k in 0..slots {
            let slot = slot_dir(k);
            let (next, done, rows, submissions) = (&next, &done, &rows, &submissions);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(dir) = submissions.get(i) else { break };
                    let student = dir
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let t = Instant::now();
                    let mut row = grade_one(ctx, opts, &slot, dir, &student, jobs_each);
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
        isolation: String::new(),
    }
}

fn grade_one(
    ctx: &Ctx,
    opts: &Options,
    slot: &Path,
    submitted: &Path,
    student: &str,
    jobs: usize,
) -> Row {
    let course = &ctx.course;
    let possible: f64 = course.exercises().map(|e| f64::from(e.points)).sum();
    let here = opts.out.join("work").join(safe_name(student));
    let _ = fs::remove_dir_all(&here);

    // A bare git repository: its HEAD, checked out.
    let mut tree = submitted.to_path_buf();
    if !submitted.join(".git").exists()
        && submitted.join("HEAD").is_file()
        && submitted.join("objects").is_dir()
    {
        let checkout = here.join("checkout");
        let mut clone = Command::new("git");
        clone
            .args(["clone", "-q"])
            .arg(submitted)
            .arg(&checkout)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let ok = crate::reaper::status(&mut clone).is_ok_and(|s| s.success());
        if !ok {
            return failed_row(
                student,
                "a git repository that cannot be cloned".into(),
                possible,
            );
        }
        tree = checkout;
    }
    if submission::find_root(&tree).is_none() {
        return failed_row(
            student,
            "no chapters/ folder in the submission".into(),
            possible,
        );
    }
    let report_file = opts
        .out
        .join("reports")
        .join(format!("{}.json", safe_name(student)));
    let _ = fs::remove_file(&report_file);
    let graded = grade_child(&course.root, &tree, slot, &report_file, jobs, opts.limit);
    if !opts.keep {
        let _ = fs::remove_dir_all(&here);
    }
    match graded {
        Ok(report) => Row {
            student: student.to_string(),
            chapters: report
                .chapters
                .iter()
                .map(|c| (c.id.clone(), c.points_earned))
                .collect(),
            total: report.points_earned,
            possible: report.points_possible,
            problems: report.problems.iter().map(|p| p.message.clone()).collect(),
            seconds: 0.0,
            isolation: report.isolation.words(),
        },
        Err(e) => Row {
            student: student.to_string(),
            chapters: BTreeMap::new(),
            total: 0.0,
            possible,
            problems: vec![e],
            seconds: 0.0,
            isolation: String::new(),
        },
    }
}

/// Runs `course grade --submission` in the instructor's course, its copy
/// and build in `slot`, bounded by `limit`; its report.
fn grade_child(
    instructor: &Path,
    submission: &Path,
    slot: &Path,
    report: &Path,
    jobs: usize,
    limit: Duration,
) -> Result<Report, String> {
    let log = fs::File::create(report.with_extension("log")).map_err(|e| e.to_string())?;
    let mut cmd = Command::new("/proc/self/exe");
    cmd.args(["grade", "--format", "json", "-j", &jobs.to_string()])
        .arg("--submission")
        .arg(submission)
        .arg("--work")
        .arg(slot)
        .arg("--output")
        .arg(report)
        .current_dir(instructor)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0);
    let mut child =
        crate::reaper::spawn(&mut cmd).map_err(|e| format!("could not start the grader: {e}"))?;
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
    crate::reaper::forget(child.id());
    let Some(status) = status else {
        // What the killed grader left (its group did not hold everything)
        // was handed to this process: gone too.
        crate::reaper::sweep();
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
