//! From what a test did (its end and its output) to a status and a few
//! words a student understands.

use std::time::Duration;

use crate::results::{CompileError, Problem, Status};
use crate::sandbox::{Ended, Outcome};

/// The verdict on one test run; a failure also shows the panics (of forked
/// children and other threads) it does not quote already.
pub fn verdict(outcome: &Outcome, limit: Duration) -> (Status, String) {
    let (status, mut words) = verdict_alone(outcome, limit);
    if !status.passed() {
        words.push_str(&crate::panics::context(&words, &full_text(outcome)));
        words.push_str(&crate::errno_words::explain(&words));
        // A test that ended by itself and left processes behind (a timed-out
        // one had them killed with it).
        if matches!(outcome.ended, Ended::Exited { .. } | Ended::Signaled { .. })
            && let Some(left) = left_running(outcome)
        {
            words.push_str(&format!(
                "
({left})"
            ));
        }
    }
    (status, words)
}

fn verdict_alone(outcome: &Outcome, limit: Duration) -> (Status, String) {
    let text = full_text(outcome);
    let last = last_lines(&text, 6);
    match &outcome.ended {
        Ended::NotStarted { reason } => (
            Status::Failed,
            format!("the runner could not run this test: {reason}"),
        ),
        Ended::TimedOut => {
            let mut why = match outcome.stall.as_ref().and_then(crate::stall::words) {
                Some(seen) => format!("timed out after {}: {seen}", secs(limit)),
                None => format!(
                    "timed out after {}: a deadlock or an endless loop?",
                    secs(limit)
                ),
            };
            if let Some(panic) = first_panic(&text) {
                why.push_str(&format!("\nbefore that it panicked: {}", panic.oneline()));
            } else if !last.is_empty() {
                why.push_str(&format!("\nits last output:\n{}", indent(&last)));
            }
            (Status::TimedOut, why)
        }
        Ended::TooMuchMemory { bytes, limit } => (
            Status::OutOfMemory,
            format!(
                "used too much memory: its processes held {} MiB together, the limit is {} MiB (a collection that grows without end, or too many children each holding memory?); the runner stopped them all",
                bytes >> 20,
                limit >> 20
            ),
        ),
        Ended::TooManyProcesses { count, limit } => (
            Status::TooManyProcesses,
            format!(
                "forked too many processes: {count} alive at once, the limit is {limit} (a fork bomb, or a loop that forks without waiting for its children?); the runner stopped them all"
            ),
        ),
        Ended::Signaled { .. } | Ended::Exited { code: 1.. } if out_of_memory(&text) => (
            Status::OutOfMemory,
            format!(
                "used too much memory: an allocation failed at the limit of {} GiB of address space (a collection that grows without end?)",
                crate::sandbox::ADDRESS_SPACE_CAP >> 30
            ),
        ),
        Ended::Signaled { signal } => (
            Status::Crashed {
                signal: signal.clone(),
            },
            crash_words(signal, &text, &last),
        ),
        Ended::Exited { code } => exited(*code, &text, &last, outcome),
    }
}

/// The processes a test left running, in words: how many, what they were,
/// and what to do about it.
pub fn left_running(outcome: &Outcome) -> Option<String> {
    let count = outcome.leftovers_killed;
    if count == 0 {
        return None;
    }
    let mut words = format!("it left {count} process(es) running");
    if !outcome.left_running.is_empty() {
        words.push_str(&format!(": {}", outcome.left_running.join(", ")));
        if (outcome.left_running.len() as u32) < count {
            words.push_str(", ...");
        }
    }
    words.push_str(
        "; the runner stopped them. A process your code starts is its to end and to wait for \
         (a child never waited for, a worker never stopped?)",
    );
    Some(words)
}

/// Rust's words when an allocation fails (it then aborts). Under the
/// address-space cap that is how a runaway allocation ends.
fn out_of_memory(text: &str) -> bool {
    // libtest's `test name ... ` may sit before it on the same line.
    text.lines().any(|l| {
        l.split_once("memory allocation of ")
            .is_some_and(|(_, rest)| rest.trim_end().ends_with(" bytes failed"))
    })
}

