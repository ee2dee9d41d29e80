//! Test plumbing for waits: what the kernel says about a thread that should
//! be asleep, and a way to wake it for nothing.
//!
//! A blocked `get` must sleep, not spin or poll: `assert_blocks_quietly`
//! reads the waiting thread's CPU time and context switches from
//! `/proc/self/task/TID` while nothing happens. A timed wait must neither
//! give up at a wake-up for nothing nor start its timeout again after one:
//! `wake_for_nothing` holds the waiting thread in a signal handler, changes
//! the queue and changes it back, then lets the thread go, so that it wakes
//! to find nothing changed. Both are about structure, not speed.

use std::fs;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// How long a sleeping thread is watched.
const QUIET: Duration = Duration::from_millis(500);
/// The most CPU a thread asleep for `QUIET` may use: a spinning thread uses
/// all it gets, even on a crowded machine many ticks.
const QUIET_CPU: Duration = Duration::from_millis(60);
/// The most times it may be switched in and out meanwhile: a thread that
/// polls every few milliseconds wakes a hundred times.
const QUIET_SWITCHES: u64 = 12;

pub use forklings_support::procs::tid;

/// The scheduler state letter of a thread of this process (`R`, `S`...), or
/// `None` once it is gone.
pub fn state(tid: i32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

/// CPU time (user + system) and context switches (voluntary + not) of a
/// thread of this process so far.
fn usage(tid: i32) -> Option<(Duration, u64)> {
    let stat = fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    // After the name: state is field 3 of the line, utime 14 and stime 15.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap_or(100);
    let cpu = Duration::from_millis(ticks * 1000 / per_second.max(1));
    let status = fs::read_to_string(format!("/proc/self/task/{tid}/status")).ok()?;
    let switches = status
        .lines()
        .filter(|l| l.contains("ctxt_switches:"))
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum();
    Some((cpu, switches))
}

/// Waits (at most `limit`) until the thread is asleep (`S`); false if it
/// never was, as a spinning thread never is.
pub fn wait_until_asleep(tid: i32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if state(tid) == Some('S') {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(1));
    }
}

pub use forklings_support::sched::{be_slow_to_wake, pin_to_one_cpu};

/// Runs `wait` on a thread of its own, which must block; checks that while
/// nothing happens for half a second it sleeps (no CPU to speak of, hardly
/// ever switched in), then runs `release`, which must end the wait within
/// `limit`. Returns what `wait` returned.
pub fn assert_blocks_quietly<T: Send + 'static>(
    what: &str,
    limit: Duration,
    wait: impl FnOnce() -> T + Send + 'static,
    release: impl FnOnce(),
) -> T {
    let (tid_tx, tid_rx) = mpsc::channel();
    let (out_tx, out_rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tid_tx.send(tid());
        let _ = out_tx.send(wait());
    });
    let tid = tid_rx.recv().expect("the waiting thread starts");
    wait_until_asleep(tid, Duration::from_secs(2));
    let before = usage(tid);
    let early = out_rx.recv_timeout(QUIET);
    let after = usage(tid);
    assert!(
        early.is_err(),
        "{what} returned although nothing it waits for happened"
    );
    if let (Some((cpu0, sw0)), Some((cpu1, sw1))) = (before, after) {
        let (cpu, switches) = (cpu1.saturating_sub(cpu0), sw1.saturating_sub(sw0));
        assert!(
            cpu <= QUIET_CPU && switches <= QUIET_SWITCHES,
            "{what} should sleep while it waits (a Condvar or a blocking call), but in \
             {QUIET:?} of waiting its thread used {cpu:?} of CPU and was woken {switches} \
             times: it spins or polls"
        );
    }
    release();
    out_rx
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what} never returned after what it waited for happened"))
}

// ---------------------------------------------------------------------------
// Holding a thread in a signal handler.

/// One thread at a time is held. Each hold has a number; the handler says
/// "arrived" and "left" on two pipes, and waits on a third until its hold is
/// released (a byte left over from an earlier hold does not count).
static HELD: Mutex<()> = Mutex::new(());
static HOLD: AtomicU64 = AtomicU64::new(0);
static RELEASED: AtomicU64 = AtomicU64::new(0);
static ARRIVED_W: AtomicI32 = AtomicI32::new(-1);
static LEFT_W: AtomicI32 = AtomicI32::new(-1);
static GO_R: AtomicI32 = AtomicI32::new(-1);
static PIPES: OnceLock<(i32, i32, i32)> = OnceLock::new();

/// SIGUSR1's handler: says "arrived", waits (at most about 2 s) until its
/// hold is released, says "left". Only async-signal-safe calls, and errno is
/// left as it was.
extern "C" fn hold_here(_: libc::c_int) {
    let mine = HOLD.load(Ordering::SeqCst);
    // SAFETY: write, poll and read on descriptors this module owns; errno is
    // saved and restored around them.
    unsafe {
        let errno = *libc::__errno_location();
        let byte = 0u8;
        libc::write(
            ARRIVED_W.load(Ordering::SeqCst),
            (&raw const byte).cast(),
            1,
        );
        let mut go = libc::pollfd {
            fd: GO_R.load(Ordering::SeqCst),
            events: libc::POLLIN,
            revents: 0,
        };
        let now = || {
            let mut t: libc::timespec = std::mem::zeroed();
            libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t);
            t.tv_sec
        };
        let give_up = now() + 2;
        while RELEASED.load(Ordering::SeqCst) < mine && now() < give_up {
            // Bytes left over from earlier holds wake us too: drain them all
            // and look again.
            if libc::poll(&mut go, 1, 100) == 1 {
                let mut drained = [0u8; 64];
                libc::read(go.fd, drained.as_mut_ptr().cast(), drained.len());
            }
        }
        libc::write(LEFT_W.load(Ordering::SeqCst), (&raw const byte).cast(), 1);
        *libc::__errno_location() = errno;
    }
}

