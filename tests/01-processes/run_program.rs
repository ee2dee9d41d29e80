//! Graded tests of `run_program`: `subprocess.run` and a pipe between two
//! programs. Only programs of the machine run (`sh`, `printf`, `cat`, `sort`,
//! `yes`, `head`, `wc`, `env`, `pwd`); nothing leaves it.

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use forklings_support::{procs, within};
use processes::run_program::{Completed, Ending, Options, pipe_two, run};

/// Generous: every program here finishes in milliseconds.
const LIMIT: Duration = Duration::from_secs(20);
const SIGPIPE: i32 = 13;
const SIGTERM: i32 = 15;

fn run_within(argv: &[&str], options: Options) -> Completed {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let what = format!("run({argv:?})");
    within(LIMIT, &what, move || {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        run(&argv, &options).expect("run")
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn arguments_reach_the_program_untouched_without_a_shell() {
    let tricky = [
        "a b",
        "$HOME",
        "x; echo injected",
        "'quoted'",
        "é ✓",
        "",
        "*",
    ];
    let mut argv = vec!["printf", "[%s]"];
    argv.extend(tricky);
    let done = run_within(&argv, Options::default());
    let expected: String = tricky.iter().map(|a| format!("[{a}]")).collect();
    assert_eq!(
        text(&done.stdout),
        expected,
        "each argument must reach the program as one argument, as written: no shell may split, expand or run it"
    );
    assert_eq!(done.ending, Ending::Exited(0));
    assert!(done.stderr.is_empty());
}

#[test]
fn the_exit_code_and_both_streams_come_back_apart() {
    let done = run_within(
        &["sh", "-c", "echo to-out; echo to-err >&2; exit 3"],
        Options::default(),
    );
    assert_eq!(done.ending, Ending::Exited(3), "the exit code");
    assert_eq!(text(&done.stdout), "to-out\n", "stdout, alone");
    assert_eq!(text(&done.stderr), "to-err\n", "stderr, alone");
}

#[test]
fn a_child_killed_by_a_signal_says_which() {
    let done = run_within(&["sh", "-c", "kill -TERM $$; sleep 5"], Options::default());
    assert_eq!(
        done.ending,
        Ending::Signaled(SIGTERM),
        "a signal ended it: Python's returncode -15"
    );
}

#[test]
fn a_program_that_does_not_exist_is_an_error() {
    let result = within(LIMIT, "run of a missing program", || {
        run(
            &["/nonexistent/forklings-no-such-program", "x"],
            &Options::default(),
        )
    });
    match result {
        Err(e) => assert_eq!(
            e.kind(),
            ErrorKind::NotFound,
            "Python's FileNotFoundError: {e}"
        ),
        Ok(done) => panic!("a program that does not exist cannot run; got {done:?}"),
    }
}

#[test]
fn input_is_written_and_closed_and_a_megabyte_flows_both_ways() {
    let small = run_within(
        &["sort"],
        Options {
            input: b"pear\napple\nfig\n".to_vec(),
            ..Options::default()
        },
    );
    assert_eq!(text(&small.stdout), "apple\nfig\npear\n");
    // `cat` echoes as it reads: a parent that writes everything before it
    // reads fills one pipe while `cat` waits on the other.
    let line = "0123456789abcdefghijklmnopqrstuvwxyz✓\n";
    let input = line.repeat(1 << 20 >> 5);
    let echoed = run_within(
        &["cat"],
        Options {
            input: input.clone().into_bytes(),
            ..Options::default()
        },
    );
    assert_eq!(echoed.ending, Ending::Exited(0));
    assert!(
        echoed.stdout == input.as_bytes(),
        "cat gives back exactly its input ({} bytes in, {} out)",
        input.len(),
        echoed.stdout.len()
    );
}

#[test]
fn a_full_stderr_while_stdout_is_read_does_not_stop_the_child() {
    // 300 KB on stderr first, then stdout: reading stdout to its end before
    // reading stderr waits for ever on a child blocked on a full pipe.
    let script = "i=0; while [ $i -lt 6000 ]; do echo \"error line $i of many, many, many\" >&2; i=$((i+1)); done; echo done";
    let done = run_within(&["sh", "-c", script], Options::default());
    assert_eq!(text(&done.stdout), "done\n");
    let lines = text(&done.stderr).lines().count();
    assert_eq!(lines, 6000, "every line of stderr is kept");
    assert_eq!(done.ending, Ending::Exited(0));
}

#[test]
fn env_replaces_the_whole_environment_and_cwd_is_where_it_runs() {
    let done = run_within(
        &["/usr/bin/env"],
        Options {
            env: Some(vec![
                ("GREETING".into(), "hello world".into()),
                ("EMPTY".into(), String::new()),
            ]),
            ..Options::default()
        },
    );
    let mut seen: Vec<String> = text(&done.stdout).lines().map(String::from).collect();
    seen.sort();
    assert_eq!(
        seen,
        ["EMPTY=", "GREETING=hello world"],
        "env= is the child's whole environment: nothing of ours is inherited"
    );
    let dir = std::env::temp_dir();
    let dir_path = dir
        .canonicalize()
        .expect("the temporary directory, canonical");
    let done = run_within(
        &["pwd", "-P"],
        Options {
            cwd: Some(dir.clone()),
            ..Options::default()
        },
    );
    assert_eq!(
        text(&done.stdout).trim_end(),
        dir_path.display().to_string()
    );
    let here = std::env::current_dir().expect("our cwd");
    assert_ne!(here, dir_path, "our own directory does not change");
}

/// Field `n` (1-based, as in `man proc`) of `/proc/PID/stat` as the child
/// printed it.
fn stat_field(stat: &str, n: usize) -> i64 {
    let rest = &stat[stat.rfind(')').expect("comm in parentheses") + 1..];
    rest.split_whitespace()
        .nth(n - 3)
        .expect("field")
        .parse()
        .expect("a number")
}

#[test]
fn a_new_session_is_led_by_the_child() {
    // The shell prints its own stat; `exec cat` keeps the PID the same.
    let argv = ["sh", "-c", "exec cat /proc/self/stat"];
    let alone = run_within(
        &argv,
        Options {
            new_session: true,
            ..Options::default()
        },
    );
    let stat = text(&alone.stdout);
    let pid: i64 = stat
        .split(' ')
        .next()
        .and_then(|f| f.parse().ok())
        .expect("the PID");
    let (pgrp, session) = (stat_field(&stat, 5), stat_field(&stat, 6));
    assert_eq!(
        (session, pgrp),
        (pid, pid),
        "start_new_session: the child leads a new session (setsid), and so its own group"
    );
    let ours = run_within(&argv, Options::default());
    let stat = text(&ours.stdout);
    let own_session = nix::unistd::getsid(None).expect("getsid").as_raw() as i64;
    assert_eq!(
        stat_field(&stat, 6),
        own_session,
        "without new_session the child stays in our session"
    );
}

#[test]
fn a_timeout_kills_and_reaps_the_child_and_keeps_its_output() {
    let started = Instant::now();
    let done = run_within(
        &["sh", "-c", "echo $$; echo begun >&2; exec sleep 600"],
        Options {
            timeout: Some(Duration::from_millis(300)),
            ..Options::default()
        },
    );
    let took = started.elapsed();
    assert_eq!(done.ending, Ending::TimedOut);
    assert!(
        took >= Duration::from_millis(300),
        "the timeout is 300 ms; it gave up after {took:?}"
    );
    let pid: i32 = text(&done.stdout)
        .trim()
        .parse()
        .expect("the child's PID on stdout");
    assert_eq!(
        text(&done.stderr),
        "begun\n",
        "what came before the timeout is kept"
    );
    assert_eq!(
        procs::state(pid),
        None,
        "after the timeout the child is killed and reaped: nothing left, not even a zombie"
    );
    let quick = run_within(
        &["sh", "-c", "echo fine"],
        Options {
            timeout: Some(Duration::from_secs(30)),
            ..Options::default()
        },
    );
    assert_eq!(
        quick.ending,
        Ending::Exited(0),
        "a child that finishes in time"
    );
    assert_eq!(text(&quick.stdout), "fine\n");
}

#[test]
fn a_timeout_counts_from_the_start_even_when_the_child_talks() {
    // The child writes a line every 50 ms for ever: a wait restarted at each
    // line never ends.
    let done = run_within(
        &["sh", "-c", "while :; do echo tick; sleep 0.05; done"],
        Options {
            timeout: Some(Duration::from_millis(400)),
            ..Options::default()
        },
    );
    assert_eq!(done.ending, Ending::TimedOut);
    assert!(text(&done.stdout).starts_with("tick\n"));
}

#[test]
fn two_programs_are_joined_by_a_pipe() {
    let piped = within(LIMIT, "pipe_two(printf, sort)", || {
        pipe_two(&["printf", "b\\nc\\na\\n"], &["sort"]).expect("pipe_two")
    });
    assert_eq!(text(&piped.stdout), "a\nb\nc\n");
    assert_eq!(
        (piped.first, piped.second),
        (Ending::Exited(0), Ending::Exited(0))
    );
    let counted = within(LIMIT, "pipe_two(head -c 3000000, wc -c)", || {
        pipe_two(&["head", "-c", "3000000", "/dev/zero"], &["wc", "-c"]).expect("pipe_two")
    });
    assert_eq!(
        text(&counted.stdout).trim(),
        "3000000",
        "3 MB through the pipe"
    );
}

#[test]
fn a_first_program_that_never_ends_stops_when_the_second_does() {
    // `yes` writes for ever; once `head` has its three lines and exits, the
    // pipe has no reader left and `yes` gets SIGPIPE. If anything else still
    // holds the pipe's read end, `yes` never stops.
    let piped = within(LIMIT, "pipe_two(yes, head -n 3)", || {
        pipe_two(&["yes", "forklings"], &["head", "-n", "3"]).expect("pipe_two")
    });
    assert_eq!(text(&piped.stdout), "forklings\n".repeat(3));
    assert_eq!(piped.second, Ending::Exited(0));
    assert_eq!(
        piped.first,
        Ending::Signaled(SIGPIPE),
        "yes ends by SIGPIPE once nobody reads"
    );
    // A first program that would run for ever, and a second that cannot
    // start: the first must not be left behind, running or as a zombie.
    // (No other test here runs `tail`.)
    let missing = within(LIMIT, "pipe_two with a missing second program", || {
        pipe_two(
            &["tail", "-f", "/dev/null"],
            &["/nonexistent/forklings-no-such-program"],
        )
    });
    assert!(
        matches!(&missing, Err(e) if e.kind() == ErrorKind::NotFound),
        "a second program that cannot start is an error: {missing:?}"
    );
    let me = nix::unistd::getpid().as_raw();
    let left: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| procs::parent_of(pid) == Some(me))
        .filter(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "tail")
        })
        .map(|pid| format!("{pid} ({:?})", procs::state(pid)))
        .collect();
    assert!(
        left.is_empty(),
        "when the second program cannot start, the first is killed and reaped; left: {left:?}"
    );
}
