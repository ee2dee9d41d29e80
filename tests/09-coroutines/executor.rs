use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use coroutines::executor::{Executor, join_all, yield_now};
use forklings_support::within;

use crate::cpu;

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn block_on_returns_the_output() {
    let answer = within(LIMIT, "block_on", || {
        Executor::new().block_on(async { 40 + 2 })
    });
    assert_eq!(answer, 42);
}

#[test]
fn join_all_gives_results_in_spawn_order() {
    let results = within(LIMIT, "join_all", || {
        let executor = Executor::new();
        let handles = (0..10u64)
            .map(|i| {
                executor.spawn(async move {
                    // Later tasks finish first.
                    for _ in 0..(10 - i) {
                        yield_now().await;
                    }
                    i * i
                })
            })
            .collect();
        executor.block_on(join_all(handles))
    });
    let squares: Vec<u64> = results
        .into_iter()
        .map(|r| r.expect("no task panicked"))
        .collect();
    assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
}

#[test]
fn tasks_take_turns_on_the_calling_thread() {
    let (log, caller) = within(LIMIT, "two tasks yielding", || {
        let executor = Executor::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        let handles = ["a", "b"]
            .into_iter()
            .map(|name| {
                let log = Rc::clone(&log);
                executor.spawn(async move {
                    for step in 0..3 {
                        log.borrow_mut().push(format!("{name}{step}"));
                        yield_now().await;
                    }
                    thread::current().id()
                })
            })
            .collect();
        let threads = executor.block_on(join_all(handles));
        let log = log.borrow().clone();
        let caller = thread::current().id();
        let ran_here = threads.into_iter().all(|t| t.expect("no panic") == caller);
        (log, ran_here)
    });
    assert_eq!(
        log,
        ["a0", "b0", "a1", "b1", "a2", "b2"],
        "woken tasks run in the order they were woken"
    );
    assert!(caller, "every task runs on the thread that called block_on");
}

#[test]
fn a_panic_is_reported_on_its_handle_and_the_others_finish() {
    let results = within(LIMIT, "a panicking task", || {
        let executor = Executor::new();
        let before = executor.spawn(async {
            yield_now().await;
            1
        });
        let bad = executor.spawn(async {
            yield_now().await;
            if true {
                panic!("boom in task 2");
            }
            2
        });
        let after = executor.spawn(async {
            yield_now().await;
            yield_now().await;
            3
        });
        executor
            .block_on(join_all(vec![before, bad, after]))
            .into_iter()
            .map(|r| r.map_err(|e| e.message().to_string()))
            .collect::<Vec<_>>()
    });
    assert_eq!(results, [Ok(1), Err("boom in task 2".to_string()), Ok(3)]);
}

#[test]
fn a_task_can_spawn_and_await_another() {
    let total = within(LIMIT, "a task spawning a task", || {
        let executor = Executor::new();
        let inner = executor.clone();
        let outer = executor.spawn(async move {
            let child = inner.spawn(async { 20 });
            yield_now().await;
            child.await.expect("the child did not panic") + 1
        });
        executor.block_on(outer).expect("the parent did not panic")
    });
    assert_eq!(total, 21);
}

