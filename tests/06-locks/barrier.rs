use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use locks::barrier::Barrier;

use crate::blocking::cost_of_waiting;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn nobody_leaves_until_the_last_arrives() {
    within(LIMIT, "Barrier", || {
        let barrier = Arc::new(Barrier::new(3));
        let (tx, rx) = mpsc::channel();
        let (started, wait_for_start) = mpsc::channel();
        let early: Vec<_> = (0..2)
            .map(|_| {
                let (barrier, tx, started) = (barrier.clone(), tx.clone(), started.clone());
                thread::spawn(move || {
                    started.send(()).unwrap();
                    let index = barrier.wait();
                    tx.send(index).unwrap();
                })
            })
            .collect();
        // Both threads are running and about to wait: the 150 ms below
        // starts from there, however late the scheduler started them.
        for _ in 0..2 {
            wait_for_start
                .recv_timeout(Duration::from_secs(10))
                .expect("a thread did not start");
        }
        assert!(
            rx.recv_timeout(Duration::from_millis(150)).is_err(),
            "left with 2 of 3"
        );
        let last = barrier.wait();
        let mut indexes: Vec<usize> = (0..2)
            .map(|_| {
                rx.recv_timeout(Duration::from_secs(10))
                    .expect("a party stayed behind")
            })
            .collect();
        indexes.push(last);
        indexes.sort_unstable();
        assert_eq!(indexes, vec![0, 1, 2], "each party gets its own index");
        assert_eq!(last, 2, "the last to arrive gets the last index");
        early.into_iter().for_each(|t| t.join().unwrap());
    });
}

#[test]
fn one_party_passes_at_once() {
    within(LIMIT, "Barrier", || {
        let barrier = Barrier::new(1);
        assert_eq!(barrier.wait(), 0);
        assert_eq!(barrier.wait(), 0);
    });
}

#[test]
fn the_barrier_can_be_used_round_after_round() {
    within(LIMIT, "Barrier", || {
        const PARTIES: usize = 4;
        const ROUNDS: usize = 50;
        let barrier = Arc::new(Barrier::new(PARTIES));
        let arrived: Arc<Vec<AtomicUsize>> =
            Arc::new((0..ROUNDS).map(|_| AtomicUsize::new(0)).collect());
        let indexes = Arc::new(Mutex::new(vec![BTreeSet::new(); ROUNDS]));
        let threads: Vec<_> = (0..PARTIES)
            .map(|_| {
                let (barrier, arrived, indexes) =
                    (barrier.clone(), arrived.clone(), indexes.clone());
                thread::spawn(move || {
                    for round in 0..ROUNDS {
                        arrived[round].fetch_add(1, Ordering::SeqCst);
                        let index = barrier.wait();
                        // Past the barrier, everyone has arrived in this round.
                        assert_eq!(
                            arrived[round].load(Ordering::SeqCst),
                            PARTIES,
                            "round {round}"
                        );
                        indexes.lock().unwrap()[round].insert(index);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a thread passed the barrier too early");
        }
        let all: BTreeSet<usize> = (0..PARTIES).collect();
        for (round, seen) in indexes.lock().unwrap().iter().enumerate() {
            assert_eq!(seen, &all, "indexes of round {round}");
        }
    });
}

#[test]
fn a_waiting_party_sleeps() {
    let barrier = Arc::new(Barrier::new(2));
    let other = Arc::clone(&barrier);
    let (cost, index) = cost_of_waiting(
        move || other.wait(),
        || {
            barrier.wait();
        },
    )
    .expect("the first party never left after the second arrived");
    assert_eq!(index, 0, "the first to arrive gets index 0");
    cost.assert_slept("Barrier::wait");
}
