use std::cell::{Cell, RefCell};
use std::future::pending;
use std::rc::Rc;
use std::time::{Duration, Instant};

use coroutines::executor::{Executor, join_all, yield_now};
use coroutines::task_pool::{Elapsed, TaskPool, timeout};
use coroutines::timers::sleep;
use forklings_support::within;
use proptest::prelude::*;

const LIMIT: Duration = Duration::from_secs(10);

/// Runs `tasks` tasks in a pool of `limit`, each sleeping `nap`; returns
/// the most that ran at once and the task results in spawn order, and
/// checks that the tasks started in spawn order.
fn run_pool(limit: usize, tasks: usize, nap: Duration) -> (usize, Vec<usize>) {
    let (most, results, started) = within(LIMIT, "a task pool", move || {
        let executor = Executor::new();
        let pool = TaskPool::new(&executor, limit);
        let running = Rc::new(Cell::new(0usize));
        let most = Rc::new(Cell::new(0usize));
        let started = Rc::new(RefCell::new(Vec::new()));
        let handles = (0..tasks)
            .map(|i| {
                let (running, most) = (Rc::clone(&running), Rc::clone(&most));
                let started = Rc::clone(&started);
                pool.spawn(async move {
                    started.borrow_mut().push(i);
                    running.set(running.get() + 1);
                    most.set(most.get().max(running.get()));
                    sleep(nap).await;
                    running.set(running.get() - 1);
                    i
                })
            })
            .collect();
        let results = executor.block_on(join_all(handles));
        let results = results.into_iter().map(|r| r.expect("no panic")).collect();
        let started = started.borrow().clone();
        (most.get(), results, started)
    });
    assert_eq!(
        started,
        (0..tasks).collect::<Vec<_>>(),
        "the tasks waiting for a place get it first come, first served"
    );
    (most, results)
}

#[test]
fn never_more_than_the_limit_run_at_once() {
    let (most, results) = run_pool(3, 20, Duration::from_millis(5));
    assert_eq!(results, (0..20).collect::<Vec<_>>());
    assert_eq!(most, 3, "at most 3 at once, and the pool used all 3 places");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn the_high_water_mark_is_the_limit(limit in 1usize..6, tasks in 0usize..16) {
        let (most, results) = run_pool(limit, tasks, Duration::from_millis(1));
        prop_assert_eq!(results, (0..tasks).collect::<Vec<_>>());
        prop_assert_eq!(most, limit.min(tasks));
    }
}

#[test]
fn a_panicking_task_gives_its_place_back() {
    let results = within(LIMIT, "a pool of one with a panic", || {
        let executor = Executor::new();
        let pool = TaskPool::new(&executor, 1);
        let bad = pool.spawn(async {
            yield_now().await;
            if true {
                panic!("task 1 failed");
            }
            1
        });
        let good = pool.spawn(async { 2 });
        executor
            .block_on(join_all(vec![bad, good]))
            .into_iter()
            .map(|r| r.map_err(|e| e.message().to_string()))
            .collect::<Vec<_>>()
    });
    assert_eq!(results, [Err("task 1 failed".to_string()), Ok(2)]);
}

#[test]
fn timeout_gives_up_on_a_task_that_never_ends() {
    let (result, elapsed) = within(LIMIT, "timeout(30 ms, pending)", || {
        let start = Instant::now();
        let result = Executor::new().block_on(timeout(Duration::from_millis(30), pending::<()>()));
        (result, start.elapsed())
    });
    assert_eq!(result, Err(Elapsed));
    assert!(
        elapsed >= Duration::from_millis(30),
        "gave up after {elapsed:?}"
    );
}

#[test]
fn timeout_passes_on_a_result_in_time() {
    // The limit is longer than the test's own: waiting it out would fail.
    let result = within(LIMIT, "timeout(1 h, a quick task)", || {
        Executor::new().block_on(timeout(Duration::from_secs(3600), async {
            sleep(Duration::from_millis(5)).await;
            "done"
        }))
    });
    assert_eq!(result, Ok("done"));
}

#[test]
fn a_timed_out_future_is_dropped() {
    let dropped = within(LIMIT, "timeout dropping its future", || {
        struct Flag(Rc<Cell<bool>>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let dropped = Rc::new(Cell::new(false));
        let flag = Flag(Rc::clone(&dropped));
        let executor = Executor::new();
        let result = executor.block_on(timeout(Duration::from_millis(10), async move {
            let _flag = flag;
            pending::<()>().await;
        }));
        result == Err(Elapsed) && dropped.get()
    });
    assert!(
        dropped,
        "timeout returns Err(Elapsed) and the future is dropped by then"
    );
}

/// Tasks spawned while the pool is full, by tasks about to end (a crawler
/// adding the links it found), must not push the pool past its limit: a
/// task woken because a place came free checks again that it is still free.
#[test]
fn tasks_spawned_while_the_pool_is_full_keep_to_the_limit() {
    let (most, done) = within(LIMIT, "a pool whose tasks spawn tasks", || {
        let executor = Executor::new();
        let pool = TaskPool::new(&executor, 2);
        let running = Rc::new(Cell::new(0usize));
        let most = Rc::new(Cell::new(0usize));
        let children = Rc::new(RefCell::new(Vec::new()));
        let counted = |running: &Rc<Cell<usize>>, most: &Rc<Cell<usize>>| {
            let (running, most) = (Rc::clone(running), Rc::clone(most));
            async move {
                running.set(running.get() + 1);
                most.set(most.get().max(running.get()));
                for _ in 0..3 {
                    yield_now().await;
                }
                running.set(running.get() - 1);
            }
        };
        let seeds: Vec<_> = (0..6)
            .map(|_| {
                let (pool2, children) = (pool.clone(), Rc::clone(&children));
                let seed = counted(&running, &most);
                let child = counted(&running, &most);
                pool.spawn(async move {
                    seed.await;
                    // Spawned just before this task gives its place back.
                    children.borrow_mut().push(pool2.spawn(child));
                })
            })
            .collect();
        let mut done = executor.block_on(join_all(seeds)).len();
        let children = children.take();
        done += executor.block_on(join_all(children)).len();
        (most.get(), done)
    });
    assert_eq!(done, 12);
    assert_eq!(most, 2, "a pool of 2 ran {most} tasks at once");
}

/// With no time left the future is still polled once: a result that is
/// ready counts.
#[test]
fn timeout_of_zero_takes_a_result_that_is_ready() {
    let result = within(LIMIT, "timeout(0, a ready future)", || {
        Executor::new().block_on(timeout(Duration::ZERO, async { 7 }))
    });
    assert_eq!(
        result,
        Ok(7),
        "the future goes first; the deadline only decides when it is not ready"
    );
}

/// The deadline is set once, when timeout starts: a future that keeps
/// waking up (and never ends) does not move it.
#[test]
fn a_future_that_keeps_waking_still_times_out() {
    let (result, elapsed) = within(LIMIT, "timeout(200 ms, a restless future)", || {
        let start = Instant::now();
        let result = Executor::new().block_on(timeout(Duration::from_millis(200), async {
            loop {
                sleep(Duration::from_millis(20)).await;
            }
        }));
        (result, start.elapsed())
    });
    assert_eq!(result, Err(Elapsed));
    assert!(
        elapsed < Duration::from_secs(3),
        "a 200 ms timeout gave up after {elapsed:?}: the deadline must not restart when the future wakes"
    );
}
