use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use deadlock::backoff::{Backoff, transfer_with_backoff};
use forklings_support::within;
use proptest::prelude::*;

const LIMIT: Duration = Duration::from_secs(5);
const MS: Duration = Duration::from_millis(1);

#[test]
fn the_ceiling_doubles_up_to_the_cap() {
    let ceilings = within(LIMIT, "Backoff", || {
        let mut backoff = Backoff::new(MS, 10 * MS, 7);
        (0..6)
            .map(|_| {
                let ceiling = backoff.ceiling();
                backoff.next_delay();
                ceiling.as_millis()
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(ceilings, [1, 2, 4, 8, 10, 10]);
}

#[test]
fn delays_are_jittered() {
    let (one, two, at_ceiling) = within(LIMIT, "Backoff", || {
        let draw = |seed| {
            let mut backoff = Backoff::new(MS, Duration::from_secs(1), seed);
            (0..20)
                .map(|_| (backoff.ceiling(), backoff.next_delay()))
                .collect::<Vec<_>>()
        };
        let (one, two) = (draw(1), draw(2));
        let at_ceiling = one.iter().filter(|(c, d)| c == d).count();
        (one, two, at_ceiling)
    });
    assert!(
        at_ceiling < 20,
        "every delay equals its ceiling: there is no randomness in it"
    );
    assert_ne!(one, two, "two seeds gave the same delays");
}

proptest! {
    // The skeleton fails by design: no regression file is written for it.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(64)
    })]

    #[test]
    fn delays_never_exceed_the_ceiling(
        base_us in 1u64..5_000,
        cap_factor in 1u32..100,
        seed in any::<u64>(),
    ) {
        let base = Duration::from_micros(base_us);
        let cap = base * cap_factor;
        let mut backoff = Backoff::new(base, cap, seed);
        for attempt in 0..40u32 {
            let expected = base.saturating_mul(1 << attempt.min(31)).min(cap);
            prop_assert_eq!(backoff.ceiling(), expected, "ceiling before retry {}", attempt);
            let delay = backoff.next_delay();
            prop_assert!(delay <= expected, "retry {}: {:?} above {:?}", attempt, delay, expected);
        }
    }
}

#[test]
fn a_free_second_lock_takes_one_attempt() {
    let (attempts, ceiling, balances) = within(LIMIT, "transfer_with_backoff", || {
        let (a, b) = (Mutex::new(100), Mutex::new(0));
        let mut backoff = Backoff::new(MS, 10 * MS, 1);
        let attempts = transfer_with_backoff(&a, &b, 40, &mut backoff, |_| {});
        let balances = (*a.lock().unwrap(), *b.lock().unwrap());
        (attempts, backoff.ceiling(), balances)
    });
    assert_eq!(attempts, 1);
    assert_eq!(ceiling, MS, "no retry, so no back-off was used");
    assert_eq!(balances, (60, 40));
}

#[test]
fn opposite_transfers_back_off_and_finish() {
    for round in 0..5u64 {
        let (attempts, balances) =
            within(LIMIT, "two opposite transfers with back-off", move || {
                let a = Arc::new(Mutex::new(100));
                let b = Arc::new(Mutex::new(50));
                // On the first attempt both threads hold their first lock before
                // either tries the second: one of them must back off.
                let both_hold = Arc::new(Barrier::new(2));
                let spawn = |from: &Arc<Mutex<i64>>, to: &Arc<Mutex<i64>>, amount, seed| {
                    let (from, to, both_hold) =
                        (Arc::clone(from), Arc::clone(to), Arc::clone(&both_hold));
                    thread::spawn(move || {
                        let mut backoff = Backoff::new(Duration::from_micros(100), 5 * MS, seed);
                        transfer_with_backoff(&from, &to, amount, &mut backoff, |attempt| {
                            if attempt == 1 {
                                both_hold.wait();
                            }
                        })
                    })
                };
                let ab = spawn(&a, &b, 10, 2 * round + 1);
                let ba = spawn(&b, &a, 20, 2 * round + 2);
                let attempts = (
                    ab.join().expect("A→B panicked"),
                    ba.join().expect("B→A panicked"),
                );
                let balances = (*a.lock().unwrap(), *b.lock().unwrap());
                (attempts, balances)
            });
        assert!(
            attempts.0 + attempts.1 >= 3,
            "round {round}: attempts {attempts:?}; with both first locks held, someone had to retry"
        );
        assert_eq!(
            balances,
            (110, 40),
            "round {round}: both transfers happen exactly once"
        );
    }
}

#[test]
fn many_threads_in_both_directions_finish() {
    let total = within(Duration::from_secs(10), "transfers with back-off", || {
        let accounts: Arc<Vec<Mutex<i64>>> = Arc::new((0..3).map(|_| Mutex::new(1_000)).collect());
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let accounts = Arc::clone(&accounts);
                thread::spawn(move || {
                    let mut backoff = Backoff::new(Duration::from_micros(50), MS, t + 1);
                    for i in 0..100usize {
                        let from = (t as usize + i) % 3;
                        let to = (from + 1 + (i + t as usize) % 2) % 3;
                        transfer_with_backoff(
                            &accounts[from],
                            &accounts[to],
                            1,
                            &mut backoff,
                            |_| {},
                        );
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .for_each(|t| t.join().expect("a transfer thread panicked"));
        accounts.iter().map(|a| *a.lock().unwrap()).sum::<i64>()
    });
    assert_eq!(total, 3_000);
}
