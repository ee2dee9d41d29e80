use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, ThreadId};
use std::time::Duration;

use forklings_support::within;
use proptest::prelude::*;
use rstest::rstest;
use threads::scoped::{chunk_bounds, map_in_place, per_chunk, split_at_whitespace, word_counts};

use crate::meeting::Meeting;

const LIMIT: Duration = Duration::from_secs(10);
/// How long a chunk's thread waits for the others before it reports that it
/// ran alone.
const TOGETHER: Duration = Duration::from_secs(3);

#[rstest]
#[case::even(9, 3, vec![0..3, 3..6, 6..9])]
#[case::longer_first(10, 4, vec![0..3, 3..6, 6..8, 8..10])]
#[case::one_part(7, 1, vec![0..7])]
#[case::as_many_parts_as_items(3, 3, vec![0..1, 1..2, 2..3])]
#[case::fewer_items_than_parts(2, 5, vec![0..1, 1..2])]
#[case::no_items(0, 4, vec![])]
fn chunk_bounds_cuts_even_contiguous_ranges(
    #[case] len: usize,
    #[case] parts: usize,
    #[case] expected: Vec<Range<usize>>,
) {
    assert_eq!(
        chunk_bounds(len, parts),
        expected,
        "chunk_bounds({len}, {parts})"
    );
}

proptest! {
    #[test]
    fn chunk_bounds_covers_everything_once(len in 0usize..500, parts in 1usize..40) {
        let bounds = chunk_bounds(len, parts);
        prop_assert_eq!(bounds.len(), parts.min(len), "how many ranges");
        let mut next = 0;
        for range in &bounds {
            prop_assert_eq!(range.start, next, "contiguous");
            prop_assert!(!range.is_empty(), "no empty range");
            next = range.end;
        }
        prop_assert_eq!(next, len, "every item covered");
        let sizes: Vec<usize> = bounds.iter().map(|r| r.len()).collect();
        prop_assert!(sizes.windows(2).all(|w| w[0] >= w[1] && w[0] - w[1] <= 1),
            "sizes differ by at most one, longer first: {:?}", sizes);
    }
}

/// What one chunk's thread saw.
struct Seen {
    chunk: Vec<u32>,
    thread: ThreadId,
    met: bool,
}

#[rstest]
#[case::even(12, 4)]
#[case::uneven(10, 3)]
#[case::fewer_items_than_threads(3, 8)]
fn per_chunk_runs_each_chunk_on_its_own_thread_at_once(#[case] len: u32, #[case] threads: usize) {
    let (seen, caller) = within(LIMIT, "per_chunk", move || {
        let items: Vec<u32> = (0..len).collect();
        let chunks = threads.min(len as usize);
        let meeting = Meeting::new(chunks);
        let seen = per_chunk(&items, threads, |chunk| Seen {
            chunk: chunk.to_vec(),
            thread: thread::current().id(),
            met: meeting.arrive(TOGETHER),
        });
        (seen, thread::current().id())
    });
    let expected: Vec<Vec<u32>> = chunk_bounds(len as usize, threads)
        .into_iter()
        .map(|r| (r.start as u32..r.end as u32).collect())
        .collect();
    let chunks: Vec<Vec<u32>> = seen.iter().map(|s| s.chunk.clone()).collect();
    assert_eq!(chunks, expected, "one result per chunk, in chunk order");
    for (i, s) in seen.iter().enumerate() {
        assert!(
            s.met,
            "chunk {i} never saw the {} chunks handled at once",
            seen.len()
        );
        assert_ne!(
            s.thread, caller,
            "chunk {i} was handled on the calling thread"
        );
    }
    let mut threads_used: Vec<String> = seen.iter().map(|s| format!("{:?}", s.thread)).collect();
    threads_used.sort();
    threads_used.dedup();
    assert_eq!(threads_used.len(), seen.len(), "one thread per chunk");
}

