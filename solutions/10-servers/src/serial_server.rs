//! The serial baseline: the reference solution. The statement is in
//! `chapters/10-servers/src/serial_server.rs`.

use std::io;
use std::net::TcpListener;

use crate::control::{Served, Stop, accept_or_stop};
use crate::handler::handle;

/// Serves one connection at a time, each until its client closes, until
/// `stop` is requested; then returns what it served.
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    let mut served = Served::default();
    while let Some(stream) = accept_or_stop(&listener, stop)? {
        // A client that vanishes is its own failure, not the server's.
        if handle(&stream).is_err() {
            served.failed += 1;
        }
        served.connections += 1;
    }
    Ok(served)
}
