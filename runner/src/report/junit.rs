//! JUnit XML, as CI systems read it: a `<testsuite>` per chapter, a
//! `<testcase>` per graded test (classname `chapter.exercise`), a
//! `<failure>` (or, for a chapter that did not build, an `<error>`) with the
//! runner's words and the test's output.

use super::Reporter;
use crate::results::{Report, Status, TestResult};

pub struct Junit;

impl Reporter for Junit {
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let all: Vec<&TestResult> = report.tests().collect();
        let failures = all.iter().filter(|t| is_failure(t)).count();
        let errors = all
            .iter()
            .filter(|t| t.status == Status::DidNotBuild)
            .count();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="forklings" tests="{}" failures="{failures}" errors="{errors}" time="{}">"#,
            all.len(),
            secs(report.duration_ms)
        )?;
        for chapter in &report.chapters {
            let tests: Vec<&TestResult> = chapter
                .exercises
                .iter()
                .flat_map(|e| e.entries.iter())
                .flat_map(|e| e.tests.iter())
                .collect();
            writeln!(
                out,
                r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" time="{}">"#,
                xml(&chapter.id),
                tests.len(),
                tests.iter().filter(|t| is_failure(t)).count(),
                tests
                    .iter()
                    .filter(|t| t.status == Status::DidNotBuild)
                    .count(),
                secs(tests.iter().map(|t| t.duration_ms).sum())
            )?;
            writeln!(out, "    <properties>")?;
            writeln!(
                out,
                r#"      <property name="points_earned" value="{}"/>"#,
                chapter.points_earned
            )?;
            writeln!(
                out,
                r#"      <property name="points_possible" value="{}"/>"#,
                chapter.points_possible
            )?;
            writeln!(out, "    </properties>")?;
            for t in tests {
                testcase(t, out)?;
            }
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}

fn is_failure(t: &TestResult) -> bool {
    !t.status.passed() && t.status != Status::DidNotBuild
}

fn testcase(t: &TestResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write!(
        out,
        r#"    <testcase classname="{}.{}" name="{}" time="{}""#,
        xml(&t.chapter),
        xml(&t.exercise),
        xml(&t.id),
        secs(t.duration_ms)
    )?;
    if t.status.passed() {
        return writeln!(out, "/>");
    }
    writeln!(out, ">")?;
    let tag = if t.status == Status::DidNotBuild {
        "error"
    } else {
        "failure"
    };
    let first = t.explanation.lines().next().unwrap_or("");
    writeln!(
        out,
        r#"      <{tag} type="{}" message="{}">{}</{tag}>"#,
        kind(&t.status),
        xml(first),
        xml(&t.explanation)
    )?;
    if !t.output.is_empty() {
        writeln!(out, "      <system-out>{}</system-out>", xml(&t.output))?;
    }
    writeln!(out, "    </testcase>")
}

/// The status's name in the JSON model (`timed_out`, `crashed`, ...).
pub fn kind(status: &Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v["kind"].as_str().map(str::to_string))
        .unwrap_or_else(|| "failed".into())
}

fn secs(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// Escaped for XML text and attributes; characters XML 1.0 cannot hold at
/// all (most control characters) become U+FFFD.
pub fn xml(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\t' | '\n' | '\r' => s.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => s.push('\u{FFFD}'),
            c => s.push(c),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_escapes_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            super::xml("a<b & \"c\"\u{1b}[0m\n"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}[0m\n"
        );
    }
}
