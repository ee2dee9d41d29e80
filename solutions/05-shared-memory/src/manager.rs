//! A manager process and its proxy: the reference solution. The statement
//! is in `chapters/05-shared-memory/src/manager.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A value held by the manager: any JSON value, so numbers, strings, lists
/// and nested maps all travel the same way.
pub use serde_json::Value;

// ---------------------------------------------------------------------------
// Framing (given to the student, finished): one message is a 4-byte
// big-endian length, then that many bytes of JSON.

/// The largest message either side accepts; a bigger length is a broken peer.
const MAX_FRAME: usize = 16 << 20;

/// Writes `message` as one frame.
pub(crate) fn write_frame<T: Serialize>(w: &mut impl Write, message: &T) -> io::Result<()> {
    let body = serde_json::to_vec(message)?;
    let len = u32::try_from(body.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too long"))?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&body);
    w.write_all(&frame)?;
    w.flush()
}

/// Reads one frame. A peer that has hung up gives `UnexpectedEof`.
pub(crate) fn read_frame<T: DeserializeOwned>(r: &mut impl Read) -> io::Result<T> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes is too long"),
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(serde_json::from_slice(&body)?)
}

// ---------------------------------------------------------------------------
// The protocol and the server's state. `pub(crate)` so that the remote
// manager serves the very same store over TCP.

#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    Get(String),
    Set(String, Value),
    Update(Vec<(String, Value)>),
    Append(Value),
    List,
    Keys,
    Len,
    Add(String, i64),
    Lock,
    Unlock,
    Shutdown,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Response {
    Done,
    Value(Option<Value>),
    List(Vec<Value>),
    Keys(Vec<String>),
    Len(usize),
    Number(i64),
    Failed(String),
}

#[derive(Default)]
struct Data {
    map: BTreeMap<String, Value>,
    list: Vec<Value>,
}

/// What the server owns: the data, and the one manager lock.
#[derive(Default)]
pub(crate) struct Store {
    data: Mutex<Data>,
    lock_held: Mutex<bool>,
    lock_free: Condvar,
}

/// Why [`serve`] returned.
pub(crate) enum Served {
    Disconnected,
    ShutdownAsked,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A connection thread that panicked cannot leave the map half-written
    // (every change is one call on it), so the data is still good.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Store {
    fn acquire(&self) {
        let mut held = guard(&self.lock_held);
        while *held {
            held = self
                .lock_free
                .wait(held)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *held = true;
    }

    fn release(&self) {
        *guard(&self.lock_held) = false;
        self.lock_free.notify_one();
    }

    /// Every request on the data. Each runs under the data mutex, so each is
    /// atomic on its own; only a read followed by a write can be torn.
    fn apply(&self, request: Request) -> Response {
        let mut data = guard(&self.data);
        match request {
            Request::Get(key) => Response::Value(data.map.get(&key).cloned()),
            Request::Set(key, value) => {
                data.map.insert(key, value);
                Response::Done
            }
            Request::Update(entries) => {
                data.map.extend(entries);
                Response::Done
            }
            Request::Append(value) => {
                data.list.push(value);
                Response::Done
            }
            Request::List => Response::List(data.list.clone()),
            // A BTreeMap walks its keys in order: clients get them sorted.
            Request::Keys => Response::Keys(data.map.keys().cloned().collect()),
            Request::Len => Response::Len(data.map.len()),
            Request::Add(key, delta) => {
                let current = match data.map.get(&key) {
                    None => 0,
                    Some(v) => match v.as_i64() {
                        Some(n) => n,
                        None => {
                            return Response::Failed(format!("{key:?} holds {v}, not an integer"));
                        }
                    },
                };
                match current.checked_add(delta) {
                    Some(n) => {
                        data.map.insert(key, Value::from(n));
                        Response::Number(n)
                    }
                    None => Response::Failed(format!("{key:?} would overflow")),
                }
            }
            Request::Lock | Request::Unlock | Request::Shutdown => {
                Response::Failed("not a data request".into())
            }
        }
    }
}

/// Answers one client's requests until it hangs up or asks for shutdown.
pub(crate) fn serve<S: Read + Write>(store: &Store, stream: &mut S) -> Served {
    let mut holds_lock = false;
    let outcome = loop {
        let Ok(request) = read_frame::<Request>(stream) else {
            break Served::Disconnected;
        };
        let response = match request {
            Request::Shutdown => {
                let _ = write_frame(stream, &Response::Done);
                break Served::ShutdownAsked;
            }
            // The manager lock is not reentrant: a client that locks twice
            // would wait for itself for ever. Refuse instead.
            Request::Lock if holds_lock => Response::Failed("this client holds the lock".into()),
            Request::Lock => {
                store.acquire();
                holds_lock = true;
                Response::Done
            }
            Request::Unlock if holds_lock => {
                holds_lock = false;
                store.release();
                Response::Done
            }
            Request::Unlock => Response::Failed("this client does not hold the lock".into()),
            data_request => store.apply(data_request),
        };
        if write_frame(stream, &response).is_err() {
            break Served::Disconnected;
        }
    };
    // A client that died holding the lock must not block every other one.
    if holds_lock {
        store.release();
    }
    outcome
}

/// Sends one request and reads its reply; a `Failed` reply becomes an error.
pub(crate) fn exchange<S: Read + Write>(stream: &mut S, request: &Request) -> io::Result<Response> {
    write_frame(stream, request)?;
    match read_frame(stream)? {
        Response::Failed(why) => Err(io::Error::new(io::ErrorKind::InvalidData, why)),
        response => Ok(response),
    }
}

pub(crate) fn unexpected(response: Response) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("unexpected reply from the manager: {response:?}"),
    )
}