/// The ends this side uses (arrived to read, left to read, go to write),
/// made once with the handler.
fn pipes() -> (i32, i32, i32) {
    *PIPES.get_or_init(|| {
        let (mut arrived, mut left, mut go) = ([0; 2], [0; 2], [0; 2]);
        // SAFETY: pipe2 fills the arrays; sigaction installs a handler that
        // only makes async-signal-safe calls. The descriptors live as long
        // as the test process.
        unsafe {
            for pipe in [&mut arrived, &mut left, &mut go] {
                assert_eq!(libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC), 0);
            }
            ARRIVED_W.store(arrived[1], Ordering::SeqCst);
            LEFT_W.store(left[1], Ordering::SeqCst);
            GO_R.store(go[0], Ordering::SeqCst);
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = hold_here as *const () as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            assert_eq!(
                libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
                0
            );
        }
        (arrived[0], left[0], go[1])
    })
}

/// Reads one byte from `fd`, waiting at most 10 s; false if none came.
fn one_byte(fd: i32) -> bool {
    let mut wait = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let mut byte = 0u8;
    // SAFETY: poll and read on our own pipe.
    unsafe {
        libc::poll(&mut wait, 1, 10_000) == 1 && libc::read(fd, (&raw mut byte).cast(), 1) == 1
    }
}

/// Wakes the sleeping thread `tid` for nothing: a signal takes it out of its
/// wait and holds it in the handler while `meanwhile` changes what it waits
/// for and changes it back; then it goes on. A condition variable or a
/// parked thread then finds its wake-up already sent: it wakes, and must see
/// that nothing is there for it. Returns false if the thread was not asleep.
pub fn wake_for_nothing(tid: i32, meanwhile: impl FnOnce()) -> bool {
    state(tid) == Some('S') && hold(tid, meanwhile)
}

/// Stops the thread `tid` wherever it is (a signal holds it in the handler),
/// runs `meanwhile`, and lets it go on; returns once it has left the
/// handler. False if the thread is gone. A thread held while it holds a lock
/// keeps it: `meanwhile` must not wait long for that lock.
pub fn hold(tid: i32, meanwhile: impl FnOnce()) -> bool {
    let _one = HELD.lock().unwrap_or_else(|p| p.into_inner());
    let (arrived, left, go) = pipes();
    let number = HOLD.fetch_add(1, Ordering::SeqCst) + 1;
    // SAFETY: tgkill sends SIGUSR1 (handled above) to one thread of this
    // process.
    if unsafe { libc::tgkill(libc::getpid(), tid, libc::SIGUSR1) } != 0 {
        RELEASED.store(number, Ordering::SeqCst);
        return false;
    }
    assert!(
        one_byte(arrived),
        "a signalled thread never ran its handler"
    );
    // Let the thread go on even if `meanwhile` panics.
    let _release = Release { number, go, left };
    meanwhile();
    true
}

/// Releases hold `number` when dropped, and waits until the held thread has
/// left its handler.
struct Release {
    number: u64,
    go: i32,
    left: i32,
}

impl Drop for Release {
    fn drop(&mut self) {
        RELEASED.store(self.number, Ordering::SeqCst);
        let byte = 1u8;
        // SAFETY: write on our own pipe.
        unsafe {
            libc::write(self.go, (&raw const byte).cast(), 1);
        }
        let left = one_byte(self.left);
        if !std::thread::panicking() {
            assert!(left, "a held thread never left its handler");
        }
    }
}

/// Runs `wait` (a timed wait for something that never comes) on a thread of
/// its own and wakes it for nothing (with `meanwhile`) every 20 ms while it
/// waits, for at most 2.5 s. Returns what `wait` returned and how long it
/// took, and how many wake-ups for nothing it got.
pub fn time_with_wake_ups_for_nothing<T: Send + 'static>(
    wait: impl FnOnce() -> T + Send + 'static,
    mut meanwhile: impl FnMut(),
) -> (T, Duration, usize) {
    let (tid_tx, tid_rx) = mpsc::channel();
    let (out_tx, out_rx) = mpsc::channel();
    let (end_tx, end_rx) = mpsc::channel::<()>();
    let waiter = thread::spawn(move || {
        let _ = tid_tx.send(tid());
        let start = Instant::now();
        let out = wait();
        let _ = out_tx.send((out, start.elapsed()));
        // Stay alive until told: a thread id is never reused while we may
        // still signal it.
        let _ = end_rx.recv();
    });
    let tid = tid_rx.recv().expect("the waiting thread starts");
    let stop_at = Instant::now() + Duration::from_millis(2500);
    let mut wake_ups = 0;
    let result = loop {
        if let Ok(out) = out_rx.recv_timeout(Duration::from_millis(20)) {
            break Some(out);
        }
        if Instant::now() >= stop_at {
            break None;
        }
        if wake_for_nothing(tid, &mut meanwhile) {
            wake_ups += 1;
        }
    };
    let (out, took) = result.unwrap_or_else(|| {
        out_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the timed wait never returned, even once left alone")
    });
    drop(end_tx);
    let _ = waiter.join();
    (out, took, wake_ups)
}
