//! # Exercise: scoped threads borrowing local data
//!
//! In Python, a thread's target can read the caller's local variables
//! through a closure, and nothing checks that the data outlives the thread:
//!
//! ```python
//! def parallel_sum(numbers, threads=4):
//!     partial = [0] * threads
//!     step = -(-len(numbers) // threads)
//!     def add(i):
//!         partial[i] = sum(numbers[i * step:(i + 1) * step])   # a copy of a slice
//!     workers = [threading.Thread(target=add, args=(i,)) for i in range(threads)]
//!     for w in workers: w.start()
//!     for w in workers: w.join()
//!     return sum(partial)
//! ```
//!
//! `std::thread::spawn` wants `'static` data, because the thread may outlive
//! the caller. `std::thread::scope` starts threads that are all joined
//! before `scope` returns, so they may borrow the caller's locals: a `&[T]`
//! shared by all, or a `&mut` to a part of a slice that no other thread
//! touches. No copies, no `Arc`.
//!
//! - [`chunk_bounds`]: cuts `0..len` into `parts` contiguous ranges as even
//!   as can be: sizes differ by at most one, the longer ones first. Never an
//!   empty range: fewer items than parts gives one range per item, and no
//!   items gives none. `parts` is at least 1.
//! - [`per_chunk`]: one scoped thread per range of `chunk_bounds`, each
//!   calling `f` on its chunk (a borrowed `&[T]`); the results in chunk
//!   order.
//! - [`map_in_place`]: one scoped thread per range, each calling `f` on
//!   every item of its own chunk through a `&mut` (`split_at_mut` hands out
//!   disjoint parts of one slice).
//! - [`split_at_whitespace`]: cuts a text into at most `parts` pieces of
//!   about equal length, each cut at white space so that no word is split.
//!   White space is Unicode's (`char::is_whitespace`: the no-break space
//!   and the ideographic space too), and a cut must fall between two
//!   characters, never inside one. The pieces, put back together, are the
//!   text; none is empty; an empty text gives no pieces.
//! - [`word_counts`]: counts the words of a text (what `split_whitespace`
//!   yields) on scoped threads, one per piece of `split_at_whitespace`, and
//!   merges the counts. The keys borrow from the text.
//!
//! The tests check the ranges, that each chunk is handled on a thread of
//! its own, all at the same time, with results in chunk order, every item
//! mapped once (also with fewer items than threads, and none), and the
//! pieces and counts against a plain loop for random texts, Unicode
//! included.
//!
//! Stuck? `cargo course hint scoped`.

use std::collections::BTreeMap;
use std::ops::Range;

/// `0..len` in `parts` contiguous ranges whose sizes differ by at most one,
/// the longer first; no empty range.
pub fn chunk_bounds(len: usize, parts: usize) -> Vec<Range<usize>> {
    todo!()
}

/// `f` on each chunk of `items` (the ranges of [`chunk_bounds`]), each on a
/// scoped thread of its own; the results in chunk order.
pub fn per_chunk<T, R, F>(items: &[T], threads: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    todo!()
}

/// `f` on every item, in place; one scoped thread per chunk of
/// [`chunk_bounds`], each with its own chunk.
pub fn map_in_place<T, F>(items: &mut [T], threads: usize, f: F)
where
    T: Send,
    F: Fn(&mut T) + Sync,
{
    todo!()
}

/// At most `parts` non-empty pieces of about equal length, cut at white
/// space; together they are `text`.
pub fn split_at_whitespace(text: &str, parts: usize) -> Vec<&str> {
    todo!()
}

/// How many times each word of `text` occurs, counted on one scoped thread
/// per piece of [`split_at_whitespace`].
pub fn word_counts(text: &str, threads: usize) -> BTreeMap<&str, usize> {
    todo!()
}
