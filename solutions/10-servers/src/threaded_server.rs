//! A thread per connection: the reference solution. The statement is in
//! `chapters/10-servers/src/threaded_server.rs`.

use std::io;
use std::net::TcpListener;
use std::thread::{self, JoinHandle};

use crate::control::{Served, Stop, accept_or_stop};
use crate::handler::handle;

/// Serves every connection on a thread of its own until `stop` is
/// requested; then stops accepting, waits for every connection to end and
/// returns what it served.
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    let mut served = Served::default();
    let mut running: Vec<JoinHandle<io::Result<u64>>> = Vec::new();
    while let Some(stream) = accept_or_stop(&listener, stop)? {
        let worker = thread::Builder::new()
            .name("connection".into())
            .spawn(move || handle(&stream))?;
        running.push(worker);
        // Collect the threads that are done, so the list does not grow with
        // every connection a long-running server ever had.
        let (done, still): (Vec<_>, Vec<_>) = running.into_iter().partition(|t| t.is_finished());
        running = still;
        for thread in done {
            tally(&mut served, thread);
        }
    }
    // Stopped: no new connection, and the listener is closed now, so new
    // clients are refused while the open ones finish.
    drop(listener);
    for thread in running {
        tally(&mut served, thread);
    }
    Ok(served)
}

fn tally(served: &mut Served, thread: JoinHandle<io::Result<u64>>) {
    served.connections += 1;
    if !matches!(thread.join(), Ok(Ok(_))) {
        served.failed += 1;
    }
}
