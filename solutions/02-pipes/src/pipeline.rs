//! A pipeline of processes: the reference solution. The statement is in
//! `chapters/02-pipes/src/pipeline.rs`.

use std::ffi::CString;
use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;

use nix::errno::Errno;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe};

/// What a finished pipeline left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Everything the last stage wrote to its stdout.
    pub output: Vec<u8>,
    /// One code per stage, in order, as a shell reports them: the exit code,
    /// or 128 + the signal number for a stage a signal killed.
    pub codes: Vec<i32>,
}

/// Runs `stages[0] | stages[1] | ...` with `std::process::Command`.
pub fn with_command(stages: &[&[&str]], input: &[u8]) -> io::Result<Finished> {
    assert!(!stages.is_empty(), "a pipeline has at least one stage");
    let mut children: Vec<Child> = Vec::new();
    let mut previous: Option<Stdio> = None;
    for (i, argv) in stages.iter().enumerate() {
        let stdin = previous.take().unwrap_or_else(Stdio::piped);
        let spawned = Command::new(argv[0])
            .args(&argv[1..])
            .stdin(stdin)
            .stdout(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                // The stages already started would wait on a pipe nobody
                // feeds: stop and reap them before reporting.
                for mut started in children {
                    let _ = started.kill();
                    let _ = started.wait();
                }
                return Err(e);
            }
        };
        if i + 1 < stages.len() {
            // The next stage's stdin is this one's stdout; the parent keeps no copy.
            previous = Some(Stdio::from(child.stdout.take().expect("stdout is piped")));
        }
        children.push(child);
    }
    let stdin = children[0].stdin.take().expect("stdin is piped");
    let stdout = children
        .last_mut()
        .unwrap()
        .stdout
        .take()
        .expect("stdout is piped");
    let output = feed_and_collect(
        File::from(OwnedFd::from(stdin)),
        File::from(OwnedFd::from(stdout)),
        input,
    )?;
    let codes = children
        .iter_mut()
        .map(|c| c.wait().map(shell_code))
        .collect::<io::Result<_>>()?;
    Ok(Finished { output, codes })
}

/// Runs the same pipeline with `pipe`, `fork`, `dup2` and `execvp`.
pub fn with_fork(stages: &[&[&str]], input: &[u8]) -> io::Result<Finished> {
    assert!(!stages.is_empty(), "a pipeline has at least one stage");
    // Everything the children need is built before the first fork: after it
    // they only call async-signal-safe functions, and allocating is not one.
    let args: Vec<Vec<CString>> = stages
        .iter()
        .map(|argv| argv.iter().map(|a| CString::new(*a)).collect())
        .collect::<Result<_, _>>()
        .map_err(|e| io::Error::new(ErrorKind::InvalidInput, e))?;
    let argvs: Vec<Vec<*const libc::c_char>> = args
        .iter()
        .map(|argv| {
            argv.iter()
                .map(|a| a.as_ptr())
                .chain([std::ptr::null()])
                .collect()
        })
        .collect();

    // Pipe i feeds stage i; pipe n carries the last stage's output back.
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..=stages.len())
        .map(|_| pipe())
        .collect::<nix::Result<_>>()?;
    let every_fd: Vec<RawFd> = pipes
        .iter()
        .flat_map(|(r, w)| [r.as_raw_fd(), w.as_raw_fd()])
        .collect();

    let mut pids = Vec::new();
    for (i, argv) in argvs.iter().enumerate() {
        let stdin = pipes[i].0.as_raw_fd();
        let stdout = pipes[i + 1].1.as_raw_fd();
        // SAFETY: the child calls only dup2, close, execvp and _exit.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => unsafe {
                libc::dup2(stdin, 0);
                libc::dup2(stdout, 1);
                // Every other pipe end must go: a stage that keeps a write end
                // of its own stdin pipe never sees end of file.
                for &fd in &every_fd {
                    libc::close(fd);
                }
                libc::execvp(argv[0], argv.as_ptr());
                // Only reached when exec failed: 127, as a shell says.
                libc::_exit(127)
            },
            Ok(ForkResult::Parent { child }) => pids.push(child),
            Err(e) => {
                drop(pipes);
                for pid in pids {
                    let _ = reap(pid);
                }
                return Err(e.into());
            }
        }
    }

    // The parent keeps only the two ends it uses; closing the rest lets each
    // stage see end of file once the stage before it is done.
    let mut pipes = pipes.into_iter();
    let (_, feed) = pipes.next().expect("the first pipe");
    let (collect, _) = pipes.last().expect("the last pipe");
    let output = feed_and_collect(File::from(feed), File::from(collect), input);
    let codes = pids.into_iter().map(reap).collect::<io::Result<_>>()?;
    Ok(Finished {
        output: output?,
        codes,
    })
}

/// Writes `input` from another thread while this one reads the output: doing
/// one after the other deadlocks once either passes the pipe buffer.
fn feed_and_collect(mut feed: File, mut collect: File, input: &[u8]) -> io::Result<Vec<u8>> {
    thread::scope(|s| {
        let writer = s.spawn(move || match feed.write_all(input) {
            // A stage may stop reading early (`head`): not our error.
            Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
            other => other,
            // `feed` drops here: the first stage sees end of file.
        });
        let mut output = Vec::new();
        collect.read_to_end(&mut output)?;
        writer.join().expect("the writer thread does not panic")?;
        Ok(output)
    })
}

fn shell_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

fn reap(pid: Pid) -> io::Result<i32> {
    loop {
        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(code),
            Ok(WaitStatus::Signaled(_, signal, _)) => return Ok(128 + signal as i32),
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
