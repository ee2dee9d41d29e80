use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use threads::send_sync::{Registry, Tally, count_in_threads, register_from_threads};

use crate::auto_traits::{is_send, is_sync};
use crate::meeting::Meeting;

const LIMIT: Duration = Duration::from_secs(30);
/// How long a thread waits for the others before it reports that it ran
/// alone.
const TOGETHER: Duration = Duration::from_secs(5);

#[test]
fn tally_may_be_shared_by_threads() {
    // The probes themselves, on types whose answers are known.
    assert!(is_send!(Cell<u64>) && !is_sync!(Cell<u64>));
    assert!(!is_send!(Rc<u64>) && !is_sync!(Rc<u64>));
    assert!(is_sync!(Mutex<Cell<u64>>));
    assert!(
        is_sync!(Tally),
        "Tally is not Sync: `&Tally` cannot be shared by threads"
    );
    assert!(is_send!(Tally), "Tally is not Send");
}

#[test]
fn registry_and_its_clones_may_go_to_other_threads() {
    assert!(
        !is_send!(Arc<Cell<u64>>),
        "Arc of a non-Sync value cannot cross"
    );
    assert!(is_send!(Arc<Mutex<Cell<u64>>>));
    assert!(
        is_send!(Registry),
        "Registry is not Send: a clone cannot move to another thread"
    );
    assert!(is_sync!(Registry), "Registry is not Sync");
}

#[test]
fn a_tally_counts_on_one_thread() {
    let tally = Tally::new();
    assert_eq!(tally.total(), 0);
    tally.add(3);
    tally.add(4);
    assert_eq!(tally.total(), 7);
}

/// Four threads released together add five million each: a tally whose
/// add is a separate read and write loses some of them. So many that each
/// thread adds for longer than a time slice: with half a million, a thread
/// sharing a busy core finished its adds within one slice, no other thread
/// ran in between, and a lost update was missed one run in four.
#[test]
fn a_burst_of_adds_from_threads_loses_nothing() {
    const THREADS: usize = 4;
    const ADDS: u64 = 5_000_000;
    let (total, met, callers, caller) = within(LIMIT, "count_in_threads", || {
        let tally = Tally::new();
        let meeting = Meeting::new(THREADS);
        let seen = Mutex::new(Vec::new());
        let each_thread = || {
            let met = meeting.arrive(TOGETHER);
            seen.lock()
                .unwrap()
                .push((format!("{:?}", thread::current().id()), met));
        };
        count_in_threads(&tally, THREADS, ADDS, &each_thread);
        let seen = seen.lock().unwrap().clone();
        let met = seen.iter().all(|(_, met)| *met);
        (
            tally.total(),
            met,
            seen,
            format!("{:?}", thread::current().id()),
        )
    });
    assert_eq!(callers.len(), THREADS, "each thread calls each_thread once");
    let mut ids: Vec<&String> = callers.iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        THREADS,
        "each_thread was called from {THREADS} different threads"
    );
    assert!(!ids.contains(&&caller), "the calling thread did the work");
    assert!(met, "the threads never all ran at the same time");
    assert_eq!(total, THREADS as u64 * ADDS, "updates were lost");
}

#[test]
fn a_registrys_clones_share_one_list() {
    let first = Registry::new();
    assert_eq!(first.sharers(), 1);
    {
        let second = first.clone();
        assert_eq!(
            (first.sharers(), second.sharers()),
            (2, 2),
            "two handles share the list"
        );
        second.register("grace");
        first.register("ada");
        assert_eq!(
            first.names(),
            ["grace", "ada"],
            "in the order registered, through either handle"
        );
        assert_eq!(second.names(), first.names());
    }
    assert_eq!(first.sharers(), 1, "a dropped clone no longer shares");
    assert_eq!(first.names(), ["grace", "ada"]);
}

#[test]
fn threads_register_through_their_own_clones() {
    const NAMES: [&str; 5] = ["ada", "grace", "linus", "barbara", "ünïcödé"];
    let (mut names, sharers_seen, sharers_after) = within(LIMIT, "register_from_threads", || {
        let registry = Registry::new();
        let meeting = Arc::new(Meeting::new(NAMES.len()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let hook = {
            let (meeting, seen) = (meeting.clone(), seen.clone());
            Arc::new(move |mine: &Registry| {
                let met = meeting.arrive(TOGETHER);
                seen.lock().unwrap().push((mine.sharers(), met));
                // Finish well after the caller could have returned without
                // joining.
                thread::sleep(Duration::from_millis(100));
            })
        };
        register_from_threads(&registry, &NAMES, hook);
        let seen = seen.lock().unwrap().clone();
        (registry.names(), seen, registry.sharers())
    });
    assert_eq!(
        sharers_seen.len(),
        NAMES.len(),
        "each thread called the hook once"
    );
    assert!(
        sharers_seen.iter().all(|(_, met)| *met),
        "the threads never all ran at the same time"
    );
    assert!(
        sharers_seen.iter().all(|(n, _)| *n >= 2),
        "a thread's handle was not a clone of the caller's (sharers seen: {:?})",
        sharers_seen.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    assert_eq!(
        sharers_after, 1,
        "the threads' clones are gone once it returns"
    );
    names.sort();
    let mut expected: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "every name registered once, seen through the caller's handle"
    );
}
