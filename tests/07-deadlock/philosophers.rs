use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use deadlock::philosophers::{Event, Semaphore, dine_ordered, dine_with_waiter, forks_of};
use forklings_support::{procs, sched, within};
use rstest::rstest;

use crate::blocking::cost_of_waiting;

const LIMIT: Duration = Duration::from_secs(5);
const MEALS: usize = 10;

/// Watches a dinner through its events and writes down the first thing that
/// breaks the rules of the table.
struct Table {
    seats: usize,
    /// The philosopher holding each fork, plus one; 0 when on the table.
    fork_owner: Vec<AtomicUsize>,
    holding: Vec<AtomicUsize>,
    meals: Vec<AtomicUsize>,
    seated: AtomicUsize,
    most_seated: AtomicUsize,
    ordered: bool,
    /// Check that each philosopher picks the left fork first.
    left_first: bool,
    /// Until the first meal, each philosopher who picks a fork waits (up to
    /// [`GATHER`]) until all seats hold one: a table that lets everyone
    /// reach for forks at once then deadlocks every time.
    gather: bool,
    broken: Mutex<Option<String>>,
    /// The threads each philosopher's events came from.
    threads: Mutex<HashMap<usize, HashSet<ThreadId>>>,
}

/// How long a philosopher waits for the others to hold a fork too.
const GATHER: Duration = Duration::from_millis(1500);

impl Table {
    fn new(seats: usize, ordered: bool) -> Self {
        let zeros = || (0..seats).map(|_| AtomicUsize::new(0)).collect();
        Self {
            seats,
            fork_owner: zeros(),
            holding: zeros(),
            meals: zeros(),
            seated: AtomicUsize::new(0),
            most_seated: AtomicUsize::new(0),
            ordered,
            left_first: false,
            gather: false,
            broken: Mutex::new(None),
            threads: Mutex::new(HashMap::new()),
        }
    }

    fn broke(&self, what: String) {
        self.broken.lock().unwrap().get_or_insert(what);
    }

    /// What is wrong with the threads the events came from: each
    /// philosopher on one thread of its own, none on the caller's.
    fn thread_trouble(&self, caller: ThreadId) -> Option<String> {
        let threads = self.threads.lock().unwrap();
        let mut all = HashSet::new();
        for (p, theirs) in threads.iter() {
            if theirs.len() != 1 {
                return Some(format!("philosopher {p} ran on {} threads", theirs.len()));
            }
            all.extend(theirs.iter().copied());
        }
        if all.contains(&caller) {
            return Some("a philosopher ate on the caller's thread".into());
        }
        (all.len() != threads.len()).then(|| {
            format!(
                "{} philosophers shared {} threads: one thread per philosopher",
                threads.len(),
                all.len()
            )
        })
    }

    fn see(&self, event: Event) {
        let who = match event {
            Event::Picked { philosopher, .. }
            | Event::Eats { philosopher }
            | Event::Leaves { philosopher } => philosopher,
        };
        self.threads
            .lock()
            .unwrap()
            .entry(who)
            .or_default()
            .insert(thread::current().id());
        let (left, right) = (|p: usize| p, |p: usize| (p + 1) % self.seats);
        match event {
            Event::Picked {
                philosopher: p,
                fork,
            } => {
                if fork != left(p) && fork != right(p) {
                    return self.broke(format!("philosopher {p} picked fork {fork}, not theirs"));
                }
                let already = self.holding[p].fetch_add(1, SeqCst);
                if already == 0 {
                    let seated = self.seated.fetch_add(1, SeqCst) + 1;
                    self.most_seated.fetch_max(seated, SeqCst);
                    let lower = left(p).min(right(p));
                    if self.ordered && fork != lower {
                        self.broke(format!(
                            "philosopher {p} picked fork {fork} first, not the lower fork {lower}"
                        ));
                    }
                    if self.left_first && fork != left(p) {
                        self.broke(format!(
                            "philosopher {p} picked fork {fork} first, not the left fork {}",
                            left(p)
                        ));
                    }
                    if self.gather && self.meals.iter().all(|m| m.load(SeqCst) == 0) {
                        let start = Instant::now();
                        while self.seated.load(SeqCst) < self.seats && start.elapsed() < GATHER {
                            thread::sleep(Duration::from_millis(1));
                        }
                    }
                }
                let owner = self.fork_owner[fork].swap(p + 1, SeqCst);
                if owner != 0 {
                    self.broke(format!(
                        "philosopher {p} picked fork {fork} while philosopher {} held it",
                        owner - 1
                    ));
                }
            }
            Event::Eats { philosopher: p } => {
                if self.holding[p].load(SeqCst) != 2 {
                    self.broke(format!("philosopher {p} ate without holding both forks"));
                }
                self.meals[p].fetch_add(1, SeqCst);
            }
            Event::Leaves { philosopher: p } => {
                for fork in [left(p), right(p)] {
                    let _ = self.fork_owner[fork].compare_exchange(p + 1, 0, SeqCst, SeqCst);
                }
                self.holding[p].store(0, SeqCst);
                self.seated.fetch_sub(1, SeqCst);
            }
        }
    }
}

