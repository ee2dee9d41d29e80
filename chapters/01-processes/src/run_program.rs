//! # Exercise: running another program
//!
//! So far every child ran *our* code. Most of the time a program starts
//! another program: `fork`, then `exec` in the child, which replaces its
//! code with the program's. Python wraps that in `subprocess`:
//!
//! ```python
//! done = subprocess.run(["sort", "-r"], input=b"a\nb\n", capture_output=True,
//!                       env={"LC_ALL": "C"}, cwd="/tmp", timeout=5)
//! print(done.returncode, done.stdout, done.stderr)   # 0 b'b\na\n' b''
//!
//! # ls | wc -l, without a shell
//! ls = subprocess.Popen(["ls"], stdout=subprocess.PIPE)
//! wc = subprocess.Popen(["wc", "-l"], stdin=ls.stdout, stdout=subprocess.PIPE)
//! ls.stdout.close()             # so that ls gets SIGPIPE if wc exits early
//! print(wc.communicate()[0], ls.wait())
//! ```
//!
//! Rust's `std::process::Command` does the fork and the exec. Build:
//!
//! - [`run`]: run `argv[0]` with the arguments `argv[1..]` (no shell: an
//!   argument with spaces, quotes, `$` or `;` reaches the program as it is),
//!   write `options.input` to its stdin and close it, collect its stdout and
//!   its stderr, and say how it ended. `env: Some(..)` is the child's *whole*
//!   environment, as in Python. `new_session` makes the child the leader of
//!   a new session (`start_new_session=True`): that is `setsid()` in the
//!   child between fork and exec (`CommandExt::pre_exec`), where only
//!   async-signal-safe calls may run: no allocation, no lock, no `println!`.
//!   Past `timeout` the child is killed *and reaped*, and the result says
//!   [`Ending::TimedOut`] with whatever output came before. A program that
//!   cannot be started is an `Err` (Python's `FileNotFoundError`).
//! - [`pipe_two`]: `first | second`: the first program's stdout is the
//!   second's stdin, both run at once, and nothing of that pipe stays open
//!   in your process. Returns the second's output and both endings.
//!
//! The tests check arguments passed untouched, the exit code and the signal
//! that ended a child, an unknown program, a replaced environment, the
//! working directory, the new session (read in `/proc`), a megabyte of input
//! and of output on both streams at once (a pipe holds 64 KiB: a program
//! that fills one while you wait on another stops for good), a timeout that
//! kills and reaps and keeps the output, and pipes between two programs,
//! one of which (`yes`) never stops on its own. Nothing leaves the machine.
//!
//! Stuck? `cargo course hint run_program`.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// What `run` may set, like the keyword arguments of `subprocess.run`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Written to the child's stdin, which is then closed (`input=`).
    pub input: Vec<u8>,
    /// `Some`: the child's whole environment, nothing inherited (`env=`).
    pub env: Option<Vec<(String, String)>>,
    /// The child's working directory (`cwd=`).
    pub cwd: Option<PathBuf>,
    /// Kill the child once this much time has passed (`timeout=`).
    pub timeout: Option<Duration>,
    /// The child leads a session of its own (`start_new_session=True`).
    pub new_session: bool,
}

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It exited with this code (`returncode >= 0`).
    Exited(i32),
    /// A signal ended it (Python's `returncode == -signal`).
    Signaled(i32),
    /// It ran past the timeout, and was killed and reaped.
    TimedOut,
}

/// What `run` gives back (`CompletedProcess`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    pub ending: Ending,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// What `pipe_two` gives back: the second program's output and both endings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piped {
    pub stdout: Vec<u8>,
    pub first: Ending,
    pub second: Ending,
}

/// Runs `argv[0]` with the arguments `argv[1..]`, no shell between, and
/// collects everything it writes.
pub fn run(argv: &[&str], options: &Options) -> io::Result<Completed> {
    todo!()
}

/// `first | second`, without a shell: the first program's stdout is the
/// second's stdin. Returns what the second wrote and how both ended.
pub fn pipe_two(first: &[&str], second: &[&str]) -> io::Result<Piped> {
    todo!()
}
