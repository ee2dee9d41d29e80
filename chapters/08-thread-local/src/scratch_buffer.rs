//! # Exercise: a per-thread scratch buffer
//!
//! A function that needs a temporary buffer allocates one on every call and
//! frees it on return. Called a million times, that is a million trips to
//! the allocator. A buffer kept in a thread-local is allocated once per
//! thread, grows to the longest input seen, and is reused: `clear()` empties
//! a `Vec` but keeps its capacity. No lock is needed, since no other thread
//! can see it. Python code does the same with a `bytearray` kept on a
//! `threading.local()`.
//!
//! The work: a *fingerprint* of a line of text, insensitive to case and
//! spacing. Normalize the line — split it on ASCII whitespace, lowercase
//! each word with `to_ascii_lowercase`, join the words with one space — into
//! a byte buffer, then hash the bytes with 64-bit FNV-1a: start from
//! `0xcbf29ce484222325`, and for each byte `hash = (hash ^ byte) *
//! 0x100000001b3` (wrapping). Only ASCII counts: a no-break space or an
//! ideographic space is part of a word, and `É` stays `É`.
//!
//! - [`fingerprint_alloc`] normalizes into a new `Vec<u8>` on every call.
//! - [`fingerprint`] gives the same value, normalizing into this thread's
//!   scratch buffer (`thread_local!` with a `RefCell<Vec<u8>>`).
//! - [`scratch_capacity`] is the capacity of this thread's buffer.
//!
//! The tests check both functions against the definition (a property test,
//! and lines with non-ASCII letters and spaces),
//! that the buffer grows once and is then reused, that each thread has its
//! own, and — counting allocations — that 100 calls on a warm buffer
//! allocate nothing at all. How much time that saves is not a test: the
//! solution's benchmark measures it (`cargo bench -p
//! ch08-thread-local-solution --bench scratch`).
//!
//! Stuck? `cargo course hint scratch_buffer`.

/// The fingerprint of `line`, normalizing into a new buffer on every call.
pub fn fingerprint_alloc(line: &str) -> u64 {
    todo!()
}

/// The same fingerprint, normalizing into this thread's scratch buffer.
pub fn fingerprint(line: &str) -> u64 {
    todo!()
}

/// The capacity of this thread's scratch buffer.
pub fn scratch_capacity() -> usize {
    todo!()
}