fn exited(code: i32, text: &str, last: &str, outcome: &Outcome) -> (Status, String) {
    if text.contains("running 0 tests") {
        return (
            Status::Failed,
            "there is no test by this name in the test binary: the manifest names a test that does not exist".into(),
        );
    }
    let verdict = &outcome.verdict;
    if let Some(forged) = &verdict.forged {
        return (
            Status::Failed,
            format!(
                "tried to forge a pass: something wrote to the test harness's private channel ({forged:?}); only the harness itself reports a pass"
            ),
        );
    }
    if code == 0 && verdict.passed {
        let mut words = "passed".to_string();
        if let Some(left) = left_running(outcome) {
            words.push_str(&format!(", but {left}"));
        }
        return (Status::Passed, words);
    }
    if !verdict.harness {
        return (
            Status::Failed,
            format!(
                "the test binary did not report to the runner (exit code {code}): its chapter package lacks the course's test harness (`build = \"{}\"` in its Cargo.toml)",
                crate::harness::BUILD_SCRIPT
            ),
        );
    }
    let imitation = if imitates_a_pass(text) {
        "\nits output holds what looks like the test harness's pass line, but only the harness's private report counts"
    } else {
        ""
    };
    let summary = libtest_summary(text);
    if code == 0 || summary.is_none() || !text.contains("panicked at") && code != 101 {
        let how = if code == 0 {
            "exit code 0, without the test harness saying it passed: something called `std::process::exit`, or a forked child ran on through the harness?".to_string()
        } else {
            format!("exit code {code}")
        };
        let mut why = format!("exited before the test finished ({how}){imitation}");
        if let Some(panic) = first_panic(text) {
            why.push_str(&format!("\nbefore that it panicked: {}", panic.oneline()));
        } else if !last.is_empty() {
            why.push_str(&format!("\nits last output:\n{}", indent(last)));
        }
        return (Status::Failed, why);
    }
    if let Some(diff) = snapshot_diff(text) {
        return (Status::Failed, format!("{diff}{imitation}"));
    }
    let (status, words) = match first_panic(text) {
        Some(panic) if panic.message.trim() == "not yet implemented" => (
            Status::Failed,
            format!("not written yet: `todo!()` at {}", panic.location),
        ),
        Some(panic) if panic.message.trim().starts_with("not implemented") => (
            Status::Failed,
            format!("not written yet: `unimplemented!()` at {}", panic.location),
        ),
        Some(panic) => {
            let mut lines = panic.message.lines();
            let first = lines.next().unwrap_or("a panic");
            let mut words = format!("failed: {first}");
            for line in lines {
                words.push_str(&format!("\n  {line}"));
            }
            words.push_str(&format!("\nat {}", panic.location));
            (Status::Failed, words)
        }
        None => (
            Status::Failed,
            format!(
                "failed (exit code {code})\nits last output:\n{}",
                indent(last)
            ),
        ),
    };
    (status, format!("{words}{imitation}"))
}

/// A line libtest prints when tests passed, in output that did not pass.
fn imitates_a_pass(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("test result: ok.") || (l.starts_with("test ") && l.ends_with(" ... ok"))
    })
}

/// What a test's outcome says about the submission itself, beyond its
/// result: a forged verdict, or output that imitates a pass.
pub fn problem(outcome: &Outcome, chapter: &str, test: &str) -> Option<Problem> {
    let (kind, what) = if let Some(forged) = &outcome.verdict.forged {
        (
            "forged_pass",
            format!("wrote to the harness's private channel ({forged:?})"),
        )
    } else if !outcome.verdict.passed && imitates_a_pass(&full_text(outcome)) {
        (
            "imitated_pass",
            "printed what looks like a pass of the test harness".to_string(),
        )
    } else {
        return None;
    };
    Some(Problem {
        kind: kind.into(),
        chapter: Some(chapter.to_string()),
        message: format!("{test}: {what}, without passing: it earns nothing for it"),
    })
}