/// In a freshly forked server: closes every descriptor inherited from the
/// parent but the standard three and `keep`. A server that kept them would
/// hold other code's pipes and sockets open for as long as it lives.
pub(crate) fn close_inherited_fds(keep: RawFd) {
    let keep = keep as libc::c_uint;
    // SAFETY: close_range only closes descriptors; none of these is used by
    // this freshly forked, single-threaded process.
    unsafe {
        if keep > 3 {
            libc::close_range(3, keep - 1, 0);
        }
        libc::close_range(keep + 1, libc::c_uint::MAX, 0);
    }
}

/// Waits for `pid` for at most `limit`; if it is still alive then, kills and
/// reaps it. Used when a server is told to stop.
pub(crate) fn reap_within(pid: Pid, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => {}
            Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) | Err(_) => return,
            Ok(_) => {}
        }
        if Instant::now() >= deadline {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
            return;
        }
        thread::sleep(Duration::from_millis(2));
    }
}

/// The body of a forked server process: never returns.
pub(crate) fn run_server<C: Send + 'static>(
    next_client: impl FnMut() -> io::Result<C>,
    handle_client: impl Fn(C) -> Served + Send + Sync + 'static,
    on_exit: impl Fn() + Send + Sync + 'static,
) -> ! {
    let on_exit: &'static (dyn Fn() + Send + Sync) = Box::leak(Box::new(on_exit));
    let stop = move |code: i32| -> ! {
        on_exit();
        // SAFETY: ends the server process at once, every thread with it.
        unsafe { libc::_exit(code) }
    };
    // A panic must never unwind out of here: above this frame is the
    // forking caller's code (a test harness), which must not run twice.
    let _ = panic::catch_unwind(AssertUnwindSafe(move || {
        let handle_client: &'static _ = Box::leak(Box::new(handle_client));
        let parent = getppid();
        // Whoever started the server may die without dropping its handle:
        // once we are orphaned, nobody will ever ask us to stop.
        let _ = thread::Builder::new().spawn(move || {
            loop {
                thread::sleep(Duration::from_millis(200));
                if getppid() != parent {
                    stop(1);
                }
            }
        });
        let mut next_client = next_client;
        loop {
            let Ok(client) = next_client() else { continue };
            // One thread per client: a client waiting for the manager lock
            // or reading slowly must not stall the others.
            let spawned = thread::Builder::new().spawn(move || {
                if let Served::ShutdownAsked = handle_client(client) {
                    stop(0);
                }
            });
            if spawned.is_err() {
                stop(1);
            }
        }
    }));
    stop(101)
}

// ---------------------------------------------------------------------------
// The manager handle and the proxy.

