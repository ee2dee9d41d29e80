use std::sync::Mutex;

use locks::poisoning::{lock_even_if_poisoned, push_then_panic, repair};

#[test]
fn a_panic_holding_the_lock_poisons_it() {
    let list = Mutex::new(vec![1, 2]);
    push_then_panic(&list, 3);
    assert!(list.is_poisoned(), "the panicking thread held the lock");
    assert!(
        list.lock().is_err(),
        "a plain lock() now reports the poison"
    );
}

#[test]
fn the_next_locker_sees_the_poison_and_the_data() {
    let list = Mutex::new(vec![1, 2]);
    push_then_panic(&list, 3);
    let (items, poisoned) = lock_even_if_poisoned(&list);
    assert!(poisoned);
    assert_eq!(*items, vec![1, 2, 3], "the push before the panic is there");
    drop(items);
    assert!(list.is_poisoned(), "looking does not heal the mutex");
}

#[test]
fn a_healthy_lock_is_not_reported_as_poisoned() {
    let list = Mutex::new(vec![7]);
    let (items, poisoned) = lock_even_if_poisoned(&list);
    assert!(!poisoned);
    assert_eq!(*items, vec![7]);
}

#[test]
fn repair_drops_bad_items_and_clears_the_poison() {
    let list = Mutex::new(vec![1, 2]);
    push_then_panic(&list, 999);
    assert_eq!(
        repair(&list, 100),
        1,
        "the one item over the limit is dropped"
    );
    assert!(!list.is_poisoned());
    assert_eq!(*list.lock().expect("healed"), vec![1, 2]);
}

#[test]
fn repair_leaves_a_healthy_lock_alone() {
    let list = Mutex::new(vec![1, 500]);
    assert_eq!(repair(&list, 100), 0);
    assert_eq!(*list.lock().unwrap(), vec![1, 500]);
}