type Dinner = fn(usize, usize, &(dyn Fn(Event) + Sync)) -> Vec<usize>;

/// Runs a dinner under a time limit; returns the meals it reports and the
/// table that watched it.
fn dine(dinner: Dinner, table: Table, limit: Duration) -> (Vec<usize>, Arc<Table>) {
    let seats = table.seats;
    let table = Arc::new(table);
    let watcher = Arc::clone(&table);
    let meals = within(limit, "the dinner", move || {
        dinner(seats, MEALS, &|event| watcher.see(event))
    });
    (meals, table)
}

#[rstest]
#[case::ordered_5(dine_ordered as Dinner, 5)]
#[case::ordered_100(dine_ordered as Dinner, 100)]
#[case::waiter_5(dine_with_waiter as Dinner, 5)]
#[case::waiter_100(dine_with_waiter as Dinner, 100)]
fn everyone_eats_every_meal(#[case] dinner: Dinner, #[case] seats: usize) {
    // Generous: the dinner takes well under a second when nobody deadlocks.
    let (meals, table) = dine(dinner, Table::new(seats, false), Duration::from_secs(20));
    assert_eq!(table.broken.lock().unwrap().take(), None);
    assert_eq!(
        meals,
        vec![MEALS; seats],
        "the meals each philosopher reports"
    );
    let seen: Vec<usize> = table.meals.iter().map(|m| m.load(SeqCst)).collect();
    assert_eq!(
        seen,
        vec![MEALS; seats],
        "the `Eats` events of each philosopher"
    );
}

#[test]
fn ordered_philosophers_pick_the_lower_fork_first() {
    let (_, table) = dine(dine_ordered, Table::new(5, true), LIMIT);
    assert_eq!(table.broken.lock().unwrap().take(), None);
}

#[test]
fn the_waiter_keeps_a_seat_empty() {
    // Everyone who got a fork waits for the others to get one too: without
    // a waiter all 5 hold their left fork and the dinner never ends.
    let table = Table {
        left_first: true,
        gather: true,
        ..Table::new(5, false)
    };
    let (_, table) = dine(dine_with_waiter, table, Duration::from_secs(10));
    assert_eq!(table.broken.lock().unwrap().take(), None);
    let most = table.most_seated.load(SeqCst);
    assert!(
        most <= 4,
        "{most} of 5 philosophers held a fork at once: the waiter seats at most 4"
    );
    assert_eq!(
        most, 4,
        "at most {most} of 5 philosophers held a fork at once, though each waited for the \
         others: the waiter seats 4 at once, each on a thread of their own"
    );
}

#[rstest]
#[case::ordered(dine_ordered as Dinner)]
#[case::waiter(dine_with_waiter as Dinner)]
fn philosophers_dine_at_the_same_time(#[case] dinner: Dinner) {
    // Each philosopher who picks a fork waits a moment for the others to
    // pick one too: philosophers who dine one after another never do.
    let table = Table {
        gather: true,
        ..Table::new(5, false)
    };
    let caller = thread::current().id();
    let (meals, table) = dine(dinner, table, Duration::from_secs(10));
    assert_eq!(meals, vec![MEALS; 5]);
    assert_eq!(table.broken.lock().unwrap().take(), None);
    assert_eq!(table.thread_trouble(caller), None);
    let most = table.most_seated.load(SeqCst);
    assert!(
        most >= 2,
        "never were two philosophers holding forks at once: seat them all, one thread each, at the same time"
    );
}

#[test]
fn forks_wrap_around_the_table() {
    let forks = within(LIMIT, "forks_of", || {
        [forks_of(0, 5), forks_of(4, 5), forks_of(1, 2)]
    });
    assert_eq!(forks, [(0, 1), (4, 0), (1, 0)]);
}

#[test]
fn a_semaphore_hands_out_its_permits() {
    let (first, second, third, after_release, left) = within(LIMIT, "Semaphore", || {
        let waiter = Semaphore::new(2);
        let a = waiter.try_acquire();
        let b = waiter.try_acquire();
        let c = waiter.try_acquire();
        let (first, second, third) = (a.is_some(), b.is_some(), c.is_some());
        drop(a);
        let d = waiter.try_acquire();
        let after_release = d.is_some();
        drop((b, d));
        (first, second, third, after_release, waiter.available())
    });
    assert_eq!(
        (first, second),
        (true, true),
        "2 permits: two acquires succeed"
    );
    assert!(!third, "a third permit was handed out");
    assert!(after_release, "dropping a permit gives it back");
    assert_eq!(left, 2, "both permits are back");
}

