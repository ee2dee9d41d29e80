use std::collections::HashMap;
use std::time::Duration;

use forklings_support::within;
use proptest::prelude::*;
use queues::producers_consumers::{Item, with_disconnect, with_sentinels};

const LIMIT: Duration = Duration::from_secs(10);

type Shape = (usize, usize, usize, usize);
type Run = fn(usize, usize, usize, usize) -> Vec<Vec<Item>>;

/// Checks what the consumers got: one list per consumer, every item exactly
/// once, and in each list every producer's items in the order it made them.
fn check(shape: Shape, got: &[Vec<Item>]) -> Result<(), TestCaseError> {
    let (producers, consumers, _, per_producer) = shape;
    prop_assert_eq!(got.len(), consumers, "one list per consumer");
    let mut all: Vec<Item> = got.iter().flatten().copied().collect();
    all.sort_unstable();
    let expected: Vec<Item> = (0..producers)
        .flat_map(|producer| (0..per_producer).map(move |seq| Item { producer, seq }))
        .collect();
    prop_assert!(
        all == expected,
        "items lost or doubled: got {} of {}",
        all.len(),
        expected.len()
    );
    for (c, list) in got.iter().enumerate() {
        let mut last: HashMap<usize, usize> = HashMap::new();
        for item in list {
            if let Some(&before) = last.get(&item.producer) {
                prop_assert!(
                    before < item.seq,
                    "consumer {} got producer {}'s item {} after its item {}",
                    c,
                    item.producer,
                    item.seq,
                    before
                );
            }
            last.insert(item.producer, item.seq);
        }
    }
    Ok(())
}

fn run(run: Run, what: &str, shape: Shape) -> Vec<Vec<Item>> {
    let (p, c, cap, n) = shape;
    within(
        LIMIT,
        &format!(
            "{what}({p} producers, {c} consumers, capacity {cap}, {n} items each): a consumer that never stops?"
        ),
        move || run(p, c, cap, n),
    )
}

fn shapes() -> impl Strategy<Value = Shape> {
    (1usize..5, 1usize..5, 1usize..8, 0usize..120)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn sentinels_lose_and_double_nothing(shape in shapes()) {
        let got = run(with_sentinels, "with_sentinels", shape);
        check(shape, &got)?;
    }

    #[test]
    fn disconnect_loses_and_doubles_nothing(shape in shapes()) {
        let got = run(with_disconnect, "with_disconnect", shape);
        check(shape, &got)?;
    }
}

#[test]
fn every_consumer_stops_when_there_is_nothing_to_do() {
    for (run_fn, what) in [
        (with_sentinels as Run, "with_sentinels"),
        (with_disconnect, "with_disconnect"),
    ] {
        let got = run(run_fn, what, (3, 4, 1, 0));
        assert_eq!(
            got,
            vec![Vec::<Item>::new(); 4],
            "{what}: four consumers, nothing consumed"
        );
    }
}

#[test]
fn one_consumer_sees_each_producer_in_order() {
    for (run_fn, what) in [
        (with_sentinels as Run, "with_sentinels"),
        (with_disconnect, "with_disconnect"),
    ] {
        let got = run(run_fn, what, (3, 1, 2, 150));
        check((3, 1, 2, 150), &got).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}
