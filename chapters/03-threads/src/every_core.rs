//! # Exercise: threads use every core
//!
//! The tutorial counts with two threads and finds CPython no faster than
//! with one: a thread must hold the global interpreter lock (the GIL) to run
//! Python code, and it hands the lock over only every few milliseconds. The
//! threads take turns; at any moment one of them runs.
//!
//! ```python
//! counts = [0, 0]
//! def spin(me, other):
//!     seen = counts[other]
//!     while ...:
//!         counts[me] += 1
//!         if counts[other] != seen:       # the other moved: we were switched out,
//!             seen = counts[other]        # or it ran while we held no lock
//! ```
//!
//! Rust's threads are the kernel's threads with no such lock: on a machine
//! with two free cores, two of them run at the same instant. A test cannot
//! time that fairly (the machine may be busy), so this exercise shows it by
//! structure, with counters that the threads read while they run, and shows
//! the GIL's turn-taking beside it, made explicit with a baton.
//!
//! - [`spin_free`]: `threads` threads, started together by a
//!   `std::sync::Barrier`. Each runs a loop that never blocks, sleeps or
//!   yields. Every step: look at every other thread's counter and note a
//!   [`Sighting`] for each one that changed since this thread last looked
//!   (up to `sightings` of each other thread: enough to prove the point);
//!   then add 1 to its own counter. Counters are atomics that the others
//!   can read while it runs (`AtomicU64`, `Relaxed` is enough). A thread
//!   has reached its goal once it has seen *each* other thread move
//!   `sightings` times; it then says so (a shared count of threads done),
//!   and keeps stepping until every thread has reached its goal, so that
//!   the others can still see it move.
//! - [`take_turns`]: the same counters and the same look-then-add steps,
//!   but one baton: a `Mutex<usize>` holding whose turn it is, and a
//!   `Condvar`. A thread waits for its turn, does `steps` steps, hands the
//!   baton to the next thread (`(i + 1) % threads`) and wakes the waiters;
//!   each thread takes `turns` turns. While one thread holds the baton,
//!   nobody else counts: the others' counters can only have moved between
//!   two of its turns, which is what CPython does with the GIL.
//!
//! Both return one [`SpinReport`] per thread, in thread order. The tests
//! check that each thread saw each other one move, many times, while it
//! was itself counting (the counters it saw only grow, and never reach
//! their final value early), and that with the baton every sighting comes
//! at the first step of a turn and sees whole turns of the others.
//!
//! Stuck? `cargo course hint every_core`.

/// One thread saw another thread's counter change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    /// The other thread's number.
    pub other: usize,
    /// The other thread's counter, as seen.
    pub value: u64,
    /// This thread's own counter at that moment (before its add of that
    /// step).
    pub own: u64,
}

/// What one counting thread did and saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinReport {
    /// Its counter when it stopped.
    pub own: u64,
    /// The changes it saw, in the order it saw them.
    pub seen: Vec<Sighting>,
}

/// `threads` threads counting at once, each until every thread has seen
/// each other one move `sightings` times.
pub fn spin_free(threads: usize, sightings: usize) -> Vec<SpinReport> {
    todo!()
}

/// `threads` threads counting one at a time, passing a baton round-robin:
/// `turns` turns each, `steps` steps a turn.
pub fn take_turns(threads: usize, turns: u64, steps: u64) -> Vec<SpinReport> {
    todo!()
}
