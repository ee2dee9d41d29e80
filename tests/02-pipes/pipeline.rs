use std::io;
use std::time::Duration;

use forklings_support::within;
use pipes::pipeline::{Finished, with_command, with_fork};
use rstest::rstest;

use crate::{KillLeftovers, one_at_a_time};

const LIMIT: Duration = Duration::from_secs(10);

type Runner = fn(&[&[&str]], &[u8]) -> io::Result<Finished>;

fn run(runner: Runner, stages: &'static [&'static [&'static str]], input: Vec<u8>) -> Finished {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    within(
        LIMIT,
        "the pipeline (a stage that never sees end of file waits forever: is a pipe end still open?)",
        move || runner(stages, &input),
    )
    .expect("the pipeline failed to run")
}

#[rstest]
#[case::command(with_command)]
#[case::fork(with_fork)]
fn three_stages_are_wired_in_order(#[case] runner: Runner) {
    let finished = run(
        runner,
        &[&["tr", "a-z", "A-Z"], &["sort"], &["uniq"]],
        b"pear\napple\npear\nfig\napple\n".to_vec(),
    );
    assert_eq!(
        String::from_utf8_lossy(&finished.output),
        "APPLE\nFIG\nPEAR\n"
    );
    assert_eq!(finished.codes, [0, 0, 0]);
}

#[rstest]
#[case::command(with_command)]
#[case::fork(with_fork)]
fn one_stage_is_a_pipeline_too(#[case] runner: Runner) {
    let finished = run(runner, &[&["cat"]], b"alone\n".to_vec());
    assert_eq!(finished.output, b"alone\n");
    assert_eq!(finished.codes, [0]);
}

#[rstest]
#[case::command(with_command)]
#[case::fork(with_fork)]
fn a_mebibyte_flows_through(#[case] runner: Runner) {
    // More than the pipe buffer in and through: a stage that keeps a write
    // end of its own input hangs.
    let finished = run(
        runner,
        &[&["cat"], &["cat"], &["wc", "-c"]],
        vec![b'z'; 1 << 20],
    );
    assert_eq!(String::from_utf8_lossy(&finished.output).trim(), "1048576");
    assert_eq!(finished.codes, [0, 0, 0]);
}

#[rstest]
#[case::command(with_command)]
#[case::fork(with_fork)]
fn large_output_comes_back_whole(#[case] runner: Runner) {
    // Far more than the pipes and the stages' buffers hold together (three
    // pipes of 64 KiB, 128 KiB read by each `cat`): a parent that writes all
    // the input before it reads any output fills them and waits for ever.
    const SIZE: usize = 4 << 20;
    let finished = run(runner, &[&["cat"], &["cat"]], vec![b'q'; SIZE]);
    assert_eq!(finished.output.len(), SIZE);
    assert!(finished.output.iter().all(|&b| b == b'q'));
}

#[rstest]
#[case::command(with_command)]
#[case::fork(with_fork)]
fn the_stages_run_at_the_same_time(#[case] runner: Runner) {
    // The first stage never ends on its own: it writes until its reader is
    // gone. Only a pipeline whose stages run together, and where nobody but
    // `head` holds the read end of that link, ever finishes.
    let finished = run(
        runner,
        &[
            &["sh", "-c", "while echo y; do :; done 2>/dev/null"],
            &["head", "-n", "3"],
        ],
        b"".to_vec(),
    );
    assert_eq!(String::from_utf8_lossy(&finished.output), "y\ny\ny\n");
    assert_eq!(finished.codes.len(), 2);
    assert_eq!(finished.codes[1], 0, "head exits with 0");
}

#[rstest]
#[case::command(with_command)]
#[case::fork(with_fork)]
fn each_stage_reports_its_exit_code(#[case] runner: Runner) {
    let finished = run(
        runner,
        &[&["cat"], &["sh", "-c", "cat; exit 3"]],
        b"x".to_vec(),
    );
    assert_eq!(finished.output, b"x");
    assert_eq!(finished.codes, [0, 3]);
    // The last stage reads all its input, then dies by SIGKILL: a shell
    // reports 128 + 9.
    let killed = run(
        runner,
        &[&["cat"], &["sh", "-c", "cat; kill -KILL $$"]],
        b"y".to_vec(),
    );
    assert_eq!(killed.output, b"y");
    assert_eq!(killed.codes, [0, 128 + 9]);
}

#[test]
fn exec_failure_is_code_127() {
    let finished = run(
        with_fork,
        &[&["true"], &["/nonexistent/forklings-no-such-program"]],
        b"lost\n".to_vec(),
    );
    assert!(finished.output.is_empty());
    assert_eq!(
        finished.codes[1], 127,
        "a shell reports a program it cannot run as 127"
    );
}

#[test]
fn a_missing_program_is_an_error_with_command() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let result = within(LIMIT, "with_command", || {
        with_command(
            &[&["cat"], &["/nonexistent/forklings-no-such-program"]],
            b"x",
        )
    });
    assert_eq!(
        result.expect_err("the program does not exist").kind(),
        io::ErrorKind::NotFound
    );
}