#[test]
fn acquire_waits_for_a_release() {
    let waiter = Arc::new(Semaphore::new(1));
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (granted_tx, granted_rx) = mpsc::channel();
    let holder = {
        let waiter = Arc::clone(&waiter);
        thread::spawn(move || {
            let permit = waiter.try_acquire();
            let _ = held_tx.send(permit.is_some());
            let _ = release_rx.recv_timeout(LIMIT);
        })
    };
    let held = held_rx
        .recv_timeout(LIMIT)
        .expect("the holder thread reports");
    assert!(held, "one permit is free: try_acquire must get it");
    let second = {
        let waiter = Arc::clone(&waiter);
        thread::spawn(move || {
            let _permit = waiter.acquire();
            let _ = granted_tx.send(());
        })
    };
    let early = granted_rx.recv_timeout(Duration::from_millis(100));
    let _ = release_tx.send(());
    assert!(early.is_err(), "acquire returned while no permit was free");
    granted_rx
        .recv_timeout(LIMIT)
        .expect("the permit was given back, yet acquire still waits");
    holder.join().expect("the holder thread ends");
    second.join().expect("the second thread ends");
}

/// How many permits [`permits_back_to_back_wake_as_many_waiters`] gives back
/// in one go. A semaphore that wakes a waiter only when its count leaves 0
/// gets them all in only if each woken waiter takes its permit before the
/// next one comes back: seven near misses in a row, never seen.
const HUNGRY: usize = 8;

#[test]
fn permits_back_to_back_wake_as_many_waiters() {
    within(Duration::from_secs(20), "sleeping waiters", || {
        let waiter = Arc::new(Semaphore::new(HUNGRY));
        let held: Vec<_> = (0..HUNGRY).map(|_| waiter.try_acquire()).collect();
        assert!(held.iter().all(Option::is_some), "{HUNGRY} permits");
        let (tid_tx, tid_rx) = mpsc::channel();
        let (got_tx, got_rx) = mpsc::channel();
        let mut keep_going = Vec::new();
        let hungry: Vec<_> = (0..HUNGRY)
            .map(|_| {
                let (waiter, tid_tx, got_tx) =
                    (Arc::clone(&waiter), tid_tx.clone(), got_tx.clone());
                let (go_tx, go_rx) = mpsc::channel::<()>();
                keep_going.push(go_tx);
                thread::spawn(move || {
                    // On the releasing thread's CPU, behind it: a woken
                    // waiter runs only once every permit is back.
                    sched::be_slow_to_wake();
                    let _ = tid_tx.send(procs::tid());
                    let permit = waiter.acquire();
                    let _ = got_tx.send(());
                    // Kept until the end: a permit given back here would
                    // wake another waiter, which is not this test's point.
                    let _ = go_rx.recv();
                    drop(permit);
                })
            })
            .collect();
        // Every waiter asleep in `acquire`, or as near as a waiter that
        // never sleeps gets (another test checks that it sleeps).
        let tids: Vec<i32> = (0..HUNGRY)
            .map(|_| tid_rx.recv().expect("a waiter starts"))
            .collect();
        procs::eventually(Duration::from_secs(2), || {
            tids.iter().all(|&t| procs::state(t) == Some('S'))
        });
        sched::go_first();
        drop(held);
        for got in 0..HUNGRY {
            got_rx
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_else(|_| {
                    panic!(
                        "{HUNGRY} permits came back to {HUNGRY} sleeping waiters, but only {got} \
                         woke: each permit given back wakes a waiter, whatever the count was"
                    )
                });
        }
        drop(keep_going);
        hungry.into_iter().for_each(|h| h.join().unwrap());
    });
}

#[test]
fn a_waiting_acquire_sleeps() {
    let waiter = Arc::new(Semaphore::new(1));
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = {
        let waiter = Arc::clone(&waiter);
        thread::spawn(move || {
            let _permit = waiter.acquire();
            held_tx.send(()).unwrap();
            let _ = release_rx.recv_timeout(Duration::from_secs(20));
        })
    };
    held_rx
        .recv_timeout(LIMIT)
        .expect("the holder took the permit");
    let other = Arc::clone(&waiter);
    let (cost, ()) = cost_of_waiting(
        move || drop(other.acquire()),
        || release_tx.send(()).expect("the holder listens"),
    )
    .expect("acquire never returned after the permit came back");
    holder.join().unwrap();
    cost.assert_slept("Semaphore::acquire");
}
