//! The runner on a fixture course of misbehaving tests: every status, time
//! limits, leaked and escaped children, a flood of output, a chapter that
//! does not compile. One `grade --json` run is shared by the checks.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{Chapter, Fixture, exercise, test_result, text};
use serde_json::Value;

const TESTS: &str = r#"
unsafe extern "C" {
    fn fork() -> i32;
    fn setsid() -> i32;
    fn sleep(seconds: u32) -> u32;
    fn _exit(code: i32) -> !;
}

/// A child of this test process (the same program, so the runner's tests
/// can find it by its executable) that sleeps a minute, in a session of its
/// own when `detach`.
fn sleeping_child(detach: bool) -> i32 {
    // SAFETY: between fork and _exit the child only calls setsid and sleep.
    unsafe {
        let pid = fork();
        if pid == 0 {
            if detach {
                setsid();
            }
            sleep(60);
            _exit(0);
        }
        pid
    }
}

mod good {
    #[test]
    fn passes() {
        assert_eq!(fx::good::answer(), 42);
    }
    mod cases {
        #[test]
        fn case_1() {
            assert!(fx::good::answer() > 0);
        }
        #[test]
        fn case_2() {
            assert!(fx::good::answer() < 100);
        }
    }
}

mod statuses {
    #[test]
    fn fails() {
        assert_eq!(fx::good::answer(), 41, "the answer is off by one");
    }
    #[test]
    fn todo_reached() {
        fx::statuses::unwritten();
    }
    #[test]
    fn segfault() {
        // A raw write to an unmapped address.
        unsafe { (16usize as *mut i32).write_volatile(1) }
    }
    #[test]
    fn aborts() {
        std::process::abort()
    }
    #[test]
    fn exits_early() {
        std::process::exit(0)
    }
    #[test]
    fn overflows() {
        fn deeper(n: u64) -> u64 {
            let pad = std::hint::black_box([n; 128]);
            deeper(n + 1) + pad[7]
        }
        std::hint::black_box(deeper(0));
    }
}

mod hangs {
    #[test]
    fn deadlock() {
        super::sleeping_child(false);
        let (_keep, rx) = std::sync::mpsc::channel::<()>();
        let _ = rx.recv();
    }
    #[test]
    fn sleeps_an_hour() {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
    #[test]
    fn spins() {
        loop {
            std::hint::spin_loop();
        }
    }
}

mod leaks {
    #[test]
    fn child_sleeps() {
        super::sleeping_child(false);
    }
    #[test]
    fn setsid_child() {
        super::sleeping_child(true);
    }
}

mod noisy {
    use std::io::Write;
    #[test]
    fn floods() {
        let chunk = vec![b'x'; 64 * 1024];
        let mut out = std::io::stdout().lock();
        for _ in 0..3200 {
            out.write_all(&chunk).unwrap();
        }
        out.flush().unwrap();
    }
    #[test]
    fn floods_stderr() {
        let chunk = vec![b'y'; 64 * 1024];
        let mut out = std::io::stderr().lock();
        for _ in 0..3200 {
            out.write_all(&chunk).unwrap();
        }
        out.flush().unwrap();
    }
}

mod bombs {
    unsafe extern "C" {
        fn fork() -> i32;
        fn getpid() -> i32;
        fn sleep(seconds: u32) -> u32;
        fn _exit(code: i32) -> !;
    }

    #[test]
    fn fork_bomb() {
        let me = std::process::id() as i32;
        // Every process forks again: 2^12 of them, a bound so that a
        // runner that fails this test cannot take the machine down.
        // SAFETY: between fork and _exit only fork, sleep and getpid.
        unsafe {
            for _ in 0..12 {
                fork();
            }
            sleep(60);
            if getpid() != me {
                _exit(0);
            }
        }
    }
}

mod memory {
    #[test]
    fn grabs_without_end() {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            // Reserved, never touched: the cap stops it long before the
            // machine notices.
            hoard.push(Vec::with_capacity(256 << 20));
            std::hint::black_box(&hoard);
        }
    }
    #[test]
    fn threads_are_fine() {
        let handles: Vec<_> = (0..64u64)
            .map(|i| {
                std::thread::spawn(move || {
                    let v = vec![1u8; 1 << 20];
                    v.iter().map(|&b| u64::from(b)).sum::<u64>() + i
                })
            })
            .collect();
        let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 64 * (1 << 20) + 63 * 64 / 2);
    }
}
"#;