/// The handle on a running manager: a server process that owns a map from
/// `String` to [`Value`] and one list, reached over a Unix socket. Dropping
/// the handle stops the server, which removes its socket file.
#[derive(Debug)]
pub struct Manager {
    path: PathBuf,
    server: Pid,
}

impl Manager {
    /// Binds a Unix socket at `socket_path`, forks the server process that
    /// listens on it, and returns once clients can connect.
    pub fn start(socket_path: impl AsRef<Path>) -> io::Result<Manager> {
        let path = socket_path.as_ref().to_path_buf();
        // Bind before forking: when `start` returns, the socket is there.
        let listener = UnixListener::bind(&path)?;
        // SAFETY: the child runs only the server loop and leaves with
        // `_exit`; it never returns into the caller.
        match unsafe { fork() }? {
            ForkResult::Child => {
                close_inherited_fds(listener.as_raw_fd());
                let store: &'static Store = Box::leak(Box::default());
                let socket = path.clone();
                run_server(
                    move || listener.accept().map(|(stream, _)| stream),
                    move |mut stream: UnixStream| serve(store, &mut stream),
                    move || {
                        let _ = fs::remove_file(&socket);
                    },
                )
            }
            ForkResult::Parent { child } => {
                drop(listener);
                Ok(Manager {
                    path,
                    server: child,
                })
            }
        }
    }

    /// A new proxy connected to this manager.
    pub fn proxy(&self) -> io::Result<Proxy> {
        Proxy::connect(&self.path)
    }

    /// Where the server listens.
    pub fn socket_path(&self) -> &Path {
        &self.path
    }

    /// The server process.
    pub fn server_pid(&self) -> Pid {
        self.server
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        // Ask the server to stop: it removes its socket and exits. If it
        // cannot be asked (its socket is gone), it is killed at once.
        let asked = UnixStream::connect(&self.path).and_then(|mut stream| {
            stream.set_read_timeout(Some(Duration::from_secs(2)))?;
            exchange(&mut stream, &Request::Shutdown)
        });
        let grace = if asked.is_ok() {
            Duration::from_secs(5)
        } else {
            Duration::ZERO
        };
        reap_within(self.server, grace);
        // If it had to be killed, the socket file is still there.
        let _ = fs::remove_file(&self.path);
    }
}

/// How long a proxy waits for a reply (other than for the lock) before it
/// gives up on a server that is alive but not answering.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct Connection {
    /// The process that opened it: after a fork the child must not use its
    /// parent's socket, or two processes' messages would interleave on it.
    owner: Pid,
    stream: UnixStream,
    /// Replies still to come for requests sent without waiting (the
    /// unlock): read, in order, before the reply of the next request.
    unread: usize,
}

/// A client of a [`Manager`]: every method is one request to the server.
///
/// Cloning gives a proxy that opens its own connection when first used, and
/// a proxy used in a forked child connects anew, as Python's proxies do.
#[derive(Debug)]
pub struct Proxy {
    path: PathBuf,
    conn: Mutex<Option<Connection>>,
}

impl Clone for Proxy {
    fn clone(&self) -> Proxy {
        Proxy {
            path: self.path.clone(),
            conn: Mutex::new(None),
        }
    }
}

impl Connection {
    /// Sends `request` and reads its reply, after the replies still unread.
    fn exchange(&mut self, request: &Request) -> io::Result<Response> {
        write_frame(&mut self.stream, request)?;
        while self.unread > 0 {
            // An unlock's reply: nothing in it the caller waits for.
            read_frame::<Response>(&mut self.stream)?;
            self.unread -= 1;
        }
        match read_frame(&mut self.stream)? {
            Response::Failed(why) => Err(io::Error::new(io::ErrorKind::InvalidData, why)),
            response => Ok(response),
        }
    }
}

fn open(path: &Path) -> io::Result<Connection> {
    let stream = UnixStream::connect(path)?;
    stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
    Ok(Connection {
        owner: getpid(),
        stream,
        unread: 0,
    })
}

impl Proxy {
    /// Connects to the manager listening at `socket_path`.
    pub fn connect(socket_path: impl AsRef<Path>) -> io::Result<Proxy> {
        let path = socket_path.as_ref().to_path_buf();
        let conn = open(&path)?;
        Ok(Proxy {
            path,
            conn: Mutex::new(Some(conn)),
        })
    }

