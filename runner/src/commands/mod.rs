//! One file per command; what several share is here.

pub mod bench;
pub mod check;
pub mod grade;
pub mod grade_class;
pub mod hint;
pub mod list;
pub mod reset;
pub mod solution;
pub mod status;
pub mod verify;

use std::io::Write;

use crate::course::{Course, Exercise, Flavor, MissingSkeleton};
use crate::driver::{self, Progress as DriverProgress};
use crate::progress::{self, Loaded, Progress};
use crate::results::{ExerciseResult, Report, Status, TestResult, fmt_points};
use crate::term;

/// A command's result: the exit code, or an error for the student.
pub type CmdResult = Result<u8, String>;

pub struct Ctx {
    pub course: Course,
    pub jobs: usize,
    /// Exercises whose skeleton file is not in the tree.
    pub missing: Vec<MissingSkeleton>,
}

impl Ctx {
    pub fn new(jobs: Option<usize>) -> Result<Ctx, String> {
        let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
        let root = Course::find_root(&cwd).ok_or_else(|| {
            format!(
                "no {} here or in any folder above {}: run this inside the course",
                crate::course::MANIFEST,
                cwd.display()
            )
        })?;
        let root = root.canonicalize().unwrap_or(root);
        // A deleted exercise file must not lock the student out: `reset`
        // brings it back, and every other command says which one it is.
        let invalid =
            |e: crate::course::ManifestErrors| format!("the course manifest is not valid:\n{e}");
        let (mut course, mut missing) = Course::load_allowing_missing(&root).map_err(invalid)?;
        // Only a file the course ships (pristine.toml lists it) is the
        // student's missing file; any other is a manifest naming a file
        // that never was.
        let listed = crate::pristine::load(&root)
            .map(|p| p.files)
            .unwrap_or_default();
        if missing.iter().any(|m| !listed.contains_key(&m.file)) {
            course = Course::load(&root).map_err(invalid)?;
            missing.clear();
        }
        Ok(Ctx {
            course,
            jobs: jobs.unwrap_or_else(driver::default_jobs).max(1),
            missing,
        })
    }

    /// Says, on stderr, which exercise files are missing and how to get
    /// each back.
    pub fn warn_missing(&self) {
        for m in &self.missing {
            eprintln!("{}", term::yellow(&m.advice()));
        }
    }
}

/// The progress file, or a new one; a broken file is reported, set aside
/// and rebuilt from a re-check of every exercise.
pub fn load_progress(ctx: &Ctx) -> Result<Progress, String> {
    ctx.warn_missing();
    match progress::load(&ctx.course.root) {
        Loaded::Ok(p) => Ok(p),
        Loaded::Missing => Ok(Progress::default()),
        Loaded::Broken(reason) => {
            report_broken(ctx, &reason);
            let all: Vec<&Exercise> = ctx.course.exercises().collect();
            let report = driver::run(&ctx.course, &all, Flavor::Skeleton, ctx.jobs, &Dots::new())
                .map_err(|e| format!("could not run cargo: {e}"))?;
            eprintln!();
            let mut p = Progress::default();
            p.record(&report);
            p.save(&ctx.course.root)
                .map_err(|e| format!("could not write the progress file: {e}"))?;
            Ok(p)
        }
    }
}

/// Says that the progress file is broken and sets it aside.
pub fn report_broken(ctx: &Ctx, reason: &str) {
    eprintln!(
        "{}",
        term::yellow(&format!(
            "progress file was unreadable: {reason}; rebuilding it from a re-check"
        ))
    );
    if let Some(kept) = progress::set_aside_broken(&ctx.course.root) {
        eprintln!("(the unreadable file is kept as {})", kept.display());
    }
}

pub fn save_progress(ctx: &Ctx, p: &Progress) -> Result<(), String> {
    p.save(&ctx.course.root).map_err(|e| {
        format!(
            "could not write {}: {e}",
            progress::path(&ctx.course.root).display()
        )
    })
}

pub fn find_exercise<'c>(ctx: &'c Ctx, id: &str) -> Result<&'c Exercise, String> {
    ctx.course.exercise(id).ok_or_else(|| {
        let ids: Vec<&str> = ctx.course.exercises().map(|e| e.id.as_str()).collect();
        format!(
            "there is no exercise `{id}`; the exercises are: {}",
            ids.join(", ")
        )
    })
}

