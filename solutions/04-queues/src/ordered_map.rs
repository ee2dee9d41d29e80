//! Order-preserving parallel map: the reference solution. The statement is
//! in `chapters/04-queues/src/ordered_map.rs`.

use std::thread;

use crossbeam::channel;

/// `items.into_iter().map(f).collect()`, computed by `workers` threads,
/// results in input order.
pub fn parallel_map<T, R, F>(items: Vec<T>, workers: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    assert!(workers > 0, "at least one worker");
    let count = items.len();
    let (job_tx, job_rx) = channel::unbounded::<(usize, T)>();
    let (result_tx, result_rx) = channel::unbounded::<(usize, R)>();
    for job in items.into_iter().enumerate() {
        job_tx.send(job).expect("the receiver is alive");
    }
    // No more jobs: once the queue is empty the workers' loops end.
    drop(job_tx);
    thread::scope(|s| {
        for _ in 0..workers {
            let (job_rx, result_tx, f) = (job_rx.clone(), result_tx.clone(), &f);
            s.spawn(move || {
                // Each result carries its index: workers finish in any order.
                for (index, item) in job_rx {
                    if result_tx.send((index, f(item))).is_err() {
                        return;
                    }
                }
            });
        }
        // Only the workers' senders are left: the loop below ends when the
        // last worker does.
        drop(result_tx);
        let mut slots: Vec<Option<R>> = (0..count).map(|_| None).collect();
        for (index, result) in result_rx {
            slots[index] = Some(result);
        }
        slots
            .into_iter()
            .map(|slot| slot.expect("a worker panicked before sending its result"))
            .collect()
    })
}
