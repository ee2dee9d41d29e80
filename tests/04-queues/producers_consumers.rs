use std::collections::HashMap;
use std::fs;
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::within;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};
use proptest::prelude::*;
use queues::producers_consumers::{Item, with_disconnect, with_sentinels};

const LIMIT: Duration = Duration::from_secs(10);

type Shape = (usize, usize, usize, usize);
type Run = fn(usize, usize, usize, usize) -> Vec<Vec<Item>>;

/// Checks what the consumers got: one list per consumer, every item exactly
/// once, and in each list every producer's items in the order it made them.
fn check(shape: Shape, got: &[Vec<Item>]) -> Result<(), TestCaseError> {
    let (producers, consumers, _, per_producer) = shape;
    prop_assert_eq!(got.len(), consumers, "one list per consumer");
    let mut all: Vec<Item> = got.iter().flatten().copied().collect();
    all.sort_unstable();
    let expected: Vec<Item> = (0..producers)
        .flat_map(|producer| (0..per_producer).map(move |seq| Item { producer, seq }))
        .collect();
    prop_assert!(
        all == expected,
        "items lost or doubled: got {} of {}",
        all.len(),
        expected.len()
    );
    for (c, list) in got.iter().enumerate() {
        let mut last: HashMap<usize, usize> = HashMap::new();
        for item in list {
            if let Some(&before) = last.get(&item.producer) {
                prop_assert!(
                    before < item.seq,
                    "consumer {} got producer {}'s item {} after its item {}",
                    c,
                    item.producer,
                    item.seq,
                    before
                );
            }
            last.insert(item.producer, item.seq);
        }
    }
    Ok(())
}

fn run(run: Run, what: &str, shape: Shape) -> Vec<Vec<Item>> {
    let (p, c, cap, n) = shape;
    within(
        LIMIT,
        &format!(
            "{what}({p} producers, {c} consumers, capacity {cap}, {n} items each): a consumer that never stops?"
        ),
        move || run(p, c, cap, n),
    )
}

fn shapes() -> impl Strategy<Value = Shape> {
    (1usize..5, 1usize..5, 1usize..8, 0usize..120)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn sentinels_lose_and_double_nothing(shape in shapes()) {
        let got = run(with_sentinels, "with_sentinels", shape);
        check(shape, &got)?;
    }

    #[test]
    fn disconnect_loses_and_doubles_nothing(shape in shapes()) {
        let got = run(with_disconnect, "with_disconnect", shape);
        check(shape, &got)?;
    }
}

#[test]
fn every_consumer_stops_when_there_is_nothing_to_do() {
    for (run_fn, what) in [
        (with_sentinels as Run, "with_sentinels"),
        (with_disconnect, "with_disconnect"),
    ] {
        let got = run(run_fn, what, (3, 4, 1, 0));
        assert_eq!(
            got,
            vec![Vec::<Item>::new(); 4],
            "{what}: four consumers, nothing consumed"
        );
    }
}

#[test]
fn one_consumer_sees_each_producer_in_order() {
    for (run_fn, what) in [
        (with_sentinels as Run, "with_sentinels"),
        (with_disconnect, "with_disconnect"),
    ] {
        let got = run(run_fn, what, (3, 1, 2, 150));
        check((3, 1, 2, 150), &got).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

/// The number of threads of process `pid` now, or `None` once it is gone.
fn threads_of(pid: Pid) -> Option<usize> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

/// Runs `run` with `shape` in a forked child (a process of its own, so its
/// threads are its own) while watching how many threads it has. Returns the
/// most seen at once, and whether the child's result passed `check`.
fn most_threads_at_once(run: Run, shape: Shape) -> (usize, bool) {
    let _serial = crate::process_queue::one_at_a_time();
    let (p, c, cap, n) = shape;
    // SAFETY: the child runs the code under test and leaves with `_exit`; it
    // never returns into the test harness.
    let child = match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            let ok = std::panic::catch_unwind(|| check(shape, &run(p, c, cap, n)).is_ok());
            // SAFETY: ends the child at once.
            unsafe { libc::_exit(if matches!(ok, Ok(true)) { 0 } else { 1 }) }
        }
        ForkResult::Parent { child } => child,
    };
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut most = 0;
    loop {
        if let Some(now) = threads_of(child) {
            most = most.max(now);
        }
        match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(_, code)) => return (most, code == 0),
            Ok(WaitStatus::Signaled(..)) => return (most, false),
            _ => {}
        }
        if Instant::now() >= deadline {
            let _ = kill(child, Signal::SIGKILL);
            let _ = waitpid(child, None);
            panic!("{shape:?}: the run never ended: a consumer that never stops?");
        }
        thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn the_producers_and_consumers_run_at_the_same_time() {
    // Three producers of 5 000 items each and two consumers on a channel of
    // one: they take turns for a while, so all five threads are seen alive
    // together (the caller may be one of them). Producers run one after
    // another, or no threads at all, never get there.
    let shape = (3, 2, 1, 5_000);
    for (run_fn, what) in [
        (with_sentinels as Run, "with_sentinels"),
        (with_disconnect, "with_disconnect"),
    ] {
        let (most, ok) = most_threads_at_once(run_fn, shape);
        assert!(ok, "{what}{shape:?}: items lost, doubled or out of order");
        assert!(
            most >= 5,
            "{what}: 3 producers and 2 consumers, but never more than {most} threads at once \
             (counting the caller): they should all run at the same time"
        );
    }
}
