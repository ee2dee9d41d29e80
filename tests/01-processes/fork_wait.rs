use std::time::Duration;

use forklings_support::{Redactor, procs, snapshot_settings, within};
use nix::sys::signal::{Signal, raise};
use nix::unistd::{getpid, getppid};
use processes::fork_wait::{ChildExit, describe, run_in_child};
use rstest::rstest;

use crate::bystander::Bystander;
use crate::interrupts::interrupted;

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn child_changes_only_its_copy() {
    let (seen_by_parent, exit) = within(LIMIT, "run_in_child", || {
        let mut counter = 10;
        let (_, exit) = run_in_child(|| {
            counter += 5;
            counter
        })
        .expect("run_in_child returned an error");
        (counter, exit)
    });
    assert_eq!(
        exit,
        ChildExit::Exited(15),
        "the child's copy went from 10 to 15"
    );
    assert_eq!(seen_by_parent, 10, "the parent's counter must not change");
}

#[rstest]
#[case::zero(0, 0)]
#[case::one(1, 1)]
#[case::largest(255, 255)]
#[case::only_the_low_byte(300, 44)]
fn exit_codes_come_back(#[case] code: i32, #[case] expected: i32) {
    let exit = within(LIMIT, "run_in_child", move || run_in_child(move || code));
    assert_eq!(
        exit.expect("run_in_child returned an error").1,
        ChildExit::Exited(expected)
    );
}

#[test]
fn death_by_signal_is_reported() {
    let (_, exit) = within(LIMIT, "run_in_child", || {
        run_in_child(|| {
            let _ = raise(Signal::SIGKILL);
            0
        })
    })
    .expect("run_in_child returned an error");
    assert_eq!(exit, ChildExit::Signaled(Signal::SIGKILL));
}

#[test]
fn child_is_reaped() {
    let (pid, _) = within(LIMIT, "run_in_child", || run_in_child(|| 0))
        .expect("run_in_child returned an error");
    assert_ne!(pid, getpid(), "the PID returned is the child's, not ours");
    assert_eq!(
        procs::state(pid.as_raw()),
        None,
        "child {pid} is still in the process table: nobody reaped it"
    );
}

#[test]
fn waits_for_its_own_child_only() {
    // Another child of ours has already ended: a wait for any child would
    // take it, and its exit code, in place of the one just forked.
    let ((pid, exit), bystander) = within(LIMIT, "run_in_child", || {
        let bystander = Bystander::new();
        (
            run_in_child(|| 15).expect("run_in_child returned an error"),
            bystander,
        )
    });
    assert_eq!(
        exit,
        ChildExit::Exited(15),
        "run_in_child reported another child's end"
    );
    assert_eq!(
        procs::state(pid.as_raw()),
        None,
        "child {pid} was not reaped"
    );
    bystander.assert_untouched("run_in_child");
}

#[test]
fn a_wait_cut_short_by_a_signal_goes_on() {
    // The child takes a while; meanwhile signals keep interrupting the
    // parent's waitpid, which then fails with EINTR and must be retried.
    let ((pid, exit), sent) = within(LIMIT, "run_in_child under signals", || {
        let (result, sent) = interrupted(Duration::from_millis(2), || {
            run_in_child(|| {
                std::thread::sleep(Duration::from_millis(300));
                7
            })
        });
        (
            result.expect("run_in_child failed (EINTR must be retried)"),
            sent,
        )
    });
    assert!(sent > 10, "only {sent} signals were sent");
    assert_eq!(exit, ChildExit::Exited(7));
    assert_eq!(
        procs::state(pid.as_raw()),
        None,
        "child {pid} was not reaped"
    );
}

#[test]
fn parent_of_the_child_is_us() {
    let me = getpid();
    let (_, exit) = within(LIMIT, "run_in_child", move || {
        run_in_child(move || i32::from(getppid() == me))
    })
    .expect("run_in_child returned an error");
    assert_eq!(
        exit,
        ChildExit::Exited(1),
        "in the child, getppid() must be the forking process"
    );
}

#[test]
fn describe_reads_like_a_log() {
    let (pid, exit) = within(LIMIT, "run_in_child", || run_in_child(|| 3))
        .expect("run_in_child returned an error");
    let killed = describe(pid, ChildExit::Signaled(Signal::SIGTERM));
    let text = format!("{}\n{killed}", describe(pid, exit));
    let text = Redactor::new().pid(pid.as_raw(), "child").apply(&text);
    snapshot_settings().bind(|| insta::assert_snapshot!("describe", text));
}
