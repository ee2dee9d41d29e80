//! `cargo course` with no command: progress and the next exercise.

use super::{CmdResult, Ctx, load_progress};
use crate::results::fmt_points;
use crate::term;

pub fn run(ctx: &Ctx) -> CmdResult {
    let progress = load_progress(ctx)?;
    let course = &ctx.course;
    let width = course
        .exercises()
        .map(|e| e.id.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let cwidth = course
        .chapters
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(7)
        .max(7);
    println!(
        "{:cwidth$}  {:width$}  {:8}  {:>9}",
        "chapter", "exercise", "done", "points"
    );
    let mut earned = 0.0;
    for chapter in &course.chapters {
        for (i, ex) in chapter.exercises.iter().enumerate() {
            let chapter_col = if i == 0 { chapter.id.as_str() } else { "" };
            let p = progress.exercises.get(&ex.id);
            let done = p.is_some_and(|p| p.done);
            let got = p.map_or(0.0, |p| p.points_earned);
            earned += got;
            let mark = if done {
                term::green(&format!("{:8}", "yes"))
            } else {
                format!("{:8}", if p.is_some() { "no" } else { "-" })
            };
            println!(
                "{chapter_col:cwidth$}  {:width$}  {mark}  {:>9}",
                ex.id,
                format!("{}/{}", fmt_points(got), ex.points)
            );
        }
    }
    println!(
        "{}",
        term::bold(&format!(
            "total: {} / {} points",
            fmt_points(earned),
            course.total_points()
        ))
    );
    match progress.next(course) {
        Some(ex) => {
            println!(
                "\nnext: {} ({}), in {}",
                term::bold(&ex.id),
                ex.title,
                ex.skeleton_file().display()
            );
            println!(
                "check it with `cargo course check`, or keep `cargo course watch` running while you work"
            );
        }
        None => println!("\n{}", term::green("every exercise is done. Well done!")),
    }
    Ok(0)
}
