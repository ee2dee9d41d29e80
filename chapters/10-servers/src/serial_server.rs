//! # Exercise: the serial baseline
//!
//! The simplest server accepts a connection, serves it until the client
//! closes, and only then accepts the next one:
//!
//! ```python
//! with socket.create_server(("127.0.0.1", port)) as listener:
//!     while True:
//!         conn, _ = listener.accept()
//!         handle(conn)              # nobody else is served meanwhile
//! ```
//!
//! (`socketserver.TCPServer` is this loop.) It is correct, and it is not
//! enough: while one client is connected, even a client that says nothing
//! for an hour, every other one waits in the kernel's queue of connections
//! not yet accepted. The other servers of this chapter are answers to that.
//!
//! Build [`serve`]: until `stop` is requested, take the next connection
//! with [`accept_or_stop`](crate::control::accept_or_stop) and serve it
//! with your [`handle`](crate::handler::handle). Every connection served
//! counts in [`Served::connections`]; one that ended with an error (the
//! client vanished) counts in [`Served::failed`] as well, and the server
//! goes on to the next client. When the stop comes, return what was
//! served. (The serial server looks at the stop between clients only: it
//! has no other moment.)
//!
//! The tests run your server in a process of their own and check the
//! answers, that a second client gets nothing while the first is connected
//! and is served as soon as it leaves, that a reset is one failed
//! connection and not the server's end, that the server sleeps while it
//! waits for a client (blocked, not asking again and again), and that a
//! stop lets the client being served finish before the server exits.
//!
//! Stuck? `cargo course hint serial_server`.

use std::io;
use std::net::TcpListener;

use crate::control::{Served, Stop};

/// Serves one connection at a time, each until its client closes, until
/// `stop` is requested; then returns what it served.
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    todo!()
}
