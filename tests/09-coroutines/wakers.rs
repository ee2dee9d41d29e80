//! Not an exercise: wakers the tests make themselves, to count wakes and to
//! pick the moment at which a future's code runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{RawWaker, RawWakerVTable, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// A waker that counts its wakes and unparks the thread that made it.
pub struct Counter {
    wakes: AtomicUsize,
    thread: thread::Thread,
}

impl Counter {
    /// The wakes so far.
    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }

    /// Parks until at least `n` wakes came, or `limit` passed; returns the
    /// wakes then.
    pub fn wait_for(&self, n: usize, limit: Duration) -> usize {
        let deadline = Instant::now() + limit;
        while self.wakes() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            thread::park_timeout(left);
        }
        self.wakes()
    }
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

/// A counting waker for the calling thread.
pub fn counter() -> (Arc<Counter>, Waker) {
    let counter = Arc::new(Counter {
        wakes: AtomicUsize::new(0),
        thread: thread::current(),
    });
    let waker = Waker::from(Arc::clone(&counter));
    (counter, waker)
}

/// What a [`hooked`] waker does on its first clone.
type Hook = Box<dyn FnOnce() + Send>;

/// A counting waker that runs a hook the first time it is cloned: the
/// moment a future stores it.
struct Hooked {
    counter: Arc<Counter>,
    on_first_clone: Mutex<Option<Hook>>,
}

static HOOKED: RawWakerVTable =
    RawWakerVTable::new(hooked_clone, hooked_wake, hooked_wake_by_ref, hooked_drop);

// SAFETY (all four): `data` comes from `Arc::into_raw` of an `Arc<Hooked>`
// (in `hooked` or `hooked_clone`), and each RawWaker owns one strong count.
unsafe fn hooked_clone(data: *const ()) -> RawWaker {
    let hooked = unsafe { &*data.cast::<Hooked>() };
    let hook = hooked.on_first_clone.lock().unwrap().take();
    if let Some(hook) = hook {
        hook();
    }
    unsafe { Arc::increment_strong_count(data.cast::<Hooked>()) };
    RawWaker::new(data, &HOOKED)
}

unsafe fn hooked_wake(data: *const ()) {
    unsafe {
        hooked_wake_by_ref(data);
        hooked_drop(data);
    }
}

unsafe fn hooked_wake_by_ref(data: *const ()) {
    let hooked = unsafe { &*data.cast::<Hooked>() };
    hooked.counter.wake_by_ref();
}

unsafe fn hooked_drop(data: *const ()) {
    drop(unsafe { Arc::from_raw(data.cast::<Hooked>()) });
}

/// A counting waker for the calling thread that runs `hook` the first time
/// it is cloned.
pub fn hooked(hook: impl FnOnce() + Send + 'static) -> (Arc<Counter>, Waker) {
    let (counter, _) = counter();
    let hooked = Arc::new(Hooked {
        counter: Arc::clone(&counter),
        on_first_clone: Mutex::new(Some(Box::new(hook))),
    });
    // SAFETY: the vtable's functions treat the pointer as an `Arc<Hooked>`,
    // which it is; this RawWaker owns the strong count `into_raw` leaves.
    let waker =
        unsafe { Waker::from_raw(RawWaker::new(Arc::into_raw(hooked).cast::<()>(), &HOOKED)) };
    (counter, waker)
}

/// A waker whose `wake` tells the test thread and then waits, at most
/// `grace`, until that thread has polled again: the future is polled while
/// the code that called `wake` is paused right after the call.
pub struct WakeThenWait {
    woken: Mutex<mpsc::Sender<()>>,
    polled: Mutex<mpsc::Receiver<()>>,
    grace: Duration,
}

impl Wake for WakeThenWait {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let _ = self.woken.lock().unwrap().send(());
        let _ = self.polled.lock().unwrap().recv_timeout(self.grace);
    }
}

/// The test thread's side of a [`WakeThenWait`] waker.
pub struct WakeThenWaitHandle {
    woken: mpsc::Receiver<()>,
    polled: mpsc::Sender<()>,
}

impl WakeThenWaitHandle {
    /// Waits at most `limit` for a wake; true if one came.
    pub fn woken_within(&self, limit: Duration) -> bool {
        self.woken.recv_timeout(limit).is_ok()
    }

    /// Lets the paused waker go on: the test has polled.
    pub fn polled(&self) {
        let _ = self.polled.send(());
    }
}

/// A waker that pauses whoever wakes it until the test thread has polled,
/// for at most `grace`.
pub fn wake_then_wait(grace: Duration) -> (WakeThenWaitHandle, Waker) {
    let (woken_tx, woken) = mpsc::channel();
    let (polled, polled_rx) = mpsc::channel();
    let waker = Waker::from(Arc::new(WakeThenWait {
        woken: Mutex::new(woken_tx),
        polled: Mutex::new(polled_rx),
        grace,
    }));
    (WakeThenWaitHandle { woken, polled }, waker)
}