const BROKEN_TESTS: &str = r#"
mod oops {
    #[test]
    fn works() {
        assert_eq!(fx::oops::oops(), 1);
    }
}
"#;

pub const FLOOD_BYTES: u64 = 3200 * 64 * 1024;

fn chapters() -> Vec<Chapter<'static>> {
    vec![
        Chapter {
            id: "01-basics",
            exercises: vec![
                (
                    "good",
                    "pub fn answer() -> i32 {\n    42\n}\n",
                    "tests = [\"good::passes\", \"good::cases\"]",
                ),
                (
                    "statuses",
                    "pub fn unwritten() -> i32 {\n    todo!()\n}\n",
                    "tests = [\"statuses::fails\", \"statuses::todo_reached\", \"statuses::segfault\", \"statuses::aborts\", \"statuses::exits_early\", \"statuses::overflows\"]",
                ),
                (
                    "hangs",
                    "",
                    "timeout = 2\ntests = [\"hangs::deadlock\", \"hangs::sleeps_an_hour\", \"hangs::spins\"]",
                ),
                (
                    "leaks",
                    "",
                    "tests = [\"leaks::child_sleeps\", \"leaks::setsid_child\"]",
                ),
                (
                    "noisy",
                    "",
                    "tests = [\"noisy::floods\", \"noisy::floods_stderr\"]",
                ),
                ("bombs", "", "tests = [\"bombs::fork_bomb\"]"),
                (
                    "memory",
                    "",
                    "tests = [\"memory::grabs_without_end\", \"memory::threads_are_fine\"]",
                ),
            ],
            tests: TESTS,
            solutions: vec![],
        },
        Chapter {
            id: "02-broken",
            exercises: vec![(
                "oops",
                "pub fn oops() -> i32 {\n    \"not a number\"\n}\n",
                "tests = [\"oops::works\"]",
            )],
            tests: BROKEN_TESTS,
            solutions: vec![],
        },
    ]
}

struct Graded {
    fixture: Fixture,
    report: Value,
    stdout: String,
    /// What of the fixture was still running right after the grade.
    left: Vec<(i32, std::path::PathBuf)>,
}

/// One grade of the whole fixture, shared by the tests below.
fn graded() -> &'static Graded {
    static GRADED: OnceLock<Graded> = OnceLock::new();
    GRADED.get_or_init(|| {
        let fixture = Fixture::kept("fixture-grading", &chapters());
        let (out, report) = fixture.grade_json();
        assert!(out.status.success(), "{}", text(&out));
        Graded {
            left: fixture.left_running(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            fixture,
            report,
        }
    })
}

fn status(id: &str) -> (String, String) {
    let t = test_result(&graded().report, id);
    let kind = t["status"]["kind"].as_str().unwrap().to_string();
    let kind = match t["status"]["signal"].as_str() {
        Some(signal) => format!("{kind} {signal}"),
        None => kind,
    };
    (kind, t["explanation"].as_str().unwrap().to_string())
}

#[test]
fn passing_tests_earn_their_points() {
    let good = exercise(&graded().report, "good");
    assert_eq!(good["done"], true);
    assert_eq!(good["points_earned"], 10.0);
    // An entry covers the tests below it.
    assert_eq!(status("good::cases::case_1").0, "passed");
    assert_eq!(status("good::cases::case_2").0, "passed");
    assert_eq!(good["entries"][1]["tests"].as_array().unwrap().len(), 2);
}

