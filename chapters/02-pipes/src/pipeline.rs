//! # Exercise: a pipeline of processes
//!
//! A shell runs `tr a-z A-Z | sort | uniq` as three processes, the stdout of
//! each wired to the stdin of the next by a pipe. Python does the same with
//! `subprocess`:
//!
//! ```python
//! a = Popen(["tr", "a-z", "A-Z"], stdin=PIPE, stdout=PIPE)
//! b = Popen(["sort"], stdin=a.stdout, stdout=PIPE)
//! c = Popen(["uniq"], stdin=b.stdout, stdout=PIPE)
//! a.stdout.close(); b.stdout.close()    # only the next stage holds them
//! ```
//!
//! Build it twice:
//! - [`with_command`]: with `std::process::Command`, `Stdio::piped()` and
//!   `Stdio::from(child_stdout)`.
//! - [`with_fork`]: with the calls a shell makes. One pipe per link, plus
//!   one to feed the first stage and one to collect the last. Each child
//!   `dup2`s its two ends onto fds 0 and 1, closes *every* pipe fd, and
//!   `execvp`s its program; if `exec` fails it leaves with `_exit(127)`. Build
//!   the C strings and pointer arrays before forking: after `fork` a child
//!   may not allocate. The parent then closes every end but the two it uses.
//!
//! In both, the parent writes `input` to the first stage and reads the last
//! stage's output *at the same time* (a writer thread): writing all of a
//! large input before reading anything fills the pipes and stops everyone.
//! Then it waits for every stage and reports each one's code as a shell
//! does: the exit code, or 128 + the signal number.
//!
//! A stage that holds a write end of its own stdin pipe, or a parent that
//! keeps one, means end of file never comes: the tests stop such a pipeline
//! after a few seconds and say so. A parent that keeps a *read* end (a
//! `Command` kept alive still holds the `Stdio` given to it) means a stage
//! whose reader has gone is never told. The tests run small and 1 MiB inputs
//! through both versions, and a first stage that never ends on its own
//! (`while echo y` into `head -n 3`: only stages that run at the same time,
//! with nobody else holding the link, finish); and check exit codes (128 + 9
//! for a stage killed by SIGKILL), 127 for a program that does not exist
//! (with `fork`), and `NotFound` (with `Command`, which reports it at spawn).
//!
//! Stuck? `cargo course hint pipeline`.

use std::io;

/// What a finished pipeline left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Everything the last stage wrote to its stdout.
    pub output: Vec<u8>,
    /// One code per stage, in order, as a shell reports them: the exit code,
    /// or 128 + the signal number for a stage a signal killed.
    pub codes: Vec<i32>,
}

/// Runs `stages[0] | stages[1] | ...` with `std::process::Command`, feeding
/// `input` to the first stage. Each stage is a program and its arguments.
/// A program that cannot be started is an error (the stages already started
/// are killed and reaped).
pub fn with_command(stages: &[&[&str]], input: &[u8]) -> io::Result<Finished> {
    todo!()
}

/// Runs the same pipeline with `pipe`, `fork`, `dup2` and `execvp`. A stage
/// whose program cannot be run exits with code 127.
pub fn with_fork(stages: &[&[&str]], input: &[u8]) -> io::Result<Finished> {
    todo!()
}
