use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::{procs, snapshot_settings, within};
use rstest::rstest;
use threads::ping_sweep::{Reply, check, hosts_in, report, sweep};

use crate::fake_ping::FakePing;

const LIMIT: Duration = Duration::from_secs(15);
/// A timeout no command in these tests reaches unless it hangs.
const PATIENT: Duration = Duration::from_secs(10);

#[rstest]
#[case::a_few("10.0.0.", 1..=3, &["10.0.0.1", "10.0.0.2", "10.0.0.3"])]
#[case::one("host-", 7..=7, &["host-7"])]
#[case::up_to_255("192.168.1.", 253..=255, &["192.168.1.253", "192.168.1.254", "192.168.1.255"])]
fn hosts_in_numbers_a_range(
    #[case] prefix: &str,
    #[case] numbers: std::ops::RangeInclusive<u8>,
    #[case] expected: &[&str],
) {
    assert_eq!(hosts_in(prefix, numbers), expected);
}

#[rstest]
#[case::up("up", Reply::Up)]
#[case::down("down", Reply::Down(Some(1)))]
#[case::killed_by_a_signal("crash", Reply::Down(None))]
#[case::confused("???", Reply::Down(Some(2)))]
fn check_reads_the_exit_status(#[case] word: &'static str, #[case] expected: Reply) {
    let ping = FakePing::new();
    ping.answer("10.0.0.1", word);
    let program = ping.program.clone();
    let reply = within(LIMIT, "check", move || check(&program, "10.0.0.1", PATIENT));
    assert_eq!(reply, expected, "the stand-in answered {word:?}");
    assert_eq!(
        ping.started(),
        ["10.0.0.1"],
        "one command for the host, as `-c 1 HOST`"
    );
}

#[test]
fn check_kills_and_reaps_a_command_past_its_timeout() {
    let ping = FakePing::new();
    ping.answer("10.0.0.9", "hang");
    let program = ping.program.clone();
    let asked = Duration::from_millis(300);
    let (reply, took) = within(LIMIT, "check of a command that hangs", move || {
        let start = Instant::now();
        (check(&program, "10.0.0.9", asked), start.elapsed())
    });
    assert_eq!(reply, Reply::TimedOut);
    assert!(
        took >= asked,
        "gave up after {took:?}, before the {asked:?} asked"
    );
    assert!(
        took < Duration::from_secs(5),
        "took {took:?} to give up on a {asked:?} timeout"
    );
    let pid = ping
        .pid_of("10.0.0.9")
        .expect("the command started and wrote its PID");
    match procs::state(pid) {
        None => {}
        Some('Z') => panic!("the command was killed but never waited for: a zombie"),
        Some(_) => panic!("the command is still running: it was not killed"),
    }
}

#[test]
fn a_program_that_does_not_exist_is_not_started() {
    let reply = within(LIMIT, "check", || {
        check(Path::new("/nonexistent/fakeping"), "10.0.0.1", PATIENT)
    });
    match reply {
        Reply::NotStarted(text) => assert!(
            text.contains("No such file"),
            "the error's text is the system's: {text:?}"
        ),
        other => panic!("expected NotStarted, got {other:?}"),
    }
}

#[test]
fn a_command_with_a_lot_of_output_is_not_held_up_by_it() {
    let ping = FakePing::new();
    ping.answer("10.0.0.5", "chatty");
    let program = ping.program.clone();
    let reply = within(LIMIT, "check of a chatty command", move || {
        check(&program, "10.0.0.5", Duration::from_secs(5))
    });
    assert_eq!(
        reply,
        Reply::Up,
        "the command writes 250 kB: a pipe that nobody reads stops it long before the end"
    );
}

