use std::time::Duration;

use forklings_support::within;
use rstest::rstest;
use threads::every_core::{Sighting, SpinReport, spin_free, take_turns};

const LIMIT: Duration = Duration::from_secs(20);
/// Few enough that threads sharing one busy core, which see each other move
/// once per switch of the scheduler, still finish quickly.
const SIGHTINGS: usize = 20;

fn of(report: &SpinReport, other: usize) -> Vec<Sighting> {
    report
        .seen
        .iter()
        .copied()
        .filter(|s| s.other == other)
        .collect()
}

#[rstest]
#[case::two(2)]
#[case::three(3)]
#[case::four(4)]
fn free_threads_each_see_every_other_move_while_they_count(#[case] threads: usize) {
    let reports = within(LIMIT, "spin_free", move || spin_free(threads, SIGHTINGS));
    assert_eq!(reports.len(), threads, "one report per thread");
    for (me, report) in reports.iter().enumerate() {
        assert!(
            report
                .seen
                .iter()
                .all(|s| s.other != me && s.other < threads),
            "thread {me} reports sightings of itself or of a thread that does not exist"
        );
        for other in (0..threads).filter(|&o| o != me) {
            let seen = of(report, other);
            assert_eq!(
                seen.len(),
                SIGHTINGS,
                "thread {me} noted {} sightings of thread {other}, not {SIGHTINGS}",
                seen.len()
            );
            let final_value = reports[other].own;
            for pair in seen.windows(2) {
                assert!(
                    pair[0].value < pair[1].value,
                    "thread {me} saw thread {other}'s counter go from {} to {}: a sighting is a change",
                    pair[0].value,
                    pair[1].value
                );
                assert!(
                    pair[0].own < pair[1].own,
                    "thread {me} did not count between two sightings of thread {other}"
                );
            }
            // Values only grow, so all but the last were seen while the other
            // was still counting; the last may be its final count.
            assert!(
                seen.iter().all(|s| s.value > 0 && s.value <= final_value),
                "thread {me} saw thread {other} at a count it never had"
            );
            assert!(
                seen.iter().all(|s| s.own < report.own),
                "thread {me}'s own count at a sighting is past its final count"
            );
        }
    }
}

#[test]
fn a_single_thread_has_nobody_to_see() {
    let reports = within(LIMIT, "spin_free", || spin_free(1, SIGHTINGS));
    assert_eq!(reports.len(), 1);
    assert!(reports[0].seen.is_empty());
    assert!(reports[0].own >= 1, "it counted at least once");
}

/// With the baton, thread `me` sees thread `other` only at the first step
/// of its turns, and always a whole number of the other's turns.
#[rstest]
#[case::two(2, 10, 40)]
#[case::three(3, 12, 25)]
#[case::four(4, 6, 30)]
fn with_one_baton_threads_see_each_other_only_between_turns(
    #[case] threads: usize,
    #[case] turns: u64,
    #[case] steps: u64,
) {
    let reports = within(LIMIT, "take_turns", move || {
        take_turns(threads, turns, steps)
    });
    assert_eq!(reports.len(), threads, "one report per thread");
    for (me, report) in reports.iter().enumerate() {
        assert_eq!(
            report.own,
            turns * steps,
            "thread {me} counted every step of every turn"
        );
        for other in (0..threads).filter(|&o| o != me) {
            let seen = of(report, other);
            for s in &seen {
                assert_eq!(
                    s.own % steps,
                    0,
                    "thread {me} saw thread {other} move in the middle of its own turn: {s:?}"
                );
                assert_eq!(
                    s.value % steps,
                    0,
                    "thread {me} saw thread {other} in the middle of a turn: {s:?}"
                );
            }
            // Round-robin from thread 0: a lower-numbered thread has had one
            // more turn than `me` when `me`'s turn starts.
            let first_turn = if other < me { 0 } else { 1 };
            let expected: Vec<(u64, u64)> = (first_turn..turns)
                .map(|turn| (turn * steps, (turn + u64::from(other < me)) * steps))
                .collect();
            let got: Vec<(u64, u64)> = seen.iter().map(|s| (s.own, s.value)).collect();
            assert_eq!(
                got, expected,
                "thread {me}'s sightings of thread {other} as (own count, other's count)"
            );
        }
    }
}
