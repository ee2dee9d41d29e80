//! Graded tests of `start_methods`: workers started the spawn way, as the
//! chapter's own program `spawn_squares` run again with `WORKER_ARG`.

use std::fs;
use std::io::{self, Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use forklings_support::{procs, within};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use processes::start_methods::{Answer, SpawnPool, WORKER_ARG, serve};

const LIMIT: Duration = Duration::from_secs(60);

/// The chapter's program, built by cargo beside this test (the skeleton's
/// and the solution's copies have names of their own).
fn program() -> PathBuf {
    let path = option_env!("CARGO_BIN_EXE_spawn_squares")
        .or(option_env!("CARGO_BIN_EXE_spawn_squares_solution"))
        .expect("the chapter's program spawn_squares was not built with these tests");
    PathBuf::from(path)
}

fn me() -> u32 {
    std::process::id()
}

/// Records what had been written each time `flush` was called.
#[derive(Default)]
struct Flushes {
    written: Vec<u8>,
    at_flush: Vec<String>,
}

impl Write for &mut Flushes {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.written.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.at_flush
            .push(String::from_utf8_lossy(&self.written).into_owned());
        Ok(())
    }
}

#[test]
fn serve_answers_each_line_and_flushes_each_answer() {
    let mut out = Flushes::default();
    serve(Cursor::new("3\n-4\n0\n3037000499\n"), &mut out).expect("serve");
    let me = me();
    let lines = [
        format!("3 9 {me}\n"),
        format!("-4 16 {me}\n"),
        format!("0 0 {me}\n"),
        format!("3037000499 9223372030926249001 {me}\n"),
    ];
    assert_eq!(String::from_utf8_lossy(&out.written), lines.concat());
    for n in 1..=lines.len() {
        let so_far = lines[..n].concat();
        assert!(
            out.at_flush.contains(&so_far),
            "each answer is flushed as soon as it is written (the parent waits for it); \
             no flush found after answer {n}: flushes saw {:?}",
            out.at_flush
        );
    }
    let mut out = Flushes::default();
    let bad =
        serve(Cursor::new("5\nfive\n6\n"), &mut out).expect_err("a line that is not a number");
    assert_eq!(bad.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        String::from_utf8_lossy(&out.written),
        format!("5 25 {me}\n")
    );
    let mut out = Flushes::default();
    serve(Cursor::new(""), &mut out).expect("no jobs, no answers");
    assert!(out.written.is_empty());
}

fn cmdline(pid: u32) -> Vec<String> {
    fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|&b| b == 0)
        .filter(|part| !part.is_empty())
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

fn exe(pid: u32) -> Option<PathBuf> {
    fs::read_link(format!("/proc/{pid}/exe")).ok()
}

fn started(program: &Path, size: usize) -> SpawnPool {
    let program = program.to_path_buf();
    within(LIMIT, "SpawnPool::start", move || {
        SpawnPool::start(&program, size)
    })
    .expect("start")
}

#[test]
fn each_worker_is_the_program_run_again_not_a_fork() {
    let program = program();
    let pool = started(&program, 3);
    let pids = pool.pids();
    assert_eq!(pids.len(), 3, "three workers");
    let canonical = program.canonicalize().expect("the program's path");
    for &pid in &pids {
        // `spawn` may return while the kernel is still setting up the new
        // program's arguments: wait until they are there.
        let wanted = [program.display().to_string(), WORKER_ARG.to_string()];
        procs::eventually(Duration::from_secs(5), || cmdline(pid) == wanted);
        assert_ne!(pid, me());
        assert_eq!(
            procs::parent_of(pid as i32),
            Some(me() as i32),
            "worker {pid} is a child of this process"
        );
        assert_eq!(
            exe(pid),
            Some(canonical.clone()),
            "worker {pid} runs the program given (its /proc/PID/exe), not a copy of this test: spawn, not fork"
        );
        assert_eq!(
            cmdline(pid),
            wanted,
            "worker {pid} was started as `program {WORKER_ARG}`"
        );
    }
    let codes = within(LIMIT, "close", move || pool.close()).expect("close");
    assert_eq!(codes, [0, 0, 0], "workers exit 0 at the end of their input");
    for pid in pids {
        assert_eq!(
            procs::state(pid as i32),
            None,
            "worker {pid} is reaped by close"
        );
    }
}