fn crash_words(signal: &str, text: &str, last: &str) -> String {
    if text.contains("has overflowed its stack") {
        return format!(
            "crashed with {signal}: a stack overflow (a recursion that never ends, or a huge value on the stack?)"
        );
    }
    let what = match signal {
        "SIGSEGV" => "a bad memory access (a null or dangling pointer in `unsafe` code?)",
        "SIGBUS" => "a bad memory access (a mapping used past its end?)",
        "SIGABRT" => "the program aborted (`std::process::abort`, or a panic during a panic)",
        "SIGFPE" => "an arithmetic fault",
        "SIGILL" => "an illegal instruction",
        "SIGKILL" => "killed from outside (by the code itself, or the system ran out of memory?)",
        "SIGTERM" | "SIGINT" | "SIGHUP" | "SIGQUIT" => {
            "a signal to stop (sent by the code itself?)"
        }
        "SIGPIPE" => "a write to a pipe nobody reads any more",
        _ => "a signal nobody handled",
    };
    let mut words = format!("crashed with {signal}: {what}");
    if let Some(panic) = first_panic(text) {
        words.push_str(&format!("\nbefore that it panicked: {}", panic.oneline()));
    } else if !last.is_empty() {
        words.push_str(&format!("\nits last output:\n{}", indent(last)));
    }
    words
}

/// The words for a chapter that did not compile.
pub fn did_not_build(error: &CompileError) -> String {
    let place = match (&error.file, error.line) {
        (Some(file), Some(line)) => format!(" at {file}:{line}"),
        (Some(file), None) => format!(" in {file}"),
        _ => String::new(),
    };
    format!("did not build: {}{place}", error.message)
}

fn full_text(outcome: &Outcome) -> String {
    if outcome.dropped_bytes == 0 {
        outcome.output.clone()
    } else {
        format!(
            "{}\n[... {} bytes dropped ...]\n{}",
            outcome.output, outcome.dropped_bytes, outcome.tail
        )
    }
}

/// libtest's closing `test result: ...` line.
fn libtest_summary(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .find(|l| l.starts_with("test result: "))
        .map(str::to_string)
}

pub struct Panic {
    /// `chapters/01-processes/src/fork_wait.rs:56:5`
    pub location: String,
    pub message: String,
}

impl Panic {
    fn oneline(&self) -> String {
        let first = self.message.lines().next().unwrap_or("");
        format!("{first} (at {})", self.location)
    }
}

/// The first panic in the output: the cause; later ones tend to be
/// consequences (a helper passing the panic of its thread on).
pub fn first_panic(text: &str) -> Option<Panic> {
    let at = text.find("panicked at ")?;
    let rest = &text[at + "panicked at ".len()..];
    let (location_line, after) = rest.split_once('\n').unwrap_or((rest, ""));
    let location = normalize(location_line.trim_end().trim_end_matches(':'));
    let mut message = Vec::new();
    for line in after.lines() {
        let end = line.starts_with("note: run with `RUST_BACKTRACE")
            || line.starts_with("stack backtrace:")
            || line.starts_with("thread '")
            || line.starts_with("test result: ")
            || line.starts_with("failures:")
            || line.starts_with("---- ")
            || line == "FAILED";
        if end || message.len() >= 30 {
            break;
        }
        message.push(line);
    }
    while message.last().is_some_and(|l| l.trim().is_empty()) {
        message.pop();
    }
    Some(Panic {
        location,
        message: message.join("\n"),
    })
}

