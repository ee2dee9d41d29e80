use std::thread;
use std::time::Duration;

use forklings_support::within;
use serde_json::json;
use shared_memory::lost_update::{add_atomically, add_under_lock, add_unsafely};
use shared_memory::manager::Manager;

use crate::common::TempDir;
use crate::common::{Gate, run_children, spawn_children, wait_children};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn one_client_alone_adds_correctly() {
    let dir = TempDir::new("alone");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let mut calls = 0;
        for x in [5, -2, 10] {
            add_unsafely(&proxy, "n", x, || calls += 1).unwrap();
        }
        assert_eq!(calls, 3, "`between` runs once per add");
        assert_eq!(
            proxy.get("n").unwrap(),
            Some(json!(13)),
            "a missing key starts at 0"
        );
    });
}

#[test]
fn when_every_process_reads_before_any_writes_updates_are_lost() {
    let dir = TempDir::new("lost");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("n", json!(100)).unwrap();
        let gate = Gate::new();
        let pids = spawn_children(4, |_| match add_unsafely(&proxy, "n", 1, || gate.pass()) {
            Ok(()) => 0,
            Err(_) => 1,
        });
        // All four have read 100 before any of them may write.
        let arrived = gate.arrivals(4, Duration::from_secs(10));
        gate.release(4);
        let codes = wait_children(&pids, Duration::from_secs(10));
        assert_eq!(
            arrived, 4,
            "every child should reach `between` after its read"
        );
        assert_eq!(codes, vec![0; 4]);
        assert_eq!(
            proxy.get("n").unwrap(),
            Some(json!(101)),
            "four +1s that all read 100 all write 101: three updates are lost"
        );
    });
}

#[test]
fn under_the_manager_lock_only_one_process_is_between_read_and_write() {
    let dir = TempDir::new("locked-gate");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let gate = Gate::new();
        let pids = spawn_children(2, |_| {
            match add_under_lock(&proxy, "n", 1, || gate.pass()) {
                Ok(()) => 0,
                Err(_) => 1,
            }
        });
        let first = gate.arrivals(1, Duration::from_secs(10));
        // The other child must be stuck waiting for the lock.
        let early = gate.arrivals(1, Duration::from_millis(300));
        gate.release(1);
        let second = gate.arrivals(1, Duration::from_secs(10));
        gate.release(1);
        let codes = wait_children(&pids, Duration::from_secs(10));
        assert_eq!(first, 1, "a child should reach `between`");
        assert_eq!(early, 0, "two children were between read and write at once");
        assert_eq!(
            second, 1,
            "the second child should get the lock after the first"
        );
        assert_eq!(codes, vec![0; 2]);
        assert_eq!(proxy.get("n").unwrap(), Some(json!(2)));
    });
}

#[test]
fn under_the_manager_lock_no_update_is_lost() {
    let dir = TempDir::new("locked");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        run_children(5, |_| {
            for _ in 0..10 {
                // Widen the window between read and write.
                let pause = || thread::sleep(Duration::from_millis(1));
                if add_under_lock(&proxy, "n", 1, pause).is_err() {
                    return 1;
                }
            }
            0
        });
        assert_eq!(proxy.get("n").unwrap(), Some(json!(50)));
    });
}

#[test]
fn an_atomic_update_loses_nothing() {
    let dir = TempDir::new("atomic");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        assert_eq!(add_atomically(&proxy, "n", 3).unwrap(), 3);
        run_children(10, |_| {
            for _ in 0..20 {
                if add_atomically(&proxy, "n", 2).is_err() {
                    return 1;
                }
            }
            0
        });
        assert_eq!(proxy.get("n").unwrap(), Some(json!(403)));
    });
}

#[test]
fn a_value_that_is_not_an_integer_is_an_error() {
    let dir = TempDir::new("not-int");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("s", json!([1, 2])).unwrap();
        let err = add_unsafely(&proxy, "s", 1, || {}).expect_err("a list is not a number");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        let err = add_under_lock(&proxy, "s", 1, || {}).expect_err("a list is not a number");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(proxy.get("s").unwrap(), Some(json!([1, 2])));
        // The failed locked add must have released the lock.
        add_under_lock(&proxy, "n", 1, || {}).expect("the lock should be free again");
    });
}

#[test]
fn add_atomically_returns_the_new_value() {
    let dir = TempDir::new("atomic-value");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("n", json!(10)).unwrap();
        assert_eq!(
            add_atomically(&proxy, "n", 3).unwrap(),
            13,
            "10 + 3: add_atomically returns the value after the add"
        );
        assert_eq!(add_atomically(&proxy, "n", -20).unwrap(), -7);
        assert_eq!(proxy.get("n").unwrap(), Some(json!(-7)));
    });
}

#[test]
fn between_comes_after_the_read_and_before_the_write() {
    // `between` sets the value behind the caller's back: a read made before
    // it does not see that, and the write made after it overwrites it.
    let dir = TempDir::new("between");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let other = manager.proxy().expect("connect failed");
        for (name, locked) in [("add_unsafely", false), ("add_under_lock", true)] {
            proxy.set("n", json!(5)).unwrap();
            let meddle = || {
                other
                    .set("n", json!(1000))
                    .expect("set from another client")
            };
            if locked {
                add_under_lock(&proxy, "n", 1, meddle).unwrap();
            } else {
                add_unsafely(&proxy, "n", 1, meddle).unwrap();
            }
            assert_eq!(
                proxy.get("n").unwrap(),
                Some(json!(6)),
                "{name}: read 5, then `between` set 1000, then the write of 5 + 1 (1001 means \
                 the read came after `between`; 1000 means the write came before it)"
            );
        }
    });
}

#[test]
fn only_integers_can_be_added_to() {
    let dir = TempDir::new("integers");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        for (key, value) in [
            ("half", json!(2.5)),
            ("text", json!("7")),
            ("yes", json!(true)),
        ] {
            proxy.set(key, value.clone()).unwrap();
            let err = add_unsafely(&proxy, key, 1, || {}).expect_err("not an integer");
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidData,
                "{value} is not an integer"
            );
            let err = add_under_lock(&proxy, key, 1, || {}).expect_err("not an integer");
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidData,
                "{value} is not an integer"
            );
            assert!(
                add_atomically(&proxy, key, 1).is_err(),
                "{value} is not an integer"
            );
            assert_eq!(proxy.get(key).unwrap(), Some(value), "left as it was");
        }
    });
}
