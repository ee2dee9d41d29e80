//! A right answer: the end of the job is a channel closing. The thread's
//! closure owns the only sender, so it is dropped when the closure ends,
//! by returning or by unwinding from a panic; `is_alive` asks the handle.
//!
//! (A message sent on the way out would be a different answer, and a wrong
//! one: the first wait takes the message, and a second wait made before the
//! sender is dropped finds neither a message nor a closed channel.)

use std::io;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::named_thread::{self, ThreadFailed};

pub trait Job: Send + 'static {
    fn name(&self) -> String;
    fn run(&mut self);
}

pub struct JobThread<J: Job> {
    name: String,
    handle: JoinHandle<J>,
    ended: Receiver<()>,
}

impl<J: Job> JobThread<J> {
    pub fn start(mut job: J) -> io::Result<JobThread<J>> {
        let name = job.name();
        let (signal, ended) = mpsc::channel::<()>();
        let handle = thread::Builder::new().name(name.clone()).spawn(move || {
            let _end: Sender<()> = signal;
            job.run();
            job
        })?;
        Ok(JobThread {
            name,
            handle,
            ended,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_alive(&self) -> bool {
        !self.handle.is_finished()
    }

    pub fn join_timeout(&self, timeout: Duration) -> bool {
        match self.ended.recv_timeout(timeout) {
            Err(RecvTimeoutError::Disconnected) => true,
            Ok(()) => unreachable!("nothing is ever sent"),
            Err(RecvTimeoutError::Timeout) => false,
        }
    }

    pub fn join(self) -> Result<J, ThreadFailed> {
        named_thread::join(self.handle)
    }
}

pub fn run_jobs<J: Job>(jobs: Vec<J>) -> io::Result<Vec<Result<J, ThreadFailed>>> {
    let mut started = Vec::new();
    for job in jobs {
        started.push(JobThread::start(job)?);
    }
    let mut back = Vec::new();
    for job in started {
        back.push(job.join());
    }
    Ok(back)
}
