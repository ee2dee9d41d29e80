//! What a failing test's verdict tells a student, on a fixture course: the
//! panic of a forked child or of another thread shown beside the failure it
//! caused, and what an errno in the failure means.

mod common;

use std::sync::OnceLock;

use common::{Chapter, Fixture, test_result};
use serde_json::Value;

const TESTS: &str = r#"
unsafe extern "C" {
    fn fork() -> i32;
    fn _exit(code: i32) -> !;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
}

mod kids {
    #[test]
    fn a_child_that_panics() {
        // SAFETY: the child only runs the exercise's code and leaves with
        // _exit.
        let pid = unsafe { super::fork() };
        if pid == 0 {
            let ok = std::panic::catch_unwind(fx::kids::work).is_ok();
            unsafe { super::_exit(if ok { 0 } else { 3 }) }
        }
        let mut status = 0;
        // SAFETY: waits for the child just forked.
        unsafe { super::waitpid(pid, &mut status, 0) };
        assert_eq!(status, 0, "the child did not end well");
    }

    #[test]
    fn a_thread_that_panics() {
        let worker = std::thread::Builder::new()
            .name("worker".into())
            .spawn(fx::kids::work)
            .unwrap();
        let _ = worker.join();
        panic!("the worker's result never came");
    }

    #[test]
    fn an_errno() {
        fx::kids::wait_again().expect("wait_again returned an error");
    }
}
"#;

const KIDS: &str = "pub fn work() {\n    panic!(\"the child could not start: boom\");\n}\n\n/// As nix's Errno prints a second waitpid's error.\npub fn wait_again() -> Result<(), String> {\n    Err(\"ECHILD: No child processes\".into())\n}\n";

fn graded() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let f = Fixture::kept(
            "verdicts",
            &[Chapter {
                id: "01-basics",
                exercises: vec![(
                    "kids",
                    KIDS,
                    "tests = [\"kids::a_child_that_panics\", \"kids::a_thread_that_panics\", \"kids::an_errno\"]",
                )],
                tests: TESTS,
                solutions: vec![],
            }],
        );
        f.grade_json().1
    })
}

fn words(id: &str) -> String {
    test_result(graded(), id)["explanation"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_forked_childs_panic_is_shown_beside_the_failure_it_caused() {
    let words = words("kids::a_child_that_panics");
    // The child's panic is the cause, quoted first, with where it was.
    assert!(
        words.starts_with(
            "failed: the child could not start: boom\nat chapters/01-basics/src/kids.rs:2:5\n(that panic was in a forked child"
        ),
        "{words}"
    );
    assert!(
        words.contains(
            "then the test failed: assertion `left == right` failed: the child did not end well"
        ),
        "{words}"
    );
}

#[test]
fn another_threads_panic_is_shown_with_its_name() {
    let words = words("kids::a_thread_that_panics");
    assert!(
        words.starts_with(
            "failed: the child could not start: boom\nat chapters/01-basics/src/kids.rs:2:5\n(that panic was in thread 'worker'"
        ),
        "{words}"
    );
    assert!(
        words.contains("then the test failed: the worker's result never came"),
        "{words}"
    );
}

#[test]
fn an_errno_says_what_the_kernel_meant() {
    let words = words("kids::an_errno");
    assert!(
        words.starts_with("failed: wait_again returned an error: \"ECHILD: No child processes\""),
        "{words}"
    );
    assert!(
        words.contains("(ECHILD: no child of this process to wait for: it was reaped already"),
        "{words}"
    );
}
