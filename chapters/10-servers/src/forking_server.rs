//! # Exercise: a process per connection
//!
//! The tutorial's server starts a process for every connection it accepts:
//!
//! ```python
//! while True:
//!     conn, _ = listener.accept()
//!     Process(target=handle, args=(conn,)).start()
//!     conn.close()                # the child has its own copy
//! ```
//!
//! (`socketserver.ForkingTCPServer` does the same with `os.fork`.) After
//! `fork` both processes hold both sockets, and each must close the one it
//! does not use, the fd ownership of chapter 2:
//!
//! ```text
//!   parent (accepts)                    child (serves one client)
//!   fd 3: listener  ---- keeps          fd 3: listener    -> close
//!   fd 4: conn      ---- close          fd 4: conn        -> handle(), _exit
//! ```
//!
//! - The child closes its copy of the listener (only the parent accepts),
//!   serves the connection with your [`handle`](crate::handler::handle)
//!   and leaves with `_exit`: 0 if the client closed, 1 if it vanished. It
//!   never returns into the parent's code.
//! - The parent closes its copy of the connection: a client sees end of
//!   file only once *every* copy of the server's side is closed.
//! - A child that ended stays a zombie until its parent reaps it, and the
//!   parent must reap while it waits for the next client, not only when one
//!   comes. SIGCHLD says a child ended. Its handler writes one byte to a
//!   pipe (the self-pipe trick; `crate::control::write_one_byte` does it
//!   safely); the accept loop `poll`s the listener, the stop and that pipe,
//!   and when the pipe is readable it empties it and reaps, with
//!   `waitpid(pid, WNOHANG)`, each of *its own* children that has ended.
//!   Never `waitpid(-1)`: another part of the process may be waiting for a
//!   child of its own. A handler belongs to the whole process: install it
//!   once (`std::sync::OnceLock`), with `SA_RESTART | SA_NOCLDSTOP`.
//! - When the stop comes: drop the listener (new clients are refused),
//!   wait for every child still serving, and return what they served: a
//!   child that exited 0 is a connection, any other ending a failed one.
//!
//! The tests run your server in a process of its own: four clients are
//! served at once by four children, none of which holds the listener; a
//! client that closes sees end of file, and the server's fd table is the
//! same after six more clients; thirty children are reaped while the
//! server waits, with no zombie left, and then the server sleeps (every
//! thread blocked, none spinning); a child of the server's process that
//! the server did not fork is left for its owner to reap; a vanished client
//! is one failed connection; a stop refuses new clients and waits, asleep,
//! for the open ones.
//!
//! Stuck? `cargo course hint forking_server`.

use std::io;
use std::net::TcpListener;

use crate::control::{Served, Stop};

/// Serves every connection in a child process of its own until `stop` is
/// requested; then stops accepting, waits for every child and returns what
/// they served (a child that exits with 0 served its client to the end).
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    todo!()
}
