use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use forklings_support::within;
use serde_json::json;
use shared_memory::manager::Manager;
use shared_memory::proxy_gotcha::{append_nested, edit};

use crate::common::{Gate, TempDir, run_children, spawn_children, wait_children};

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn changing_a_fetched_copy_changes_nothing_until_edit_writes_it_back() {
    let dir = TempDir::new("gotcha");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("cfg", json!({"tags": ["a"]})).unwrap();
        // The Python gotcha: d["cfg"]["tags"].append("b") changes a copy.
        let mut copy = proxy.get("cfg").unwrap().unwrap();
        copy["tags"].as_array_mut().unwrap().push(json!("b"));
        assert_eq!(proxy.get("cfg").unwrap(), Some(json!({"tags": ["a"]})));
        let written = edit(&proxy, "cfg", |v| {
            v["tags"].as_array_mut().unwrap().push(json!("b"))
        })
        .unwrap();
        assert_eq!(
            written,
            json!({"tags": ["a", "b"]}),
            "edit returns what it wrote"
        );
        assert_eq!(proxy.get("cfg").unwrap(), Some(written));
    });
}

#[test]
fn edit_of_a_missing_key_starts_from_null() {
    let dir = TempDir::new("null");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let mut seen = None;
        edit(&proxy, "new", |v| {
            seen = Some(v.clone());
            *v = json!({"x": 1});
        })
        .unwrap();
        assert_eq!(seen, Some(json!(null)));
        assert_eq!(proxy.get("new").unwrap(), Some(json!({"x": 1})));
    });
}

#[test]
fn append_nested_grows_the_inner_list_and_refuses_other_values() {
    let dir = TempDir::new("nested");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        append_nested(&proxy, "log", json!("first")).unwrap();
        append_nested(&proxy, "log", json!({"second": 2})).unwrap();
        assert_eq!(
            proxy.get("log").unwrap(),
            Some(json!(["first", {"second": 2}]))
        );
        proxy.set("n", json!(5)).unwrap();
        let err = append_nested(&proxy, "n", json!(1)).expect_err("5 is not a list");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(proxy.get("n").unwrap(), Some(json!(5)));
    });
}

#[test]
fn nested_appends_from_four_processes_all_land() {
    let dir = TempDir::new("nested-procs");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        run_children(4, |i| {
            for j in 0..5 {
                if append_nested(&proxy, "items", json!(i * 10 + j)).is_err() {
                    return 1;
                }
            }
            0
        });
        let items = proxy.get("items").unwrap().unwrap();
        let mut got: Vec<u64> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        got.sort_unstable();
        let want: Vec<u64> = (0..4)
            .flat_map(|i| (0..5).map(move |j| i * 10 + j))
            .collect();
        assert_eq!(got, want, "no append may overwrite another");
    });
}

#[test]
fn edit_holds_the_manager_lock_from_read_to_write() {
    let dir = TempDir::new("edit-lock");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let gate = Gate::new();
        let pids = spawn_children(2, |_| {
            let bump = |v: &mut serde_json::Value| {
                gate.pass();
                *v = json!(v.as_i64().unwrap_or(0) + 1);
            };
            match edit(&proxy, "n", bump) {
                Ok(_) => 0,
                Err(_) => 1,
            }
        });
        let first = gate.arrivals(1, Duration::from_secs(10));
        // The other child must be stuck waiting for the lock, before its read.
        let early = gate.arrivals(1, Duration::from_millis(300));
        gate.release(1);
        let second = gate.arrivals(1, Duration::from_secs(10));
        gate.release(1);
        let codes = wait_children(&pids, Duration::from_secs(10));
        assert_eq!(first, 1, "a child should reach its `change`");
        assert_eq!(early, 0, "two edits were between read and write at once");
        assert_eq!(second, 1, "the second edit should run after the first");
        assert_eq!(codes, vec![0; 2]);
        assert_eq!(proxy.get("n").unwrap(), Some(json!(2)), "no edit was lost");
    });
}

#[test]
fn append_nested_waits_for_the_manager_lock() {
    // append_nested is an edit: while another client holds the manager lock,
    // it must not even read.
    let dir = TempDir::new("append-lock");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let holder = manager.proxy().expect("connect failed");
        let proxy = manager.proxy().expect("connect failed");
        let held = holder.lock().expect("lock failed");
        let (tx, rx) = mpsc::channel();
        let appender = thread::spawn(move || {
            let _ = tx.send(append_nested(&proxy, "log", json!("late")).is_ok());
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "append_nested finished while another client held the manager lock: go through \
             edit, which holds the lock from the read to the write"
        );
        holder.set("log", json!(["first"])).unwrap();
        drop(held);
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(true));
        appender.join().unwrap();
        assert_eq!(holder.get("log").unwrap(), Some(json!(["first", "late"])));
    });
}