#[test]
fn map_answers_in_input_order_each_job_in_its_worker() {
    let mut pool = started(&program(), 3);
    let pids = pool.pids();
    let jobs: Vec<i64> = (-5..=20).rev().collect();
    let (answers, pool) = within(LIMIT, "map", move || (pool.map(&jobs), pool));
    let answers = answers.expect("map");
    let expected: Vec<Answer> = (-5..=20i64)
        .rev()
        .enumerate()
        .map(|(i, job)| Answer {
            job,
            square: job * job,
            worker: pids[i % 3],
        })
        .collect();
    assert_eq!(
        answers, expected,
        "answers in the order of the jobs, job i answered by worker i % 3"
    );
    let mut pool = pool;
    let again = within(LIMIT, "a second map", move || (pool.map(&[7, 8]), pool));
    assert_eq!(
        again.0.expect("a second map on the same workers"),
        [
            Answer {
                job: 7,
                square: 49,
                worker: pids[0]
            },
            Answer {
                job: 8,
                square: 64,
                worker: pids[1]
            },
        ],
        "the same workers serve a second map, and it starts again at the first"
    );
    drop(again.1);
}

#[test]
fn thirty_thousand_jobs_do_not_fill_a_pipe() {
    let mut pool = started(&program(), 2);
    let pids = pool.pids();
    // 15 000 answers of ~20 bytes per worker: 300 KB, far past a pipe's
    // 64 KiB, and the jobs are 90 KB per worker.
    let jobs: Vec<i64> = (0..30_000).map(|n| n * 7919 % 100_003).collect();
    let expected = jobs.clone();
    let answers = within(LIMIT, "map of 30 000 jobs", move || pool.map(&jobs)).expect("map");
    assert_eq!(answers.len(), expected.len());
    for (i, (answer, job)) in answers.iter().zip(&expected).enumerate() {
        assert_eq!(
            *answer,
            Answer {
                job: *job,
                square: job * job,
                worker: pids[i % 2]
            },
            "answer {i}"
        );
    }
}

#[test]
fn a_killed_worker_makes_map_an_error_and_the_pool_is_broken() {
    let mut pool = started(&program(), 2);
    let pids = pool.pids();
    kill(Pid::from_raw(pids[1] as i32), Signal::SIGKILL).expect("kill a worker");
    let jobs: Vec<i64> = (0..20_000).collect();
    let (result, pool) = within(LIMIT, "map with a dead worker", move || {
        (pool.map(&jobs), pool)
    });
    assert!(
        result.is_err(),
        "a worker that died cannot answer: map is an error, not answers made up"
    );
    let codes = within(LIMIT, "close of a broken pool", move || pool.close()).expect("close");
    assert_eq!(codes.len(), 2);
    assert_eq!(codes[1], -9, "the killed worker's code is -SIGKILL");
    assert_eq!(codes[0], -9, "a broken pool kills its other workers");
    for pid in pids {
        assert_eq!(procs::state(pid as i32), None, "worker {pid} is reaped");
    }
}

#[test]
fn dropping_the_pool_ends_and_reaps_its_workers() {
    let mut pool = started(&program(), 2);
    let pids = pool.pids();
    let answers = within(LIMIT, "map then drop", move || {
        let answers = pool.map(&[1, 2, 3]);
        drop(pool);
        answers
    });
    assert_eq!(answers.expect("map").len(), 3);
    for pid in pids {
        assert_eq!(
            procs::state(pid as i32),
            None,
            "dropping the pool ends worker {pid} and reaps it: nothing left, not even a zombie"
        );
    }
}

#[test]
fn the_program_runs_itself_as_its_workers() {
    let program = program();
    let out = within(LIMIT, "spawn_squares", move || {
        Command::new(program).output().expect("run spawn_squares")
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut expected: String = (1..=10).map(|n| format!("{n} {}\n", n * n)).collect();
    expected.push_str("answered by 2 workers, 2 of them not this process\n");
    expected.push_str("exit codes [0, 0]\n");
    assert_eq!(
        stdout, expected,
        "spawn_squares's output (its stderr: {stderr})"
    );
    assert!(out.status.success(), "spawn_squares failed: {stderr}");
}
