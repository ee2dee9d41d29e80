//! The queue surface over a crossbeam channel: the reference solution. The
//! statement is in `chapters/04-queues/src/channel_queue.rs`.

use std::time::Duration;

use crossbeam::channel::{
    self, Receiver, RecvTimeoutError, SendTimeoutError, Sender, TrySendError,
};

/// The queue was full: the item comes back to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

/// The queue was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// Python's `queue.Queue` surface over one crossbeam channel.
pub struct ChannelQueue<T> {
    // The queue keeps both ends, so the channel never disconnects while it
    // lives: a blocking `recv` or `send` can only end with an item.
    tx: Sender<T>,
    rx: Receiver<T>,
    maxsize: usize,
}

impl<T> ChannelQueue<T> {
    /// A queue that holds at most `maxsize` items; 0 means no limit.
    pub fn new(maxsize: usize) -> Self {
        // crossbeam's `bounded(0)` is a rendezvous channel with no room at
        // all; Python's 0 means unbounded.
        let (tx, rx) = if maxsize == 0 {
            channel::unbounded()
        } else {
            channel::bounded(maxsize)
        };
        Self { tx, rx, maxsize }
    }

    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    pub fn put(&self, item: T) {
        self.tx
            .send(item)
            .unwrap_or_else(|_| unreachable!("we hold the receiver"));
    }

    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), Full<T>> {
        self.tx.send_timeout(item, timeout).map_err(|e| match e {
            SendTimeoutError::Timeout(item) | SendTimeoutError::Disconnected(item) => Full(item),
        })
    }

    pub fn put_nowait(&self, item: T) -> Result<(), Full<T>> {
        self.tx.try_send(item).map_err(|e| match e {
            TrySendError::Full(item) | TrySendError::Disconnected(item) => Full(item),
        })
    }

    pub fn get(&self) -> T {
        self.rx
            .recv()
            .unwrap_or_else(|_| unreachable!("we hold a sender"))
    }

    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Empty> {
        self.rx.recv_timeout(timeout).map_err(|e| match e {
            RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected => Empty,
        })
    }

    pub fn get_nowait(&self) -> Result<T, Empty> {
        self.rx.try_recv().map_err(|_| Empty)
    }

    pub fn qsize(&self) -> usize {
        self.rx.len()
    }

    pub fn empty(&self) -> bool {
        self.rx.is_empty()
    }

    pub fn full(&self) -> bool {
        self.maxsize > 0 && self.rx.len() >= self.maxsize
    }
}
