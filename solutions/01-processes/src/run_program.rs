//! Running another program — reference solution.
//!
//! `run` is `subprocess.run(..., capture_output=True)`: the output and the
//! error stream are each read by a thread of their own and the input written
//! by a third, so that no pipe can fill while we wait on another one; the
//! timeout is one deadline, polled with `try_wait`, after which the child is
//! killed *and* reaped. `pipe_two` hands the first child's stdout straight to
//! the second as its stdin, so the data never passes through us.

use std::io::{self, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

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

fn ending_of(status: ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signaled(signal),
        (None, None) => unreachable!("a reaped child exited or was signalled"),
    }
}

fn command(argv: &[&str]) -> io::Result<Command> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no program to run"))?;
    let mut command = Command::new(program);
    command.args(args);
    Ok(command)
}

fn read_all(mut from: impl Read + Send + 'static) -> thread::JoinHandle<io::Result<Vec<u8>>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        from.read_to_end(&mut bytes)?;
        Ok(bytes)
    })
}

/// Waits for the child until the deadline; past it, kills and reaps it.
fn wait_until(child: &mut Child, deadline: Option<Instant>) -> io::Result<Ending> {
    let Some(deadline) = deadline else {
        return child.wait().map(ending_of);
    };
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(ending_of(status));
        }
        if Instant::now() >= deadline {
            child.kill()?;
            child.wait()?;
            return Ok(Ending::TimedOut);
        }
        thread::sleep(Duration::from_millis(2));
    }
}

/// Runs `argv[0]` with the arguments `argv[1..]`, no shell between, and
/// collects everything it writes.
pub fn run(argv: &[&str], options: &Options) -> io::Result<Completed> {
    let deadline = options.timeout.map(|t| Instant::now() + t);
    let mut command = command(argv)?;
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(env) = &options.env {
        command.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    }
    if let Some(cwd) = &options.cwd {
        command.current_dir(cwd);
    }
    if options.new_session {
        // SAFETY: between fork and exec only async-signal-safe calls may
        // run; `setsid` is one, and the closure allocates nothing.
        unsafe {
            command.pre_exec(|| {
                nix::unistd::setsid().map_err(io::Error::from)?;
                Ok(())
            });
        }
    }
    let mut child = command.spawn()?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    let input = options.input.clone();
    // A child that never reads (or dies) must not block us: a broken pipe
    // is its business, not an error of ours.
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = read_all(child.stdout.take().expect("stdout was piped"));
    let err = read_all(child.stderr.take().expect("stderr was piped"));
    let ending = wait_until(&mut child, deadline)?;
    let _ = writer.join();
    let stdout = out.join().expect("the reader does not panic")?;
    let stderr = err.join().expect("the reader does not panic")?;
    Ok(Completed {
        ending,
        stdout,
        stderr,
    })
}

/// `first | second`, without a shell: the first program's stdout is the
/// second's stdin. Returns what the second wrote and how both ended.
pub fn pipe_two(first: &[&str], second: &[&str]) -> io::Result<Piped> {
    let mut one = command(first)?.stdout(Stdio::piped()).spawn()?;
    let between = one.stdout.take().expect("stdout was piped");
    let two = command(second)?
        .stdin(Stdio::from(between))
        .stdout(Stdio::piped())
        .spawn();
    let two = match two {
        Ok(two) => two,
        Err(e) => {
            let _ = one.kill();
            let _ = one.wait();
            return Err(e);
        }
    };
    // Our copy of the pipe went into `Stdio::from`, so once the second
    // program exits, the first gets SIGPIPE rather than writing forever.
    let output = two.wait_with_output()?;
    let first = ending_of(one.wait()?);
    Ok(Piped {
        stdout: output.stdout,
        first,
        second: ending_of(output.status),
    })
}