    fn call(&self, request: &Request) -> io::Result<Response> {
        self.send(request, true)
            .map(|reply| reply.expect("a reply was awaited"))
    }

    /// Sends `request`; with `await_reply`, returns its reply, else leaves
    /// the reply to be read before the next one (`Ok(None)`).
    fn send(&self, request: &Request, await_reply: bool) -> io::Result<Option<Response>> {
        let mut slot = guard(&self.conn);
        let me = getpid();
        if slot.as_ref().is_none_or(|c| c.owner != me) {
            *slot = Some(open(&self.path)?);
        }
        let conn = slot.as_mut().expect("connected above");
        // Waiting for the lock may take as long as another client holds it.
        let waits = matches!(request, Request::Lock);
        if waits {
            conn.stream.set_read_timeout(None)?;
        }
        let result = if await_reply {
            conn.exchange(request).map(Some)
        } else {
            write_frame(&mut conn.stream, request).map(|()| {
                conn.unread += 1;
                None
            })
        };
        if waits {
            conn.stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        }
        if let Err(e) = &result
            && e.kind() != io::ErrorKind::InvalidData
        {
            // The stream may hold half a message: never reuse it.
            *slot = None;
        }
        result
    }

    /// The value at `key`, or `None`. It is a copy: changing it changes
    /// nothing on the server.
    pub fn get(&self, key: &str) -> io::Result<Option<Value>> {
        match self.call(&Request::Get(key.to_owned()))? {
            Response::Value(v) => Ok(v),
            other => Err(unexpected(other)),
        }
    }

    /// Stores `value` at `key`.
    pub fn set(&self, key: &str, value: Value) -> io::Result<()> {
        match self.call(&Request::Set(key.to_owned(), value))? {
            Response::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Stores every entry, in one request (Python's `dict.update`).
    pub fn update(&self, entries: impl IntoIterator<Item = (String, Value)>) -> io::Result<()> {
        match self.call(&Request::Update(entries.into_iter().collect()))? {
            Response::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Appends `value` to the managed list.
    pub fn append(&self, value: Value) -> io::Result<()> {
        match self.call(&Request::Append(value))? {
            Response::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// A copy of the managed list.
    pub fn list(&self) -> io::Result<Vec<Value>> {
        match self.call(&Request::List)? {
            Response::List(items) => Ok(items),
            other => Err(unexpected(other)),
        }
    }

    /// The keys of the map, sorted.
    pub fn keys(&self) -> io::Result<Vec<String>> {
        match self.call(&Request::Keys)? {
            Response::Keys(keys) => Ok(keys),
            other => Err(unexpected(other)),
        }
    }

    /// The number of keys in the map.
    pub fn len(&self) -> io::Result<usize> {
        match self.call(&Request::Len)? {
            Response::Len(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    /// True when the map has no keys.
    pub fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Adds `delta` to the integer at `key` on the server, in one step, and
    /// returns the new value. A missing key counts as 0; a value that is not
    /// an integer is an `InvalidData` error and is left unchanged.
    pub fn add(&self, key: &str, delta: i64) -> io::Result<i64> {
        match self.call(&Request::Add(key.to_owned(), delta))? {
            Response::Number(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    /// Takes the manager's one lock, waiting while another client holds it.
    /// The lock is released when the guard drops, or when this client's
    /// connection closes (its process died).
    pub fn lock(&self) -> io::Result<ManagerLock<'_>> {
        match self.call(&Request::Lock)? {
            Response::Done => Ok(ManagerLock { proxy: self }),
            other => Err(unexpected(other)),
        }
    }
}

/// The manager lock, held until dropped.
#[derive(Debug)]
pub struct ManagerLock<'a> {
    proxy: &'a Proxy,
}

impl Drop for ManagerLock<'_> {
    fn drop(&mut self) {
        // Sent without waiting for the reply: the server applies this
        // connection's requests in order, so the unlock comes after every
        // change made under the lock, and the next request of this proxy
        // reads the reply first. An unlock costs no round trip. If the
        // server is gone there is nothing left to unlock.
        let _ = self.proxy.send(&Request::Unlock, false);
    }
}
