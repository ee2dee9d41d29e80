//! GitHub Classroom: the JSON a runner step hands to
//! `classroom-resources/autograding-grading-reporter` (base64-encoded in
//! the `<RUNNER>_RESULTS` variable; `grading/classroom.yml` shows the
//! steps). One test per graded test, its points as its score.

use serde_json::{Value, json};

use super::Reporter;
use super::gradescope::cut;
use crate::results::Report;

pub struct Github;

impl Reporter for Github {
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let tests: Vec<Value> = report
            .tests()
            .map(|t| {
                json!({
                    "name": format!("{} / {}: {}", t.chapter, t.exercise, t.id),
                    "status": if t.status.passed() { "pass" } else { "fail" },
                    "score": t.points_earned,
                    "message": cut(&t.explanation, 2048),
                    "execution_time": format!("{:.2}s", t.duration_ms as f64 / 1000.0),
                })
            })
            .collect();
        let all_passed = report.tests().all(|t| t.status.passed());
        let results = json!({
            "version": 1,
            "status": if all_passed { "pass" } else { "fail" },
            "max_score": report.points_possible,
            "tests": tests,
        });
        serde_json::to_writer(&mut *out, &results)?;
        writeln!(out)
    }
}
