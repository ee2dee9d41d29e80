use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::Duration;

use forklings_support::within;
use locks::racy_counter::{
    Strategy, add_and_subtract, add_and_subtract_with, atomic_add, locked_add, racy_add,
    racy_add_with,
};
use proptest::prelude::*;
use rstest::rstest;

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

/// What the `between` calls of one run saw.
#[derive(Default)]
struct Seen {
    /// How many calls each thread made, per delta.
    calls: HashMap<(i64, ThreadId), u64>,
    /// How many threads are waiting in `between` for the other one.
    waiting: usize,
    /// Whether a thread gave up waiting for the other.
    alone: bool,
}

/// Records every `between(delta)`; with `meet`, the first call of each
/// thread also waits (up to 5 s) until both threads are inside `between`
/// at once, which two threads run one after the other never are.
struct Watch {
    seen: Mutex<Seen>,
    arrived: Condvar,
    meet: bool,
}

impl Watch {
    fn new(meet: bool) -> Self {
        Self {
            seen: Mutex::new(Seen::default()),
            arrived: Condvar::new(),
            meet,
        }
    }

    fn between(&self, delta: i64) {
        let me = thread::current().id();
        let mut seen = self.seen.lock().unwrap();
        let calls = seen.calls.entry((delta, me)).or_default();
        *calls += 1;
        if !self.meet || *calls > 1 {
            return;
        }
        seen.waiting += 1;
        self.arrived.notify_all();
        let (mut seen, waited) = self
            .arrived
            .wait_timeout_while(seen, Duration::from_secs(5), |s| s.waiting < 2)
            .unwrap();
        if waited.timed_out() {
            seen.alone = true;
        }
    }

    /// The threads that called `between` with `delta`, and how often.
    fn calls_with(&self, delta: i64) -> Vec<(ThreadId, u64)> {
        let seen = self.seen.lock().unwrap();
        seen.calls
            .iter()
            .filter(|((d, _), _)| *d == delta)
            .map(|((_, t), n)| (*t, *n))
            .collect()
    }
}

#[rstest]
#[case::racy(Strategy::Racy)]
#[case::atomic(Strategy::Atomic)]
#[case::locked(Strategy::Locked)]
fn the_two_threads_run_at_the_same_time(#[case] strategy: Strategy) {
    let watch = Arc::new(Watch::new(true));
    let inside = Arc::clone(&watch);
    let end = within(LIMIT, "add_and_subtract_with", move || {
        add_and_subtract_with(strategy, 1, 1, &|delta| inside.between(delta))
    });
    assert!(
        !watch.seen.lock().unwrap().alone,
        "{strategy:?}: one thread waited in `between` for the other, which never came: \
         start both threads before waiting for either"
    );
    if strategy == Strategy::Racy {
        // Both loaded 0 before either stored: one update is lost.
        assert!(
            end == 1 || end == -1,
            "Racy: both threads loaded 0, so the last store wins: got {end}"
        );
    } else {
        assert_eq!(end, 0, "{strategy:?}: +1 and -1");
    }
}

#[rstest]
#[case::racy(Strategy::Racy)]
#[case::atomic(Strategy::Atomic)]
#[case::locked(Strategy::Locked)]
fn each_way_runs_on_a_thread_of_its_own(#[case] strategy: Strategy) {
    let watch = Arc::new(Watch::new(false));
    let inside = Arc::clone(&watch);
    within(LIMIT, "add_and_subtract_with", move || {
        add_and_subtract_with(strategy, 300, 100, &|delta| inside.between(delta))
    });
    let (ups, downs) = (watch.calls_with(1), watch.calls_with(-1));
    let me = thread::current().id();
    let threads: HashSet<ThreadId> = ups.iter().chain(&downs).map(|(t, _)| *t).collect();
    assert_eq!(
        (ups.len(), downs.len(), threads.len()),
        (1, 1, 2),
        "{strategy:?}: the +1s come from one thread and the -1s from another"
    );
    assert!(
        !threads.contains(&me),
        "{strategy:?}: the caller's thread made updates; two new threads make them"
    );
    assert_eq!(
        (ups[0].1, downs[0].1),
        (300, 100),
        "{strategy:?}: calls of `between`, one per update"
    );
}

#[rstest]
#[case::atomic(Strategy::Atomic)]
#[case::locked(Strategy::Locked)]
fn uneven_counts_end_at_their_difference(#[case] strategy: Strategy) {
    let end = within(LIMIT, "add_and_subtract_with", move || {
        add_and_subtract_with(strategy, 30_000, 10_000, &|_| {})
    });
    assert_eq!(end, 20_000, "{strategy:?}: 30 000 up and 10 000 down");
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
