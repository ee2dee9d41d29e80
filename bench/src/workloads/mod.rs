//! One module per workload of the table, each with its floor and its
//! reference legs; the Python originals live in `bench/python/`.

pub mod locks;
pub mod managed;
pub mod primes;
pub mod round_trip;
pub mod serve;
pub mod sleeps;
pub mod spawn;
pub mod stream;
pub mod student_loop;

use crate::model::Workload;

/// Every workload, in the order of the course's chapters.
pub fn all() -> Vec<Workload> {
    vec![
        primes::workload(),
        spawn::workload(),
        round_trip::workload(),
        stream::workload(),
        managed::workload(),
        locks::workload(),
        sleeps::workload(),
        serve::workload(),
        student_loop::workload(),
    ]
}
