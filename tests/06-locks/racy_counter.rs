use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use locks::racy_counter::{
    Strategy, add_and_subtract, atomic_add, locked_add, racy_add, racy_add_with,
};
use proptest::prelude::*;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn a_forced_interleaving_loses_an_update() {
    let end = within(LIMIT, "racy_add_with", || {
        let counter = Arc::new(AtomicI64::new(0));
        // Both threads load before either stores.
        let both_loaded = Arc::new(Barrier::new(2));
        let handles: Vec<_> = [1, -1]
            .into_iter()
            .map(|delta| {
                let (counter, both_loaded) = (Arc::clone(&counter), Arc::clone(&both_loaded));
                thread::spawn(move || {
                    racy_add_with(&counter, delta, || {
                        both_loaded.wait();
                    })
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        counter.load(Ordering::SeqCst)
    });
    assert!(
        end == 1 || end == -1,
        "+1 and -1 that both read 0 store 1 and -1: one of them is lost, got {end}"
    );
}

#[test]
fn alone_the_racy_add_is_correct() {
    let counter = AtomicI64::new(10);
    let mut calls = 0;
    racy_add_with(&counter, 5, || calls += 1);
    racy_add(&counter, -3);
    assert_eq!(counter.load(Ordering::SeqCst), 12);
    assert_eq!(
        calls, 1,
        "`between` runs once, between the load and the store"
    );
}

#[test]
fn a_million_each_way_with_fetch_add_ends_at_zero() {
    let end = within(LIMIT, "add_and_subtract", || {
        add_and_subtract(Strategy::Atomic, 1_000_000)
    });
    assert_eq!(end, 0);
}

#[test]
fn a_million_each_way_with_a_mutex_ends_at_zero() {
    let end = within(LIMIT, "add_and_subtract", || {
        add_and_subtract(Strategy::Locked, 1_000_000)
    });
    assert_eq!(end, 0);
}

#[test]
fn the_racy_strategy_runs_to_the_end() {
    // Its result is whatever the scheduler made it; only its range is sure.
    let end = within(LIMIT, "add_and_subtract", || {
        add_and_subtract(Strategy::Racy, 10_000)
    });
    assert!((-10_000..=10_000).contains(&end), "got {end}");
}

proptest! {
    // A failing skeleton must not leave regression files in the tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(32) })]

    #[test]
    fn every_way_sums_the_deltas_on_one_thread(deltas in prop::collection::vec(-1000i64..1000, 0..50)) {
        let (racy, atomic, locked) = (AtomicI64::new(0), AtomicI64::new(0), Mutex::new(0));
        for &d in &deltas {
            racy_add(&racy, d);
            atomic_add(&atomic, d);
            locked_add(&locked, d);
        }
        let sum: i64 = deltas.iter().sum();
        prop_assert_eq!(racy.into_inner(), sum);
        prop_assert_eq!(atomic.into_inner(), sum);
        prop_assert_eq!(locked.into_inner().unwrap(), sum);
    }
}