/// `chapters/01-x/../../tests/01-x/main.rs` is `tests/01-x/main.rs`: cargo
/// hands rustc the test path relative to the crate.
pub fn normalize(path: &str) -> String {
    if !path.contains("/../") {
        return path.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            "." => {}
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// insta's report of a snapshot that did not match, as expected vs got.
fn snapshot_diff(text: &str) -> Option<String> {
    let start = text.find("Snapshot Summary")?;
    let block = &text[start..];
    let field = |name: &str| {
        block
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    let name = field("Snapshot: ").unwrap_or_else(|| "?".into());
    let source = field("Source: ");
    let mut rows = Vec::new();
    let mut inside = false;
    for line in block.lines() {
        if line.contains('┬') {
            inside = true;
            continue;
        }
        if line.contains('┴') {
            break;
        }
        if inside && let Some((_, row)) = line.split_once('│') {
            rows.push(row.to_string());
        }
        if rows.len() >= 60 {
            rows.push("...".into());
            break;
        }
    }
    let mut words = format!("the output does not match the answer key (snapshot `{name}`");
    if let Some(source) = source {
        words.push_str(&format!(", checked at {source}"));
    }
    words.push_str("):\n  -expected\n  +got\n");
    words.push_str(&indent(&rows.join("\n")));
    Some(words)
}

/// The last lines the test printed, without libtest's own chatter.
fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| {
            let l = l.trim();
            !l.is_empty()
                && l != "running 1 test"
                && !(l.starts_with("test ") && (l.ends_with(" ...") || l.contains(" ... ")))
        })
        .collect();
    let from = lines.len().saturating_sub(n);
    lines[from..]
        .iter()
        .map(|l| truncate(l, 200))
        .collect::<Vec<_>>()
        .join("\n")
}

fn truncate(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        line.to_string()
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(code: i32, output: &str) -> Outcome {
        Outcome {
            ended: Ended::Exited { code },
            duration_ms: 1,
            output: output.into(),
            dropped_bytes: 0,
            tail: String::new(),
            leftovers_killed: 0,
            left_running: Vec::new(),
            stall: None,
            supervisor_max_rss_kib: 0,
            max_memory_kib: 0,
            verdict: crate::verdict::Verdict {
                harness: true,
                passed: code == 0 && output.contains("test result: ok."),
                forged: None,
            },
        }
    }

    const TODO: &str = "\nrunning 1 test\ntest fork_wait::x ... \nthread 'within: run_in_child' (15691) panicked at chapters/01-processes/src/fork_wait.rs:56:5:\nnot yet implemented\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\nFAILED\n\nfailures:\n\nfailures:\n    fork_wait::x\n\ntest result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 8 filtered out; finished in 0.00s\n";

    #[test]
    fn todo_is_not_written_yet() {
        let (status, words) = verdict(&outcome(101, TODO), Duration::from_secs(10));
        assert_eq!(status, Status::Failed);
        assert_eq!(
            words,
            "not written yet: `todo!()` at chapters/01-processes/src/fork_wait.rs:56:5"
        );
    }

    #[test]
    fn an_assertion_is_quoted() {
        let text = "test a ... \nthread 'a' (1) panicked at tests/x.rs:5:5:\nassertion `left == right` failed: the parent's counter\n  left: 15\n right: 10\nnote: run with `RUST_BACKTRACE=1`\nFAILED\ntest result: FAILED. 0 passed; 1 failed;\n";
        let (_, words) = verdict(&outcome(101, text), Duration::from_secs(10));
        assert!(
            words.starts_with(
                "failed: assertion `left == right` failed: the parent's counter\n    left: 15"
            ),
            "{words}"
        );
        assert!(words.ends_with("right: 10\nat tests/x.rs:5:5"), "{words}");
    }

    #[test]
    fn a_snapshot_mismatch_is_a_diff() {
        let text = "test snap ... ━━━ Snapshot Summary ━━━\nSnapshot: describe\nSource: tests/graded.rs:3\n────\n-old snapshot\n+new results\n────────────┬──────\n    1       │-child 3\n          1 │+child 4\n    2     2 │ same\n────────────┴──────\nthread 'snap' (1) panicked at /x/insta/runtime.rs:734:13:\nsnapshot assertion for 'describe' failed in line 3\nFAILED\ntest result: FAILED. 0 passed; 1 failed;\n";
        let (_, words) = verdict(&outcome(101, text), Duration::from_secs(10));
        assert!(
            words.contains("snapshot `describe`, checked at tests/graded.rs:3"),
            "{words}"
        );
        assert!(
            words.contains("    -child 3\n    +child 4\n     same"),
            "{words}"
        );
    }

    #[test]
    fn exit_zero_without_the_pass_line_is_not_a_pass() {
        let (status, words) = verdict(
            &outcome(0, "\nrunning 1 test\ntest a ... "),
            Duration::from_secs(10),
        );
        assert_eq!(status, Status::Failed);
        assert!(
            words.starts_with("exited before the test finished"),
            "{words}"
        );
    }

    #[test]
    fn locations_lose_their_detours() {
        assert_eq!(
            normalize("chapters/01-a/../../tests/01-a/main.rs:40:9"),
            "tests/01-a/main.rs:40:9"
        );
        assert_eq!(normalize("/abs/x.rs:1:1"), "/abs/x.rs:1:1");
    }

    #[test]
    fn a_pass_is_a_pass() {
        let text = "\nrunning 1 test\ntest a ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out; finished in 0.00s\n";
        assert_eq!(
            verdict(&outcome(0, text), Duration::from_secs(10)).0,
            Status::Passed
        );
    }
}
