//! `cargo course reset EXERCISE`: the untouched skeleton back, after a
//! confirmation, the student's file kept first. The only code that writes
//! under `chapters/`.

use std::fs;

use super::{CmdResult, Ctx, find_exercise, save_progress};
use crate::pristine;
use crate::progress::{self, Loaded, write_atomically};
use crate::term;

pub fn run(ctx: &Ctx, exercise: &str, yes: bool) -> CmdResult {
    let ex = find_exercise(ctx, exercise)?;
    for m in ctx.missing.iter().filter(|m| m.exercise != ex.id) {
        eprintln!("{}", term::yellow(&m.advice()));
    }
    reset(ctx, ex, &|rel_text| {
        if yes {
            return Ok(true);
        }
        if !term::stdin_is_tty() {
            return Err(format!(
                "reset replaces {rel_text} and needs a yes: run it in a terminal, or add --yes. Nothing was changed."
            ));
        }
        Ok(term::confirm(&format!(
            "Replace {rel_text} with the untouched skeleton? Your version is kept in .forklings/backups/."
        )))
    })
}

/// Puts the untouched skeleton of `ex` back, after `confirm` said yes (it
/// is asked only when there is a file of the student's to replace; a
/// missing file is brought back without a question).
pub fn reset(
    ctx: &Ctx,
    ex: &crate::course::Exercise,
    confirm: &dyn Fn(&str) -> Result<bool, String>,
) -> CmdResult {
    let root = &ctx.course.root;
    let rel = ex.skeleton_file();
    let rel_text = rel.to_string_lossy().replace('\\', "/");
    let file = root.join(&rel);
    let pristine = pristine::load(root).map_err(|e| {
        format!("cannot reset: {e}. Nothing was changed. The course's {} is needed to know the untouched skeleton.", pristine::FILE)
    })?;
    let id = pristine.files.get(&rel_text).ok_or_else(|| {
        format!(
            "cannot reset: {} does not list {rel_text}. Nothing was changed.",
            pristine::FILE
        )
    })?;
    let now = fs::read(&file).ok();
    if now.as_deref().map(pristine::blob_id).as_deref() == Some(id.as_str()) {
        println!("{rel_text} is already the untouched skeleton: nothing to reset.");
        return Ok(0);
    }
    let content = pristine::from_git(root, id).map_err(|e| {
        format!(
            "cannot reset {rel_text}: {e}.\nNothing was changed. The untouched skeleton comes from the course's git history: \
             work in a git clone of the course (`git clone ...`), or copy the file from a fresh copy of the course by hand."
        )
    })?;
    if now.is_some() && !confirm(&rel_text)? {
        println!("Nothing was changed.");
        return Ok(1);
    }
    if let Some(now) = &now {
        let backups = progress::dir(root).join("backups").join(&ex.chapter);
        fs::create_dir_all(&backups).map_err(|e| {
            format!(
                "cannot make {}: {e}. Nothing was changed.",
                backups.display()
            )
        })?;
        let backup = backups.join(format!("{}-{}.rs", ex.id, crate::clock::utc_stamp()));
        fs::write(&backup, now).map_err(|e| {
            format!(
                "cannot write the backup {}: {e}. Nothing was changed.",
                backup.display()
            )
        })?;
        println!(
            "your version is kept in {}",
            backup.strip_prefix(root).unwrap_or(&backup).display()
        );
    }
    write_atomically(&file, &content).map_err(|e| format!("cannot write {rel_text}: {e}"))?;
    if now.is_none() {
        println!(
            "{} {rel_text} was missing; the untouched skeleton is back.",
            term::green("reset:")
        );
    } else {
        println!(
            "{} {rel_text} is the untouched skeleton again.",
            term::green("reset:")
        );
    }
    // The exercise is no longer done.
    if let Loaded::Ok(mut p) = progress::load(root)
        && let Some(entry) = p.exercises.get_mut(&ex.id)
    {
        entry.done = false;
        entry.points_earned = 0.0;
        save_progress(ctx, &p)?;
    }
    Ok(0)
}
