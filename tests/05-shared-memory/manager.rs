use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::{procs, within};
use nix::unistd::getpid;
use serde_json::json;
use shared_memory::manager::{Manager, Proxy};

use crate::common::{TempDir, run_children, spawn_children, wait_children};

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn set_then_get_returns_the_value() {
    let dir = TempDir::new("set-get");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let nested = json!({"name": "ada", "scores": [1, 2, 3]});
        proxy.set("user", nested.clone()).unwrap();
        proxy.set("n", json!(7)).unwrap();
        assert_eq!(proxy.get("user").unwrap(), Some(nested));
        assert_eq!(proxy.get("n").unwrap(), Some(json!(7)));
        assert_eq!(proxy.get("missing").unwrap(), None);
    });
}

#[test]
fn keys_are_sorted_and_len_counts_them() {
    let dir = TempDir::new("keys");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        assert_eq!(proxy.len().unwrap(), 0);
        assert!(proxy.is_empty().unwrap());
        proxy.set("b", json!(1)).unwrap();
        proxy
            .update([("c".to_string(), json!(3)), ("a".to_string(), json!(0))])
            .unwrap();
        proxy.update([("b".to_string(), json!(2))]).unwrap();
        assert_eq!(proxy.keys().unwrap(), vec!["a", "b", "c"]);
        assert_eq!(proxy.len().unwrap(), 3);
        assert_eq!(proxy.get("b").unwrap(), Some(json!(2)), "update overwrites");
    });
}

#[test]
fn the_server_is_another_process() {
    let dir = TempDir::new("server-pid");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        assert_ne!(manager.server_pid(), getpid());
        assert!(procs::is_running(manager.server_pid().as_raw()));
        assert_eq!(manager.socket_path(), dir.socket());
        drop(manager);
    });
}

#[test]
fn five_processes_append_to_one_list() {
    let dir = TempDir::new("append");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        proxy.append(json!("from the parent")).unwrap();
        // The children use the parent's proxy: each must open its own
        // connection rather than talk over the parent's socket.
        run_children(5, |i| match proxy.append(json!(i)) {
            Ok(()) => 0,
            Err(_) => 1,
        });
        let mut list = proxy.list().unwrap();
        assert_eq!(list.remove(0), json!("from the parent"));
        list.sort_by_key(|v| v.as_u64());
        assert_eq!(list, vec![json!(0), json!(1), json!(2), json!(3), json!(4)]);
    });
}

#[test]
fn ten_processes_add_to_one_number() {
    let dir = TempDir::new("add");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        run_children(10, |i| {
            let mine = proxy.clone();
            for _ in 0..20 {
                if mine.add("n", i as i64).is_err() {
                    return 1;
                }
            }
            0
        });
        // 20 × (0 + 1 + ... + 9)
        assert_eq!(proxy.get("n").unwrap(), Some(json!(900)));
    });
}

#[test]
fn add_refuses_a_value_that_is_not_an_integer() {
    let dir = TempDir::new("add-text");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        assert_eq!(
            proxy.add("fresh", 5).unwrap(),
            5,
            "a missing key counts as 0"
        );
        proxy.set("s", json!("text")).unwrap();
        let err = proxy.add("s", 1).expect_err("adding to a string must fail");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(proxy.get("s").unwrap(), Some(json!("text")));
        assert_eq!(
            proxy.add("fresh", -2).unwrap(),
            3,
            "the proxy still works after an error"
        );
    });
}

#[test]
fn the_lock_excludes_other_clients_until_dropped() {
    let dir = TempDir::new("lock");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let first = manager.proxy().expect("connect failed");
        let second = manager.proxy().expect("connect failed");
        let held = first.lock().expect("lock failed");
        let (tx, rx) = mpsc::channel();
        let waiter = thread::spawn(move || {
            let guard = second.lock().expect("lock failed");
            tx.send(Instant::now()).unwrap();
            drop(guard);
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "a second client got the lock while the first held it"
        );
        let released = Instant::now();
        drop(held);
        let got = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the lock was never handed on");
        assert!(got >= released);
        waiter.join().unwrap();
    });
}

#[test]
fn a_client_that_dies_holding_the_lock_releases_it() {
    let dir = TempDir::new("lock-death");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let pids = spawn_children(1, |_| match proxy.lock() {
            Ok(guard) => {
                // Leave without dropping the guard: the process just ends.
                std::mem::forget(guard);
                0
            }
            Err(_) => 1,
        });
        assert_eq!(
            wait_children(&pids, Duration::from_secs(10)),
            vec![0],
            "the child should get the lock (exit code 1: lock() failed)"
        );
        let (tx, rx) = mpsc::channel();
        let other = proxy.clone();
        thread::spawn(move || {
            let _ = tx.send(other.lock().map(drop).is_ok());
        });
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok(true),
            "the lock of a dead client must be released"
        );
    });
}

#[test]
fn dropping_the_manager_stops_the_server_and_removes_its_socket() {
    let dir = TempDir::new("shutdown");
    within(LIMIT, "the manager", move || {
        let socket = dir.socket();
        let manager = Manager::start(&socket).expect("start failed");
        let server = manager.server_pid();
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("k", json!(1)).unwrap();
        assert!(
            socket.exists(),
            "the socket file exists while the server runs"
        );
        drop(manager);
        assert!(!socket.exists(), "the server removes its socket file");
        assert_eq!(procs::state(server.as_raw()), None, "the server was reaped");
        assert!(
            proxy.get("k").is_err(),
            "a client of a dead server gets an error"
        );
        assert!(Proxy::connect(&socket).is_err(), "and so does a new client");
    });
}
