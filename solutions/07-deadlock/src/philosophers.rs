//! Dining philosophers: the reference solution. The statement is in
//! `chapters/07-deadlock/src/philosophers.rs`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;

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

/// The forks of `philosopher` at a table of `seats`: `(left, right)`.
pub fn forks_of(philosopher: usize, seats: usize) -> (usize, usize) {
    (philosopher, (philosopher + 1) % seats)
}

fn take(fork: &Mutex<()>) -> MutexGuard<'_, ()> {
    fork.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One philosopher's meal with the forks taken in the order given.
fn eat_once(
    philosopher: usize,
    forks: &[Mutex<()>],
    (first, second): (usize, usize),
    observe: &(dyn Fn(Event) + Sync),
) {
    let _first = take(&forks[first]);
    observe(Event::Picked {
        philosopher,
        fork: first,
    });
    let _second = take(&forks[second]);
    observe(Event::Picked {
        philosopher,
        fork: second,
    });
    observe(Event::Eats { philosopher });
    observe(Event::Leaves { philosopher });
    // Both guards drop here: the forks go back on the table.
}

/// Seats `seats` philosophers (at least 2), one thread each; each eats
/// `meals` times and the meals eaten per philosopher come back.
fn dine(seats: usize, meals: usize, one_meal: &(dyn Fn(usize, &[Mutex<()>]) + Sync)) -> Vec<usize> {
    assert!(seats >= 2, "a table needs at least two philosophers");
    let forks: Vec<Mutex<()>> = (0..seats).map(|_| Mutex::new(())).collect();
    let forks = &forks;
    thread::scope(|s| {
        let diners: Vec<_> = (0..seats)
            .map(|p| {
                s.spawn(move || {
                    let mut eaten = 0;
                    while eaten < meals {
                        one_meal(p, forks);
                        eaten += 1;
                    }
                    eaten
                })
            })
            .collect();
        diners
            .into_iter()
            .map(|d| d.join().expect("a philosopher panicked"))
            .collect()
    })
}

/// Every philosopher picks up the lower-numbered of their two forks first.
pub fn dine_ordered(seats: usize, meals: usize, observe: &(dyn Fn(Event) + Sync)) -> Vec<usize> {
    dine(seats, meals, &|p, forks| {
        let (left, right) = forks_of(p, forks.len());
        // A global order on forks: the last philosopher, whose right fork is
        // fork 0, reaches for it first, which breaks the circle.
        eat_once(p, forks, (left.min(right), left.max(right)), observe);
    })
}

/// A counting semaphore: at most `permits` holders at once.
pub struct Semaphore {
    available: Mutex<usize>,
    freed: Condvar,
}

/// One permit of a [`Semaphore`]; dropping it gives it back.
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Self {
            available: Mutex::new(permits),
            freed: Condvar::new(),
        }
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> Permit<'_> {
        let available = self
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // The loop inside wait_while also covers spurious wake-ups.
        let mut available = self
            .freed
            .wait_while(available, |n| *n == 0)
            .unwrap_or_else(PoisonError::into_inner);
        *available -= 1;
        Permit { semaphore: self }
    }

    /// A permit if one is free now, without waiting.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut available = self
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *available == 0 {
            return None;
        }
        *available -= 1;
        Some(Permit { semaphore: self })
    }

    /// How many permits are free now.
    pub fn available(&self) -> usize {
        *self
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut available = self
            .semaphore
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *available += 1;
        self.semaphore.freed.notify_one();
    }
}

/// A waiter lets at most `seats - 1` philosophers reach for forks at once.
pub fn dine_with_waiter(
    seats: usize,
    meals: usize,
    observe: &(dyn Fn(Event) + Sync),
) -> Vec<usize> {
    // With one seat always empty, at least one seated philosopher has both
    // neighbours' forks within reach: someone can always eat.
    let waiter = Semaphore::new(seats.saturating_sub(1));
    let waiter = &waiter;
    dine(seats, meals, &move |p, forks| {
        let _seat = waiter.acquire();
        eat_once(p, forks, forks_of(p, forks.len()), observe);
        // The forks are down (eat_once returned) before the seat is freed.
    })
}
