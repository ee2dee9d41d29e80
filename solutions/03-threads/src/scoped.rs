//! Scoped threads borrowing local data: the reference solution. The
//! statement is in `chapters/03-threads/src/scoped.rs`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::panic;
use std::thread::{self, ScopedJoinHandle};

/// `0..len` in `parts` contiguous ranges whose sizes differ by at most one,
/// the longer first; no empty range.
pub fn chunk_bounds(len: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1).min(len);
    if parts == 0 {
        return Vec::new();
    }
    let (size, longer) = (len / parts, len % parts);
    let mut start = 0;
    (0..parts)
        .map(|i| {
            let end = start + size + usize::from(i < longer);
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

/// A scoped thread's value; its panic goes on in the caller, as an
/// unjoined scoped thread's would.
fn joined<T>(handle: ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// `f` on each chunk of `items` (the ranges of [`chunk_bounds`]), each on a
/// scoped thread of its own; the results in chunk order.
pub fn per_chunk<T, R, F>(items: &[T], threads: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    let f = &f;
    thread::scope(|scope| {
        // Every thread is started before the first join.
        let handles: Vec<_> = chunk_bounds(items.len(), threads)
            .into_iter()
            .map(|range| {
                let chunk = &items[range];
                scope.spawn(move || f(chunk))
            })
            .collect();
        handles.into_iter().map(joined).collect()
    })
}

/// `f` on every item, in place; one scoped thread per chunk of
/// [`chunk_bounds`], each with its own chunk.
pub fn map_in_place<T, F>(items: &mut [T], threads: usize, f: F)
where
    T: Send,
    F: Fn(&mut T) + Sync,
{
    let f = &f;
    let bounds = chunk_bounds(items.len(), threads);
    thread::scope(|scope| {
        let mut rest = items;
        for range in bounds {
            // Each thread gets a `&mut` to its own part, and no other
            // thread can reach that part.
            let (chunk, tail) = rest.split_at_mut(range.len());
            rest = tail;
            scope.spawn(move || chunk.iter_mut().for_each(f));
        }
    });
}

/// At most `parts` non-empty pieces of about equal length, cut at white
/// space; together they are `text`.
pub fn split_at_whitespace(text: &str, parts: usize) -> Vec<&str> {
    // Every piece but the last is at least this long, so there are at most
    // `parts` of them.
    let least = text.len().div_ceil(parts.max(1));
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        // The first white space at or after `least` bytes: a char boundary
        // where no word is cut.
        let cut = rest
            .char_indices()
            .find(|&(at, c)| at >= least && c.is_whitespace())
            .map_or(rest.len(), |(at, _)| at);
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// How many times each word of `text` occurs, counted on one scoped thread
/// per piece of [`split_at_whitespace`].
pub fn word_counts(text: &str, threads: usize) -> BTreeMap<&str, usize> {
    let pieces = split_at_whitespace(text, threads);
    let partial: Vec<BTreeMap<&str, usize>> = thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|&piece| {
                scope.spawn(move || {
                    let mut counts = BTreeMap::new();
                    for word in piece.split_whitespace() {
                        *counts.entry(word).or_insert(0) += 1;
                    }
                    counts
                })
            })
            .collect();
        handles.into_iter().map(joined).collect()
    });
    let mut total = BTreeMap::new();
    for counts in partial {
        for (word, n) in counts {
            *total.entry(word).or_insert(0) += n;
        }
    }
    total
}
