//! # Exercise: the event loop
//!
//! asyncio serves every client from one thread: a coroutine per
//! connection, and an event loop that runs whichever can go on.
//!
//! ```python
//! async def handle(reader, writer):
//!     while data := await reader.read(1024):
//!         writer.write(data.upper())
//!         await writer.drain()        # wait while the client is not reading
//!     writer.close()
//!
//! async def main():
//!     server = await asyncio.start_server(handle, "127.0.0.1", port)
//!     await server.serve_forever()
//! ```
//!
//! Under the loop is `epoll`: one call that sleeps until some of thousands
//! of sockets are ready, and says which. Chapter 9 built a reactor and an
//! executor on it; here the loop *is* the program, with no futures at all:
//! each connection's state is a struct, and the loop does for it whatever
//! its socket is ready for. One thread, a few hundred bytes per client.
//!
//! Build [`serve`]:
//! - Make the listener and every accepted connection non-blocking, and
//!   register them with one `nix::sys::epoll::Epoll`, each with a token in
//!   the event's data (a `u64`, the key of the connection in a `HashMap`).
//!   Register the stop too: its fd turns readable when it is requested.
//! - Loop on `epoll.wait`. The listener is ready: accept until
//!   `WouldBlock`. A connection is ready: read what is there, upper-case it,
//!   write what the socket takes. If it takes less (`WouldBlock`: the
//!   client is not reading its answers), keep the rest with the connection,
//!   watch the socket for `EPOLLOUT` instead of `EPOLLIN`, and write the
//!   rest when it is writable; read nothing more from that client
//!   meanwhile, so that it cannot make the server hold more and more.
//! - A read of 0: the client closed. Take the socket out of epoll, drop it,
//!   count the connection. An error other than `WouldBlock` or
//!   `Interrupted`: the same, counted as failed.
//! - The stop: take the listener out of epoll and drop it (new clients are
//!   refused), take the stop out too (it stays readable for good), and go
//!   on until no connection is left; then return what was served.
//! - Never block, never spin: one blocking call stops every client, and a
//!   loop that asks "anything yet?" without sleeping burns a core.
//!
//! Level-triggered epoll (the default) reports a socket again while
//! something is waiting, so one read per turn is enough. With `EPOLLET`
//! an event comes once per change: read and write until `WouldBlock`.
//!
//! The tests run your server in a process of its own: up to 2000 idle
//! clients connected and each served, by exactly one thread, which sleeps
//! (state `S` in `/proc`) while they say nothing; the fd table back as it
//! was once they leave; eight clients sending 2000 lines at once get them
//! back whole and in order; a client that sends 8 MiB without reading holds
//! up only itself; a vanished client is one failed connection; a stop
//! refuses new clients and serves the open ones to their end, asleep while
//! they are idle.
//!
//! Stuck? `cargo course hint event_loop`.

use std::io;
use std::net::TcpListener;

use crate::control::{Served, Stop};

/// Serves every connection from this one thread: non-blocking sockets, one
/// epoll instance, and a loop that handles whatever is ready. When `stop`
/// is requested: stops accepting, serves the open connections until they
/// end, and returns what it served.
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    todo!()
}
