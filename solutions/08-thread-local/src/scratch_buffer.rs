//! A per-thread scratch buffer: the reference solution. The statement is in
//! `chapters/08-thread-local/src/scratch_buffer.rs`.

use std::cell::RefCell;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Writes the normalized form of `line` into `out` (emptied first).
fn normalize_into(line: &str, out: &mut Vec<u8>) {
    out.clear();
    for word in line.split_ascii_whitespace() {
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
    }
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The fingerprint of `line`, normalizing into a new buffer on every call.
pub fn fingerprint_alloc(line: &str) -> u64 {
    let mut normalized = Vec::new();
    normalize_into(line, &mut normalized);
    fnv1a(&normalized)
}

/// The same fingerprint, normalizing into this thread's scratch buffer.
pub fn fingerprint(line: &str) -> u64 {
    SCRATCH.with_borrow_mut(|scratch| {
        // `clear` keeps the capacity: once the buffer has grown to the
        // longest line seen, no call allocates again.
        normalize_into(line, scratch);
        fnv1a(scratch)
    })
}

/// The capacity of this thread's scratch buffer.
pub fn scratch_capacity() -> usize {
    SCRATCH.with_borrow(Vec::capacity)
}