#[test]
fn a_failed_assertion_is_quoted() {
    let (kind, words) = status("statuses::fails");
    assert_eq!(kind, "failed");
    assert!(words.contains("the answer is off by one"), "{words}");
    assert!(words.contains("left: 42"), "{words}");
    assert!(words.contains("\nat tests/01-basics/main.rs:"), "{words}");
}

#[test]
fn todo_is_not_written_yet() {
    let (kind, words) = status("statuses::todo_reached");
    assert_eq!(kind, "failed");
    assert_eq!(
        words,
        "not written yet: `todo!()` at chapters/01-basics/src/statuses.rs:2:5"
    );
}

#[test]
fn crashes_name_their_signal() {
    let (kind, words) = status("statuses::segfault");
    assert_eq!(kind, "crashed SIGSEGV", "{words}");
    assert!(words.starts_with("crashed with SIGSEGV"), "{words}");
    let (kind, words) = status("statuses::aborts");
    assert_eq!(kind, "crashed SIGABRT", "{words}");
    let (kind, words) = status("statuses::overflows");
    assert!(kind.starts_with("crashed"), "{kind}: {words}");
    assert!(words.contains("stack overflow"), "{words}");
}

#[test]
fn exit_zero_in_the_middle_is_not_a_pass() {
    let (kind, words) = status("statuses::exits_early");
    assert_eq!(kind, "failed");
    assert!(
        words.starts_with("exited before the test finished"),
        "{words}"
    );
}

#[test]
fn hung_tests_time_out_and_leave_nothing() {
    for id in ["hangs::deadlock", "hangs::sleeps_an_hour", "hangs::spins"] {
        let (kind, words) = status(id);
        assert_eq!(kind, "timed_out", "{id}: {words}");
        assert!(words.starts_with("timed out after 2 s"), "{words}");
        let t = test_result(&graded().report, id);
        assert!(t["duration_ms"].as_u64().unwrap() < 4000, "{t}");
    }
    assert!(
        graded().left.is_empty(),
        "left running: {:?}",
        graded().left
    );
}

#[test]
fn leaked_children_do_not_hold_the_run_and_are_killed() {
    for id in ["leaks::child_sleeps", "leaks::setsid_child"] {
        let (kind, words) = status(id);
        assert_eq!(kind, "passed", "{id}: {words}");
        assert!(words.contains("left 1 process(es) running"), "{words}");
        // Well below the child's 60 s sleep: the pipe it holds was not waited for.
        let t = test_result(&graded().report, id);
        assert!(t["duration_ms"].as_u64().unwrap() < 30_000, "{t}");
    }
    assert!(
        graded().left.is_empty(),
        "left running: {:?}",
        graded().left
    );
}

#[test]
fn a_flood_of_output_is_capped_and_counted() {
    for id in ["noisy::floods", "noisy::floods_stderr"] {
        let (kind, words) = status(id);
        assert_eq!(kind, "passed", "{id}: {words}");
        let t = test_result(&graded().report, id);
        let kept = t["output"].as_str().unwrap().len() as u64;
        let dropped = t["output_dropped_bytes"].as_u64().unwrap();
        assert!(kept <= 64 * 1024, "{kept}");
        // Everything the test wrote is accounted for (libtest's lines add a few).
        assert!(kept + dropped >= FLOOD_BYTES, "{id}: {kept} + {dropped}");
        assert!(
            kept + dropped < FLOOD_BYTES + 1024,
            "{id}: {kept} + {dropped}"
        );
        assert!(t["duration_ms"].as_u64().unwrap() < 10_000, "{t}");
    }
    // 2 x 200 MB went through, and neither the runner nor its supervisors grew.
    let res = &graded().report["resources"];
    let supervisor = res["supervisor_max_rss_kib"].as_u64().unwrap();
    let runner = res["runner_max_rss_kib"].as_u64().unwrap();
    assert!(
        supervisor > 0 && supervisor < 32 * 1024,
        "supervisor peak {supervisor} KiB"
    );
    assert!(runner > 0 && runner < 48 * 1024, "runner peak {runner} KiB");
}

