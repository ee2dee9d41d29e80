//! GitHub Classroom: the JSON a runner step hands to
//! `classroom-resources/autograding-grading-reporter` (base64-encoded in
//! the `<RUNNER>_RESULTS` variable; `grading/github/classroom.yml` shows the
//! steps). One test per graded test.
//!
//! What the reporter (v1) does with it, and so what this writes:
//! - it posts `Points {sum of every test's score}/{max_score}` as the
//!   annotation GitHub Classroom reads, adding the scores as JavaScript
//!   numbers: every score here is a whole number, shared out so that they
//!   add up to the grade rounded to a whole point (largest remainders);
//! - it prints `✅ name` or `❌ name`, then ` - line {line_no}` unless
//!   `line_no` is 0: every test has `line_no: 0`;
//! - it prints a failed test's `message` only for status `error`, never for
//!   `fail`: a failed test's name ends with the first line of what went
//!   wrong, and `message` holds all of it.

use serde_json::{Value, json};

use super::Reporter;
use super::gradescope::cut;
use crate::results::{Report, TestResult};

pub struct Github;

impl Reporter for Github {
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let all: Vec<&TestResult> = report.tests().collect();
        let scores = whole_points(&all.iter().map(|t| t.points_earned).collect::<Vec<_>>());
        let tests: Vec<Value> = all
            .iter()
            .zip(scores)
            .map(|(t, score)| {
                let mut name = format!("{} / {}: {}", t.chapter, t.exercise, t.id);
                if !t.status.passed() {
                    let first = t.explanation.lines().next().unwrap_or("");
                    name.push_str(&format!(
                        " — {}",
                        cut(first, 200).lines().next().unwrap_or("")
                    ));
                }
                json!({
                    "name": name,
                    "status": if t.status.passed() { "pass" } else { "fail" },
                    "score": score,
                    "line_no": 0,
                    "message": cut(&t.explanation, 2048),
                    "execution_time": format!("{:.2}s", t.duration_ms as f64 / 1000.0),
                })
            })
            .collect();
        let all_passed = all.iter().all(|t| t.status.passed());
        let results = json!({
            "version": 1,
            "status": if all_passed { "pass" } else { "fail" },
            "max_score": report.points_possible.round() as i64,
            "tests": tests,
        });
        serde_json::to_writer(&mut *out, &results)?;
        writeln!(out)
    }
}

/// Whole numbers, one per share, that add up to the sum of the shares
/// rounded to a whole number: each share rounded down, and the points left
/// given one by one to the largest remainders (the first of equals first).
pub fn whole_points(shares: &[f64]) -> Vec<i64> {
    let total = shares.iter().sum::<f64>().round() as i64;
    let mut whole: Vec<i64> = shares.iter().map(|s| (s + 1e-9).floor() as i64).collect();
    let mut left = total - whole.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = shares[a] - whole[a] as f64;
        let rb = shares[b] - whole[b] as f64;
        rb.partial_cmp(&ra)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(shares.len().max(1) * 2) {
        if left <= 0 || shares.is_empty() {
            break;
        }
        if shares[i] > whole[i] as f64 + 1e-9 {
            whole[i] += 1;
            left -= 1;
        }
    }
    whole
}

#[cfg(test)]
mod tests {
    use super::whole_points;

    #[test]
    fn shares_become_whole_points_that_add_up() {
        let third = 10.0 / 3.0;
        assert_eq!(whole_points(&[third, third, third]), [4, 3, 3]);
        assert_eq!(whole_points(&[third, third, 0.0]), [4, 3, 0]);
        assert_eq!(whole_points(&[2.5, 2.5, 0.0, 5.0]), [3, 2, 0, 5]);
        let many = vec![80.0 / 6.0; 6];
        assert_eq!(whole_points(&many).iter().sum::<i64>(), 80);
        assert_eq!(whole_points(&[]), Vec::<i64>::new());
    }
}
