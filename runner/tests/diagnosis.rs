//! A test that runs out of time says whether it was burning CPU or blocked,
//! and where (the system call of each thread, from `/proc`); a test that
//! leaves processes running is told which, even when it passes.

mod common;

use std::sync::OnceLock;

use common::{Chapter, Fixture, text};

const TESTS: &str = r#"
unsafe extern "C" {
    fn fork() -> i32;
    fn pipe(fds: *mut i32) -> i32;
    fn read(fd: i32, buf: *mut u8, count: usize) -> isize;
    fn sleep(seconds: u32) -> u32;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
    fn _exit(code: i32) -> !;
}

/// A child that sleeps a minute.
fn sleeping_child() -> i32 {
    // SAFETY: between fork and _exit the child only calls sleep.
    unsafe {
        let pid = fork();
        if pid == 0 {
            sleep(60);
            _exit(0);
        }
        pid
    }
}

mod hangs {
    #[test]
    fn reads_its_own_pipe() {
        let mut fds = [0i32; 2];
        let mut byte = 0u8;
        // SAFETY: a pipe into a local array, a read into a local byte.
        unsafe {
            assert_eq!(super::pipe(fds.as_mut_ptr()), 0);
            super::read(fds[0], &mut byte, 1);
        }
    }
    #[test]
    fn locks_twice() {
        let lock = std::sync::Mutex::new(0);
        let _first = lock.lock().unwrap();
        let _second = lock.lock().unwrap();
    }
    #[test]
    fn waits_for_a_sleeping_child() {
        let child = super::sleeping_child();
        let mut status = 0;
        // SAFETY: waits for its own child into a local.
        unsafe { super::waitpid(child, &mut status, 0) };
    }
    #[test]
    fn spins() {
        let stop = std::sync::atomic::AtomicBool::new(false);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            std::hint::spin_loop();
        }
    }
}

mod leaks {
    #[test]
    fn starts_a_sleep() {
        let child = std::process::Command::new("sleep").arg("60").spawn().unwrap();
        std::mem::forget(child);
    }
    #[test]
    fn forks_a_child() {
        super::sleeping_child();
    }
}
"#;

fn course(name: &str) -> Fixture {
    Fixture::kept(
        name,
        &[Chapter {
            id: "01-basics",
            exercises: vec![
                (
                    "hangs",
                    "",
                    "timeout = 2\ntests = [\"hangs::reads_its_own_pipe\", \"hangs::locks_twice\", \"hangs::waits_for_a_sleeping_child\", \"hangs::spins\"]",
                ),
                (
                    "leaks",
                    "",
                    "tests = [\"leaks::starts_a_sleep\", \"leaks::forks_a_child\"]",
                ),
            ],
            tests: TESTS,
            solutions: vec![],
        }],
    )
}

fn report() -> &'static serde_json::Value {
    static REPORT: OnceLock<serde_json::Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let f = course("fixture-diagnosis");
        let (out, report) = f.grade_json();
        assert!(out.status.success(), "{}", text(&out));
        let out = f.run(&["check", "leaks"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("warning: it left 1 process(es) running: `sleep"),
            "{}",
            text(&out)
        );
        report
    })
}

fn explanation(id: &str) -> String {
    let t = common::test_result(report(), id);
    t["explanation"].as_str().unwrap().to_string()
}

#[test]
fn a_blocked_test_says_in_which_call() {
    for (id, call) in [
        (
            "hangs::reads_its_own_pipe",
            "\n  the test: blocked in read: waiting to read",
        ),
        (
            "hangs::locks_twice",
            "\n  the test: blocked in futex: waiting on a lock",
        ),
        (
            "hangs::waits_for_a_sleeping_child",
            "\n  the test: blocked in waitpid: waiting for a child process",
        ),
    ] {
        let words = explanation(id);
        assert!(
            words.starts_with("timed out after 2 s: every thread was blocked"),
            "{id}: {words}"
        );
        assert!(words.contains(call), "{id}: {words}");
        // libtest's main thread, which only waits for the test's, is left out.
        assert!(!words.contains("main thread"), "{id}: {words}");
    }
    let words = explanation("hangs::waits_for_a_sleeping_child");
    assert!(
        words.contains("a child process it forked: blocked in sleep"),
        "{words}"
    );
}

#[test]
fn a_spinning_test_is_burning_cpu() {
    let words = explanation("hangs::spins");
    assert!(
        words.starts_with("timed out after 2 s: it was burning CPU"),
        "{words}"
    );
    assert!(words.contains("\n  the test: running (busy)"), "{words}");
}

#[test]
fn a_pass_names_the_processes_it_left_running() {
    let words = explanation("leaks::starts_a_sleep");
    // Its command line, or its name when it was already on its way out.
    assert!(
        words.starts_with("passed, but it left 1 process(es) running: `sleep 60`")
            || words.starts_with("passed, but it left 1 process(es) running: `sleep`"),
        "{words}"
    );
    let words = explanation("leaks::forks_a_child");
    assert!(
        words.starts_with("passed, but it left 1 process(es) running: a child process it forked"),
        "{words}"
    );
}

#[test]
fn without_namespaces_the_same_is_seen() {
    let f = course("fixture-diagnosis-sweep");
    let json = f.root().join("results.json");
    let out = f
        .command(&["grade", "--json", json.to_str().unwrap()])
        .env("FORKLINGS_ISOLATION", "sweep")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["isolation"]["kind"], "process_sweep", "{report:#}");
    let said = |id: &str| {
        common::test_result(&report, id)["explanation"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let words = said("hangs::waits_for_a_sleeping_child");
    assert!(
        words.contains("\n  the test: blocked in waitpid")
            && words.contains("\n  a child process it forked: blocked in sleep"),
        "{words}"
    );
    assert!(said("hangs::spins").contains("burning CPU"));
    let words = said("leaks::starts_a_sleep");
    assert!(
        words.starts_with("passed, but it left 1 process(es) running: `sleep"),
        "{words}"
    );
    assert!(f.left_running().is_empty(), "{:?}", f.left_running());
}
