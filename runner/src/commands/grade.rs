//! `cargo course grade [--format F] [--output FILE] [--json FILE]`: every
//! exercise, in one of the report formats; with `--submission DIR`, a grade
//! of record of the submission in DIR, from a fresh copy of this course with
//! only the submission's exercise modules in it (the one grading pipeline:
//! `grade-class`, the Gradescope autograder and the Classroom workflow all
//! run it).

use std::path::{Path, PathBuf};

use super::{CmdResult, Ctx, Dots, report_broken, save_progress};
use crate::course::{Course, Exercise, Flavor};
use crate::progress::write_atomically;
use crate::report::{Format, Json, Reporter};
use crate::results::{Mode, Problem, Report};
use crate::{driver, grading_copy, submission, tamper};

/// A further git repository to restore pristine files from.
pub const GIT_DIR_ENV: &str = "FORKLINGS_PRISTINE_GIT";

/// Where a grade goes.
pub struct Outputs<'a> {
    pub format: Format,
    /// The report in `format` goes here instead of stdout.
    pub output: Option<&'a Path>,
    /// The JSON model goes here as well.
    pub json: Option<&'a Path>,
}

pub fn run(ctx: &Ctx, only: &[String], outputs: &Outputs) -> CmdResult {
    ctx.warn_missing();
    let mut selected: Vec<&Exercise> = Vec::new();
    if only.is_empty() {
        selected.extend(ctx.course.exercises());
    }
    for target in only {
        let progress = crate::progress::Progress::default();
        for ex in super::check::resolve(ctx, Some(target), &progress)? {
            if !selected.iter().any(|e| e.id == ex.id) {
                selected.push(ex);
            }
        }
    }
    // The exercises of the course as graded (a restored manifest may list
    // more than the student's).
    let ids: Vec<String> = selected.iter().map(|e| e.id.clone()).collect();
    let mut report = grade_in_place(ctx, only, &ids)?;
    // A graded file that changed during the run (where namespaces are
    // refused, a test can write the tree): the grade comes from a copy with
    // the course's own files, which the checks now find changed.
    if report
        .problems
        .iter()
        .any(|p| p.kind == "changed_graded_file")
        && report.mode == Mode::InPlace
    {
        eprintln!(
            "{}",
            crate::term::yellow(
                "graded files changed during the run: grading again, in a copy with the course's own"
            )
        );
        let first = std::mem::take(&mut report.problems);
        report = grade_in_place(ctx, only, &ids)?;
        let mut problems = first;
        problems.extend(
            report
                .problems
                .drain(..)
                .filter(|p| p.kind != "tampered_test"),
        );
        report.problems = problems;
    }
    write_report(&report, outputs)?;
    // Grading is a check of everything: the progress file learns from it.
    // A broken one is reported and replaced by what this run found.
    let mut progress = match crate::progress::load(&ctx.course.root) {
        crate::progress::Loaded::Ok(p) => p,
        crate::progress::Loaded::Missing => Default::default(),
        crate::progress::Loaded::Broken(reason) => {
            report_broken(ctx, &reason);
            Default::default()
        }
    };
    progress.record(&report);
    save_progress(ctx, &progress)?;
    Ok(0)
}

