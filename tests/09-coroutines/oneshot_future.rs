use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use coroutines::oneshot_future::{Canceled, Receiver, channel};
use forklings_support::within;

const LIMIT: Duration = Duration::from_secs(5);

/// A waker that counts its wakes and unparks the thread that made it.
struct Counter {
    wakes: AtomicUsize,
    thread: thread::Thread,
}

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

fn counter() -> (Arc<Counter>, Waker) {
    let counter = Arc::new(Counter {
        wakes: AtomicUsize::new(0),
        thread: thread::current(),
    });
    let waker = Waker::from(Arc::clone(&counter));
    (counter, waker)
}

fn poll_once<T>(rx: &mut Receiver<T>, waker: &Waker) -> Poll<Result<T, Canceled>> {
    Pin::new(rx).poll(&mut Context::from_waker(waker))
}

#[test]
fn pending_until_sent_then_ready() {
    let (tx, mut rx) = channel::<u32>();
    let (count, waker) = counter();
    assert!(poll_once(&mut rx, &waker).is_pending(), "nothing sent yet");
    assert_eq!(
        count.wakes.load(Ordering::SeqCst),
        0,
        "a pending poll must not wake itself"
    );
    tx.send(7).expect("the receiver is alive");
    assert_eq!(
        count.wakes.load(Ordering::SeqCst),
        1,
        "send wakes the receiver once"
    );
    assert_eq!(poll_once(&mut rx, &waker), Poll::Ready(Ok(7)));
}

#[test]
fn sent_before_the_first_poll_is_ready_at_once() {
    let (tx, mut rx) = channel::<&str>();
    tx.send("early").expect("the receiver is alive");
    let (count, waker) = counter();
    assert_eq!(poll_once(&mut rx, &waker), Poll::Ready(Ok("early")));
    assert_eq!(count.wakes.load(Ordering::SeqCst), 0);
}

#[test]
fn only_the_latest_waker_is_woken() {
    let (tx, mut rx) = channel::<u8>();
    let (first, first_waker) = counter();
    let (second, second_waker) = counter();
    assert!(poll_once(&mut rx, &first_waker).is_pending());
    assert!(poll_once(&mut rx, &second_waker).is_pending());
    tx.send(1).expect("the receiver is alive");
    assert_eq!(
        first.wakes.load(Ordering::SeqCst),
        0,
        "the old waker is stale"
    );
    assert_eq!(second.wakes.load(Ordering::SeqCst), 1);
}

#[test]
fn a_dropped_sender_wakes_the_receiver_with_an_error() {
    let (tx, mut rx) = channel::<u8>();
    let (count, waker) = counter();
    assert!(poll_once(&mut rx, &waker).is_pending());
    drop(tx);
    assert_eq!(
        count.wakes.load(Ordering::SeqCst),
        1,
        "dropping the sender wakes the receiver"
    );
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
            while count.wakes.load(Ordering::SeqCst) < polls {
                thread::park();
            }
        };
        sender.join().expect("the sender thread");
        (polls, count.wakes.load(Ordering::SeqCst), value)
    });
    assert_eq!(value, Ok(99));
    assert_eq!(
        (polls, wakes),
        (2, 1),
        "polled once before the value and once after its one wake: no busy polling"
    );
}
