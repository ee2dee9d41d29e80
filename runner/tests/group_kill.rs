//! A test that signals its own process group (`kill(0, ...)`) reaches only
//! itself and what it forked: never the runner, nor whatever started the
//! runner. The classic way to get there by mistake: a forked child that
//! returns instead of leaving with `_exit` takes itself for the parent, holds
//! the 0 that fork gave it as "the child's PID", and kills it in a clean-up.

mod common;

use std::os::unix::process::{CommandExt, ExitStatusExt};

use common::{Chapter, Fixture, test_result};

const TESTS: &str = r#"
unsafe extern "C" {
    fn kill(pid: i32, signal: i32) -> i32;
}

mod group {
    #[test]
    fn kills_its_own_group() {
        let child = fx::group::child_pid();
        // SAFETY: a signal to the group the test is in.
        unsafe { super::kill(child, 9) };
        panic!("still alive after signalling pid {child}");
    }
}
"#;

/// What a child that returned from fork would hold: 0.
const GROUP: &str = "pub fn child_pid() -> i32 {\n    0\n}\n";

#[test]
fn a_test_that_kills_its_group_fails_and_the_runner_lives_on() {
    let f = Fixture::new(&[Chapter {
        id: "01-basics",
        exercises: vec![("group", GROUP, "tests = [\"group::kills_its_own_group\"]")],
        tests: TESTS,
        solutions: vec![],
    }]);
    let json = f.root().join("results.json");
    // A group of its own: were the test to share the runner's group, the
    // signal would end the runner here, not this test binary.
    let out = f
        .command(&["grade", "--json", json.to_str().unwrap()])
        .process_group(0)
        .output()
        .unwrap();
    assert_eq!(
        out.status.signal(),
        None,
        "the runner was killed by signal {:?}: {}",
        out.status.signal(),
        common::text(&out)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let result = test_result(&report, "group::kills_its_own_group");
    assert_ne!(result["status"], "passed", "{result}");
    let words = result["explanation"].as_str().unwrap_or_default();
    assert!(words.contains("SIGKILL"), "{result}");
}
