//! Graded tests of chapter 6 that run under loom, a model checker: built
//! with the chapter's `loom` feature, `crate::sync` hands the spin lock
//! loom's atomics, and `loom::model` runs each test body under every
//! interleaving of its threads and every value the memory model lets a load
//! see. A lock whose orderings are too weak (`Relaxed` where `Acquire` or
//! `Release` is needed) passes every test on x86; here the value it guards
//! is a `loom::cell::UnsafeCell`, and loom reports two accesses to it that
//! the lock did not order.
//!
//! Run: `cargo test -p ch06-locks --features loom --test loom`.

mod spin_lock {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::time::Duration;

    use forklings_support::within;
    use locks::spin_lock::SpinLock;
    use loom::cell::UnsafeCell;
    use loom::sync::Arc;
    use loom::thread;

    /// Loom explores every interleaving: generous, as it runs slowly when
    /// the cores are busy. A lock that spins without telling loom (std's
    /// atomics or `std::hint::spin_loop` instead of `crate::sync`'s) can
    /// make the model spin for ever; this turns that into a failure.
    const LIMIT: Duration = Duration::from_secs(60);

    /// Adds one to the guarded value, through loom's checked cell.
    fn bump(lock: &SpinLock<UnsafeCell<u32>>) {
        let guard = lock.lock();
        // SAFETY: the guard is held; loom checks that claim.
        guard.with_mut(|value| unsafe { *value += 1 });
    }

    #[test]
    fn what_one_holder_wrote_the_next_holder_sees() {
        within(LIMIT, "the loom model of two lock() calls", || {
            loom::model(|| {
                let lock = Arc::new(SpinLock::new(UnsafeCell::new(0)));
                let other = Arc::clone(&lock);
                let second = thread::spawn(move || bump(&other));
                bump(&lock);
                second.join().unwrap();
                let guard = lock.lock();
                // SAFETY: the guard is held, and both writers are done.
                let total = guard.with(|value| unsafe { *value });
                assert_eq!(total, 2, "an increment made under the lock was lost");
            });
        });
    }

    #[test]
    fn try_lock_lets_one_thread_in() {
        // Executions in which one thread's try_lock found the lock held:
        // loom must see the two threads meet at the lock, or it checked
        // nothing (a lock on std's atomics never meets loom's scheduler).
        static REFUSED: AtomicUsize = AtomicUsize::new(0);
        within(LIMIT, "the loom model of two try_lock() calls", || {
            loom::model(|| {
                let lock = Arc::new(SpinLock::new(UnsafeCell::new(0)));
                let other = Arc::clone(&lock);
                let try_bump = |lock: &SpinLock<UnsafeCell<u32>>| match lock.try_lock() {
                    Some(guard) => {
                        // SAFETY: the guard is held; loom checks that claim.
                        guard.with_mut(|value| unsafe { *value += 1 });
                        // Let the other thread run while this one holds it.
                        thread::yield_now();
                        1
                    }
                    None => {
                        REFUSED.fetch_add(1, SeqCst);
                        0
                    }
                };
                let second = thread::spawn(move || try_bump(&other));
                let won = try_bump(&lock) + second.join().unwrap();
                let guard = lock.try_lock().expect("both guards are gone");
                // SAFETY: the guard is held, and both threads are done.
                let total = guard.with(|value| unsafe { *value });
                assert_eq!(total, won, "every winner's increment is there");
            });
        });
        assert!(
            REFUSED.load(SeqCst) > 0,
            "in no execution did a try_lock find the lock held: take AtomicBool from crate::sync"
        );
    }
}
