//! `cargo course list`: every exercise with its status.

use super::{CmdResult, Ctx, load_progress};
use crate::term;

pub fn run(ctx: &Ctx) -> CmdResult {
    let progress = load_progress(ctx)?;
    print_list(ctx, &progress);
    Ok(0)
}

pub fn print_list(ctx: &Ctx, progress: &crate::progress::Progress) {
    let next = progress.next(&ctx.course).map(|e| e.id.clone());
    let id_width = ctx
        .course
        .exercises()
        .map(|e| e.id.len())
        .max()
        .unwrap_or(0);
    let title_width = ctx
        .course
        .exercises()
        .map(|e| e.title.chars().count())
        .max()
        .unwrap_or(0);
    for chapter in &ctx.course.chapters {
        println!("{} {}", term::bold(&chapter.id), chapter.title);
        for ex in &chapter.exercises {
            let status = match progress.exercises.get(&ex.id) {
                Some(p) if p.done => term::green("done"),
                Some(_) => term::yellow("not yet"),
                None => "not checked".to_string(),
            };
            let here = if next.as_deref() == Some(ex.id.as_str()) {
                "  <- next"
            } else {
                ""
            };
            println!(
                "  {:id_width$}  {:title_width$}  {status}{here}",
                ex.id, ex.title
            );
        }
    }
}
