//! A right answer: the thread pool of the Rust book. An `std::sync::mpsc`
//! queue whose one receiver the workers share behind `Arc<Mutex<..>>`;
//! workers started with `thread::spawn`, each returning its own tally from
//! its `JoinHandle`, summed at the end.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

use crate::control::{Served, Stop, accept_or_stop};
use crate::handler::handle;

pub fn serve(listener: TcpListener, stop: &Stop, workers: usize) -> io::Result<Served> {
    let (sender, receiver) = mpsc::channel::<TcpStream>();
    let receiver = Arc::new(Mutex::new(receiver));
    let mut pool = Vec::with_capacity(workers);
    for _ in 0..workers {
        let receiver = Arc::clone(&receiver);
        pool.push(thread::spawn(move || {
            let mut tally = Served::default();
            loop {
                // The lock is held only while taking the next connection.
                let next = receiver.lock().unwrap().recv();
                let Ok(stream) = next else { break };
                tally.connections += 1;
                if handle(&stream).is_err() {
                    tally.failed += 1;
                }
            }
            tally
        }));
    }
    let mut result = Ok(());
    loop {
        match accept_or_stop(&listener, stop) {
            Ok(Some(stream)) => {
                if sender.send(stream).is_err() {
                    result = Err(io::Error::other("the workers are gone"));
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    drop(listener);
    drop(sender);
    let mut served = Served::default();
    for worker in pool {
        let tally = worker
            .join()
            .map_err(|_| io::Error::other("a worker panicked"))?;
        served.connections += tally.connections;
        served.failed += tally.failed;
    }
    result.map(|()| served)
}
