//! `cargo course grade [--format F] [--output FILE] [--json FILE]`: every
//! exercise, in one of the report formats.

use std::path::Path;

use super::{CmdResult, Ctx, Dots, report_broken, save_progress};
use crate::course::{Exercise, Flavor};
use crate::driver;
use crate::progress::write_atomically;
use crate::report::{Format, Json, Reporter};
use crate::tamper;

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
    // The checks first: a tampered test is graded from the course's copy,
    // in a scratch copy of the tree beside the build output.
    let scratch = crate::cargo_build::target_dir(&ctx.course.root).join("forklings-pristine");
    // grade-class grades copies without .git: it names the course whose
    // history holds the pristine blobs.
    let more_git: Vec<std::path::PathBuf> = std::env::var_os(GIT_DIR_ENV)
        .map(std::path::PathBuf::from)
        .into_iter()
        .collect();
    let more_git: Vec<&Path> = more_git.iter().map(|p| p.as_path()).collect();
    let prepared = tamper::prepare(&ctx.course, &scratch, &more_git)?;
    if let Some(dir) = &prepared.target_dir {
        let _ = crate::cargo_build::TARGET_DIR.set(dir.clone());
        eprintln!(
            "{}",
            crate::term::yellow("graded files were changed: grading a copy with the course's own")
        );
    }
    // The exercises of the course as graded (a restored manifest may list
    // more than the student's).
    let ids: Vec<&str> = selected.iter().map(|e| e.id.as_str()).collect();
    let all: Vec<&Exercise> = prepared
        .course
        .exercises()
        .filter(|e| only.is_empty() || ids.contains(&e.id.as_str()))
        .collect();
    let mut report = driver::run(
        &prepared.course,
        &all,
        Flavor::Skeleton,
        ctx.jobs,
        &Dots::new(),
    )
    .map_err(|e| format!("could not run cargo: {e}"))?;
    eprintln!();
    report.zero_chapters(
        &prepared.zero,
        "graded zero: this chapter reaches into the solutions (see the problems found)",
    );
    report.problems = prepared.problems;
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
