use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use forklings_support::{procs, within};
use nix::unistd::getpid;
use proptest::prelude::*;
use shared_memory::shared_counter::{SharedCounter, add_in_processes};

use crate::common::run_children;

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn a_new_counter_reads_zero() {
    let counter = SharedCounter::new().expect("mmap failed");
    assert_eq!(counter.get(), 0);
}

#[test]
fn the_parent_counts_too() {
    let counter = SharedCounter::new().expect("mmap failed");
    counter.increment();
    counter.add(41);
    assert_eq!(counter.get(), 42);
}

#[test]
fn what_a_child_adds_the_parent_sees() {
    let counter = Arc::new(SharedCounter::new().expect("mmap failed"));
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
    let counter = Arc::new(SharedCounter::new().expect("mmap failed"));
    let shared = Arc::clone(&counter);
    within(LIMIT, "add_in_processes", move || {
        add_in_processes(&shared, 4, 10_000).expect("fork failed")
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
    let counter = Arc::new(SharedCounter::new().expect("mmap failed"));
    let shared = Arc::clone(&counter);
    let pids = within(LIMIT, "add_in_processes", move || {
        add_in_processes(&shared, 3, 10).expect("fork failed")
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
        let counter = Arc::new(SharedCounter::new().expect("mmap failed"));
        counter.add(start);
        let shared = Arc::clone(&counter);
        within(LIMIT, "add_in_processes", move || {
            add_in_processes(&shared, processes, increments).expect("fork failed")
        });
        prop_assert_eq!(counter.get(), start + processes as u64 * increments);
    }
}