/// The student's tree, checked: graded in place, or (graded files changed)
/// in a scratch copy with the course's own files put back from git.
fn grade_in_place(ctx: &Ctx, only: &[String], ids: &[String]) -> Result<Report, String> {
    let scratch = crate::cargo_build::target_dir(&ctx.course.root).join("forklings-pristine");
    // grade-class grades copies without .git: it names the course whose
    // history holds the pristine blobs.
    let more_git: Vec<PathBuf> = std::env::var_os(GIT_DIR_ENV)
        .map(PathBuf::from)
        .into_iter()
        .collect();
    let more_git: Vec<&Path> = more_git.iter().map(|p| p.as_path()).collect();
    let prepared = tamper::prepare(&ctx.course, &scratch, &more_git)?;
    if prepared.target_dir.is_some() {
        eprintln!(
            "{}",
            crate::term::yellow("graded files were changed: grading a copy with the course's own")
        );
    }
    let all: Vec<&Exercise> = prepared
        .course
        .exercises()
        .filter(|e| only.is_empty() || ids.contains(&e.id))
        .collect();
    let mut options = driver::Options::new(Flavor::Skeleton, ctx.jobs);
    if let Some(dir) = &prepared.target_dir {
        options.target_dir = Some(dir.clone());
        options.mode = Mode::RestoredCopy;
    }
    let mut report = driver::run_with(&prepared.course, &all, &options, &Dots::new())
        .map_err(|e| format!("could not run cargo: {e}"))?;
    eprintln!();
    report.zero_chapters(
        &prepared.zero,
        "graded zero: this chapter reaches into the solutions (see the problems found)",
    );
    let mut problems = prepared.problems;
    problems.append(&mut report.problems);
    report.problems = problems;
    Ok(report)
}

/// How a grade of record runs.
pub struct SubmissionOptions {
    /// Where the grading copy and its target dir live (kept between grades,
    /// so that a build only redoes what changed).
    pub work: Option<PathBuf>,
    pub build_limit: std::time::Duration,
}

/// A grade of record: a fresh copy of this course (the instructor's) with
/// only the exercise modules of the submission in `submitted`, built and
/// tested in namespaces where the machine allows. The student's tree is
/// only read.
pub fn run_submission(
    ctx: &Ctx,
    submitted: &Path,
    only: &[String],
    options: &SubmissionOptions,
    outputs: &Outputs,
) -> CmdResult {
    let course = &ctx.course;
    if !submitted.is_dir() {
        return Err(format!("{} is not a folder", submitted.display()));
    }
    let mut problems = course_drift(course);
    let intake = submission::take(course, submitted);
    let work = options
        .work
        .clone()
        .unwrap_or_else(|| crate::cargo_build::target_dir(&course.root).join("forklings-grade"));
    warm_up(course, &work)?;
    let copy = grading_copy::make(&course.root, &work, &intake.modules)?;
    settle_dependencies(&copy)?;
    let graded = Course::load(&copy.root)
        .map_err(|e| format!("the grading copy's manifest does not load: {e}"))?;
    let mut selected: Vec<&Exercise> = Vec::new();
    for ex in graded.exercises() {
        let wanted = only.is_empty() || only.iter().any(|o| *o == ex.id || *o == ex.chapter);
        if wanted {
            selected.push(ex);
        }
    }
    if selected.is_empty() {
        return Err(format!(
            "nothing to grade: {} names no chapter or exercise of the course",
            only.join(", ")
        ));
    }
    let run_options = driver::Options {
        target_dir: Some(copy.target.clone()),
        mode: Mode::PristineCopy,
        build_limit: options.build_limit,
        ..driver::Options::new(Flavor::Skeleton, ctx.jobs)
    };
    let mut report = driver::run_with(&graded, &selected, &run_options, &Dots::new())
        .map_err(|e| format!("could not run cargo: {e}"))?;
    eprintln!();
    problems.extend(intake.problems);
    problems.extend(tamper::module_api_differences(course, &intake.modules));
    problems.append(&mut report.problems);
    report.problems = problems;
    write_report(&report, outputs)?;
    Ok(0)
}

