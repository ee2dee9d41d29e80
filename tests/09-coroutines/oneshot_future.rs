use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use coroutines::oneshot_future::{Canceled, Receiver, channel};
use forklings_support::within;

use crate::wakers::{counter, hooked, wake_then_wait};

const LIMIT: Duration = Duration::from_secs(5);

fn poll_once<T>(rx: &mut Receiver<T>, waker: &Waker) -> Poll<Result<T, Canceled>> {
    Pin::new(rx).poll(&mut Context::from_waker(waker))
}

#[test]
fn pending_until_sent_then_ready() {
    let (tx, mut rx) = channel::<u32>();
    let (count, waker) = counter();
    assert!(poll_once(&mut rx, &waker).is_pending(), "nothing sent yet");
    assert_eq!(count.wakes(), 0, "a pending poll must not wake itself");
    tx.send(7).expect("the receiver is alive");
    assert_eq!(count.wakes(), 1, "send wakes the receiver once");
    assert_eq!(poll_once(&mut rx, &waker), Poll::Ready(Ok(7)));
}

#[test]
fn sent_before_the_first_poll_is_ready_at_once() {
    let (tx, mut rx) = channel::<&str>();
    tx.send("early").expect("the receiver is alive");
    let (count, waker) = counter();
    assert_eq!(poll_once(&mut rx, &waker), Poll::Ready(Ok("early")));
    assert_eq!(count.wakes(), 0);
}

#[test]
fn only_the_latest_waker_is_woken() {
    let (tx, mut rx) = channel::<u8>();
    let (first, first_waker) = counter();
    let (second, second_waker) = counter();
    assert!(poll_once(&mut rx, &first_waker).is_pending());
    assert!(poll_once(&mut rx, &second_waker).is_pending());
    tx.send(1).expect("the receiver is alive");
    assert_eq!(first.wakes(), 0, "the old waker is stale");
    assert_eq!(second.wakes(), 1);
}

#[test]
fn a_dropped_sender_wakes_the_receiver_with_an_error() {
    let (tx, mut rx) = channel::<u8>();
    let (count, waker) = counter();
    assert!(poll_once(&mut rx, &waker).is_pending());
    drop(tx);
    assert_eq!(count.wakes(), 1, "dropping the sender wakes the receiver");
    assert_eq!(poll_once(&mut rx, &waker), Poll::Ready(Err(Canceled)));
}

#[test]
fn sending_to_a_dropped_receiver_gives_the_value_back() {
    let (tx, rx) = channel::<String>();
    drop(rx);
    assert_eq!(tx.send("back".to_string()), Err("back".to_string()));
}

#[test]
fn a_value_from_another_thread_takes_exactly_two_polls() {
    let (polls, wakes, value) = within(LIMIT, "waiting for a value sent by a thread", || {
        let (tx, mut rx) = channel::<u64>();
        // The sender sends only after the first poll, however slow this
        // thread is, and after a while.
        let (go, wait_for_go) = std::sync::mpsc::channel::<()>();
        let sender = thread::spawn(move || {
            if wait_for_go.recv_timeout(LIMIT).is_ok() {
                thread::sleep(Duration::from_millis(50));
            }
            tx.send(99).expect("the receiver is alive");
        });
        let (count, waker) = counter();
        // A tiny block_on: poll, and park until a wake unparks us.
        let mut polls = 0;
        let value = loop {
            polls += 1;
            if let Poll::Ready(value) = poll_once(&mut rx, &waker) {
                break value;
            }
            let _ = go.send(());
            count.wait_for(polls, LIMIT);
        };
        sender.join().expect("the sender thread");
        (polls, count.wakes(), value)
    });
    assert_eq!(value, Ok(99));
    assert_eq!(
        (polls, wakes),
        (2, 1),
        "polled once before the value and once after its one wake: no busy polling"
    );
}

/// The first poll stores its waker. A value sent at that very moment, by
/// another thread, must not be lost: either the poll sees it, or the send
/// finds the waker and wakes it. (The test's waker lets the sender go the
/// moment the poll clones it, and gives it 200 ms to send.)
#[test]
fn a_value_sent_while_the_waker_is_stored_is_not_lost() {
    let (first, wakes, second) = within(LIMIT, "a send racing the first poll", || {
        let (tx, mut rx) = channel::<u32>();
        let sender = Arc::new(Mutex::new(None::<thread::JoinHandle<()>>));
        let for_hook = Arc::clone(&sender);
        let (count, waker) = hooked(move || {
            let (sent_tx, sent) = std::sync::mpsc::channel::<()>();
            let handle = thread::spawn(move || {
                let _ = tx.send(11);
                let _ = sent_tx.send(());
            });
            *for_hook.lock().unwrap() = Some(handle);
            // A poll that holds its lock while it clones keeps the sender
            // out: wait for it a while, not for ever.
            let _ = sent.recv_timeout(Duration::from_millis(200));
        });
        let first = poll_once(&mut rx, &waker);
        let handle = sender.lock().unwrap().take();
        if let Some(handle) = handle {
            handle.join().expect("the sender thread");
        }
        let wakes = count.wakes();
        let second = first.is_pending().then(|| poll_once(&mut rx, &waker));
        (first, wakes, second)
    });
    match first {
        Poll::Ready(value) => assert_eq!(value, Ok(11)),
        Poll::Pending => {
            assert_eq!(
                wakes, 1,
                "a value was sent while poll stored its waker, and nobody woke the receiver: \
                 look at the slot and store the waker under one lock (a lost wake-up)"
            );
            assert_eq!(second, Some(Poll::Ready(Ok(11))));
        }
    }
}

/// Whoever is woken polls at once, maybe before `send` has returned: the
/// value must be in the slot before the wake. (The test's waker pauses the
/// sender right after its `wake` until the receiver has been polled.)
#[test]
fn the_value_is_in_the_slot_before_the_wake() {
    let (woken, polled, woken_again, last) = within(LIMIT, "a send and its wake", || {
        let (tx, mut rx) = channel::<u32>();
        let (handle, waker) = wake_then_wait(Duration::from_millis(200));
        assert!(poll_once(&mut rx, &waker).is_pending());
        let sender = thread::spawn(move || {
            let _ = tx.send(5);
        });
        let woken = handle.woken_within(LIMIT);
        let polled = poll_once(&mut rx, &waker);
        handle.polled();
        let woken_again = polled.is_pending() && handle.woken_within(Duration::from_secs(1));
        if woken_again {
            handle.polled();
        }
        sender.join().expect("the sender thread");
        let last = polled.is_pending().then(|| poll_once(&mut rx, &waker));
        (woken, polled, woken_again, last)
    });
    assert!(woken, "send woke nobody");
    if polled.is_pending() {
        assert!(
            woken_again,
            "polled when woken, the receiver found no value and was never woken again \
             (the value came later: {last:?}). Put the value in the slot before waking"
        );
    } else {
        assert_eq!(polled, Poll::Ready(Ok(5)));
    }
}
