use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::{procs, within};
use nix::unistd::getpid;
use serde_json::json;
use shared_memory::manager::{Manager, Proxy};

use crate::common::{
    TempDir, process_usage, run_children, spawn_children, thread_usage, wait_children,
};

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

#[test]
fn update_sends_everything_in_one_request() {
    // While `update` is still walking its entries, nothing of it may be on
    // the server yet: the entries go in one request, after the last one.
    let dir = TempDir::new("update-walk");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let observer = manager.proxy().expect("connect failed");
        let seen = Mutex::new(Vec::new());
        let entries = (0..20).map(|i| {
            seen.lock().unwrap().push(observer.len().expect("len"));
            (format!("k{i:02}"), json!(i))
        });
        proxy.update(entries).unwrap();
        let seen = seen.into_inner().unwrap();
        assert!(
            seen.iter().all(|&n| n == 0),
            "other clients saw {seen:?} keys while update was still walking its entries: \
             update must be one request, sent after the last entry"
        );
        assert_eq!(observer.len().unwrap(), 20);
    });
}

#[test]
fn other_clients_see_an_update_whole_or_not_at_all() {
    // Another client counts the keys again and again while three updates of
    // 200 new keys each go in: it may see 0, 200, 400 or 600 keys, never a
    // count in between.
    let dir = TempDir::new("update-whole");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let observer = manager.proxy().expect("connect failed");
        let (looks, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let watcher = {
            let (looks, stop) = (Arc::clone(&looks), Arc::clone(&stop));
            thread::spawn(move || {
                let mut torn = Vec::new();
                while !stop.load(SeqCst) {
                    let n = observer.len().expect("len");
                    if !n.is_multiple_of(200) {
                        torn.push(n);
                    }
                    looks.fetch_add(1, SeqCst);
                }
                torn
            })
        };
        while looks.load(SeqCst) < 5 {
            thread::yield_now();
        }
        for round in 0..3 {
            proxy
                .update((0..200).map(|i| (format!("r{round}-{i:03}"), json!(i))))
                .unwrap();
        }
        stop.store(true, SeqCst);
        let torn = watcher.join().expect("the watcher");
        assert!(
            torn.is_empty(),
            "another client counted {:?} keys while updates of 200 went in: an update must \
             be one request, which the server applies whole",
            &torn[..torn.len().min(10)]
        );
        assert_eq!(proxy.len().unwrap(), 600);
    });
}

#[test]
fn a_clone_is_a_client_of_its_own() {
    // A clone has its own connection: to the server it is another client,
    // so it waits for the lock its original holds.
    let dir = TempDir::new("clone-lock");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("warm", json!(1)).unwrap();
        let clone = proxy.clone();
        let held = proxy.lock().expect("lock failed");
        let (tx, rx) = mpsc::channel();
        let waiter = thread::spawn(move || {
            let _ = tx.send(clone.lock().map(drop).map_err(|e| e.to_string()));
        });
        match rx.recv_timeout(Duration::from_millis(300)) {
            Err(_) => {}
            Ok(Ok(())) => {
                panic!("a clone got the lock its original holds: a clone shares its connection?")
            }
            Ok(Err(e)) => panic!(
                "a clone's lock() failed ({e}) while its original held the lock: a clone shares its connection?"
            ),
        }
        drop(held);
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok(Ok(())),
            "the clone should get the lock once the original let it go"
        );
        waiter.join().unwrap();
    });
}

#[test]
fn a_proxy_used_in_a_forked_child_is_a_client_of_its_own() {
    // The parent holds the lock through its proxy; a child using that very
    // proxy is another client (another connection), so it waits its turn.
    let dir = TempDir::new("child-lock");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let proxy = manager.proxy().expect("connect failed");
        let held = proxy.lock().expect("lock failed");
        let pids = spawn_children(1, |_| match proxy.lock() {
            Ok(guard) => {
                drop(guard);
                0
            }
            Err(_) => 1,
        });
        thread::sleep(Duration::from_millis(300));
        let early = procs::is_running(pids[0].as_raw());
        drop(held);
        let codes = wait_children(&pids, Duration::from_secs(10));
        assert!(
            early,
            "the child was done (exit code {:?}) while its parent held the lock: a proxy in a \
             forked child must open its own connection (compare getpid())",
            codes
        );
        assert_eq!(
            codes,
            vec![0],
            "the child should get the lock once its parent let it go"
        );
    });
}

#[test]
fn a_client_waiting_for_the_lock_costs_nothing() {
    // While one client waits for the lock another holds, neither the
    // waiter nor the server should spin or poll: watch both for half a
    // second.
    let dir = TempDir::new("lock-wait");
    within(LIMIT, "the manager", move || {
        let manager = Manager::start(dir.socket()).expect("start failed");
        let (holder, waiter) = (
            manager.proxy().expect("connect"),
            manager.proxy().expect("connect"),
        );
        let held = holder.lock().expect("lock failed");
        let (tid_tx, tid_rx) = mpsc::channel();
        let (got_tx, got_rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tid_tx.send(nix::unistd::gettid());
            let _ = got_tx.send(waiter.lock().map(drop).is_ok());
        });
        let tid = tid_rx.recv().unwrap();
        // Let the request reach the server and both sides settle.
        thread::sleep(Duration::from_millis(100));
        let server = manager.server_pid();
        let before = (process_usage(server), thread_usage(tid));
        let early = got_rx.recv_timeout(Duration::from_millis(500));
        let after = (process_usage(server), thread_usage(tid));
        assert!(early.is_err(), "a client got the lock another holds");
        if let (Some((c0, s0)), Some((c1, s1))) = (before.0, after.0) {
            let (cpu, switches) = (c1.saturating_sub(c0), s1.saturating_sub(s0));
            assert!(
                cpu <= Duration::from_millis(60) && switches <= 25,
                "while one client waited half a second for the lock, the server used {cpu:?} \
                 of CPU and its threads were woken {switches} times: it spins or polls for the \
                 lock (wait on a Condvar until it is released)"
            );
        }
        if let (Some((c0, s0)), Some((c1, s1))) = (before.1, after.1) {
            let (cpu, switches) = (c1.saturating_sub(c0), s1.saturating_sub(s0));
            assert!(
                cpu <= Duration::from_millis(60) && switches <= 12,
                "while waiting half a second for the lock, the client used {cpu:?} of CPU and \
                 was woken {switches} times: it asks again and again (send one request and wait \
                 for the reply)"
            );
        }
        drop(held);
        assert_eq!(got_rx.recv_timeout(Duration::from_secs(10)), Ok(true));
    });
}
