use std::sync::Arc;
use std::time::Duration;

use forklings_support::within;
use nix::unistd::{Pid, getpid};
use proptest::prelude::*;
use shared_memory::shared_array::{SharedArray, fill_in_processes};

use crate::common::Gate;

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn a_new_array_is_zeroed_and_settable() {
    let array = SharedArray::new(5).expect("SharedArray::new returned an error");
    assert_eq!(array.len(), 5);
    assert!(!array.is_empty());
    assert_eq!(array.to_vec(), vec![0; 5]);
    array.set(3, 7);
    assert_eq!(array.get(3), 7);
    assert_eq!(array.to_vec(), vec![0, 0, 0, 7, 0]);
}

#[test]
fn four_workers_fill_a_thousand_squares() {
    let array = Arc::new(SharedArray::new(1000).expect("SharedArray::new returned an error"));
    let shared = Arc::clone(&array);
    let pids = within(LIMIT, "fill_in_processes", move || {
        fill_in_processes(&shared, 4, |i| (i * i) as u64)
            .expect("fill_in_processes returned an error")
    });
    assert_eq!(pids.len(), 4);
    let expected: Vec<u64> = (0..1000).map(|i| (i * i) as u64).collect();
    assert_eq!(
        array.to_vec(),
        expected,
        "the parent reads what the children wrote"
    );
}

/// Each child writes its own PID: the array then shows who filled what.
fn owners(len: usize, workers: usize) -> (Vec<u64>, Vec<nix::unistd::Pid>) {
    let array = Arc::new(SharedArray::new(len).expect("SharedArray::new returned an error"));
    let shared = Arc::clone(&array);
    let pids = within(LIMIT, "fill_in_processes", move || {
        fill_in_processes(&shared, workers, |_| getpid().as_raw() as u64)
            .expect("fill_in_processes returned an error")
    });
    (array.to_vec(), pids)
}

#[test]
fn each_child_fills_one_contiguous_slice_of_nearly_equal_size() {
    let (filled, pids) = owners(10, 3);
    assert_eq!(pids.len(), 3);
    assert!(
        !filled.contains(&(getpid().as_raw() as u64)),
        "children do the filling"
    );
    // Runs of one owner, in order: exactly one run per child.
    let mut runs: Vec<(u64, usize)> = Vec::new();
    for &owner in &filled {
        match runs.last_mut() {
            Some((o, n)) if *o == owner => *n += 1,
            _ => runs.push((owner, 1)),
        }
    }
    let owners_in_order: Vec<u64> = runs.iter().map(|r| r.0).collect();
    let pids: Vec<u64> = pids.iter().map(|p| p.as_raw() as u64).collect();
    assert_eq!(
        owners_in_order, pids,
        "one contiguous slice per child, in slice order"
    );
    let mut sizes: Vec<usize> = runs.iter().map(|r| r.1).collect();
    sizes.sort_unstable();
    assert_eq!(
        sizes,
        vec![3, 3, 4],
        "10 slots over 3 workers: sizes 4, 3, 3"
    );
}

/// The sizes of the runs of one owner in `filled`, checked against the
/// PIDs: one contiguous slice per child, in slice order.
fn slice_sizes(filled: &[u64], pids: &[Pid]) -> Result<Vec<usize>, String> {
    let mut runs: Vec<(u64, usize)> = Vec::new();
    for &owner in filled {
        match runs.last_mut() {
            Some((o, n)) if *o == owner => *n += 1,
            _ => runs.push((owner, 1)),
        }
    }
    let owners: Vec<u64> = runs.iter().map(|r| r.0).collect();
    let pids: Vec<u64> = pids.iter().map(|p| p.as_raw() as u64).collect();
    if owners != pids {
        return Err(format!(
            "the slots' owners in order are {owners:?}, the PIDs returned {pids:?}: one \
             contiguous slice per child, in slice order"
        ));
    }
    Ok(runs.iter().map(|r| r.1).collect())
}

#[test]
fn the_children_run_at_the_same_time() {
    // Each child stops at the first slot of its slice until all three have
    // got there: only children that run at the same time all arrive.
    let gate = Arc::new(Gate::new());
    let array = Arc::new(SharedArray::new(12).expect("mmap failed"));
    let filler = {
        let (gate, array) = (Arc::clone(&gate), Arc::clone(&array));
        std::thread::spawn(move || {
            fill_in_processes(&array, 3, |i| {
                if i % 4 == 0 {
                    gate.pass();
                }
                i as u64
            })
        })
    };
    let arrived = gate.arrivals(3, Duration::from_secs(5));
    gate.release(3);
    if arrived < 3 {
        // Let whoever is still stopped go on, one at a time.
        for _ in 0..3 {
            gate.release(1);
        }
    }
    let pids = within(LIMIT, "fill_in_processes", move || filler.join())
        .expect("fill_in_processes panicked")
        .expect("fork failed");
    assert_eq!(
        arrived, 3,
        "only {arrived} of 3 children reached their slice while the others ran: fork them \
         all, then wait for them all (and let the children, not the parent, call f)"
    );
    assert_eq!(pids.len(), 3);
    assert_eq!(array.to_vec(), (0..12).collect::<Vec<u64>>());
}

#[test]
fn more_workers_than_slots_start_one_child_per_slot() {
    let (filled, pids) = owners(3, 8);
    assert_eq!(pids.len(), 3, "a worker with nothing to do is not started");
    let mut distinct = filled.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 3);
}

#[test]
fn zero_workers_for_a_non_empty_array_is_an_error() {
    let array = SharedArray::new(4).expect("SharedArray::new returned an error");
    assert_eq!(
        fill_in_processes(&array, 0, |i| i as u64),
        Err(nix::errno::Errno::EINVAL)
    );
}

#[test]
fn an_empty_array_needs_no_children() {
    let array = SharedArray::new(0).expect("SharedArray::new returned an error");
    assert!(array.is_empty());
    assert_eq!(fill_in_processes(&array, 4, |i| i as u64), Ok(vec![]));
}

proptest! {
    // A failing skeleton must not leave regression files in the tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(8) })]

    #[test]
    fn any_length_and_worker_count_fills_every_slot(len in 0usize..200, workers in 1usize..=4) {
        let array = Arc::new(SharedArray::new(len).expect("SharedArray::new returned an error"));
        let shared = Arc::clone(&array);
        let pids = within(LIMIT, "fill_in_processes", move || {
            fill_in_processes(&shared, workers, |i| 3 * i as u64 + 1).expect("fill_in_processes returned an error")
        });
        prop_assert_eq!(pids.len(), workers.min(len));
        let expected: Vec<u64> = (0..len).map(|i| 3 * i as u64 + 1).collect();
        prop_assert_eq!(array.to_vec(), expected);
    }
}

proptest! {
    // A failing skeleton must not leave regression files in the tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(12) })]

    /// However the length and the worker count fall, the slices are
    /// contiguous, in order, one per child, and differ in size by at most one.
    #[test]
    fn every_split_is_contiguous_and_even(len in 1usize..40, workers in 1usize..=6) {
        let (filled, pids) = owners(len, workers);
        let sizes = slice_sizes(&filled, &pids).map_err(TestCaseError::fail)?;
        prop_assert_eq!(sizes.len(), workers.min(len), "one child per non-empty slice");
        let (least, most) = (sizes.iter().min().copied(), sizes.iter().max().copied());
        prop_assert!(
            most.zip(least).is_some_and(|(most, least)| most - least <= 1),
            "{} slots over {} workers gave slices of {:?}: sizes may differ by one at most",
            len, workers, sizes
        );
    }
}
