//! `cargo course watch` on a fixture: a check at start, a hint on a key, a
//! re-check on save, on to the next exercise when it passes.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{Chapter, Fixture};

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

/// Waits for a line holding `what`; the limit only keeps a broken watch
/// from hanging the suite, it is no speed requirement.
fn wait_for(lines: &mpsc::Receiver<String>, what: &str, seen: &mut Vec<String>) -> String {
    loop {
        match lines.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => {
                seen.push(line.clone());
                if line.contains(what) {
                    return line;
                }
            }
            Err(_) => panic!("no line with {what:?}; saw:\n{}", seen.join("\n")),
        }
    }
}

#[test]
fn watch_rechecks_on_save_and_moves_on() {
    let f = Fixture::new(&[Chapter {
        id: "01-basics",
        exercises: vec![
            (
                "todo",
                "pub fn double(x: i32) -> i32 {\n    todo!()\n}\n",
                "hints = [\"multiply\"]\ntests = [\"todo::works\"]",
            ),
            (
                "good",
                "pub fn answer() -> i32 {\n    42\n}\n",
                "tests = [\"good::passes\"]",
            ),
        ],
        tests: TESTS,
        solutions: vec![],
    }]);
    let mut child = f
        .command(&["watch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    wait_for(&lines, "not written yet: `todo!()`", &mut seen);
    wait_for(&lines, "save → verdict", &mut seen);
    writeln!(stdin, "h").unwrap();
    wait_for(&lines, "hint 1/1: multiply", &mut seen);

    std::fs::write(
        f.root().join("chapters/01-basics/src/todo.rs"),
        "pub fn double(x: i32) -> i32 {\n    x * 2\n}\n",
    )
    .unwrap();
    wait_for(&lines, "on to good", &mut seen);
    let timing = seen
        .iter()
        .rev()
        .find(|l| l.contains("save → verdict"))
        .cloned()
        .unwrap();
    eprintln!("after the save: {timing}");
    wait_for(&lines, "every exercise is done", &mut seen);
    let status = child.wait().unwrap();
    assert!(status.success());
    let progress = std::fs::read_to_string(f.root().join(".forklings/progress.json")).unwrap();
    assert!(progress.contains("\"done\": true"), "{progress}");
}
