//! `cargo course hint [EXERCISE]`: the next hint not seen yet, or all; of
//! the exercise the student is on when none is named.

use super::{CmdResult, Ctx, find_exercise, load_progress, save_progress};
use crate::term;

pub fn run(ctx: &Ctx, exercise: Option<&str>, all: bool) -> CmdResult {
    let mut progress = load_progress(ctx)?;
    let ex = match exercise {
        Some(id) => find_exercise(ctx, id)?,
        None => progress.current(&ctx.course),
    };
    if exercise.is_none() {
        println!(
            "{}",
            term::dim(&format!("hints for {} ({})", ex.id, ex.title))
        );
    }
    if ex.hints.is_empty() {
        println!(
            "{} has no hints; its statement is in {}",
            ex.id,
            ex.skeleton_file().display()
        );
        return Ok(0);
    }
    if all {
        for (i, hint) in ex.hints.iter().enumerate() {
            println!(
                "{} {hint}",
                term::bold(&format!("hint {}/{}:", i + 1, ex.hints.len()))
            );
        }
        progress.hints_seen.insert(ex.id.clone(), ex.hints.len());
    } else {
        let seen = progress.hints_seen.get(&ex.id).copied().unwrap_or(0);
        let (i, hint) = next_hint(&ex.hints, seen);
        println!(
            "{} {hint}",
            term::bold(&format!("hint {}/{}:", i + 1, ex.hints.len()))
        );
        if i + 1 == ex.hints.len() {
            println!(
                "{}",
                term::dim("that is the last hint; `--all` shows them all again")
            );
        }
        progress.hints_seen.insert(ex.id.clone(), (i + 1).max(seen));
    }
    save_progress(ctx, &progress)?;
    Ok(0)
}

/// The hint after the `seen` ones; the last one again once all were seen.
pub fn next_hint(hints: &[String], seen: usize) -> (usize, &str) {
    let i = seen.min(hints.len() - 1);
    (i, hints[i].as_str())
}
