//! `cargo course check [EXERCISE|CHAPTER]`: build, run, explain, record.

use super::{CmdResult, Ctx, Dots, load_progress, print_exercise, save_progress};
use crate::course::{Exercise, Flavor};
use crate::driver;
use crate::progress::Progress;
use crate::results::Report;
use crate::term;

/// The exercises a target names: one exercise, every exercise of a chapter,
/// or (no target) the one the student is on.
pub fn resolve<'c>(
    ctx: &'c Ctx,
    target: Option<&str>,
    progress: &Progress,
) -> Result<Vec<&'c Exercise>, String> {
    let course = &ctx.course;
    match target {
        Some(t) => {
            if let Some(ex) = course.exercise(t) {
                Ok(vec![ex])
            } else if let Some(ch) = course.chapter(t) {
                Ok(ch.exercises.iter().collect())
            } else {
                Err(format!(
                    "`{t}` is neither an exercise nor a chapter; `cargo course list` shows them all"
                ))
            }
        }
        None => Ok(vec![progress.current(course)]),
    }
}

pub fn run(ctx: &Ctx, target: Option<&str>) -> CmdResult {
    let mut progress = load_progress(ctx)?;
    let exercises = resolve(ctx, target, &progress)?;
    let report = check(ctx, &exercises)?;
    progress.record(&report);
    let all_done = report.exercises().all(|e| e.done);
    if all_done && target.is_none() {
        // The exercise chosen is done: the next one not done is current.
        progress.current = None;
    }
    save_progress(ctx, &progress)?;
    let mut out = std::io::stdout().lock();
    print_report(&report, &mut out).map_err(|e| e.to_string())?;
    super::solution::offer(ctx, &report, &mut out).map_err(|e| e.to_string())?;
    drop(out);
    if all_done && target.is_none() {
        match progress.next(&ctx.course) {
            Some(next) => println!(
                "\nnext: {} ({}), in {}",
                term::bold(&next.id),
                next.title,
                next.skeleton_file().display()
            ),
            None => println!("\n{}", term::green("every exercise is done. Well done!")),
        }
    }
    Ok(if all_done { 0 } else { 1 })
}

pub fn check(ctx: &Ctx, exercises: &[&Exercise]) -> Result<Report, String> {
    driver::run(
        &ctx.course,
        exercises,
        Flavor::Skeleton,
        ctx.jobs,
        &Dots::new(),
    )
    .map_err(|e| format!("could not run cargo: {e}"))
    .inspect(|_| eprintln!())
}

pub fn print_report(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for (i, ex) in report.exercises().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        print_exercise(ex, report, out)?;
    }
    Ok(())
}