#[test]
fn block_on_sleeps_until_a_wake_from_another_thread() {
    let (polls, value, cpu_used) = within(LIMIT, "block_on waiting for a thread", || {
        let executor = Executor::new();
        // A value a thread delivers after a while, and the waker to call.
        let slot: Arc<Mutex<(Option<u32>, Option<Waker>)>> = Arc::new(Mutex::new((None, None)));
        let for_thread = Arc::clone(&slot);
        // The worker delivers only after the first poll, and after a while.
        let (go, wait_for_go) = std::sync::mpsc::channel::<()>();
        let worker = thread::spawn(move || {
            if wait_for_go.recv_timeout(LIMIT).is_ok() {
                thread::sleep(WAIT);
            }
            let waker = {
                let mut slot = for_thread.lock().unwrap();
                slot.0 = Some(5);
                slot.1.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        let mut polls = 0;
        let cpu_before = cpu::this_thread();
        let value = executor.block_on(poll_fn(|cx| {
            polls += 1;
            let mut slot = slot.lock().unwrap();
            match slot.0.take() {
                Some(value) => Poll::Ready(value),
                None => {
                    slot.1 = Some(cx.waker().clone());
                    let _ = go.send(());
                    Poll::Pending
                }
            }
        }));
        let cpu_used = cpu::this_thread() - cpu_before;
        worker.join().expect("the worker thread");
        (polls, value, cpu_used)
    });
    assert_eq!(value, 5);
    assert_eq!(
        polls, 2,
        "polled once, then once more after the one wake: no busy polling"
    );
    assert!(
        !cpu_used.spun_during(WAIT),
        "while block_on waited {WAIT:?} for a wake, its thread used {:?} of CPU time and was \
         pushed off the CPU {} times: with nothing to do it must sleep (thread::park), not spin",
        cpu_used.cpu,
        cpu_used.preempted
    );
}

/// How long the thread of `block_on_sleeps_until_a_wake_from_another_thread`
/// makes block_on wait.
const WAIT: Duration = Duration::from_millis(400);

/// A pending task is polled again only when its waker is called, however
/// busy the other tasks keep the executor.
#[test]
fn only_woken_tasks_are_polled() {
    let polls = within(LIMIT, "a waiting task beside a busy one", || {
        let executor = Executor::new();
        let polls = Rc::new(Cell::new(0));
        let slot: Rc<RefCell<(bool, Option<Waker>)>> = Rc::default();
        let waiting = {
            let (polls, slot) = (Rc::clone(&polls), Rc::clone(&slot));
            executor.spawn(poll_fn(move |cx| {
                polls.set(polls.get() + 1);
                let mut slot = slot.borrow_mut();
                if slot.0 {
                    Poll::Ready(())
                } else {
                    slot.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }))
        };
        let busy = executor.spawn(async move {
            for _ in 0..20 {
                yield_now().await;
            }
            let waker = {
                let mut slot = slot.borrow_mut();
                slot.0 = true;
                slot.1.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        executor.block_on(join_all(vec![waiting, busy]));
        polls.get()
    });
    assert_eq!(
        polls, 2,
        "the waiting task was polled {polls} times while another task yielded 20 times: \
         poll a task only when its waker was called, not every task on every turn"
    );
}

/// Two wakes before the task runs again ask for one poll, not two.
#[test]
fn a_task_woken_twice_before_it_runs_is_polled_once() {
    let polls = within(LIMIT, "a task woken twice", || {
        let executor = Executor::new();
        let polls = Rc::new(Cell::new(0));
        let slot: Rc<RefCell<(bool, Option<Waker>)>> = Rc::default();
        let task = {
            let (polls, slot) = (Rc::clone(&polls), Rc::clone(&slot));
            executor.spawn(poll_fn(move |cx| {
                polls.set(polls.get() + 1);
                let mut slot = slot.borrow_mut();
                if polls.get() == 1 {
                    cx.waker().wake_by_ref();
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                if slot.0 {
                    Poll::Ready(())
                } else {
                    slot.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }))
        };
        let later = executor.spawn(async move {
            for _ in 0..5 {
                yield_now().await;
            }
            let waker = {
                let mut slot = slot.borrow_mut();
                slot.0 = true;
                slot.1.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        executor.block_on(join_all(vec![task, later]));
        polls.get()
    });
    assert_eq!(
        polls, 3,
        "woken twice, then once more later: 3 polls, not {polls} (queue a task once until it runs)"
    );
}

/// A task that never stops yielding still leaves block_on's own future its
/// turns.
#[test]
// Dropping the handle is the point, whatever the handle holds.
#[allow(clippy::drop_non_drop)]
fn a_task_that_keeps_yielding_does_not_starve_block_on() {
    let value = within(LIMIT, "block_on beside a task that always yields", || {
        let executor = Executor::new();
        drop(executor.spawn(async {
            loop {
                yield_now().await;
            }
        }));
        executor.block_on(async {
            yield_now().await;
            yield_now().await;
            5
        })
    });
    assert_eq!(value, 5);
}

/// `spawn` only queues the task: it runs once some `block_on` runs.
#[test]
fn spawn_leaves_the_running_to_block_on() {
    let (at_spawn, after) = within(LIMIT, "a spawned task", || {
        let executor = Executor::new();
        let ran = Rc::new(Cell::new(false));
        let flag = Rc::clone(&ran);
        let handle = executor.spawn(async move { flag.set(true) });
        let at_spawn = ran.get();
        executor.block_on(handle).expect("no panic");
        (at_spawn, ran.get())
    });
    assert!(!at_spawn, "spawn ran the task at once, before block_on");
    assert!(after, "block_on ran the task");
}

#[test]
// Dropping the handle is the point, whatever the handle holds.
#[allow(clippy::drop_non_drop)]
fn a_dropped_handle_does_not_cancel_its_task() {
    let ran = within(LIMIT, "a detached task", || {
        let executor = Executor::new();
        let ran = Rc::new(RefCell::new(false));
        let flag = Rc::clone(&ran);
        drop(executor.spawn(async move {
            yield_now().await;
            *flag.borrow_mut() = true;
        }));
        executor.block_on(async {
            for _ in 0..5 {
                yield_now().await;
            }
        });
        *ran.borrow()
    });
    assert!(ran, "the task ran to its end though nobody awaited it");
}

/// `spawn` takes futures that are not `Send`: the tasks never leave the
/// executor's thread. (This is a compile-time check as much as a test.)
#[test]
fn spawn_accepts_futures_that_are_not_send() {
    let value = within(LIMIT, "a task holding an Rc", || {
        let executor = Executor::new();
        let shared = Rc::new(7);
        let handle = executor.spawn(async move {
            yield_now().await;
            *shared
        });
        executor.block_on(handle).expect("no panic")
    });
    assert_eq!(value, 7);
}
