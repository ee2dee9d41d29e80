//! `cargo course list`: every exercise with its status. Watch's list (which
//! the student moves in and picks from) draws the same lines.

use super::{CmdResult, Ctx, load_progress};
use crate::progress::Progress;
use crate::term;

pub fn run(ctx: &Ctx) -> CmdResult {
    let progress = load_progress(ctx)?;
    print_list(ctx, &progress);
    Ok(0)
}

pub fn print_list(ctx: &Ctx, progress: &Progress) {
    for line in lines(ctx, progress, None) {
        println!("{line}");
    }
}

/// The list's lines: a heading per chapter, a line per exercise. With a
/// cursor (an index into the course's exercises, in order), that line is
/// marked: watch's list.
pub fn lines(ctx: &Ctx, progress: &Progress, cursor: Option<usize>) -> Vec<String> {
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
    let mut out = Vec::new();
    let mut index = 0;
    for chapter in &ctx.course.chapters {
        out.push(format!("{} {}", term::bold(&chapter.id), chapter.title));
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
            let mark = match cursor {
                Some(c) if c == index => "> ",
                Some(_) => "  ",
                None => "",
            };
            let line = format!(
                "{mark}  {:id_width$}  {:title_width$}  {status}{here}",
                ex.id, ex.title
            );
            out.push(if cursor == Some(index) {
                term::bold(&line)
            } else {
                line
            });
            index += 1;
        }
    }
    out
}