/// The first grade in a work folder (and the first after the course's
/// dependencies changed) builds the untouched course there first, without
/// the submission's time limit: the dependencies take minutes to compile on
/// a busy machine, and only the course's own code is built. The
/// submission's build then redoes only its chapters, within its limit.
fn warm_up(course: &Course, work: &Path) -> Result<(), String> {
    let mut manifests = String::new();
    for rel in grading_copy::course_files(&course.root) {
        if rel.ends_with("Cargo.toml") || rel == "Cargo.lock" || rel.starts_with("tests/support/") {
            let bytes = std::fs::read(course.root.join(&rel)).unwrap_or_default();
            manifests.push_str(&format!("{rel} {}\n", crate::pristine::blob_id(&bytes)));
        }
    }
    let stamp = crate::pristine::blob_id(manifests.as_bytes());
    let marker = work.join("warm");
    if std::fs::read_to_string(&marker).is_ok_and(|s| s.trim() == stamp) {
        return Ok(());
    }
    eprintln!(
        "{}",
        crate::term::dim(
            "building the course once in the grading folder (its dependencies take a few minutes, once) ..."
        )
    );
    let copy = grading_copy::make(&course.root, work, &Default::default())?;
    settle_dependencies(&copy)?;
    let graded = Course::load(&copy.root)
        .map_err(|e| format!("the grading copy's manifest does not load: {e}"))?;
    let crates: Vec<crate::cargo_build::CrateKey> = graded
        .chapters
        .iter()
        .map(|c| (c.id.clone(), Flavor::Skeleton))
        .collect();
    let built = crate::cargo_build::build_with(
        &graded,
        &crates,
        &crate::cargo_build::BuildOptions {
            target_dir: Some(copy.target.clone()),
            grading_copy: true,
            limit: WARM_UP_LIMIT,
        },
    )
    .map_err(|e| format!("could not run cargo: {e}"))?;
    if built.binaries.len() == crates.len() {
        write_atomically(&marker, stamp.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    }
    Ok(())
}

/// How long the course's own first build in a grading folder may take.
const WARM_UP_LIMIT: std::time::Duration = std::time::Duration::from_secs(4 * 3600);

/// The course's own graded files as its author recorded them: a grade of
/// record from a course that differs says so.
fn course_drift(course: &Course) -> Vec<Problem> {
    let Ok(pristine) = crate::pristine::load(&course.root) else {
        return Vec::new();
    };
    if pristine.graded.is_empty() {
        return Vec::new();
    }
    tamper::tampered(&course.root, &pristine)
        .into_iter()
        .map(|t| Problem {
            kind: "course_modified".into(),
            chapter: None,
            message: format!(
                "the course's own {} differs from its pristine.toml: graded with it as it is",
                t.path
            ),
        })
        .collect()
}

/// Settles the copy's `Cargo.lock` (its workspace has fewer members than
/// the course's) and makes sure every dependency is on disk, outside the
/// supervised build, which runs offline. Only the course's manifests are
/// read: nothing of the student's runs here.
fn settle_dependencies(copy: &grading_copy::GradingCopy) -> Result<(), String> {
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(crate::cargo_build::cargo_program());
        cmd.args(args)
            .current_dir(&copy.root)
            .env_clear()
            .envs(crate::sandbox::base_env())
            .env("CARGO_TARGET_DIR", &copy.target);
        crate::reaper::output(&mut cmd)
    };
    let offline = run(&["metadata", "--format-version", "1", "--offline"]);
    if offline.as_ref().is_ok_and(|o| o.status.success()) {
        return Ok(());
    }
    match run(&["fetch"]) {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "cargo could not fetch the course's dependencies: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("no message")
        )),
        Err(e) => Err(format!("could not run cargo: {e}")),
    }
}

/// Writes the report in its format to stdout or `--output`, and the JSON
/// model to `--json`.
pub fn write_report(report: &crate::results::Report, outputs: &Outputs) -> Result<(), String> {
    let reporter = outputs.format.reporter();
    match outputs.output {
        None => reporter
            .write(report, &mut std::io::stdout().lock())
            .map_err(|e| e.to_string())?,
        Some(path) => write_file(path, &*reporter, report)?,
    }
    if let Some(path) = outputs.json {
        write_file(path, &Json, report)?;
    }
    Ok(())
}

fn write_file(
    path: &Path,
    reporter: &dyn Reporter,
    report: &crate::results::Report,
) -> Result<(), String> {
    let mut bytes = Vec::new();
    reporter
        .write(report, &mut bytes)
        .map_err(|e| e.to_string())?;
    write_atomically(path, &bytes)
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    eprintln!("results written to {}", path.display());
    Ok(())
}
