//! Graded tests of chapter 4, queues. One module per exercise; the same source
//! is compiled against the skeleton and against the solution.

/// The tests of Python's queue surface, for any type that has it:
/// `bounded_queue` and `channel_queue` both run them.
macro_rules! queue_surface_tests {
    ($queue:ident, $full:ident, $empty:ident) => {
        use std::sync::Arc;
        use std::sync::mpsc;
        use std::thread;
        use std::time::{Duration, Instant};

        use forklings_support::within;
        use proptest::prelude::*;

        const LIMIT: Duration = Duration::from_secs(5);
        const SHORT: Duration = Duration::from_millis(50);
        /// How often the nowait test stops its worker. The worker shares
        /// a CPU with the thread that stops it, so each stop finds it where
        /// it was preempted. Running on a core of its own it was mostly
        /// stopped at the end of a system call (the queue's wake-ups), and
        /// a check-then-act `get_nowait` was missed one run in six.
        const NOWAIT_TRIALS: usize = 300;

        #[test]
        fn items_come_out_in_the_order_they_went_in() {
            let out = within(LIMIT, "put and get", || {
                let q = $queue::new(10);
                for i in 0..10 {
                    q.put(i);
                }
                (0..10).map(|_| q.get()).collect::<Vec<_>>()
            });
            assert_eq!(out, (0..10).collect::<Vec<_>>());
        }

        #[test]
        fn put_nowait_on_a_full_queue_hands_the_item_back() {
            let (first, second, third, size) = within(LIMIT, "put_nowait", || {
                let q = $queue::new(2);
                let first = q.put_nowait("a");
                let second = q.put_nowait("b");
                let third = q.put_nowait("c");
                (first, second, third, q.qsize())
            });
            assert_eq!((first, second), (Ok(()), Ok(())));
            assert_eq!(
                third,
                Err($full("c")),
                "the item refused comes back in Full"
            );
            assert_eq!(size, 2);
        }

        #[test]
        fn get_nowait_on_an_empty_queue_is_empty() {
            let got = within(LIMIT, "get_nowait", || $queue::<u8>::new(3).get_nowait());
            assert_eq!(got, Err($empty));
        }

        #[test]
        fn get_with_a_timeout_on_an_empty_queue_is_empty_and_not_early() {
            let (got, waited) = within(LIMIT, "get_timeout", || {
                let q = $queue::<u8>::new(3);
                let start = Instant::now();
                (q.get_timeout(SHORT), start.elapsed())
            });
            assert_eq!(got, Err($empty));
            assert!(
                waited >= SHORT,
                "get_timeout gave up after {waited:?}, before {SHORT:?}"
            );
        }

        #[test]
        fn put_with_a_timeout_on_a_full_queue_is_full_and_not_early() {
            let (got, waited) = within(LIMIT, "put_timeout", || {
                let q = $queue::new(1);
                q.put(1u8);
                let start = Instant::now();
                (q.put_timeout(2, SHORT), start.elapsed())
            });
            assert_eq!(got, Err($full(2)));
            assert!(
                waited >= SHORT,
                "put_timeout gave up after {waited:?}, before {SHORT:?}"
            );
        }

        #[test]
        fn get_with_a_timeout_gets_an_item_that_arrives_in_time() {
            let q = Arc::new($queue::new(1));
            let putter = {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    thread::sleep(Duration::from_millis(20));
                    q.put(42u32);
                })
            };
            // A timeout far beyond LIMIT: a get_timeout that sleeps out its
            // timeout before looking fails here; one that wakes for the item
            // returns as soon as it is put.
            let got = within(
                LIMIT,
                "get_timeout (does it wake when the item comes?)",
                move || q.get_timeout(Duration::from_secs(600)),
            );
            putter.join().expect("the putter");
            assert_eq!(got, Ok(42));
        }

        #[test]
        fn put_with_a_timeout_gets_in_once_room_is_made() {
            let q = Arc::new($queue::new(1));
            q.put_nowait(1u32).expect("room for one");
            let getter = {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    thread::sleep(Duration::from_millis(20));
                    q.get()
                })
            };
            let put = within(LIMIT, "put_timeout (does it wake when room is made?)", {
                let q = Arc::clone(&q);
                move || q.put_timeout(2, Duration::from_secs(600))
            });
            assert_eq!(getter.join().expect("the getter"), 1);
            assert_eq!(put, Ok(()), "a get made room within the timeout");
            assert_eq!(
                q.get_nowait(),
                Ok(2),
                "the item put with a timeout is in the queue"
            );
        }

        #[test]
        fn a_blocked_get_sleeps_until_an_item_comes() {
            let q = Arc::new($queue::<u32>::new(2));
            let got = crate::sleepers::assert_blocks_quietly(
                "get on an empty queue",
                LIMIT,
                {
                    let q = Arc::clone(&q);
                    move || q.get()
                },
                || q.put_nowait(5).expect("room for one"),
            );
            assert_eq!(got, 5);
        }

        #[test]
        fn a_blocked_put_sleeps_until_room_is_made() {
            let q = Arc::new($queue::new(1));
            q.put_nowait(1u32).expect("room for one");
            crate::sleepers::assert_blocks_quietly(
                "put on a full queue",
                LIMIT,
                {
                    let q = Arc::clone(&q);
                    move || q.put(2)
                },
                || assert_eq!(q.get_nowait(), Ok(1)),
            );
            assert_eq!(q.get_nowait(), Ok(2), "the blocked put's item is in");
        }

        #[test]
        fn wake_ups_for_nothing_neither_end_nor_extend_a_timed_get() {
            // While get_timeout waits, it is woken again and again with
            // nothing to take (an item put and taken back while it could not
            // look). It must wait its whole timeout, and not much longer.
            let q = Arc::new($queue::<u32>::new(2));
            let timeout = Duration::from_millis(300);
            let (got, took, wake_ups) = crate::sleepers::time_with_wake_ups_for_nothing(
                {
                    let q = Arc::clone(&q);
                    move || q.get_timeout(timeout)
                },
                || {
                    q.put_nowait(7).expect("room");
                    assert_eq!(q.get_nowait(), Ok(7), "the waiting get took an item while held");
                },
            );
            assert_eq!(got, Err($empty), "nothing was there to get");
            assert!(
                took >= timeout,
                "get_timeout({timeout:?}) gave up after {took:?}, at a wake-up for nothing \
                 ({wake_ups} of them): wait again for the time that is left"
            );
            assert!(
                took < Duration::from_secs(2),
                "get_timeout({timeout:?}) returned only after {took:?}, woken for nothing \
                 {wake_ups} times: it starts its timeout again at every wake-up (keep one deadline)"
            );
        }

        #[test]
        fn wake_ups_for_nothing_neither_end_nor_extend_a_timed_put() {
            let q = Arc::new($queue::new(1));
            q.put_nowait(1u32).expect("room for one");
            let timeout = Duration::from_millis(300);
            let (got, took, wake_ups) = crate::sleepers::time_with_wake_ups_for_nothing(
                {
                    let q = Arc::clone(&q);
                    move || q.put_timeout(2, timeout)
                },
                || {
                    assert_eq!(q.get_nowait(), Ok(1), "the queue holds its one item");
                    q.put_nowait(1).expect("the waiting put took the room while held");
                },
            );
            assert_eq!(got, Err($full(2)), "the queue never had room for long");
            assert!(
                took >= timeout,
                "put_timeout({timeout:?}) gave up after {took:?}, at a wake-up for nothing \
                 ({wake_ups} of them): wait again for the time that is left"
            );
            assert!(
                took < Duration::from_secs(2),
                "put_timeout({timeout:?}) returned only after {took:?}, woken for nothing \
                 {wake_ups} times: it starts its timeout again at every wake-up (keep one deadline)"
            );
        }

        #[test]
        fn puts_back_to_back_wake_every_sleeping_getter() {
            // Four getters asleep on an empty queue, four puts in a row: each
            // put must wake a getter, whether or not the last one woken has
            // taken its item yet. The getters are slow to be scheduled, so
            // the puts really come before any of them looks.
            for round in 0..3 {
                let q = Arc::new($queue::<u32>::new(0));
                let (tid_tx, tid_rx) = mpsc::channel();
                let (got_tx, got_rx) = mpsc::channel();
                for _ in 0..4 {
                    let (q, tid_tx, got_tx) = (Arc::clone(&q), tid_tx.clone(), got_tx.clone());
                    thread::spawn(move || {
                        crate::sleepers::be_slow_to_wake();
                        let _ = tid_tx.send(crate::sleepers::tid());
                        let _ = got_tx.send(q.get());
                    });
                }
                for tid in tid_rx.iter().take(4) {
                    crate::sleepers::wait_until_asleep(tid, Duration::from_secs(2));
                }
                {
                    let q = Arc::clone(&q);
                    thread::spawn(move || {
                        crate::sleepers::pin_to_one_cpu();
                        for i in 0..4 {
                            q.put(i);
                        }
                    })
                    .join()
                    .expect("the putter");
                }
                let mut got: Vec<u32> = (0..4)
                    .map(|_| {
                        got_rx.recv_timeout(LIMIT).unwrap_or_else(|_| {
                            panic!(
                                "round {round}: a getter slept on while an item waited \
                                 ({} left in the queue): a put that woke nobody",
                                q.qsize()
                            )
                        })
                    })
                    .collect();
                got.sort_unstable();
                assert_eq!(got, [0, 1, 2, 3]);
            }
        }

        #[test]
        fn a_get_wakes_the_put_waiting_for_room_not_another_getter() {
            // Two getters asleep on a queue of one. Put 1 wakes the first;
            // put 2 finds the queue still full and waits. When the first
            // getter takes 1, the wake-up must reach the waiting put, not the
            // second getter (which would find nothing and sleep again, with
            // the put still waiting for ever).
            for round in 0..3 {
                let q = Arc::new($queue::<u32>::new(1));
                let (tid_tx, tid_rx) = mpsc::channel();
                let (got_tx, got_rx) = mpsc::channel();
                for _ in 0..2 {
                    let (q, tid_tx, got_tx) = (Arc::clone(&q), tid_tx.clone(), got_tx.clone());
                    thread::spawn(move || {
                        crate::sleepers::be_slow_to_wake();
                        let _ = tid_tx.send(crate::sleepers::tid());
                        let _ = got_tx.send(q.get());
                    });
                }
                for tid in tid_rx.iter().take(2) {
                    crate::sleepers::wait_until_asleep(tid, Duration::from_secs(2));
                }
                let putter = {
                    let q = Arc::clone(&q);
                    move || {
                        crate::sleepers::pin_to_one_cpu();
                        q.put(1);
                        q.put(2);
                    }
                };
                within(
                    LIMIT,
                    &format!(
                        "round {round}: a put waiting for room (a get made room, but its \
                         wake-up went to a getter?)"
                    ),
                    putter,
                );
                let mut got: Vec<u32> = (0..2)
                    .map(|_| got_rx.recv_timeout(LIMIT).expect("a getter never got its item"))
                    .collect();
                got.sort_unstable();
                assert_eq!(got, [1, 2]);
            }
        }

        #[test]
        fn nowait_calls_never_wait_when_another_thread_comes_between() {
            // One thread works a queue of one with put_nowait and get_nowait,
            // round and round. Again and again the test stops it wherever it
            // happens to be, has another thread take the item or, if there
            // is none, put one meanwhile, and lets it go on. A _nowait call
            // that checks first and acts under a second lock is caught
            // between the two: it then waits for ever, or adds a second item.
            use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
            let q = Arc::new($queue::<u32>::new(1));
            let progress = Arc::new(AtomicUsize::new(0));
            let stop = Arc::new(AtomicBool::new(false));
            // Set when the worker, right after its own put got in, took
            // another thread's item: its put went into a full queue.
            let overfilled = Arc::new(AtomicBool::new(false));
            let (tid_tx, tid_rx) = mpsc::channel();
            let worker = {
                let (q, progress, stop, overfilled) = (
                    Arc::clone(&q),
                    Arc::clone(&progress),
                    Arc::clone(&stop),
                    Arc::clone(&overfilled),
                );
                thread::spawn(move || {
                    // On the CPU of the thread that stops it: then it is
                    // stopped where it was last preempted, anywhere in its
                    // loop, and not mostly at the end of a system call.
                    crate::sleepers::pin_to_one_cpu();
                    let _ = tid_tx.send(crate::sleepers::tid());
                    while !stop.load(SeqCst) {
                        if q.put_nowait(1).is_ok() && q.get_nowait() == Ok(2) {
                            overfilled.store(true, SeqCst);
                        }
                        progress.fetch_add(1, SeqCst);
                    }
                })
            };
            let tid = tid_rx.recv().expect("the worker starts");
            let (job_tx, job_rx) = mpsc::channel::<()>();
            let (done_tx, done_rx) = mpsc::channel::<()>();
            {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    for () in job_rx {
                        // Take the worker's item if it is there (a worker
                        // between its check and its take now finds nothing);
                        // else fill the queue (a worker between its check and
                        // its add now finds no room).
                        if q.get_nowait().is_err() {
                            let _ = q.put_nowait(2);
                        }
                        let _ = done_tx.send(());
                    }
                });
            }
            let trials = {
                // The rest moves in; the stop is still set after the trials.
                let stop = Arc::clone(&stop);
                move || {
                    crate::sleepers::pin_to_one_cpu();
                    for trial in 0..NOWAIT_TRIALS {
                        let mut done = false;
                        crate::sleepers::hold(tid, || {
                            let _ = job_tx.send(());
                            done = done_rx.recv_timeout(Duration::from_millis(1)).is_ok();
                        });
                        if !done {
                            done_rx
                                .recv_timeout(Duration::from_secs(2))
                                .expect("a put_nowait or get_nowait waited on a queue nobody held");
                        }
                        let before = progress.load(SeqCst);
                        let deadline = Instant::now() + Duration::from_secs(2);
                        while progress.load(SeqCst) == before {
                            if Instant::now() >= deadline {
                                stop.store(true, SeqCst);
                                panic!(
                                    "trial {trial}: after another thread took or put an item while it was \
                                     stopped, a put_nowait or get_nowait waits (it checked the queue, then \
                                     acted under a second lock: check and act under one lock)"
                                );
                            }
                            thread::yield_now();
                        }
                        let size = q.qsize();
                        if size > 1 || overfilled.load(SeqCst) {
                            stop.store(true, SeqCst);
                        }
                        assert!(
                            size <= 1 && !overfilled.load(SeqCst),
                            "trial {trial}: a queue of one held two items (a put_nowait checked for \
                             room, another thread filled the queue, and it added its item anyway: \
                             check and act under one lock)"
                        );
                    }
                }
            };
            within(Duration::from_secs(25), "the nowait trials", trials);
            stop.store(true, SeqCst);
            worker.join().expect("the worker");
        }

        #[test]
        fn put_blocks_while_the_queue_is_full() {
            let q = Arc::new($queue::new(1));
            within(LIMIT, "put", {
                let q = Arc::clone(&q);
                move || q.put(1u8)
            });
            let (done_tx, done_rx) = mpsc::channel();
            let putter = {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    q.put(2);
                    let _ = done_tx.send(());
                })
            };
            assert_eq!(
                done_rx.recv_timeout(SHORT),
                Err(mpsc::RecvTimeoutError::Timeout),
                "put returned although the queue was full"
            );
            let first = within(LIMIT, "get", {
                let q = Arc::clone(&q);
                move || q.get()
            });
            assert_eq!(first, 1);
            assert!(
                done_rx.recv_timeout(LIMIT).is_ok(),
                "put never returned after a get made room"
            );
            putter.join().expect("the putter");
            assert_eq!(within(LIMIT, "get", move || q.get()), 2);
        }

        #[test]
        fn get_blocks_until_an_item_comes() {
            let q = Arc::new($queue::<u8>::new(1));
            let (got_tx, got_rx) = mpsc::channel();
            let getter = {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    let _ = got_tx.send(q.get());
                })
            };
            assert_eq!(
                got_rx.recv_timeout(SHORT),
                Err(mpsc::RecvTimeoutError::Timeout),
                "get returned from an empty queue"
            );
            q.put_nowait(9).expect("room for one");
            assert_eq!(got_rx.recv_timeout(LIMIT), Ok(9), "get never saw the item");
            getter.join().expect("the getter");
        }

        #[test]
        fn size_empty_and_full_follow_the_contents() {
            let states = within(LIMIT, "qsize, empty, full", || {
                let q = $queue::new(2);
                let mut states = vec![(q.qsize(), q.empty(), q.full())];
                q.put('x');
                states.push((q.qsize(), q.empty(), q.full()));
                q.put('y');
                states.push((q.qsize(), q.empty(), q.full()));
                q.get();
                states.push((q.qsize(), q.empty(), q.full()));
                (states, q.maxsize())
            });
            assert_eq!(
                states,
                (
                    vec![
                        (0, true, false),
                        (1, false, false),
                        (2, false, true),
                        (1, false, false)
                    ],
                    2
                )
            );
        }

        #[test]
        fn maxsize_zero_means_no_limit() {
            let (refused, full) = within(LIMIT, "put_nowait", || {
                let q = $queue::new(0);
                let refused = (0..10_000).filter(|&i| q.put_nowait(i).is_err()).count();
                (refused, q.full())
            });
            assert_eq!(refused, 0, "a queue with maxsize 0 has no limit");
            assert!(!full);
        }

        #[test]
        fn many_threads_lose_and_double_nothing() {
            let mut got = within(LIMIT, "4 putters and 4 getters", || {
                let q = Arc::new($queue::new(3));
                let putters: Vec<_> = (0..4)
                    .map(|p| {
                        let q = Arc::clone(&q);
                        thread::spawn(move || (0..500).for_each(|i| q.put(p * 1000 + i)))
                    })
                    .collect();
                let getters: Vec<_> = (0..4)
                    .map(|_| {
                        let q = Arc::clone(&q);
                        thread::spawn(move || (0..500).map(|_| q.get()).collect::<Vec<_>>())
                    })
                    .collect();
                putters
                    .into_iter()
                    .for_each(|t| t.join().expect("a putter"));
                getters
                    .into_iter()
                    .flat_map(|t| t.join().expect("a getter"))
                    .collect::<Vec<_>>()
            });
            got.sort_unstable();
            let expected: Vec<_> = (0..4)
                .flat_map(|p| (0..500).map(move |i| p * 1000 + i))
                .collect();
            assert_eq!(got, expected);
        }

        #[derive(Debug, Clone)]
        enum Op {
            Put(u16),
            Get,
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// Any sequence of put_nowait and get_nowait behaves like a
            /// VecDeque with a size limit.
            #[test]
            fn behaves_like_a_bounded_fifo(
                maxsize in 1usize..6,
                ops in prop::collection::vec(
                    prop_oneof![any::<u16>().prop_map(Op::Put), Just(Op::Get)], 0..60),
            ) {
                let q = $queue::new(maxsize);
                let mut model = std::collections::VecDeque::new();
                for op in ops {
                    match op {
                        Op::Put(v) => {
                            let expected = if model.len() < maxsize {
                                model.push_back(v);
                                Ok(())
                            } else {
                                Err($full(v))
                            };
                            prop_assert_eq!(q.put_nowait(v), expected);
                        }
                        Op::Get => prop_assert_eq!(q.get_nowait(), model.pop_front().ok_or($empty)),
                    }
                    prop_assert_eq!(q.qsize(), model.len());
                    prop_assert_eq!(q.full(), model.len() == maxsize);
                    prop_assert_eq!(q.empty(), model.is_empty());
                }
            }
        }
    };
}

mod sleepers;

mod bounded_queue;
mod channel_queue;
mod drain;
mod joinable_queue;
mod ordered_map;
mod process_queue;
mod producers_consumers;