/// Shows building and a dot per test on stderr, so a long run is not silent.
pub struct Dots {
    tty: bool,
}

impl Dots {
    pub fn new() -> Dots {
        Dots {
            tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }
}

impl Default for Dots {
    fn default() -> Self {
        Self::new()
    }
}

impl DriverProgress for Dots {
    fn building(&self, chapters: &[String]) {
        eprintln!(
            "{}",
            term::dim(&format!("building {} ...", chapters.join(", ")))
        );
    }
    fn built(&self, built: &crate::cargo_build::Built) {
        eprintln!(
            "{}",
            term::dim(&format!(
                "built in {:.1} s; running tests",
                built.duration.as_secs_f64()
            ))
        );
    }
    fn test_done(&self, result: &TestResult) {
        if self.tty {
            let mark = if result.status.passed() { "." } else { "x" };
            eprint!("{mark}");
            let _ = std::io::stderr().flush();
        }
    }
}

/// A short word for a test's status, for a one-line row.
fn short(t: &TestResult) -> String {
    match &t.status {
        Status::Passed => term::green("ok"),
        _ => {
            let first = t.explanation.lines().next().unwrap_or("");
            let short: String = if first.chars().count() > 90 {
                format!("{}…", first.chars().take(89).collect::<String>())
            } else {
                first.to_string()
            };
            term::red(&short)
        }
    }
}

/// What `check` prints for one exercise: a row per test, then the first
/// problem in full.
pub fn print_exercise(
    ex: &ExerciseResult,
    report: &Report,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "{} {} ({})", term::bold(&ex.id), ex.title, ex.file)?;
    let chapter = report.chapters.iter().find(|c| c.id == ex.chapter);
    let tests: Vec<&TestResult> = ex.entries.iter().flat_map(|e| e.tests.iter()).collect();
    let unbuilt = tests.first().filter(|_| {
        tests
            .iter()
            .all(|t| matches!(t.status, crate::results::Status::DidNotBuild))
    });
    if let Some(first) = unbuilt {
        // Its module (or the whole chapter) does not compile: the error, in
        // words and as rustc shows it.
        for line in first.explanation.lines() {
            writeln!(out, "  {}", term::red(line))?;
        }
        let rendered = if first.output.is_empty() {
            chapter
                .and_then(|c| c.compile_error.as_ref())
                .map_or("", |e| e.rendered.as_str())
        } else {
            first.output.as_str()
        };
        if !rendered.is_empty() {
            writeln!(out, "\n{rendered}\n")?;
        }
    } else {
        if let Some(c) = chapter.filter(|c| !c.set_aside.is_empty()) {
            let files: Vec<String> = c
                .set_aside
                .iter()
                .map(|id| format!("chapters/{}/src/{id}.rs", c.id))
                .collect();
            writeln!(
                out,
                "  {}",
                term::yellow(&format!(
                    "(graded with {} set aside: it does not compile, so its untouched skeleton stood in)",
                    files.join(", ")
                ))
            )?;
        }
        for t in &tests {
            let mark = if t.status.passed() {
                term::green("✓")
            } else {
                term::red("✗")
            };
            writeln!(out, "  {mark} {}  {}", t.id, short(t))?;
            // A pass that left processes running: said, not hidden.
            if let Some(left) = t
                .explanation
                .strip_prefix("passed, but ")
                .filter(|_| t.status.passed())
            {
                writeln!(out, "      {}", term::yellow(&format!("warning: {left}")))?;
            }
        }
        if let Some(first) = tests.iter().find(|t| !t.status.passed()) {
            writeln!(out, "\n{} {}", term::bold("first problem:"), first.id)?;
            for line in first.explanation.lines() {
                writeln!(out, "  {line}")?;
            }
            if first.output_dropped_bytes > 0 {
                writeln!(
                    out,
                    "  (it printed {} bytes more than the {} KiB kept)",
                    first.output_dropped_bytes,
                    crate::sandbox::OUTPUT_CAP / 1024
                )?;
            }
        }
    }
    let points = format!(
        "{}/{} points",
        fmt_points(ex.points_earned),
        fmt_points(ex.points_possible)
    );
    if ex.done {
        writeln!(out, "{} {points}", term::green("done:"))?;
    } else {
        writeln!(out, "{points}. Stuck? `cargo course hint {}`", ex.id)?;
    }
    Ok(())
}
