//! A wrong `pooled_server`: a thread per connection, at most `workers` at
//! once, waited for with a counter and a condition variable.

use std::io;
use std::net::TcpListener;
use std::sync::{Condvar, Mutex};
use std::thread;

use crate::control::{Served, Stop, accept_or_stop};
use crate::handler::handle;

pub fn serve(listener: TcpListener, stop: &Stop, workers: usize) -> io::Result<Served> {
    let running = Mutex::new(0usize);
    let changed = Condvar::new();
    let served = Mutex::new(Served::default());
    thread::scope(|scope| {
        while let Some(stream) = accept_or_stop(&listener, stop)? {
            let mut now = running.lock().unwrap();
            while *now >= workers {
                now = changed.wait(now).unwrap();
            }
            *now += 1;
            drop(now);
            let (running, changed, served) = (&running, &changed, &served);
            scope.spawn(move || {
                let ok = handle(&stream).is_ok();
                let mut tally = served.lock().unwrap();
                tally.connections += 1;
                tally.failed += u64::from(!ok);
                drop(tally);
                *running.lock().unwrap() -= 1;
                changed.notify_all();
            });
        }
        drop(listener);
        Ok::<(), io::Error>(())
    })?;
    Ok(served.into_inner().unwrap())
}
