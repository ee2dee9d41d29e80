//! `cargo course watch` on fixture courses: a check at start, a hint on a
//! key, a re-check of the exercise whose file was saved, on to the next
//! exercise when the one worked on passes, the screen cleared for each
//! verdict, a save that cancels an outdated check, the keys of the list,
//! the chapter, reset and the solution.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Chapter, Fixture, GOOD};

const TESTS: &str = r#"
mod todo {
    #[test]
    fn works() {
        assert_eq!(fx::todo::double(2), 4);
    }
}
mod good {
    #[test]
    fn passes() {
        assert_eq!(fx::good::answer(), 42);
    }
}
"#;

const TODO: &str = "pub fn double(x: i32) -> i32 {\n    todo!()\n}\n";
const DOUBLE: &str = "pub fn double(x: i32) -> i32 {\n    x * 2\n}\n";

fn two_exercises(first_done: bool) -> Vec<Chapter<'static>> {
    let todo = if first_done { DOUBLE } else { TODO };
    vec![Chapter {
        id: "01-basics",
        exercises: vec![
            (
                "todo",
                todo,
                "hints = [\"multiply\"]\ntests = [\"todo::works\"]",
            ),
            ("good", GOOD, "tests = [\"good::passes\"]"),
        ],
        tests: TESTS,
        solutions: vec![("todo", DOUBLE), ("good", GOOD)],
    }]
}