/// The chunks finish last-first: results must still come in chunk order.
#[test]
fn per_chunk_gives_results_in_chunk_order_whatever_order_they_finish_in() {
    let sums = within(LIMIT, "per_chunk", || {
        let items: Vec<u64> = (1..=40).collect();
        let finished = AtomicUsize::new(0);
        per_chunk(&items, 4, |chunk| {
            // Chunk k (from 0) waits until 3 - k chunks have finished.
            let k = (chunk[0] as usize - 1) / 10;
            let start = std::time::Instant::now();
            while finished.load(Ordering::SeqCst) < 3 - k && start.elapsed() < TOGETHER {
                thread::sleep(Duration::from_millis(1));
            }
            finished.fetch_add(1, Ordering::SeqCst);
            chunk.iter().sum::<u64>()
        })
    });
    assert_eq!(sums, vec![55, 155, 255, 355]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn a_parallel_sum_equals_the_plain_one(
        numbers in prop::collection::vec(0u64..1_000_000, 0..300),
        threads in 1usize..9,
    ) {
        let partial = per_chunk(&numbers, threads, |chunk| chunk.iter().sum::<u64>());
        prop_assert_eq!(partial.len(), threads.min(numbers.len()));
        prop_assert_eq!(partial.iter().sum::<u64>(), numbers.iter().sum::<u64>());
    }
}

#[rstest]
#[case::even(12, 4)]
#[case::uneven(10, 3)]
#[case::fewer_items_than_threads(3, 8)]
#[case::no_items(0, 4)]
fn map_in_place_changes_every_item_once_one_thread_per_chunk(
    #[case] len: u64,
    #[case] threads: usize,
) {
    let (items, seen, caller) = within(LIMIT, "map_in_place", move || {
        let mut items: Vec<u64> = (0..len).collect();
        let chunks = threads.min(len as usize);
        let meeting = Meeting::new(chunks);
        // Per thread: the items it changed, and whether it met the others.
        let seen: Mutex<BTreeMap<String, (Vec<u64>, bool)>> = Mutex::new(BTreeMap::new());
        map_in_place(&mut items, threads, |item| {
            let me = format!("{:?}", thread::current().id());
            let first = !seen.lock().unwrap().contains_key(&me);
            let met = !first || meeting.arrive(TOGETHER);
            let mut seen = seen.lock().unwrap();
            let entry = seen.entry(me).or_insert((Vec::new(), met));
            entry.0.push(*item);
            *item = *item * 10 + 1;
        });
        (
            items,
            seen.into_inner().unwrap(),
            format!("{:?}", thread::current().id()),
        )
    });
    let expected: Vec<u64> = (0..len).map(|x| x * 10 + 1).collect();
    assert_eq!(items, expected, "every item changed exactly once");
    assert!(
        !seen.contains_key(&caller),
        "items were changed on the calling thread"
    );
    assert_eq!(
        seen.len(),
        threads.min(len as usize),
        "one thread per chunk"
    );
    let mut chunks: Vec<Vec<u64>> = seen.values().map(|(items, _)| items.clone()).collect();
    chunks.sort();
    let expected: Vec<Vec<u64>> = chunk_bounds(len as usize, threads)
        .into_iter()
        .map(|r| (r.start as u64..r.end as u64).collect())
        .collect();
    assert_eq!(chunks, expected, "each thread changed exactly its chunk");
    assert!(
        seen.values().all(|(_, met)| *met),
        "the chunks' threads did not all run at the same time"
    );
}

/// Text made of words and white space of every kind, ASCII and not.
fn text() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "a",
        "to",
        "the",
        "cat",
        "naïve",
        "café",
        "日本語",
        "Ünïcödé",
        "x1",
        "🦀",
        "ok,",
        "—",
    ]);
    let space = prop::sample::select(vec![
        " ", "  ", "\n", "\t", "\u{a0}", "\u{3000}", "\u{2003}", " \u{85}",
    ]);
    prop::collection::vec((word, space), 0..60)
        .prop_map(|pairs| pairs.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

fn plain_counts(text: &str) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}

#[test]
fn split_at_whitespace_cuts_between_words_even_in_unicode() {
    let text = "naïve\u{3000}café 日本語\u{a0}テキスト\u{2003}🦀🦀 end";
    let pieces = split_at_whitespace(text, 4);
    assert_eq!(
        pieces.concat(),
        text,
        "the pieces put back together are the text"
    );
    assert!(
        pieces.len() > 1 && pieces.len() <= 4,
        "between 2 and 4 pieces: {pieces:?}"
    );
    let words: Vec<&str> = pieces.iter().flat_map(|p| p.split_whitespace()).collect();
    assert_eq!(
        words,
        text.split_whitespace().collect::<Vec<_>>(),
        "no word cut: {pieces:?}"
    );
    assert_eq!(
        split_at_whitespace("", 3),
        Vec::<&str>::new(),
        "an empty text has no pieces"
    );
    assert_eq!(
        split_at_whitespace("one", 3),
        vec!["one"],
        "one word cannot be cut"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn pieces_are_the_text_cut_at_white_space(text in text(), parts in 1usize..8) {
        let pieces = split_at_whitespace(&text, parts);
        prop_assert_eq!(pieces.concat(), text.clone());
        prop_assert!(pieces.len() <= parts, "{} pieces for {} parts", pieces.len(), parts);
        prop_assert!(pieces.iter().all(|p| !p.is_empty()), "an empty piece: {:?}", pieces);
        for pair in pieces.windows(2) {
            let (before, after) = (pair[0], pair[1]);
            let at_space = before.ends_with(char::is_whitespace) || after.starts_with(char::is_whitespace);
            prop_assert!(at_space, "a word cut between {:?} and {:?}", before, after);
        }
    }

    #[test]
    fn word_counts_equal_a_plain_count(text in text(), threads in 1usize..8) {
        prop_assert_eq!(word_counts(&text, threads), plain_counts(&text));
    }
}

#[test]
fn word_counts_keys_borrow_from_the_text() {
    let text = String::from("to be or not to be\u{3000}that is\u{a0}the question");
    let counts = word_counts(&text, 3);
    assert_eq!(counts.get("to"), Some(&2));
    assert_eq!(counts.get("be"), Some(&2));
    assert_eq!(counts.get("that"), Some(&1));
    assert_eq!(counts.get("question"), Some(&1));
    assert_eq!(counts.values().sum::<usize>(), 10);
    let inside = text.as_bytes().as_ptr_range();
    assert!(
        counts.keys().all(|k| inside.contains(&k.as_ptr())),
        "every key is a slice of the text itself, not a copy"
    );
}
