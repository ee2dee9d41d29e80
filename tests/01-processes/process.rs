use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use forklings_support::sched::cpu_of_this_thread;
use forklings_support::{Redactor, procs, snapshot_settings, within};
use nix::sys::signal::{Signal, raise};
use nix::unistd::{getpid, getppid, pause, pipe};
use processes::fork_wait::ChildExit;
use processes::process::{Process, ProcessError, State, exitcode_of};
use rstest::rstest;

use crate::bystander::Bystander;

const LIMIT: Duration = Duration::from_secs(5);

/// A child target that blocks until the test writes a byte to the returned
/// `File`. The test releases it by writing, never by closing: another test's
/// child, forked meanwhile, may hold a copy of the write end.
fn blocked_until_released() -> (impl FnOnce() -> i32 + Send + 'static, File) {
    let (read_end, write_end) = pipe().expect("pipe");
    let target = move || {
        let mut byte = [0u8; 1];
        match File::from(read_end).read(&mut byte) {
            Ok(1) => 0,
            _ => 2,
        }
    };
    (target, File::from(write_end))
}

fn release(mut gate: File) {
    gate.write_all(b"!").expect("release the child");
}

fn forever() -> i32 {
    loop {
        pause();
    }
}

#[rstest]
#[case::exited_zero(ChildExit::Exited(0), 0)]
#[case::exited_three(ChildExit::Exited(3), 3)]
#[case::terminated(ChildExit::Signaled(Signal::SIGTERM), -15)]
#[case::killed(ChildExit::Signaled(Signal::SIGKILL), -9)]
fn exitcode_follows_pythons_sign_convention(#[case] exit: ChildExit, #[case] expected: i32) {
    assert_eq!(exitcode_of(exit), expected);
}

#[test]
fn join_before_start_is_an_error() {
    let mut p = Process::new("idle", || 0);
    assert_eq!(p.join(), Err(ProcessError::NotStarted));
    assert_eq!(
        p.join_timeout(Duration::from_millis(1)),
        Err(ProcessError::NotStarted)
    );
    assert_eq!(p.terminate(), Err(ProcessError::NotStarted));
    assert_eq!(p.state(), State::NotStarted);
    assert!(!p.is_alive());
    assert_eq!(p.pid(), None);
    assert_eq!(p.exitcode(), None);
}

#[test]
fn start_twice_is_an_error() {
    let code = within(LIMIT, "start, start, join", || {
        let mut p = Process::new("once", || 4);
        p.start().expect("first start");
        let again = p.start();
        let daemon_after_start = p.set_daemon(true);
        (again, daemon_after_start, p.join())
    });
    assert_eq!(code.0, Err(ProcessError::AlreadyStarted));
    assert_eq!(
        code.1,
        Err(ProcessError::AlreadyStarted),
        "set_daemon only before start"
    );
    assert_eq!(code.2, Ok(4));
}

#[rstest]
#[case::returns_zero(|| 0, 0)]
#[case::returns_seven(|| 7, 7)]
#[case::panics_like_an_uncaught_exception(|| panic!("boom"), 1)]
#[case::killed_by_a_signal(|| { let _ = raise(Signal::SIGKILL); 0 }, -9)]
fn join_returns_the_exitcode(#[case] target: fn() -> i32, #[case] expected: i32) {
    let (code, later) = within(LIMIT, "start and join", move || {
        let mut p = Process::new("worker", target);
        p.start().expect("start");
        let code = p.join();
        (code, (p.exitcode(), p.state(), p.is_alive(), p.join()))
    });
    assert_eq!(code, Ok(expected));
    assert_eq!(
        later,
        (Some(expected), State::Finished, false, Ok(expected)),
        "after join: exitcode, state, is_alive and a second join"
    );
}

#[test]
fn join_timeout_gives_up_while_the_child_runs() {
    let (target, gate) = blocked_until_released();
    let (first, waited, alive, state, code_before, then) =
        within(LIMIT, "join_timeout", move || {
            let mut p = Process::new("sleeper", target);
            p.start().expect("start");
            let started = Instant::now();
            let first = p.join_timeout(Duration::from_millis(100));
            let waited = started.elapsed();
            let alive = p.is_alive();
            let state = p.state();
            let code_before = p.exitcode();
            release(gate);
            // Far beyond LIMIT: a join_timeout that sleeps out its timeout
            // before looking fails.
            let then = p.join_timeout(Duration::from_secs(600));
            (first, waited, alive, state, code_before, then)
        });
    assert_eq!(first, Ok(None), "the child was still blocked");
    assert!(
        waited >= Duration::from_millis(100),
        "join_timeout(100 ms) returned after {waited:?}: it must wait out its timeout"
    );
    assert!(alive, "is_alive while the child runs");
    assert_eq!(state, State::Running);
    assert_eq!(code_before, None, "no exitcode while running");
    assert_eq!(then, Ok(Some(0)), "released, the child exits with 0");
}

