//! Graded tests of chapter 4 that run under loom, a model checker: built
//! with the chapter's `loom` feature, `crate::sync` hands the bounded queue
//! loom's `Mutex` and `Condvar`, and `loom::model` runs each test body under
//! every order in which its threads can take the lock, wait and be woken.
//! A `put_nowait` that checks for room under one lock and pushes under
//! another, or a wake-up that reaches a thread that cannot use it, shows in
//! some order; the ordinary tests can only hope the scheduler picks it.
//! When every thread of a model is blocked, loom fails the test with
//! "deadlock": that is a wake-up that was lost, or a wait that should not
//! have been.
//!
//! Run: `cargo test -p ch04-queues --features loom --test loom`.

mod bounded_queue {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::time::Duration;

    use forklings_support::within;
    use loom::sync::Arc;
    use loom::thread;
    use queues::bounded_queue::{BoundedQueue, Empty};

    /// Loom explores every order, slowly when the cores are busy. A queue
    /// built on std's lock blocks loom's one real thread for ever; this
    /// turns that into a failure that says so.
    const LIMIT: Duration = Duration::from_secs(60);

    fn model(what: &'static str, body: impl Fn() + Sync + Send + 'static) {
        within(
            LIMIT,
            &format!("{what} (a queue on std::sync instead of crate::sync hangs here)"),
            move || {
                assert!(
                    loom_sees_the_lock(),
                    "loom saw none of the queue's locking, so it can check nothing, and a get \
                     that waits would hang it: take Mutex, MutexGuard and Condvar from \
                     crate::sync, not std::sync"
                );
                let mut builder = loom::model::Builder::new();
                // Enough for every order of the few lock and wait steps
                // here; more only makes the model slow.
                builder.preemption_bound = Some(3);
                builder.check(body);
            },
        );
    }

    /// Whether the queue's lock is loom's: loom then tries two `put_nowait`
    /// calls in more than one order. On std's lock it sees only the spawn
    /// and the join, and runs one execution; finding that out first turns
    /// a model that would hang for a minute into a failure that says why.
    fn loom_sees_the_lock() -> bool {
        // std's counter, not loom's: it counts across executions.
        let executions = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&executions);
        loom::model(move || {
            counter.fetch_add(1, SeqCst);
            let q = Arc::new(BoundedQueue::new(1));
            let other = Arc::clone(&q);
            let second = thread::spawn(move || other.put_nowait(2).is_ok());
            let _ = q.put_nowait(1);
            let _ = second.join();
        });
        executions.load(SeqCst) > 1
    }

    #[test]
    fn two_put_nowaits_on_one_free_place_let_one_in() {
        model("the loom model of two put_nowait calls", || {
            let q = Arc::new(BoundedQueue::new(1));
            let other = Arc::clone(&q);
            let second = thread::spawn(move || other.put_nowait(2).is_ok());
            let first = q.put_nowait(1).is_ok();
            let second = second.join().unwrap();
            assert!(
                first != second,
                "two put_nowait calls on a queue with one free place: {} got in (check for \
                 room and push under one lock)",
                if first { "both" } else { "neither" }
            );
            assert_eq!(q.qsize(), 1, "a queue of one holds one item");
        });
    }

    #[test]
    fn two_get_nowaits_on_one_item_let_one_take_it_and_never_wait() {
        model("the loom model of two get_nowait calls", || {
            let q = Arc::new(BoundedQueue::new(1));
            q.put_nowait(7).unwrap();
            let other = Arc::clone(&q);
            let second = thread::spawn(move || other.get_nowait());
            let first = q.get_nowait();
            let second = second.join().unwrap();
            let mut got = [first, second];
            got.sort_by_key(Result::is_err);
            assert_eq!(
                got,
                [Ok(7), Err(Empty)],
                "two get_nowait calls on one item: one takes it, the other is told Empty at once"
            );
        });
    }

    /// Two getters wait on an empty queue; one thread puts two items.
    /// Whatever the order, each getter gets one: no thread waits for a
    /// wake-up that went to a thread that could not use it.
    fn two_getters_and_two_puts(maxsize: usize) {
        let q = Arc::new(BoundedQueue::new(maxsize));
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let q = Arc::clone(&q);
                thread::spawn(move || q.get())
            })
            .collect();
        q.put(1);
        q.put(2);
        let mut got: Vec<u32> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2], "each getter gets one item");
    }

    #[test]
    fn a_get_wakes_the_put_waiting_for_room() {
        // On a queue of one the second put waits for room: the getter that
        // takes the first item must wake it, not the other getter.
        model(
            "the loom model of two getters and two puts on a queue of one",
            || {
                two_getters_and_two_puts(1);
            },
        );
    }

    #[test]
    fn puts_back_to_back_wake_both_sleeping_getters() {
        // With no limit, two puts in a row must wake two getters, whether
        // or not the first one woken has looked yet.
        model(
            "the loom model of two getters and two puts, no limit",
            || {
                two_getters_and_two_puts(0);
            },
        );
    }

    #[test]
    fn a_timed_get_and_put_take_part_like_the_others() {
        // Loom never times a wait out: a timed wait must still be woken by
        // the put or get it waits for.
        model("the loom model of a timed get and a timed put", || {
            let q = Arc::new(BoundedQueue::new(1));
            let other = Arc::clone(&q);
            let getter = thread::spawn(move || other.get_timeout(Duration::from_secs(60)));
            q.put_timeout(1, Duration::from_secs(60)).unwrap();
            q.put_timeout(2, Duration::from_secs(60)).unwrap();
            assert_eq!(getter.join().unwrap(), Ok(1));
            assert_eq!(q.get_nowait(), Ok(2));
        });
    }
}
