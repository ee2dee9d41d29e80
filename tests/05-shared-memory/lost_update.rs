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
