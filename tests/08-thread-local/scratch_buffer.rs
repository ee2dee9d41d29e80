use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::thread;
use std::time::Duration;

use forklings_support::within;
use proptest::prelude::*;
use thread_locals::scratch_buffer::{fingerprint, fingerprint_alloc, scratch_capacity};

const LIMIT: Duration = Duration::from_secs(5);

/// Counts the allocations each thread makes, so a test can see whether a
/// call allocated.
struct CountingAllocator;

thread_local! {
    // const, without a destructor: safe to touch from inside the allocator.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> u64 {
    ALLOCATIONS.get()
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: CountingAllocator = CountingAllocator;

/// The definition, written out: ASCII-lowercase, words joined by one space,
/// then 64-bit FNV-1a.
fn expected(line: &str) -> u64 {
    let normalized = line
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    normalized.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn known_lines_have_known_fingerprints() {
    let got = within(LIMIT, "fingerprint", || {
        ["hello world", "  Hello \t  WORLD\n", "", "   "]
            .map(|l| (fingerprint(l), fingerprint_alloc(l)))
    });
    let hello = 0x779a_65e7_023c_d2e7;
    let empty = 0xcbf2_9ce4_8422_2325;
    assert_eq!(
        got,
        [
            (hello, hello),
            (hello, hello),
            (empty, empty),
            (empty, empty)
        ]
    );
}

proptest! {
    // The skeleton fails by design: no regression file is written for it.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(64)
    })]

    #[test]
    fn both_fingerprints_follow_the_definition(line in "[ a-zA-Z0-9\t\n.éß]{0,60}") {
        let want = expected(&line);
        prop_assert_eq!(fingerprint_alloc(&line), want, "fingerprint_alloc");
        prop_assert_eq!(fingerprint(&line), want, "fingerprint");
    }
}

#[test]
fn the_scratch_buffer_grows_once_and_is_reused() {
    let (before, after_long, after_short) = within(LIMIT, "fingerprint in a new thread", || {
        let before = scratch_capacity();
        fingerprint(&"a".repeat(1_000));
        let after_long = scratch_capacity();
        fingerprint("short");
        (before, after_long, scratch_capacity())
    });
    assert_eq!(
        before, 0,
        "a new thread starts with an empty scratch buffer"
    );
    assert!(
        after_long >= 1_000,
        "the buffer holds the 1 000-byte line: capacity {after_long}"
    );
    assert_eq!(
        after_short, after_long,
        "a shorter line reuses the buffer as it is"
    );
}

#[test]
fn each_thread_has_its_own_buffer() {
    let (here, there) = within(LIMIT, "scratch_capacity in two threads", || {
        fingerprint(&"b".repeat(500));
        let there = thread::spawn(scratch_capacity)
            .join()
            .expect("the thread panicked");
        (scratch_capacity(), there)
    });
    assert!(here >= 500);
    assert_eq!(there, 0, "a new thread's buffer is its own, and empty");
}

#[test]
fn a_warm_scratch_buffer_allocates_nothing() {
    let (counter_works, allocations_in_100_calls) = within(LIMIT, "fingerprint", || {
        let line = "The Quick  Brown Fox\tJumps over the lazy dog";
        fingerprint(line);
        let start = allocations();
        let probe: Vec<u8> = Vec::with_capacity(64);
        drop(probe);
        let counter_works = allocations() > start;
        let start = allocations();
        let mut all = 0u64;
        for _ in 0..100 {
            all ^= fingerprint(line);
        }
        std::hint::black_box(all);
        (counter_works, allocations() - start)
    });
    assert!(counter_works, "the test's allocation counter is broken");
    assert_eq!(
        allocations_in_100_calls, 0,
        "100 calls on a warm scratch buffer allocated {allocations_in_100_calls} times"
    );
}