/// A running `watch`: its stdin, and its stdout line by line.
struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Session {
    fn start(f: &Fixture, args: &[&str]) -> Session {
        let mut cmd = f.command(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env_remove("NO_COLOR")
            .env("CLICOLOR_FORCE", "1");
        let mut child = cmd.spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // Colours off for matching; the screen's clearing kept.
                if tx.send(strip_colours(&line)).is_err() {
                    break;
                }
            }
        });
        Session {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line holding `what`; the limit only keeps a broken watch
    /// from hanging the suite, it is no speed requirement.
    fn wait_for(&mut self, what: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(what) {
                        return line;
                    }
                }
                Err(_) => panic!("no line with {what:?}; saw:\n{}", self.seen.join("\n")),
            }
        }
    }

    fn key(&mut self, key: &str) {
        writeln!(self.stdin, "{key}").unwrap();
    }

    fn quit(mut self) {
        self.key("q");
        self.wait_for("bye");
        assert!(self.child.wait().unwrap().success());
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strip_colours(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            let mut seq = String::from("\x1b[");
            chars.next();
            for d in chars.by_ref() {
                seq.push(d);
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
            // Keep the screen's clearing visible to the tests.
            if seq.ends_with('J') {
                out.push_str(&seq);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The graded test processes running with their working folder in `root`.
fn graded_tests_in(root: &Path) -> Vec<i32> {
    let root = root.canonicalize().unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
        if comm.starts_with("graded-") && cwd.starts_with(&root) && common::alive(pid) {
            found.push(pid);
        }
    }
    found
}

fn progress(root: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(root.join(".forklings/progress.json")).unwrap())
        .unwrap()
}

#[test]
fn watch_rechecks_on_save_and_moves_on() {
    let f = Fixture::new(&two_exercises(false));
    let mut s = Session::start(&f, &["watch"]);
    s.wait_for("not written yet: `todo!()`");
    s.wait_for("save → verdict");
    s.key("h");
    s.wait_for("hint 1/1 for todo: multiply");

    std::fs::write(f.root().join("chapters/01-basics/src/todo.rs"), DOUBLE).unwrap();
    s.wait_for("todo passed! on to good");
    let timing = s
        .seen
        .iter()
        .rev()
        .find(|l| l.contains("save → verdict"))
        .cloned()
        .unwrap();
    eprintln!("after the save: {timing}");
    s.wait_for("every exercise is done");
    assert!(s.child.wait().unwrap().success());
    // Each verdict was drawn on a cleared screen.
    let clears = s.seen.iter().filter(|l| l.contains("\x1b[2J")).count();
    assert!(clears >= 2, "{clears} clears in:\n{}", s.seen.join("\n"));
    assert_eq!(progress(f.root())["exercises"]["todo"]["done"], true);
}

#[test]
fn a_save_rechecks_the_exercise_of_that_file() {
    // `todo` is done; watch starts on `good`, which is not (it fails).
    let mut chapters = two_exercises(true);
    chapters[0].exercises[1].1 = "pub fn answer() -> i32 {\n    41\n}\n";
    let f = Fixture::new(&chapters);
    let out = f.run(&["check", "todo"]);
    assert!(out.status.success(), "{}", common::text(&out));
    let mut s = Session::start(&f, &["watch"]);
    s.wait_for("good Exercise good");
    s.wait_for("save → verdict");
    // The student breaks the exercise already done: that one is checked,
    // and it is no longer done.
    std::fs::write(
        f.root().join("chapters/01-basics/src/todo.rs"),
        "pub fn double(x: i32) -> i32 {\n    x + 1\n}\n",
    )
    .unwrap();
    s.wait_for("checking todo (chapters/01-basics/src/todo.rs)");
    s.wait_for("todo Exercise todo");
    s.wait_for("0/10 points");
    s.quit();
    assert_eq!(progress(f.root())["exercises"]["todo"]["done"], false);
}

#[test]
fn watch_an_exercise_by_name_and_pick_from_the_list() {
    let mut chapters = two_exercises(false);
    chapters[0].exercises[1].1 = "pub fn answer() -> i32 {\n    41\n}\n";
    let f = Fixture::new(&chapters);
    let mut s = Session::start(&f, &["watch", "good"]);
    s.wait_for("checking good");
    s.wait_for("save → verdict");
    // hint without a name is the exercise being watched.
    let hint = f.run(&["hint"]);
    assert!(
        String::from_utf8_lossy(&hint.stdout).contains("hints for good"),
        "{}",
        common::text(&hint)
    );
    // The list: up to `todo`, Enter picks it.
    s.key("l");
    s.wait_for("> ");
    s.key("k");
    s.key("");
    s.wait_for("now watching todo");
    s.wait_for("not written yet: `todo!()`");
    // `c` checks the whole chapter: both exercises' verdicts.
    s.key("c");
    s.wait_for("checking chapter 01-basics");
    s.wait_for("todo Exercise todo");
    s.wait_for("good Exercise good");
    s.quit();
}

#[test]
fn a_save_cancels_the_check_it_makes_outdated() {
    let tests = r#"
mod slow {
    #[test]
    fn settles() {
        fx::slow::settle();
    }
}
"#;
    let f = Fixture::new(&[Chapter {
        id: "01-basics",
        exercises: vec![(
            "slow",
            "pub fn settle() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n",
            "timeout = 60\ntests = [\"slow::settles\"]",
        )],
        tests,
        solutions: vec![],
    }]);
    // Built once, so that the slow check below starts its test at once.
    let out = f.run(&["check"]);
    assert!(out.status.success(), "{}", common::text(&out));
    let mut s = Session::start(&f, &["watch", "slow"]);
    s.wait_for("save → verdict");
    let file = f.root().join("chapters/01-basics/src/slow.rs");
    std::fs::write(
        &file,
        "pub fn settle() {\n    std::thread::sleep(std::time::Duration::from_secs(50));\n}\n",
    )
    .unwrap();
    s.wait_for("checking slow");
    // Wait until its test is running, then save again.
    let deadline = Instant::now() + Duration::from_secs(120);
    let test_pid = loop {
        let running = graded_tests_in(f.root());
        if let Some(pid) = running.first() {
            break *pid;
        }
        assert!(Instant::now() < deadline, "the slow test never started");
        std::thread::sleep(Duration::from_millis(50));
    };
    let saved = Instant::now();
    std::fs::write(
        &file,
        "pub fn settle() {\n    std::thread::sleep(std::time::Duration::from_millis(2));\n}\n",
    )
    .unwrap();
    s.wait_for("checking slow");
    s.wait_for("done: 10/10 points");
    // The outdated check did not run its 50 s to the end (a generous bound).
    assert!(
        saved.elapsed() < Duration::from_secs(40),
        "the verdict came {:?} after the save",
        saved.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while common::alive(test_pid) {
        assert!(
            Instant::now() < deadline,
            "the cancelled check's test {test_pid} is still running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.quit();
}