#[test]
fn join_timeout_sleeps_while_it_waits() {
    // waitpid has no timeout, so join_timeout may look again and again; it
    // must sleep between looks. A loop that looks without sleeping burns a
    // core for the whole second, and uses most of it even when the machine
    // is busy.
    let (target, gate) = blocked_until_released();
    let (first, cpu) = within(LIMIT, "join_timeout", move || {
        let mut p = Process::new("sleeper", target);
        p.start().expect("start");
        let before = cpu_of_this_thread();
        let first = p.join_timeout(Duration::from_secs(1));
        let cpu = cpu_of_this_thread().saturating_sub(before);
        release(gate);
        let _ = p.join_timeout(Duration::from_secs(600));
        (first, cpu)
    });
    assert_eq!(first, Ok(None), "the child was still blocked");
    assert!(
        cpu <= Duration::from_millis(150),
        "join_timeout(1 s) on a running child used {cpu:?} of CPU: sleep between two looks \
         (a few milliseconds, or longer and longer), do not spin on waitpid"
    );
}

#[test]
fn start_returns_while_the_child_runs() {
    let (target, gate) = blocked_until_released();
    let (pid, alive, state) = within(
        LIMIT,
        "start (it must return at once, not wait for the child)",
        move || {
            let mut p = Process::new("busy", target);
            p.start().expect("start");
            let pid = p.pid().expect("a pid once started");
            let running = procs::is_running(pid.as_raw());
            let alive = p.is_alive();
            let state = p.state();
            release(gate);
            assert_eq!(p.join(), Ok(0), "released, the child exits with 0");
            (pid, (running, alive), state)
        },
    );
    assert_eq!(
        alive,
        (true, true),
        "(the child {pid} running, is_alive()) right after start"
    );
    assert_eq!(state, State::Running);
}

/// Ends at once: by the time the test looks, it is a zombie nobody reaped.
fn ends_at_once() -> i32 {
    3
}

/// Starts a child that exits at once and waits, without asking the handle,
/// until it is a zombie: ended, not yet reaped.
fn finished_but_not_reaped() -> Process {
    let mut p = Process::new("ended", ends_at_once);
    p.start().expect("start");
    let pid = p.pid().expect("a pid once started").as_raw();
    assert!(
        procs::eventually(LIMIT, || procs::is_zombie(pid)),
        "the child {pid} did not end"
    );
    p
}

#[test]
fn a_finished_child_is_not_alive_even_before_it_is_reaped() {
    // Each question first asked of a fresh zombie: is_alive, state, exitcode.
    // A zombie still answers kill(pid, 0): that is no sign of life.
    let seen = within(LIMIT, "questions to a finished child", || {
        let mut first = finished_but_not_reaped();
        let a = (first.is_alive(), first.state(), first.exitcode());
        let mut second = finished_but_not_reaped();
        let b = (second.state(), second.is_alive(), second.exitcode());
        let mut third = finished_but_not_reaped();
        let c = (third.exitcode(), third.is_alive(), third.state());
        let joins = [first.join(), second.join(), third.join(), third.join()];
        let pids = [first.pid(), second.pid(), third.pid()];
        (a, b, c, joins, pids)
    });
    assert_eq!(
        seen.0,
        (false, State::Finished, Some(3)),
        "(is_alive, state, exitcode) of a child that has ended"
    );
    assert_eq!(seen.1, (State::Finished, false, Some(3)));
    assert_eq!(seen.2, (Some(3), false, State::Finished));
    assert_eq!(
        seen.3,
        [Ok(3), Ok(3), Ok(3), Ok(3)],
        "join after is_alive, state or exitcode, and join again"
    );
    for pid in seen.4 {
        let pid = pid.expect("a pid once started");
        assert_eq!(
            procs::state(pid.as_raw()),
            None,
            "child {pid} left a zombie"
        );
    }
}

#[test]
fn join_waits_for_its_own_child_only() {
    // Another child of ours has already ended: a wait for any child would
    // take it in place of the process's own.
    let (codes, bystander) = within(LIMIT, "join and join_timeout", || {
        let bystander = Bystander::new();
        let mut joined = Process::new("joined", || 5);
        joined.start().expect("start");
        let mut timed = Process::new("timed", || {
            std::thread::sleep(Duration::from_millis(50));
            6
        });
        timed.start().expect("start");
        let codes = (joined.join(), timed.join_timeout(Duration::from_secs(600)));
        (codes, bystander)
    });
    assert_eq!(codes, (Ok(5), Ok(Some(6))));
    bystander.assert_untouched("join or join_timeout");
}

