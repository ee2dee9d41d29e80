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
        fn a_wake_up_for_nothing_does_not_end_the_wait() {
            // Another thread puts and takes back items while we wait: each
            // put may wake us, but the item is gone before we look (or we
            // get it, which is fine). Giving up at the first wake-up is wrong.
            let q = Arc::new($queue::new(0));
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let teaser = {
                let (q, stop) = (Arc::clone(&q), Arc::clone(&stop));
                thread::spawn(move || {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        q.put(1u8);
                        let _ = q.get_nowait();
                        thread::sleep(Duration::from_millis(1));
                    }
                })
            };
            let wait = Duration::from_millis(150);
            let (got, waited) = within(LIMIT, "get_timeout", {
                let q = Arc::clone(&q);
                move || {
                    let start = Instant::now();
                    (q.get_timeout(wait), start.elapsed())
                }
            });
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            teaser.join().expect("the teaser");
            if got.is_err() {
                assert!(
                    waited >= wait,
                    "Empty after {waited:?}, before the {wait:?} timeout"
                );
            }
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

mod bounded_queue;
mod channel_queue;
mod drain;
mod joinable_queue;
mod ordered_map;
mod process_queue;
mod producers_consumers;