/// Eight hosts, three at a time. Every command waits for the test's word,
/// so the test sees which ones run: it lets one go only once exactly three
/// are waiting (and no fourth shows up), newest first, so the commands
/// finish in an order unlike the hosts'.
#[test]
fn sweep_runs_exactly_at_once_commands_at_a_time_and_keeps_host_order() {
    const AT_ONCE: usize = 3;
    let ping = FakePing::new();
    let hosts = hosts_in("10.1.1.", 1..=8);
    for host in &hosts {
        ping.gate(host);
    }
    let (done_tx, done_rx) = mpsc::channel();
    let (program, to_sweep) = (ping.program.clone(), hosts.clone());
    let sweeper = thread::spawn(move || {
        let results = sweep(&program, &to_sweep, AT_ONCE, Duration::from_secs(60));
        let _ = done_tx.send(results);
    });

    let mut most = 0;
    let mut problem = None;
    let mut waiting: Vec<(usize, std::fs::File)> = Vec::new();
    let mut released = vec![false; hosts.len()];
    let deadline = Instant::now() + LIMIT;
    let results = loop {
        if let Ok(results) = done_rx.try_recv() {
            break Some(results);
        }
        if Instant::now() > deadline {
            break None;
        }
        // Who is waiting now?
        for (i, host) in hosts.iter().enumerate() {
            if !released[i]
                && !waiting.iter().any(|(w, _)| *w == i)
                && let Some(gate) = ping.waiting(host)
            {
                waiting.push((i, gate));
            }
        }
        most = most.max(waiting.len());
        if problem.is_some() {
            // Something is wrong already: let everything go.
            for (i, gate) in waiting.drain(..) {
                released[i] = true;
                FakePing::release(gate, "down");
            }
            thread::sleep(Duration::from_millis(5));
            continue;
        }
        if waiting.len() > AT_ONCE {
            problem = Some(format!(
                "{} commands ran at once; at most {AT_ONCE} may",
                waiting.len()
            ));
            continue;
        }
        let left = released.iter().filter(|r| !**r).count();
        if left == 0 {
            thread::sleep(Duration::from_millis(5));
            continue; // every host let go: the sweep is about to return
        }
        if waiting.len() < AT_ONCE.min(left) {
            thread::sleep(Duration::from_millis(5));
            if deadline.saturating_duration_since(Instant::now()) < LIMIT / 2 {
                problem = Some(format!(
                    "only {} commands ever ran at once with {left} hosts left; {AT_ONCE} may",
                    waiting.len()
                ));
            }
            continue;
        }
        // Exactly as many as allowed: give a fourth the time to show up.
        thread::sleep(Duration::from_millis(150));
        if hosts.iter().enumerate().any(|(i, host)| {
            !released[i] && !waiting.iter().any(|(w, _)| *w == i) && ping.waiting(host).is_some()
        }) {
            continue; // counted, and refused, on the next round
        }
        // Let the newest go: even hosts are up, odd ones down.
        let (i, gate) = waiting.pop().expect("someone is waiting");
        released[i] = true;
        FakePing::release(gate, if i % 2 == 0 { "up" } else { "down" });
    };
    drop(waiting);
    if results.is_some() {
        let _ = sweeper.join();
    }
    if let Some(problem) = problem {
        panic!("{problem}");
    }
    let results = results.expect("the sweep did not finish in time");
    assert_eq!(most, AT_ONCE, "the most commands running at once");
    let expected: Vec<(String, Reply)> = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                h.clone(),
                if i % 2 == 0 {
                    Reply::Up
                } else {
                    Reply::Down(Some(1))
                },
            )
        })
        .collect();
    assert_eq!(results, expected, "one result per host, in host order");
    let mut started = ping.started();
    started.sort();
    let mut all = hosts.clone();
    all.sort();
    assert_eq!(started, all, "one command per host");
}

#[test]
fn each_command_has_a_timeout_of_its_own() {
    let ping = FakePing::new();
    let hosts = hosts_in("10.2.2.", 1..=4);
    for (host, word) in hosts.iter().zip(["hang", "up", "hang", "up"]) {
        ping.answer(host, word);
    }
    let (program, to_sweep) = (ping.program.clone(), hosts.clone());
    let results = within(LIMIT, "sweep with hanging hosts", move || {
        sweep(&program, &to_sweep, 1, Duration::from_millis(400))
    });
    let replies: Vec<Reply> = results.iter().map(|(_, r)| r.clone()).collect();
    assert_eq!(
        replies,
        [Reply::TimedOut, Reply::Up, Reply::TimedOut, Reply::Up],
        "a host after a hanging one still gets its whole timeout"
    );
    for host in [&hosts[0], &hosts[2]] {
        let pid = ping
            .pid_of(host)
            .expect("the hanging command wrote its PID");
        assert_eq!(
            procs::state(pid),
            None,
            "{host}'s command was not killed and reaped"
        );
    }
}

#[rstest]
#[case::more_workers_than_hosts(3, 10)]
#[case::one_at_a_time(3, 1)]
#[case::no_hosts(0, 4)]
fn every_host_gets_exactly_one_result(#[case] count: u8, #[case] at_once: usize) {
    let ping = FakePing::new();
    let hosts: Vec<String> = (1..=count).map(|n| format!("10.3.3.{n}")).collect();
    for host in &hosts {
        ping.answer(host, "up");
    }
    let (program, to_sweep) = (ping.program.clone(), hosts.clone());
    let results = within(LIMIT, "sweep", move || {
        sweep(&program, &to_sweep, at_once, PATIENT)
    });
    let expected: Vec<(String, Reply)> = hosts.iter().map(|h| (h.clone(), Reply::Up)).collect();
    assert_eq!(results, expected);
    assert_eq!(ping.started().len(), hosts.len(), "one command per host");
}

#[test]
fn report_reads_like_the_tutorials_output() {
    let results = vec![
        ("10.0.0.1".to_string(), Reply::Up),
        ("10.0.0.2".to_string(), Reply::Down(Some(1))),
        ("10.0.0.3".to_string(), Reply::Down(None)),
        ("10.0.0.4".to_string(), Reply::TimedOut),
        (
            "10.0.0.5".to_string(),
            Reply::NotStarted("No such file or directory (os error 2)".to_string()),
        ),
    ];
    let text = report(&results);
    snapshot_settings().bind(|| insta::assert_snapshot!("report", text));
    assert_eq!(report(&[]), "");
}
