use std::time::Duration;

use forklings_support::{Redactor, procs, snapshot_settings, within};
use nix::unistd::getpid;
use processes::fork_wait::ChildExit;
use processes::zombies::{Adoption, orphan_adoption, reap_all, spawn_exiting};

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn exited_children_are_zombies_until_reaped() {
    let children = within(LIMIT, "spawn_exiting", || spawn_exiting(&[0, 3, 7])).expect("fork");
    assert_eq!(children.len(), 3);
    let raw: Vec<i32> = children.iter().map(|p| p.as_raw()).collect();
    let all_zombies = procs::eventually(LIMIT, || raw.iter().all(|&pid| procs::is_zombie(pid)));
    let states: Vec<_> = raw.iter().map(|&pid| procs::state(pid)).collect();
    assert!(
        all_zombies,
        "exited, not yet waited for: each child should be a zombie (Z), got {states:?}"
    );
    let to_reap = children.clone();
    let exits = within(LIMIT, "reap_all", move || reap_all(&to_reap)).expect("reap_all");
    let mut text = String::new();
    let mut redact = Redactor::new();
    for (n, ((&pid, state), exit)) in raw.iter().zip(&states).zip(&exits).enumerate() {
        let after = procs::state(pid);
        text.push_str(&format!(
            "child {pid}: state {state:?} before reaping, {exit:?}, state {after:?} after\n"
        ));
        redact = redact.pid(pid, &format!("child {n}"));
    }
    let text = redact.apply(&text);
    snapshot_settings().bind(|| insta::assert_snapshot!("reaped", text));
}

#[test]
fn reap_all_reaps_only_the_children_it_is_given() {
    let (first, second) = within(LIMIT, "spawn_exiting twice", || {
        (spawn_exiting(&[1]), spawn_exiting(&[2, 4]))
    });
    let (first, second) = (first.expect("fork"), second.expect("fork"));
    let all: Vec<i32> = first.iter().chain(&second).map(|p| p.as_raw()).collect();
    assert!(procs::eventually(LIMIT, || all
        .iter()
        .all(|&p| procs::is_zombie(p))));
    let to_reap = second.clone();
    let exits = within(LIMIT, "reap_all", move || reap_all(&to_reap)).expect("reap_all");
    assert_eq!(
        exits,
        [ChildExit::Exited(2), ChildExit::Exited(4)],
        "in the order given"
    );
    assert!(
        procs::is_zombie(first[0].as_raw()),
        "reap_all reaped a child it was not given"
    );
    let to_reap = first.clone();
    let exits = within(LIMIT, "reap_all", move || reap_all(&to_reap)).expect("reap_all");
    assert_eq!(exits, [ChildExit::Exited(1)]);
    for pid in all {
        assert_eq!(procs::state(pid), None, "child {pid} left behind");
    }
}

/// Keeps this thread, and every process it forks, on the one CPU it runs on
/// now, under `SCHED_BATCH`, where a process that is woken up does not
/// preempt the one that woke it. The grandchild that tells the child "go"
/// then keeps the CPU: if it looks at its parent right away, instead of
/// waiting for the change, it still sees the child. Without rights to do
/// this (both calls need none on Linux), the test runs as it is.
fn woken_processes_wait_their_turn() {
    // SAFETY: plain system calls on this thread's own settings, with a
    // zeroed cpu_set_t and a sched_param that we own.
    unsafe {
        let cpu = libc::sched_getcpu();
        if cpu >= 0 {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu as usize, &mut set);
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        }
        let param = libc::sched_param { sched_priority: 0 };
        libc::sched_setscheduler(0, libc::SCHED_BATCH, &param);
    }
}

#[test]
fn an_orphan_is_adopted() {
    // Five times over: a grandchild that looks at its parent once, without
    // waiting for the change, may be lucky once, not five times.
    let adoptions = within(LIMIT, "orphan_adoption, five times", || {
        woken_processes_wait_their_turn();
        (0..5).map(|_| orphan_adoption()).collect::<Vec<_>>()
    });
    for adoption in adoptions {
        check_adoption(adoption.expect("orphan_adoption"));
    }
}

fn check_adoption(adoption: Adoption) {
    assert_eq!(
        adoption.parent_before, adoption.child,
        "before the child exits, the grandchild's parent is the child"
    );
    assert_ne!(
        adoption.parent_after, adoption.child,
        "once the child exited, the grandchild has a new parent"
    );
    assert_ne!(adoption.grandchild, adoption.child);
    // The adopter is PID 1 or a subreaper; either way an ancestor of ours,
    // since the child that died was our own.
    let mut ancestors = vec![1];
    let mut pid = getpid().as_raw();
    while let Some(parent) = procs::parent_of(pid).filter(|&p| p > 0 && !ancestors.contains(&p)) {
        ancestors.push(parent);
        pid = parent;
    }
    assert!(
        ancestors.contains(&adoption.parent_after.as_raw()),
        "the grandchild's new parent {} is neither PID 1 nor one of our ancestors {ancestors:?}",
        adoption.parent_after
    );
    assert_ne!(adoption.grandchild, getpid());
    assert_eq!(
        procs::state(adoption.child.as_raw()),
        None,
        "the child must be reaped by orphan_adoption"
    );
    let text = format!(
        "grandchild {} had parent {}, then {}",
        adoption.grandchild, adoption.parent_before, adoption.parent_after
    );
    let text = Redactor::new()
        .pid(adoption.grandchild.as_raw(), "grandchild")
        .pid(adoption.child.as_raw(), "child")
        .pid(adoption.parent_after.as_raw(), "adopter")
        .apply(&text);
    snapshot_settings().bind(|| insta::assert_snapshot!("orphan", text));
}
