//! Whether a waiting thread sleeps: the CPU time and the context switches
//! of the thread itself (`getrusage(RUSAGE_THREAD)`) while it waits. A
//! thread blocked on a futex uses next to no CPU and switches a handful of
//! times; one that spins burns CPU, one that polls with short sleeps
//! switches hundreds of times, and one that yields in its loop, on a busy
//! machine, uses little CPU but is switched out thousands of times (those
//! switches are involuntary: a yield leaves the thread runnable). Structure, not speed: the
//! bounds hold however slow or busy the machine is.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long the test keeps the waiter waiting.
pub const HOLD: Duration = Duration::from_millis(500);
/// A sleeping waiter's CPU time over [`HOLD`] stays far below this; a
/// spinning one, even on a machine with every core busy, does not.
pub const MOST_CPU: Duration = Duration::from_millis(25);
/// A sleeping waiter is switched a few times; one that polls every few
/// milliseconds about a hundred times over [`HOLD`], and one that yields on
/// a busy machine far more.
pub const MOST_SWITCHES: i64 = 25;

/// The calling thread's CPU time (user and system) and context switches,
/// voluntary and involuntary, so far.
fn usage() -> (Duration, i64) {
    // SAFETY: getrusage fills the struct it is given; zeroed is a valid start.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a rusage for the calling thread.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) };
    assert_eq!(rc, 0, "getrusage(RUSAGE_THREAD) failed");
    let time = |tv: libc::timeval| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
    };
    (
        time(ru.ru_utime) + time(ru.ru_stime),
        ru.ru_nvcsw + ru.ru_nivcsw,
    )
}

/// What a waiter cost while it waited.
#[derive(Debug)]
pub struct Cost {
    pub cpu: Duration,
    pub switches: i64,
}

impl Cost {
    /// Panics, naming `what`, unless the waiter slept.
    pub fn assert_slept(&self, what: &str) {
        assert!(
            self.cpu < MOST_CPU,
            "{what} used {:?} of CPU while it waited {HOLD:?}: it spins instead of sleeping \
             (wait on the Condvar)",
            self.cpu
        );
        assert!(
            self.switches < MOST_SWITCHES,
            "{what} was switched in and out {} times while it waited {HOLD:?}: it polls or \
             yields instead of sleeping until it is woken (wait on the Condvar)",
            self.switches
        );
    }
}

/// Runs `wait` on a thread of its own, lets it wait for [`HOLD`], calls
/// `release` (which must let `wait` return), and returns what the waiting
/// thread spent meanwhile, with the value `wait` returned. `None` if `wait`
/// did not return within 20 s of the release.
pub fn cost_of_waiting<T: Send + 'static>(
    wait: impl FnOnce() -> T + Send + 'static,
    release: impl FnOnce(),
) -> Option<(Cost, T)> {
    let (started_tx, started_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let before = usage();
        started_tx.send(()).expect("the test listens");
        let value = wait();
        let after = usage();
        let cost = Cost {
            cpu: after.0.saturating_sub(before.0),
            switches: after.1 - before.1,
        };
        let _ = done_tx.send((cost, value));
    });
    started_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the waiting thread did not start");
    thread::sleep(HOLD);
    release();
    let outcome = done_rx.recv_timeout(Duration::from_secs(20)).ok();
    if outcome.is_some() {
        waiter.join().expect("the waiting thread panicked");
    }
    outcome
}
