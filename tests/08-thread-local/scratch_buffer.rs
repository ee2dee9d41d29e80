use std::thread;
use std::time::Duration;

use forklings_support::within;
use proptest::prelude::*;
use thread_locals::scratch_buffer::{fingerprint, fingerprint_alloc, scratch_capacity};

use crate::allocations::allocations;

const LIMIT: Duration = Duration::from_secs(5);

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

/// Only ASCII white space separates words, and only ASCII letters change
/// case: a no-break space or an ideographic space is part of a word, and
/// `É` stays `É`.
#[test]
fn only_ascii_is_normalized() {
    let lines = [
        "caf\u{e9}\u{a0}au lait",
        "CAF\u{c9} AU\u{3000}LAIT",
        "\u{2003}\u{3a3}\u{3a3}  X",
    ];
    let got = within(LIMIT, "fingerprint of non-ASCII lines", move || {
        lines.map(|l| (fingerprint(l), fingerprint_alloc(l)))
    });
    let want = lines.map(|l| (expected(l), expected(l)));
    assert_eq!(got, want, "fingerprints of {lines:?}");
}

proptest! {
    // The skeleton fails by design: no regression file is written for it.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(64)
    })]

    #[test]
    fn both_fingerprints_follow_the_definition(line in "[ a-zA-Z0-9\t\n.éßÉΣ\u{a0}\u{2003}\u{3000}]{0,60}") {
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
