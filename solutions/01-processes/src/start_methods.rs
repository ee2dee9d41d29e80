//! The spawn start method — reference solution.
//!
//! A worker is this program run again (`exec` of its own file, not a
//! `fork`), told by one argument that it is a worker. Jobs go down its
//! stdin and answers come up its stdout, one line each. `map` writes each
//! worker's share on a thread of its own while this thread reads the
//! answers in input order, so no pipe fills while the other waits.

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::thread;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

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

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// The worker's loop: one job per line of `input` (a number), one answer
/// per line of `output` (`JOB SQUARE PID`), each flushed as soon as it is
/// written. Ends at the end of `input`; a line that is not a number is an
/// `InvalidData` error.
pub fn serve(input: impl BufRead, mut output: impl Write) -> io::Result<()> {
    let me = std::process::id();
    for line in input.lines() {
        let line = line?;
        let job: i64 = line
            .trim()
            .parse()
            .map_err(|e| invalid(format!("job {line:?}: {e}")))?;
        let square = job
            .checked_mul(job)
            .ok_or_else(|| invalid(format!("{job} squared does not fit")))?;
        writeln!(output, "{job} {square} {me}")?;
        // The parent waits for this line before it sends more.
        output.flush()?;
    }
    Ok(())
}

/// Call first in `main`: in a worker (started with [`WORKER_ARG`] as its
/// first argument) it serves stdin to stdout and exits, 0 at the end of
/// the input, 1 on an error; anywhere else it returns at once.
pub fn serve_if_worker() {
    if std::env::args_os().nth(1).as_deref() != Some(OsStr::new(WORKER_ARG)) {
        return;
    }
    let code = match serve(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("worker {}: {e}", std::process::id());
            1
        }
    };
    std::process::exit(code);
}

struct Worker {
    child: Child,
    /// `None` once closed: the worker's end of file.
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

/// A pool of workers started the spawn way.
pub struct SpawnPool {
    workers: Vec<Worker>,
}

fn parse_answer(line: &str, job: i64) -> io::Result<Answer> {
    let bad = || invalid(format!("answer {line:?} to job {job}"));
    let mut fields = line.split_whitespace();
    let mut next = || fields.next().ok_or_else(bad);
    let (got, square, worker) = (next()?, next()?, next()?);
    let answer = Answer {
        job: got.parse().map_err(|_| bad())?,
        square: square.parse().map_err(|_| bad())?,
        worker: worker.parse().map_err(|_| bad())?,
    };
    if answer.job != job {
        return Err(bad());
    }
    Ok(answer)
}

impl SpawnPool {
    /// Starts `size` workers, each by running `program WORKER_ARG` with a
    /// pipe on its stdin and one on its stdout.
    pub fn start(program: &Path, size: usize) -> io::Result<SpawnPool> {
        let mut pool = SpawnPool {
            workers: Vec::with_capacity(size),
        };
        for _ in 0..size {
            // On an error, dropping `pool` ends the workers already started.
            let mut child = Command::new(program)
                .arg(WORKER_ARG)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            let stdin = child.stdin.take();
            let stdout = BufReader::new(child.stdout.take().expect("stdout was piped"));
            pool.workers.push(Worker {
                child,
                stdin,
                stdout,
            });
        }
        Ok(pool)
    }

    /// The workers' PIDs, in the order they were started.
    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(|w| w.child.id()).collect()
    }

    /// Squares every job in a worker, job `i` in worker `i % size`, and
    /// returns the answers in the order of the jobs. A worker that dies
    /// makes it an error, and the pool is broken: every worker is killed.
    pub fn map(&mut self, jobs: &[i64]) -> io::Result<Vec<Answer>> {
        let size = self.workers.len();
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        if size == 0 {
            return Err(io::Error::other("a pool without workers"));
        }
        let pids = self.pids();
        thread::scope(|scope| {
            let mut readers = Vec::with_capacity(size);
            for (w, worker) in self.workers.iter_mut().enumerate() {
                let stdin = worker
                    .stdin
                    .as_mut()
                    .ok_or_else(|| io::Error::other("the pool is closed"))?;
                scope.spawn(move || -> io::Result<()> {
                    for job in jobs.iter().skip(w).step_by(size) {
                        writeln!(stdin, "{job}")?;
                    }
                    stdin.flush()
                });
                readers.push(&mut worker.stdout);
            }
            let mut read_all = || -> io::Result<Vec<Answer>> {
                let mut answers = Vec::with_capacity(jobs.len());
                let mut line = String::new();
                for (i, &job) in jobs.iter().enumerate() {
                    line.clear();
                    if readers[i % size].read_line(&mut line)? == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("worker {} ended before answering job {job}", pids[i % size]),
                        ));
                    }
                    answers.push(parse_answer(&line, job)?);
                }
                Ok(answers)
            };
            let answers = read_all();
            if answers.is_err() {
                // A writer may be stuck on a worker nobody reads any more:
                // killing the workers frees it before the scope joins it.
                for &pid in &pids {
                    let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                }
            }
            answers
        })
    }

    /// Closes every worker's stdin (its end of file), waits for each, and
    /// returns their exit codes in start order (`-signal` if killed).
    pub fn close(mut self) -> io::Result<Vec<i32>> {
        self.end()
    }

    fn end(&mut self) -> io::Result<Vec<i32>> {
        for worker in &mut self.workers {
            worker.stdin = None;
        }
        let mut codes = Vec::with_capacity(self.workers.len());
        for mut worker in self.workers.drain(..) {
            let status = worker.child.wait()?;
            codes.push(
                status
                    .code()
                    .unwrap_or_else(|| -status.signal().unwrap_or(0)),
            );
        }
        Ok(codes)
    }
}

impl Drop for SpawnPool {
    /// Like leaving `with Pool(...)`: the workers get their end of file and
    /// are reaped.
    fn drop(&mut self) {
        let _ = self.end();
    }
}
