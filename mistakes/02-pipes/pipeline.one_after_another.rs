//! A wrong answer for `pipeline`: the stages run one after another. Each
//! stage is started, fed the previous stage's whole output, and read to its
//! end before the next one starts. The output comes out right for inputs
//! that end; a stage that never ends on its own (`yes`) hangs it.

use std::ffi::CString;
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;

/// What a finished pipeline left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Everything the last stage wrote to its stdout.
    pub output: Vec<u8>,
    /// One code per stage, in order, as a shell reports them.
    pub codes: Vec<i32>,
}

fn run_one(argv: &[&str], input: Vec<u8>) -> io::Result<(Vec<u8>, i32)> {
    let mut child = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = thread::spawn(move || match stdin.write_all(&input) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other,
    });
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_end(&mut output)?;
    writer.join().expect("the writer")?;
    Ok((output, shell_code(child.wait()?)))
}

pub fn with_command(stages: &[&[&str]], input: &[u8]) -> io::Result<Finished> {
    let mut data = input.to_vec();
    let mut codes = Vec::new();
    for argv in stages {
        let (output, code) = run_one(argv, data)?;
        data = output;
        codes.push(code);
    }
    Ok(Finished {
        output: data,
        codes,
    })
}

pub fn with_fork(stages: &[&[&str]], input: &[u8]) -> io::Result<Finished> {
    let mut data = input.to_vec();
    let mut codes = Vec::new();
    for argv in stages {
        let _ = CString::new(argv[0]);
        let (output, code) = match run_one(argv, data) {
            Ok(done) => done,
            Err(e) if e.kind() == ErrorKind::NotFound => (Vec::new(), 127),
            Err(e) => return Err(e),
        };
        data = output;
        codes.push(code);
    }
    Ok(Finished {
        output: data,
        codes,
    })
}

fn shell_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}
