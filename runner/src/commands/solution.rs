//! `cargo course solution [EXERCISE]`: the reference solution of an
//! exercise the student has passed, to compare with their own (never
//! before it passes, and not at all in a copy of the course without
//! `solutions/`).

use std::io::Write;
use std::path::PathBuf;

use super::{CmdResult, Ctx, find_exercise, load_progress};
use crate::course::{Exercise, Flavor};
use crate::results::Report;
use crate::term;

/// The reference solution's file, relative to the course root.
pub fn file_of(ctx: &Ctx, ex: &Exercise) -> PathBuf {
    let chapter = ctx.course.chapter_of(ex);
    chapter
        .dir(std::path::Path::new(""), Flavor::Solution)
        .join("src")
        .join(format!("{}.rs", ex.id))
}

/// Whether this copy of the course holds the exercise's reference solution.
pub fn available(ctx: &Ctx, ex: &Exercise) -> bool {
    ctx.course.root.join(file_of(ctx, ex)).is_file()
}

pub fn run(ctx: &Ctx, exercise: Option<&str>) -> CmdResult {
    let progress = load_progress(ctx)?;
    let ex = match exercise {
        Some(id) => find_exercise(ctx, id)?,
        None => progress.current(&ctx.course),
    };
    let mut out = std::io::stdout().lock();
    show(ctx, ex, progress.is_done(&ex.id), &mut out).map_err(|e| e.to_string())
}

/// Prints the solution of `ex` when `done`, or says why not. Returns the
/// command's exit code.
pub fn show(ctx: &Ctx, ex: &Exercise, done: bool, out: &mut dyn Write) -> std::io::Result<u8> {
    let rel = file_of(ctx, ex);
    if !available(ctx, ex) {
        writeln!(
            out,
            "this copy of the course has no reference solution for {} ({} is not here): there is nothing to compare with",
            ex.id,
            rel.display()
        )?;
        return Ok(1);
    }
    if !done {
        writeln!(
            out,
            "the reference solution of {} is shown once your own passes: it is worth more to compare than to copy.\n\
             `cargo course check {}` checks yours; `cargo course hint {}` helps.",
            ex.id, ex.id, ex.id
        )?;
        return Ok(1);
    }
    let text = std::fs::read_to_string(ctx.course.root.join(&rel))?;
    writeln!(
        out,
        "{} {} ({}), to compare with yours ({}):\n",
        term::bold("the reference solution of"),
        ex.id,
        rel.display(),
        ex.skeleton_file().display()
    )?;
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(0)
}

/// After a check: for every exercise that passed and has a reference, one
/// line saying how to see it.
pub fn offer(ctx: &Ctx, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for ex in report.exercises().filter(|e| e.done) {
        if let Some(exercise) = ctx.course.exercise(&ex.id)
            && available(ctx, exercise)
        {
            writeln!(
                out,
                "{}",
                term::dim(&format!(
                    "compare with the reference solution: `cargo course solution {}`",
                    ex.id
                ))
            )?;
        }
    }
    Ok(())
}
