//! Gradescope's `results.json`: the score, and a test per graded test with
//! its share of the points, `passed` or `failed`, and what happened.
//! Gradescope shows `output` to the student as it is.

use serde_json::{Value, json};

use super::Reporter;
use crate::results::{Report, fmt_points};

/// Gradescope keeps results.json small; a test's output is cut here.
const OUTPUT_KEPT: usize = 4 * 1024;

pub struct Gradescope;

impl Reporter for Gradescope {
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let tests: Vec<Value> = report
            .tests()
            .map(|t| {
                let mut output = t.explanation.clone();
                if !t.status.passed() && !t.output.trim().is_empty() {
                    output.push_str("\n\n--- its output ---\n");
                    output.push_str(&cut(&t.output, OUTPUT_KEPT));
                }
                json!({
                    "name": format!("{} / {}: {}", t.chapter, t.exercise, t.id),
                    "score": t.points_earned,
                    "max_score": t.points_possible,
                    "status": if t.status.passed() { "passed" } else { "failed" },
                    "output": output,
                })
            })
            .collect();
        let mut summary = format!(
            "{} / {} points",
            fmt_points(report.points_earned),
            fmt_points(report.points_possible)
        );
        summary.push_str(&format!(
            "\ngraded from {}; under {}",
            report.mode.words(),
            report.isolation.words()
        ));
        for problem in &report.problems {
            summary.push_str(&format!("\nproblem: {problem}"));
        }
        let results = json!({
            "score": report.points_earned,
            "max_score": report.points_possible,
            "execution_time": report.duration_ms / 1000,
            "output": summary,
            "tests": tests,
        });
        serde_json::to_writer_pretty(&mut *out, &results)?;
        writeln!(out)
    }
}

/// The first `max` bytes, cut at a character boundary.
pub fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[... cut ...]", &text[..end])
}
