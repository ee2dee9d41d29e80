//! Every panic a test's output holds, with the thread that panicked: the
//! test's own, a helper thread, or a forked child (which inherits the name
//! of the thread that forked it, and writes to the same output).
//!
//! A panic in a forked child or in another thread does not fail the test by
//! itself: the child exits, the thread ends, and the test fails later on a
//! wrong exit code, a snapshot or a timeout. That later failure is what the
//! verdict quotes; the panic that caused it is shown beside it.

/// One panic: `thread 'NAME' (TID) panicked at LOCATION:\nMESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub thread: String,
    /// The thread's id as printed (a forked child's main thread has the
    /// child's PID, and the name of the thread that forked it).
    pub tid: Option<i64>,
    /// `chapters/01-processes/src/process.rs:40:9`
    pub location: String,
    pub message: String,
}

impl Panic {
    /// The first line of the message, and where.
    pub fn oneline(&self) -> String {
        let first = self.message.lines().next().unwrap_or("");
        format!("{first} (at {})", self.location)
    }
}

/// Every panic of `text`, in order, each once (the same message at the same
/// place from several children counts once). At most `limit`.
pub fn all(text: &str, limit: usize) -> Vec<Panic> {
    let mut found: Vec<Panic> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("panicked at ") {
        let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
        let (thread, tid) = thread_of(&rest[line_start..at]);
        let after_marker = &rest[at + "panicked at ".len()..];
        let (location_line, after) = after_marker.split_once('\n').unwrap_or((after_marker, ""));
        let location = crate::explain::normalize(location_line.trim_end().trim_end_matches(':'));
        let mut message = Vec::new();
        for line in after.lines() {
            let end = line.starts_with("note: run with `RUST_BACKTRACE")
                || line.starts_with("stack backtrace:")
                || line.starts_with("thread '")
                || line.starts_with("test result: ")
                || line.starts_with("failures:")
                || line.starts_with("---- ")
                || line.contains("Snapshot Summary")
                || (line.starts_with("test ") && line.contains(" ... "))
                || line == "FAILED";
            if end || message.len() >= 30 {
                break;
            }
            message.push(line);
        }
        while message.last().is_some_and(|l| l.trim().is_empty()) {
            message.pop();
        }
        let panic = Panic {
            thread,
            tid,
            location,
            message: message.join("\n"),
        };
        let first = |p: &Panic| p.message.lines().next().unwrap_or("").to_string();
        if !found
            .iter()
            .any(|p| p.location == panic.location && first(p) == first(&panic))
        {
            found.push(panic);
        }
        if found.len() >= limit {
            break;
        }
        rest = after;
    }
    found
}

/// `thread 'NAME' (123) ` before the marker: the name (or `?`) and the id.
fn thread_of(before: &str) -> (String, Option<i64>) {
    let Some((name, after)) = before
        .split_once("thread '")
        .and_then(|(_, rest)| rest.rsplit_once('\''))
    else {
        return ("?".to_string(), None);
    };
    let tid = after
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.split_once(')'))
        .and_then(|(t, _)| t.parse().ok());
    (name.to_string(), tid)
}

/// Where `p` happened, next to the test's own failing panic `own`.
fn place(p: &Panic, own: &Panic) -> Option<String> {
    if p.thread != own.thread {
        Some(format!("thread '{}'", p.thread))
    } else if p.tid.is_some() && own.tid.is_some() && p.tid != own.tid {
        Some("a forked child (a copy of the test's thread)".to_string())
    } else {
        None
    }
}

/// What the panics of `text` add to a verdict (`words`): where the panic
/// it quotes happened when that was not the test's own thread (a forked
/// child, another thread), and the panics it does not quote. The test's own
/// failing panic is the last one; the first is usually the cause.
pub fn context(words: &str, text: &str) -> String {
    let panics = all(text, 8);
    let Some(own) = panics.last() else {
        return String::new();
    };
    let mut out = String::new();
    let mut others = 0;
    for p in &panics {
        let quoted = words.contains(&p.location);
        match (quoted, place(p, own)) {
            (true, Some(place)) => {
                out.push_str(&format!(
                    "\n(that panic was in {place}: it ended there, and the test failed later)"
                ));
            }
            (true, None) => {}
            (false, _) if others >= 3 => {}
            // insta's own panic after the diff the verdict shows.
            (false, None) if first_line(p).starts_with("snapshot assertion") => {}
            (false, None) => {
                others += 1;
                out.push_str(&format!("\nthen the test failed: {}", p.oneline()));
            }
            (false, Some(place)) => {
                others += 1;
                out.push_str(&format!(
                    "\na panic in {place} (it fails nothing by itself, but is often the cause): {}",
                    p.oneline()
                ));
                for line in p.message.lines().skip(1).take(6) {
                    out.push_str(&format!("\n    {line}"));
                }
            }
        }
    }
    out
}

fn first_line(p: &Panic) -> &str {
    p.message.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHILD_THEN_SNAPSHOT: &str = "\nrunning 1 test\ntest process::display ... \nthread 'process::display' (4242) panicked at chapters/01-processes/src/process.rs:40:9:\nthe child could not start: boom\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\nthread 'process::display' (4242) panicked at chapters/01-processes/src/process.rs:40:9:\nthe child could not start: boom\n━━━ Snapshot Summary ━━━\n";

    #[test]
    fn panics_are_found_with_their_thread_and_counted_once() {
        let found = all(CHILD_THEN_SNAPSHOT, 10);
        assert_eq!(
            found,
            vec![Panic {
                thread: "process::display".into(),
                tid: Some(4242),
                location: "chapters/01-processes/src/process.rs:40:9".into(),
                message: "the child could not start: boom".into(),
            }]
        );
    }

    #[test]
    fn a_panic_not_quoted_is_added_and_a_quoted_one_is_placed() {
        let child_then_test = "thread 'a::t' (10) panicked at src/k.rs:2:5:\nboom\nthread 'a::t' (7) panicked at tests/m.rs:9:1:\nthe child failed\n";
        let added = context("the output does not match", child_then_test);
        assert!(
            added.contains("a panic in a forked child (a copy of the test's thread) (it fails nothing by itself, but is often the cause): boom (at src/k.rs:2:5)"),
            "{added}"
        );
        assert!(
            added.contains("then the test failed: the child failed (at tests/m.rs:9:1)"),
            "{added}"
        );
        let quoted = "failed: boom\nat src/k.rs:2:5";
        let placed = context(quoted, child_then_test);
        assert!(
            placed.starts_with("\n(that panic was in a forked child"),
            "{placed}"
        );
        let in_a_thread = "thread 'worker' (11) panicked at src/k.rs:2:5:\nboom\nthread 'a::t' (7) panicked at tests/m.rs:9:1:\nno result\n";
        assert!(context(quoted, in_a_thread).contains("(that panic was in thread 'worker'"));
    }
}
