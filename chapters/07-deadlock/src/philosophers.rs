//! # Exercise: dining philosophers
//!
//! Philosophers sit around a round table, a fork between each two of them.
//! To eat, a philosopher needs both forks next to them. The obvious plan,
//! "pick up the left fork, then the right one", deadlocks the moment every
//! philosopher holds their left fork: each waits for a right fork that their
//! neighbour will never put down. In Python, with one `threading.Lock` per
//! fork:
//!
//! ```python
//! def philosopher(i, forks, meals):
//!     left, right = forks[i], forks[(i + 1) % len(forks)]
//!     for _ in range(meals):
//!         with left:
//!             with right:     # everyone can be stuck right here
//!                 eat(i)
//! ```
//!
//! Build two tables that never deadlock, one thread per philosopher, each
//! fork a `std::sync::Mutex<()>`: philosopher `i` has fork `i` on the left
//! and fork `i + 1` on the right (fork 0 for the last one), so fork `i` lies
//! between philosophers `i - 1` and `i`:
//!
//! - [`dine_ordered`]: number the forks and let every philosopher pick up
//!   the *lower-numbered* of their two forks first (the last philosopher's
//!   forks are `n - 1` and `0`: fork 0 first). The circle of waits can no
//!   longer close.
//! - [`dine_with_waiter`]: a waiter (a [`Semaphore`] with `seats - 1`
//!   permits) lets at most `seats - 1` philosophers reach for forks at once;
//!   they pick up left, then right. With one seat always empty, someone can
//!   always eat. Build the [`Semaphore`] yourself from a `Mutex<usize>` and
//!   a `Condvar`; a [`Permit`] gives its permit back when dropped.
//!
//! Both tell an observer what happens, in this order, for every meal:
//! `Event::Picked` right after each fork is taken (while it is held),
//! `Event::Eats` while holding both, `Event::Leaves` just before putting
//! both forks down. They return the meals each philosopher ate.
//!
//! The tests seat 5 and 100 philosophers at each table: everyone eats every
//! meal within a generous time limit, nobody picks a fork that a neighbour
//! holds or a fork that is not theirs; each philosopher's events come from
//! one thread of its own (not the caller's), and when each philosopher
//! holding a fork waits a moment for the others to get one too, several
//! hold forks at once (philosophers who dine one after another never do);
//! the ordered table picks the lower fork first; the waiter's philosophers
//! pick up left first, and the waiter lets exactly 4 of 5 hold forks at
//! once; and the semaphore hands out exactly its permits, makes `acquire`
//! wait, sleeping, and wakes a waiter for every permit given back, also
//! for two given back at once.
//!
//! Stuck? `cargo course hint philosophers`.

use std::marker::PhantomData;

/// What a philosopher does, reported to the observer as it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// `philosopher` has just picked up `fork` (and holds it).
    Picked { philosopher: usize, fork: usize },
    /// `philosopher` holds both forks and eats one meal.
    Eats { philosopher: usize },
    /// `philosopher` has eaten and is about to put both forks down.
    Leaves { philosopher: usize },
}

/// The forks of `philosopher` at a table of `seats`: `(left, right)`, that
/// is `(philosopher, philosopher + 1)`, wrapping around to fork 0.
pub fn forks_of(philosopher: usize, seats: usize) -> (usize, usize) {
    todo!()
}

/// Seats `seats` philosophers (at least 2), one thread each; each eats
/// `meals` times, picking up the lower-numbered of their forks first.
/// Returns the meals eaten by each philosopher, in seat order.
pub fn dine_ordered(seats: usize, meals: usize, observe: &(dyn Fn(Event) + Sync)) -> Vec<usize> {
    todo!()
}

/// A counting semaphore: at most `permits` holders at once.
pub struct Semaphore {
    // Your fields here: a `Mutex<usize>` of free permits and a `Condvar`.
    _todo: (),
}

/// One permit of a [`Semaphore`]; dropping it gives it back.
pub struct Permit<'a> {
    // Your fields here: the semaphore it came from.
    _todo: PhantomData<&'a Semaphore>,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        todo!()
    }

    /// Waits until a permit is free and takes it.
    pub fn acquire(&self) -> Permit<'_> {
        todo!()
    }

    /// Takes a permit if one is free now, without waiting.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        todo!()
    }

    /// How many permits are free now.
    pub fn available(&self) -> usize {
        todo!()
    }
}

impl Drop for Permit<'_> {
    /// Gives the permit back and wakes one waiter.
    fn drop(&mut self) {
        todo!()
    }
}

/// Seats `seats` philosophers (at least 2); a waiter lets at most
/// `seats - 1` of them reach for forks at once, and each picks up the left
/// fork, then the right. Returns the meals eaten by each philosopher.
pub fn dine_with_waiter(
    seats: usize,
    meals: usize,
    observe: &(dyn Fn(Event) + Sync),
) -> Vec<usize> {
    todo!()
}
