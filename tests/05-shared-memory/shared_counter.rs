use std::collections::HashSet;
use std::fs;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::{procs, within};
use nix::errno::Errno;
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid, pipe, read, write};
use proptest::prelude::*;
use shared_memory::shared_counter::{SharedCounter, add_in_processes};

use crate::common::{run_children, spawn_children};

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn a_new_counter_reads_zero() {
    let counter = SharedCounter::new().expect("SharedCounter::new returned an error");
    assert_eq!(counter.get(), 0);
}

#[test]
fn the_parent_counts_too() {
    let counter = SharedCounter::new().expect("SharedCounter::new returned an error");
    counter.increment();
    counter.add(41);
    assert_eq!(counter.get(), 42);
}

#[test]
fn what_a_child_adds_the_parent_sees() {
    let counter = Arc::new(SharedCounter::new().expect("SharedCounter::new returned an error"));
    let shared = Arc::clone(&counter);
    within(LIMIT, "children adding to the counter", move || {
        // Children forked by the test, not by `add_in_processes`: the
        // counter itself must live in memory that fork does not copy.
        run_children(2, |i| {
            shared.add(10 + i as u64);
            0
        });
    });
    assert_eq!(
        counter.get(),
        21,
        "a private mapping would leave the parent's copy at 0"
    );
}

#[test]
fn four_processes_of_ten_thousand_make_forty_thousand() {
    let counter = Arc::new(SharedCounter::new().expect("SharedCounter::new returned an error"));
    let shared = Arc::clone(&counter);
    within(LIMIT, "add_in_processes", move || {
        add_in_processes(&shared, 4, 10_000).expect("add_in_processes returned an error")
    });
    assert_eq!(
        counter.get(),
        40_000,
        "every child's increments must land in the one shared counter \
         (10 000 would mean a private copy per child)"
    );
}

#[test]
fn children_are_distinct_processes_and_are_reaped() {
    let counter = Arc::new(SharedCounter::new().expect("SharedCounter::new returned an error"));
    let shared = Arc::clone(&counter);
    let pids = within(LIMIT, "add_in_processes", move || {
        add_in_processes(&shared, 3, 10).expect("add_in_processes returned an error")
    });
    assert_eq!(pids.len(), 3, "one PID per child");
    let distinct: HashSet<_> = pids.iter().collect();
    assert_eq!(distinct.len(), 3, "the children are three processes");
    assert!(!pids.contains(&getpid()), "the work happens in children");
    for pid in pids {
        assert_eq!(
            procs::state(pid.as_raw()),
            None,
            "child {pid} was not reaped"
        );
    }
    assert_eq!(counter.get(), 30);
}

proptest! {
    // A failing skeleton must not leave regression files in the tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(8) })]

    #[test]
    fn any_split_adds_up(processes in 1usize..=4, increments in 0u64..500, start in 0u64..100) {
        let counter = Arc::new(SharedCounter::new().expect("SharedCounter::new returned an error"));
        counter.add(start);
        let shared = Arc::clone(&counter);
        within(LIMIT, "add_in_processes", move || {
            add_in_processes(&shared, processes, increments).expect("add_in_processes returned an error")
        });
        prop_assert_eq!(counter.get(), start + processes as u64 * increments);
    }
}

// ---------------------------------------------------------------------------
// Who does the work, and when: `add_in_processes` runs in a helper process
// of its own (forked by the test, so single-threaded), where the CPU time of
// reaped children (`RUSAGE_CHILDREN`) is exactly that of the children it
// forked, and the test watches the helper's children while it runs.

/// What the helper saw: the CPU its reaped children used, the CPU that
/// `increments` increments take on one process alone, the increments asked
/// of each child, whether the decoy child was still the helper's to reap
/// afterwards, and the counter's value.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    children_cpu: Duration,
    alone_cpu: Duration,
    increments: u64,
    decoy_left: bool,
    value: u64,
}

fn cpu(who: UsageWho) -> Duration {
    let usage = getrusage(who).expect("getrusage");
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    micros(usage.user_time()) + micros(usage.system_time())
}

/// In the helper: how many increments take at least 20 ms of CPU alone, and
/// how long they took.
fn calibrate() -> (u64, Duration) {
    let alone = SharedCounter::new().expect("mmap failed");
    let mut increments = 50_000;
    loop {
        let start = cpu(UsageWho::RUSAGE_THREAD);
        for _ in 0..increments {
            alone.increment();
        }
        let took = cpu(UsageWho::RUSAGE_THREAD).saturating_sub(start);
        if took >= Duration::from_millis(20) || increments >= 1 << 26 {
            return (increments, took);
        }
        increments *= 2;
    }
}

