//! A bounded pool of threads fed by a queue: the reference solution. The
//! statement is in `chapters/10-servers/src/pooled_server.rs`.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use crossbeam::channel::{self, Sender};

use crate::control::{Served, Stop, accept_or_stop};
use crate::handler::handle;

/// Serves connections with `workers` threads started up front. A connection
/// that finds every worker busy waits in the queue, in arrival order, until
/// one is free. When `stop` is requested: stops accepting, lets the workers
/// finish every connection already accepted, and returns what they served.
pub fn serve(listener: TcpListener, stop: &Stop, workers: usize) -> io::Result<Served> {
    assert!(workers > 0, "a pool needs at least one worker");
    // Unbounded: a connection is never turned away, it waits its turn.
    let (queue, jobs) = channel::unbounded::<TcpStream>();
    let connections = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    thread::scope(|scope| {
        for i in 0..workers {
            let jobs = jobs.clone();
            let (connections, failed) = (&connections, &failed);
            thread::Builder::new()
                .name(format!("worker {i}"))
                .spawn_scoped(scope, move || {
                    // Ends when the queue is empty and its sender is gone.
                    for stream in jobs {
                        if handle(&stream).is_err() {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        connections.fetch_add(1, Ordering::Relaxed);
                    }
                })?;
        }
        let accepted = feed(&listener, stop, &queue);
        // Close the listener first (new clients are refused), then the
        // queue: the workers drain it and end.
        drop(listener);
        drop(queue);
        accepted
    })?;
    Ok(Served {
        connections: connections.into_inner(),
        failed: failed.into_inner(),
    })
}

/// The accept loop: every connection goes into the queue, until the stop.
fn feed(listener: &TcpListener, stop: &Stop, queue: &Sender<TcpStream>) -> io::Result<()> {
    while let Some(stream) = accept_or_stop(listener, stop)? {
        queue
            .send(stream)
            .map_err(|_| io::Error::other("every worker has gone"))?;
    }
    Ok(())
}
