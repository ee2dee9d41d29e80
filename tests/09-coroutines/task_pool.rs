use std::cell::Cell;
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
/// the most that ran at once and the task results in spawn order.
fn run_pool(limit: usize, tasks: usize, nap: Duration) -> (usize, Vec<usize>) {
    within(LIMIT, "a task pool", move || {
        let executor = Executor::new();
        let pool = TaskPool::new(&executor, limit);
        let running = Rc::new(Cell::new(0usize));
        let most = Rc::new(Cell::new(0usize));
        let handles = (0..tasks)
            .map(|i| {
                let (running, most) = (Rc::clone(&running), Rc::clone(&most));
                pool.spawn(async move {
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
        (most.get(), results)
    })
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