/// The children of `pid` that are alive now (not zombies).
fn live_children(pid: Pid) -> usize {
    let path = format!("/proc/{pid}/task/{pid}/children");
    match fs::read_to_string(path) {
        Ok(list) => list
            .split_whitespace()
            .filter_map(|c| c.parse::<i32>().ok())
            .filter(|&c| procs::is_running(c))
            .count(),
        Err(_) => procs::children_of(pid.as_raw()).len(),
    }
}

/// Runs `add_in_processes(counter, processes, n)` in a helper process, with
/// `n` calibrated to about 20 ms of CPU per child, and with a decoy child of
/// the helper's already exited (a zombie) when the call begins. Returns what
/// the helper saw, and the most children of the helper seen alive at once.
fn in_a_helper(processes: usize) -> (Seen, usize) {
    let counter = SharedCounter::new().expect("mmap failed");
    let (report_r, report_w) = pipe().expect("pipe");
    let helper = spawn_children(1, |_| {
        let (increments, alone_cpu) = calibrate();
        // SAFETY: the decoy leaves at once with `_exit`.
        let decoy = match unsafe { fork() } {
            Ok(ForkResult::Child) => unsafe { libc::_exit(0) },
            Ok(ForkResult::Parent { child }) => child,
            Err(_) => return 2,
        };
        // Wait until the decoy has exited, without reaping it.
        let _ = waitid(Id::Pid(decoy), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT);
        let before = cpu(UsageWho::RUSAGE_CHILDREN);
        if add_in_processes(&counter, processes, increments).is_err() {
            return 3;
        }
        let children_cpu = cpu(UsageWho::RUSAGE_CHILDREN).saturating_sub(before);
        let decoy_left = matches!(
            waitpid(decoy, Some(WaitPidFlag::WNOHANG)),
            Ok(WaitStatus::Exited(..))
        );
        let words = [
            children_cpu.as_nanos() as u64,
            alone_cpu.as_nanos() as u64,
            increments,
            u64::from(decoy_left),
            counter.get(),
        ];
        let mut bytes = [0u8; 40];
        for (chunk, word) in bytes.chunks_mut(8).zip(words) {
            chunk.copy_from_slice(&word.to_ne_bytes());
        }
        i32::from(write(&report_w, &bytes) != Ok(40))
    })[0];
    drop(report_w);
    let deadline = Instant::now() + LIMIT;
    let mut most = 0;
    let code = loop {
        most = most.max(live_children(helper));
        match waitpid(helper, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(_, code)) => break code,
            Ok(WaitStatus::Signaled(_, signal, _)) => break 128 + signal as i32,
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => panic!("waitpid on the helper: {e}"),
        }
        if Instant::now() >= deadline {
            let _ = kill(helper, Signal::SIGKILL);
            let _ = waitpid(helper, None);
            panic!("add_in_processes did not finish within {LIMIT:?}");
        }
        thread::sleep(Duration::from_micros(500));
    };
    assert_eq!(
        code, 0,
        "the helper process running add_in_processes failed (3: it returned an error)"
    );
    let mut bytes = [0u8; 40];
    let mut got = 0;
    while got < 40 {
        match read(report_r.as_fd(), &mut bytes[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    assert_eq!(got, 40, "the helper's report");
    let word = |i: usize| u64::from_ne_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
    let seen = Seen {
        children_cpu: Duration::from_nanos(word(0)),
        alone_cpu: Duration::from_nanos(word(1)),
        increments: word(2),
        decoy_left: word(3) == 1,
        value: word(4),
    };
    (seen, most)
}

#[test]
fn the_children_do_the_increments_not_the_parent() {
    let (seen, _) = in_a_helper(3);
    assert_eq!(
        seen.value,
        3 * seen.increments,
        "3 children of {} increments each",
        seen.increments
    );
    // Three children's increments take at least three times what one
    // process's take alone; a third of that is a generous floor, which only
    // children that do not do the increments miss.
    assert!(
        seen.children_cpu >= seen.alone_cpu,
        "3 children of {} increments each used {:?} of CPU in all, when one process \
         doing {} increments alone needs {:?}: the children did not do the increments \
         (the parent did them, or added the total itself?)",
        seen.increments,
        seen.children_cpu,
        seen.increments,
        seen.alone_cpu
    );
}

#[test]
fn the_children_run_at_the_same_time() {
    let (seen, most) = in_a_helper(3);
    assert_eq!(seen.value, 3 * seen.increments);
    assert!(
        most >= 2,
        "at most {most} child was alive at a time: fork them all, then wait for them all \
         (waiting for each before forking the next runs them one after another)"
    );
}

#[test]
fn only_its_own_children_are_reaped() {
    let (seen, _) = in_a_helper(2);
    assert!(
        seen.decoy_left,
        "add_in_processes reaped a child that was not one of its own: wait for each PID it \
         forked (waitpid(pid)), never for any child (waitpid(-1))"
    );
    assert_eq!(seen.value, 2 * seen.increments);
}