#[rstest]
#[case::terminate(Signal::SIGTERM, -15)]
#[case::kill(Signal::SIGKILL, -9)]
fn stopping_a_child_gives_a_negative_exitcode(#[case] signal: Signal, #[case] expected: i32) {
    let (code, pid) = within(LIMIT, "stop and join", move || {
        let mut p = Process::new("victim", forever);
        p.start().expect("start");
        match signal {
            Signal::SIGTERM => p.terminate().expect("terminate"),
            _ => p.kill().expect("kill"),
        }
        (p.join(), p.pid().expect("a pid once started"))
    });
    assert_eq!(code, Ok(expected));
    assert_eq!(procs::state(pid.as_raw()), None, "joined means reaped");
}

#[test]
fn pid_and_name_are_the_childs() {
    let (read_end, write_end) = pipe().expect("pipe");
    let me = getpid();
    let (name, pid, reported, parent_ok) = within(LIMIT, "start, report pid", move || {
        let write_end: OwnedFd = write_end;
        let mut p = Process::new("reporter", move || {
            let mut out = File::from(write_end);
            let line = format!("{}\n", getpid());
            let ok = out.write_all(line.as_bytes()).is_ok();
            i32::from(ok && getppid() == me)
        });
        p.start().expect("start");
        let mut line = String::new();
        let mut input = File::from(read_end);
        let mut byte = [0u8; 1];
        while input.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            line.push(byte[0] as char);
        }
        let code = p.join();
        (p.name().to_string(), p.pid(), line, code == Ok(1))
    });
    assert_eq!(name, "reporter");
    let pid = pid.expect("a pid once started");
    assert_eq!(reported, pid.to_string(), "the child's getpid() is pid()");
    assert_ne!(pid, me);
    assert!(
        parent_ok,
        "the child's parent is the process that started it"
    );
}

#[test]
fn dropping_a_daemon_child_stops_and_reaps_it() {
    let pid = within(LIMIT, "drop a daemon process", || {
        let mut p = Process::new("background", forever);
        p.set_daemon(true).expect("set_daemon before start");
        assert!(p.daemon());
        p.start().expect("start");
        let pid = p.pid().expect("a pid once started");
        drop(p);
        pid
    });
    assert_eq!(
        procs::state(pid.as_raw()),
        None,
        "a daemon child is stopped and reaped when its handle is dropped"
    );
}

#[test]
fn dropping_a_running_child_neither_blocks_nor_leaves_a_zombie() {
    let (target, gate) = blocked_until_released();
    let pid = within(LIMIT, "drop a running process", move || {
        let mut p = Process::new("outlives", target);
        p.start().expect("start");
        let pid = p.pid().expect("a pid once started");
        drop(p);
        pid
    });
    assert!(
        procs::is_running(pid.as_raw()),
        "a non-daemon child outlives its handle"
    );
    release(gate);
    assert!(
        procs::eventually(LIMIT, || procs::state(pid.as_raw()).is_none()),
        "once it ended, the dropped child {pid} must be reaped, not left a zombie (state {:?})",
        procs::state(pid.as_raw())
    );
}

#[test]
fn display_reads_like_pythons_repr() {
    let (target, gate) = blocked_until_released();
    let text = within(LIMIT, "processes in every state", move || {
        let mut lines = Vec::new();
        let mut idle = Process::new("idle", || 0);
        idle.set_daemon(true).expect("set_daemon");
        lines.push(idle.to_string());
        let mut running = Process::new("running", target);
        running.start().expect("start");
        lines.push(running.to_string());
        let mut seven = Process::new("seven", || 7);
        seven.start().expect("start");
        seven.join().expect("join");
        lines.push(seven.to_string());
        let mut victim = Process::new("victim", forever);
        victim.start().expect("start");
        victim.terminate().expect("terminate");
        victim.join().expect("join");
        lines.push(victim.to_string());
        release(gate);
        running.join().expect("join");
        let pids = [running.pid(), seven.pid(), victim.pid()].map(|p| p.expect("pid").as_raw());
        (lines.join("\n"), pids)
    });
    let (text, [running, seven, victim]) = text;
    let text = Redactor::new()
        .pid(running, "running")
        .pid(seven, "seven")
        .pid(victim, "victim")
        .pid(getpid().as_raw(), "parent")
        .apply(&text);
    snapshot_settings().bind(|| insta::assert_snapshot!("display", text));
}
