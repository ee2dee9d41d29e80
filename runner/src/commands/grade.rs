//! `cargo course grade [--json FILE]`: every exercise, one table.

use std::path::Path;

use super::{CmdResult, Ctx, Dots, report_broken, save_progress};
use crate::course::{Exercise, Flavor};
use crate::driver;
use crate::progress::write_atomically;
use crate::report::{Human, Json, Reporter};

pub fn run(ctx: &Ctx, only: &[String], json: Option<&Path>) -> CmdResult {
    let mut all: Vec<&Exercise> = Vec::new();
    if only.is_empty() {
        all.extend(ctx.course.exercises());
    }
    for target in only {
        let progress = crate::progress::Progress::default();
        for ex in super::check::resolve(ctx, Some(target), &progress)? {
            if !all.iter().any(|e| e.id == ex.id) {
                all.push(ex);
            }
        }
    }
    let report = driver::run(&ctx.course, &all, Flavor::Skeleton, ctx.jobs, &Dots::new())
        .map_err(|e| format!("could not run cargo: {e}"))?;
    eprintln!();
    Human { failures: true }
        .write(&report, &mut std::io::stdout().lock())
        .map_err(|e| e.to_string())?;
    if let Some(path) = json {
        let mut bytes = Vec::new();
        Json.write(&report, &mut bytes).map_err(|e| e.to_string())?;
        write_atomically(path, &bytes)
            .map_err(|e| format!("could not write {}: {e}", path.display()))?;
        eprintln!("results written to {}", path.display());
    }
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
