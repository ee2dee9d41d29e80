//! Producers and consumers with a clean shutdown: the reference solution.
//! The statement is in `chapters/04-queues/src/producers_consumers.rs`.

use std::thread;

use crossbeam::channel::{self, Receiver};

/// One item: who made it and its place in that producer's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    pub producer: usize,
    pub seq: usize,
}

/// What travels on the queue when shutdown is signalled in-band.
enum Message {
    Work(Item),
    Stop,
}

/// Shutdown by sentinel: one `Stop` per consumer after every producer is done.
pub fn with_sentinels(
    producers: usize,
    consumers: usize,
    capacity: usize,
    per_producer: usize,
) -> Vec<Vec<Item>> {
    let (tx, rx) = channel::bounded(capacity);
    thread::scope(|s| {
        let eaters: Vec<_> = (0..consumers)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || {
                    let mut got = Vec::new();
                    // A consumer takes exactly one `Stop` and leaves, so the
                    // others still find theirs.
                    while let Ok(Message::Work(item)) = rx.recv() {
                        got.push(item);
                    }
                    got
                })
            })
            .collect();
        let makers: Vec<_> = (0..producers)
            .map(|producer| {
                let tx = tx.clone();
                s.spawn(move || {
                    for seq in 0..per_producer {
                        tx.send(Message::Work(Item { producer, seq }))
                            .expect("consumers outlive producers");
                    }
                })
            })
            .collect();
        for maker in makers {
            maker.join().expect("a producer panicked");
        }
        // Only now: a sentinel sent while a producer still runs could
        // overtake that producer's last items.
        for _ in 0..consumers {
            tx.send(Message::Stop)
                .expect("every consumer waits for its Stop");
        }
        eaters
            .into_iter()
            .map(|e| e.join().expect("a consumer panicked"))
            .collect()
    })
}

/// Shutdown by disconnect: consumers stop when every sender is gone.
pub fn with_disconnect(
    producers: usize,
    consumers: usize,
    capacity: usize,
    per_producer: usize,
) -> Vec<Vec<Item>> {
    let (tx, rx) = channel::bounded(capacity);
    let eaters = spawn_consumers(&rx, consumers);
    drop(rx);
    let makers: Vec<_> = (0..producers)
        .map(|producer| {
            let tx = tx.clone();
            thread::spawn(move || {
                for seq in 0..per_producer {
                    tx.send(Item { producer, seq })
                        .expect("consumers outlive producers");
                }
            })
        })
        .collect();
    // Our own sender must go too, or the channel never disconnects and the
    // consumers wait forever.
    drop(tx);
    for maker in makers {
        maker.join().expect("a producer panicked");
    }
    eaters
        .into_iter()
        .map(|e| e.join().expect("a consumer panicked"))
        .collect()
}

fn spawn_consumers(rx: &Receiver<Item>, consumers: usize) -> Vec<thread::JoinHandle<Vec<Item>>> {
    (0..consumers)
        .map(|_| {
            let rx = rx.clone();
            // `iter` ends when the channel is empty and disconnected.
            thread::spawn(move || rx.iter().collect())
        })
        .collect()
}
