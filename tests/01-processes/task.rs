use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::time::Duration;

use forklings_support::{procs, within};
use nix::sys::signal::{Signal, raise};
use nix::unistd::{getpid, pipe};
use processes::process::ProcessError;
use processes::task::{Task, TaskProcess, spawn_task};
use rstest::rstest;

use crate::bystander::Bystander;

const LIMIT: Duration = Duration::from_secs(5);

/// Python's classic example: a subclass with state that `run` changes.
struct Counter {
    count: i32,
    log: Vec<String>,
}

impl Task for Counter {
    fn run(&mut self) -> i32 {
        self.count += 5;
        self.log.push(format!("ran, count is {}", self.count));
        self.count
    }
}

fn counter() -> Counter {
    Counter {
        count: 10,
        log: Vec::new(),
    }
}

#[test]
fn child_changes_do_not_reach_the_parent() {
    let (code, count, log) = within(LIMIT, "spawn_task and join", || {
        let mut process = spawn_task(counter()).expect("spawn_task");
        let code = process.join();
        (code, process.task().count, process.task().log.clone())
    });
    assert_eq!(code, Ok(15), "run() in the child saw 10 and made it 15");
    assert_eq!(count, 10, "the parent's copy of the task is unchanged");
    assert!(log.is_empty(), "the parent's log is unchanged: {log:?}");
}

#[test]
fn run_here_changes_this_process() {
    let mut process = TaskProcess::new(counter());
    assert_eq!(process.run_here(), 15);
    assert_eq!(process.task().count, 15, "run_here runs in this process");
    assert_eq!(process.pid(), None, "run_here starts no process");
    let task = process.into_task();
    assert_eq!(task.log, ["ran, count is 15"]);
}

/// A task that reports the PID it runs in through a pipe.
struct WhereAmI {
    out: Option<OwnedFd>,
}

impl Task for WhereAmI {
    fn run(&mut self) -> i32 {
        let Some(fd) = self.out.take() else { return 2 };
        let line = format!("{}\n", getpid());
        i32::from(File::from(fd).write_all(line.as_bytes()).is_err())
    }
}

#[test]
fn run_executes_in_the_child() {
    let (read_end, write_end) = pipe().expect("pipe");
    let (pid, reported, code) = within(LIMIT, "start and join", move || {
        let mut process = TaskProcess::new(WhereAmI {
            out: Some(write_end),
        });
        let pid = process.start().expect("start");
        // Read up to the newline: the parent still holds a copy of the write
        // end (in its copy of the task), so end of file would never come.
        let mut input = File::from(read_end);
        let mut line = String::new();
        let mut byte = [0u8; 1];
        while input.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            line.push(byte[0] as char);
        }
        (pid, line, process.join())
    });
    assert_eq!(code, Ok(0));
    assert_eq!(reported, pid.to_string(), "run() ran in the child {pid}");
    assert_ne!(pid, getpid());
}

struct Ends(fn() -> i32);

impl Task for Ends {
    fn run(&mut self) -> i32 {
        (self.0)()
    }
}

#[rstest]
#[case::returns_three(|| 3, 3)]
#[case::panics(|| panic!("run failed"), 1)]
#[case::terminated(|| { let _ = raise(Signal::SIGTERM); 0 }, -15)]
#[case::killed(|| { let _ = raise(Signal::SIGKILL); 0 }, -9)]
fn join_gives_pythons_exitcode(#[case] body: fn() -> i32, #[case] expected: i32) {
    let code = within(LIMIT, "spawn_task and join", move || {
        spawn_task(Ends(body)).expect("spawn_task").join()
    });
    assert_eq!(code, Ok(expected));
}

#[test]
fn join_before_start_and_start_twice_are_errors() {
    let (before, twice, joined) = within(LIMIT, "join, start, start", || {
        let mut process = TaskProcess::new(Ends(|| 0));
        let before = process.join();
        process.start().expect("start");
        let twice = process.start().map(|_| ());
        (before, twice, process.join())
    });
    assert_eq!(before, Err(ProcessError::NotStarted));
    assert_eq!(twice, Err(ProcessError::AlreadyStarted));
    assert_eq!(joined, Ok(0));
}

#[test]
fn join_twice_gives_the_same_code() {
    let codes = within(LIMIT, "spawn_task, join, join", || {
        let mut process = spawn_task(Ends(|| 3)).expect("spawn_task");
        [process.join(), process.join()]
    });
    assert_eq!(
        codes,
        [Ok(3), Ok(3)],
        "a second join gives the same code (the child was reaped by the first)"
    );
}

/// A task that blocks in `run` until the test writes a byte to its pipe.
struct Blocked {
    gate: Option<OwnedFd>,
}

impl Task for Blocked {
    fn run(&mut self) -> i32 {
        let Some(fd) = self.gate.take() else { return 2 };
        let mut byte = [0u8; 1];
        match File::from(fd).read(&mut byte) {
            Ok(1) => 0,
            _ => 2,
        }
    }
}

#[test]
fn start_returns_while_run_is_still_running() {
    let (read_end, write_end) = pipe().expect("pipe");
    let (running, code) = within(
        LIMIT,
        "start (it must return at once, not wait for run to finish)",
        move || {
            let mut process = TaskProcess::new(Blocked {
                gate: Some(read_end),
            });
            let pid = process.start().expect("start");
            let running = procs::is_running(pid.as_raw());
            // Released by a byte, not by a close: the parent's copy of the
            // task still holds the read end, and so may other children.
            File::from(write_end)
                .write_all(b"!")
                .expect("release the task");
            (running, process.join())
        },
    );
    assert!(running, "right after start, the child still runs `run`");
    assert_eq!(code, Ok(0));
}

#[test]
fn join_waits_for_its_own_child_only() {
    let (code, bystander) = within(LIMIT, "spawn_task and join", || {
        let bystander = Bystander::new();
        (
            spawn_task(Ends(|| 4)).expect("spawn_task").join(),
            bystander,
        )
    });
    assert_eq!(code, Ok(4), "join reported another child's end");
    bystander.assert_untouched("join");
}
