//! # Exercise: the spawn start method
//!
//! Every pool so far forked: the workers were copies of this process. Python
//! has three ways to start a worker, its *start methods*:
//!
//! ```python
//! import multiprocessing as mp, os
//!
//! def square(n):
//!     return n, n * n, os.getpid()
//!
//! if __name__ == "__main__":           # a spawned worker imports this file
//!     ctx = mp.get_context("spawn")    # or "fork", or "forkserver"
//!     with ctx.Pool(2) as pool:
//!         print(pool.map(square, range(1, 11)))
//! ```
//!
//! *fork* copies the parent (fast, but a copy of a process with threads is
//! a copy of one thread and every lock as it was); *spawn* starts the
//! Python program afresh and sends it the work over a pipe; *forkserver*
//! starts one clean server process early, and forks each worker from it.
//! Here you build the spawn way: a worker is *this program* run again
//! (`std::env::current_exe()` in `main`), told by its first argument,
//! [`WORKER_ARG`], that it is a worker. The chapter's program
//! `src/bin/spawn_squares.rs` (given) does exactly that.
//!
//! Build:
//!
//! - [`serve`]: the worker's loop. One job per line of `input` (a number),
//!   one answer per line of `output`, `JOB SQUARE PID` (the worker's own
//!   PID), flushed as soon as it is written: the parent waits for it. Ends at
//!   the end of the input; a line that is not a number is an error of kind
//!   `InvalidData`.
//! - [`serve_if_worker`]: the first call in `main` (Python's
//!   `if __name__ == "__main__"` the other way round). With [`WORKER_ARG`] as
//!   the first argument it serves stdin to stdout and exits (0, or 1 on an
//!   error); otherwise it returns.
//! - [`SpawnPool::start`]: run `program WORKER_ARG` `size` times with
//!   `std::process::Command`, stdin and stdout piped. No `fork` of yours.
//! - [`SpawnPool::map`]: job `i` goes to worker `i % size`; the answers come
//!   back in the order of the jobs. Tens of thousands of jobs must not stop
//!   it: a pipe holds 64 KiB, and a worker whose answers nobody reads stops
//!   reading jobs. A worker that dies makes `map` an error, never a hang;
//!   the pool is then broken (Python's `BrokenProcessPool`): kill every
//!   worker.
//! - [`SpawnPool::close`] and `Drop`: close every worker's stdin (its end of
//!   file) and reap every worker; `close` returns their exit codes.
//!
//! The tests check `serve` on its own (the answers, a flush after each, a bad
//! line), that each worker is the program itself with [`WORKER_ARG`], a child
//! of ours and not a copy of the test (its `/proc/PID/exe` and `cmdline`),
//! the answers' order, values and workers, 30 000 jobs through two workers,
//! a killed worker, the exit codes and reaping, and `spawn_squares` run
//! whole. Nothing leaves the machine.
//!
//! Stuck? `cargo course hint start_methods`.

use std::io::{self, BufRead, Write};
use std::path::Path;

/// The first argument that makes the program a worker.
pub const WORKER_ARG: &str = "--forklings-spawn-worker";

/// One job's answer: the job, its square, and the PID of the worker that
/// computed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub job: i64,
    pub square: i64,
    pub worker: u32,
}

/// The worker's loop: one job per line of `input` (a number), one answer
/// per line of `output` (`JOB SQUARE PID`), each flushed as soon as it is
/// written. Ends at the end of `input`; a line that is not a number is an
/// `InvalidData` error.
pub fn serve(input: impl BufRead, output: impl Write) -> io::Result<()> {
    todo!()
}

/// Call first in `main`: in a worker (started with [`WORKER_ARG`] as its
/// first argument) it serves stdin to stdout and exits, 0 at the end of
/// the input, 1 on an error; anywhere else it returns at once.
pub fn serve_if_worker() {
    todo!()
}

/// A pool of workers started the spawn way.
pub struct SpawnPool {
    // Your fields: for each worker its `Child`, its stdin, and its stdout
    // (in a `BufReader`, to read line by line).
}

impl SpawnPool {
    /// Starts `size` workers, each by running `program WORKER_ARG` with a
    /// pipe on its stdin and one on its stdout.
    pub fn start(program: &Path, size: usize) -> io::Result<SpawnPool> {
        todo!()
    }

    /// The workers' PIDs, in the order they were started.
    pub fn pids(&self) -> Vec<u32> {
        todo!()
    }

    /// Squares every job in a worker, job `i` in worker `i % size`, and
    /// returns the answers in the order of the jobs. A worker that dies
    /// makes it an error, and the pool is broken: every worker is killed.
    pub fn map(&mut self, jobs: &[i64]) -> io::Result<Vec<Answer>> {
        todo!()
    }

    /// Closes every worker's stdin (its end of file), waits for each, and
    /// returns their exit codes in start order (`-signal` if killed).
    pub fn close(self) -> io::Result<Vec<i32>> {
        todo!()
    }
}

impl Drop for SpawnPool {
    /// Like leaving `with Pool(...)`: the workers get their end of file and
    /// are reaped.
    fn drop(&mut self) {
        // Yours: without it, workers are left running or as zombies.
    }
}
