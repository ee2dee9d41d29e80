use std::io::ErrorKind;
use std::time::{Duration, Instant};

use forklings_support::within;
use threads::lookups::{LookupError, Table, lookup, lookup_all};

use crate::lookup_service::Service;

const LIMIT: Duration = Duration::from_secs(15);
/// Time allowed per look-up where nothing is meant to time out.
const PATIENT: Duration = Duration::from_secs(8);

#[test]
fn one_lookup_gets_its_answer() {
    let service = Service::start(1);
    let addr = service.addr;
    let answer = within(LIMIT, "lookup", move || lookup(addr, "alpha", PATIENT));
    assert_eq!(answer, Ok("value of alpha".to_string()));
}

#[test]
fn an_answer_in_pieces_is_read_up_to_its_newline() {
    let service = Service::start(1);
    let addr = service.addr;
    let answer = within(LIMIT, "lookup", move || lookup(addr, "pieces-ünï", PATIENT));
    assert_eq!(answer, Ok("value of pieces-ünï".to_string()));
}

#[test]
fn a_key_the_service_hangs_up_on_is_an_unexpected_end() {
    let service = Service::start(1);
    let addr = service.addr;
    let answer = within(LIMIT, "lookup", move || lookup(addr, "missing-1", PATIENT));
    assert_eq!(answer, Err(LookupError::Io(ErrorKind::UnexpectedEof)));
}

#[test]
fn a_silent_service_times_out_after_the_time_allowed() {
    let service = Service::start(1);
    let addr = service.addr;
    let asked = Duration::from_millis(300);
    let (answer, took) = within(LIMIT, "lookup", move || {
        let start = Instant::now();
        (lookup(addr, "silent-1", asked), start.elapsed())
    });
    assert_eq!(answer, Err(LookupError::TimedOut));
    assert!(
        took >= asked,
        "gave up after {took:?}, before the {asked:?} allowed"
    );
    assert!(
        took < Duration::from_secs(5),
        "took {took:?} to give up after {asked:?}"
    );
}

/// The answer trickles in a byte every 150 ms: every read gets a byte well
/// within its own timeout, but the whole line takes seconds.
#[test]
fn the_time_allowed_is_for_the_whole_lookup() {
    let service = Service::start(1);
    let addr = service.addr;
    let asked = Duration::from_millis(800);
    let (answer, took) = within(LIMIT, "lookup", move || {
        let start = Instant::now();
        (lookup(addr, "trickle-1", asked), start.elapsed())
    });
    assert_eq!(
        answer,
        Err(LookupError::TimedOut),
        "the line was not whole in time"
    );
    assert!(
        took >= asked,
        "gave up after {took:?}, before the {asked:?} allowed"
    );
    assert!(
        took < Duration::from_millis(2500),
        "took {took:?}: a timeout per read, not one for the look-up?"
    );
}

fn expected(keys: &[&str]) -> Table {
    keys.iter()
        .map(|k| (k.to_string(), Ok(format!("value of {k}"))))
        .collect()
}

/// The service answers nobody until all ten are waiting, then answers the
/// last to arrive first.
#[test]
fn ten_lookups_are_in_flight_at_once_and_stored_in_the_table() {
    const KEYS: [&str; 10] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hôtel", "india",
        "juliett",
    ];
    let service = Service::start(KEYS.len());
    let addr = service.addr;
    let table = within(LIMIT, "lookup_all", move || {
        lookup_all(addr, &KEYS, PATIENT)
    });
    assert_eq!(table, expected(&KEYS));
    assert_eq!(service.high_water(), KEYS.len(), "look-ups waiting at once");
}

#[test]
fn failures_have_their_place_in_the_table() {
    let keys = ["a1", "a2", "a3", "missing-x", "silent-y", "pieces-z", "a4"];
    let service = Service::start(4);
    let addr = service.addr;
    let table = within(LIMIT, "lookup_all", move || {
        lookup_all(addr, &keys, Duration::from_millis(2500))
    });
    let mut expected = expected(&["a1", "a2", "a3", "a4", "pieces-z"]);
    expected.insert(
        "missing-x".to_string(),
        Err(LookupError::Io(ErrorKind::UnexpectedEof)),
    );
    expected.insert("silent-y".to_string(), Err(LookupError::TimedOut));
    assert_eq!(table, expected, "one entry per key, answer or error");
    assert_eq!(service.high_water(), 4);
}

#[test]
fn no_keys_make_an_empty_table() {
    let service = Service::start(1);
    let addr = service.addr;
    let table = within(LIMIT, "lookup_all", move || lookup_all(addr, &[], PATIENT));
    assert!(table.is_empty());
}
