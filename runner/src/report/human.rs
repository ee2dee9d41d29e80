//! The table people read: per exercise, done or not and the points, then
//! the failing tests, each with the first line of what went wrong.

use super::Reporter;
use crate::results::{Report, fmt_points};
use crate::term;

pub struct Human {
    /// Also list every test that did not pass.
    pub failures: bool,
}

impl Reporter for Human {
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let width = report
            .exercises()
            .map(|e| e.id.len())
            .max()
            .unwrap_or(8)
            .max(8);
        let cwidth = report
            .chapters
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(7)
            .max(7);
        writeln!(
            out,
            "{:cwidth$}  {:width$}  {:12}  {:>9}",
            "chapter", "exercise", "status", "points"
        )?;
        for chapter in &report.chapters {
            for (i, ex) in chapter.exercises.iter().enumerate() {
                let chapter_col = if i == 0 { chapter.id.as_str() } else { "" };
                let (status, paint): (String, fn(&str) -> String) =
                    if !chapter.built || chapter.set_aside.contains(&ex.id) {
                        ("did not build".into(), term::red)
                    } else if ex.done {
                        ("done".into(), term::green)
                    } else {
                        let passed = ex.entries.iter().filter(|e| e.passed).count();
                        (format!("{passed}/{} tests", ex.entries.len()), term::yellow)
                    };
                writeln!(
                    out,
                    "{chapter_col:cwidth$}  {:width$}  {}  {:>9}",
                    ex.id,
                    paint(&format!("{status:12}")),
                    format!(
                        "{}/{}",
                        fmt_points(ex.points_earned),
                        fmt_points(ex.points_possible)
                    ),
                )?;
            }
            if let Some(error) = &chapter.compile_error {
                writeln!(
                    out,
                    "{:cwidth$}  {}",
                    "",
                    term::red(&crate::explain::did_not_build(error))
                )?;
            }
        }
        writeln!(
            out,
            "{}",
            term::bold(&format!(
                "total: {} / {} points",
                fmt_points(report.points_earned),
                fmt_points(report.points_possible)
            ))
        )?;
        // Which copy of the course the grade came from, and what bounded
        // its processes: an instructor reads whether it is one of record.
        writeln!(
            out,
            "{}",
            term::dim(&format!(
                "graded from {}; under {}",
                report.mode.words(),
                report.isolation.words()
            ))
        )?;
        if !report.problems.is_empty() {
            writeln!(out, "\nproblems found in the submission:")?;
            for p in &report.problems {
                writeln!(out, "  {} {}", term::red("!"), p.message)?;
            }
        }
        if self.failures {
            let failing: Vec<_> = report
                .tests()
                .filter(|t| !t.status.passed() && t.status != crate::results::Status::DidNotBuild)
                .collect();
            if !failing.is_empty() {
                writeln!(out, "\nnot passing:")?;
            }
            for t in failing {
                writeln!(
                    out,
                    "  {} {}: {}",
                    term::red("✗"),
                    t.id,
                    t.explanation.lines().next().unwrap_or("")
                )?;
            }
        }
        Ok(())
    }
}