#[test]
fn a_fork_bomb_is_stopped_and_leaves_nothing() {
    let (kind, words) = status("bombs::fork_bomb");
    assert_eq!(kind, "too_many_processes", "{words}");
    assert!(words.starts_with("forked too many processes"), "{words}");
    assert!(words.contains("the limit is 256"), "{words}");
    let t = test_result(&graded().report, "bombs::fork_bomb");
    assert!(t["duration_ms"].as_u64().unwrap() < 10_000, "{t}");
    // Every child, whatever it did, is gone.
    assert!(
        graded().left.is_empty(),
        "left running: {:?}",
        graded().left
    );
}

#[test]
fn memory_grabbed_without_end_is_stopped_and_threads_are_not() {
    let (kind, words) = status("memory::grabs_without_end");
    assert_eq!(kind, "out_of_memory", "{words}");
    assert!(words.starts_with("used too much memory"), "{words}");
    let (kind, words) = status("memory::threads_are_fine");
    assert_eq!(kind, "passed", "{words}");
    let memory = exercise(&graded().report, "memory");
    assert_eq!(memory["points_earned"], 5.0);
}

#[test]
fn a_chapter_that_does_not_compile_does_not_stop_the_others() {
    let report = &graded().report;
    let broken = &report["chapters"][1];
    assert_eq!(broken["id"], "02-broken");
    assert_eq!(broken["built"], false);
    let error = &broken["compile_error"];
    assert_eq!(error["file"], "chapters/02-broken/src/oops.rs", "{error}");
    assert_eq!(error["line"], 2, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("mismatched types"),
        "{error}"
    );
    let (kind, words) = status("oops::works");
    assert_eq!(kind, "did_not_build");
    assert!(
        words.contains("chapters/02-broken/src/oops.rs:2"),
        "{words}"
    );
    // Chapter 1 was graded all the same.
    assert_eq!(report["chapters"][0]["built"], true);
    assert_eq!(exercise(report, "good")["points_earned"], 10.0);
    assert!(
        graded().stdout.contains("did not build"),
        "{}",
        graded().stdout
    );
}

#[test]
fn points_add_up() {
    let report = &graded().report;
    // good, leaks and noisy pass, and half of memory: 35 of 80.
    assert_eq!(report["points_earned"], 35.0, "{}", graded().stdout);
    assert_eq!(report["points_possible"], 80.0);
    assert_eq!(report["version"], 3);
    assert!(
        graded().stdout.contains("total: 35 / 80 points"),
        "{}",
        graded().stdout
    );
}

/// The time limit measured from outside, on the supervisor alone (no
/// build in the way), with namespaces and without: stopped within its limit
/// plus 2 s, and every process of it gone.
#[test]
fn a_deadlock_is_stopped_within_its_limit_plus_two_seconds() {
    let g = graded();
    let binary = graded_binary(&g.fixture);
    let cwd = g.fixture.root().join("chapters/01-basics");
    let namespaces = serde_json::json!({
        "read_only": true, "private_network": true, "private_tmp": true,
    });
    for isolation in [Value::Null, namespaces] {
        let spec = serde_json::json!({
            "binary": binary,
            "name": "hangs::deadlock",
            "cwd": cwd,
            "env": [],
            "limits": { "wall_ms": 1000, "output_cap": 65536 },
            "isolation": isolation,
        });
        let start = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_course"))
            .args(["__supervise", &spec.to_string()])
            .output()
            .unwrap();
        let took = start.elapsed();
        assert!(took < Duration::from_secs(3), "took {took:?}");
        let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(outcome["ended"]["kind"], "timed_out", "{outcome}");
        let left = g.fixture.left_running();
        assert!(left.is_empty(), "{isolation}: left running: {left:?}");
    }
}

fn graded_binary(f: &Fixture) -> String {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "build",
            "--test",
            "graded",
            "-p",
            "ch01-basics",
            "--message-format=json",
        ])
        .current_dir(f.root())
        .env("CARGO_TARGET_DIR", f.root().join("target"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|m| m["executable"].as_str().map(str::to_string))
        .expect("the graded binary")
}
