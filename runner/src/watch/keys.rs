//! The keys of `watch`: one byte at a time from a terminal in raw mode
//! (arrow keys decoded), or one key per line when stdin is not a terminal
//! (a pipe in the runner's tests, an editor's terminal without a tty).

use std::io::{BufRead, Read};
use std::os::fd::AsFd;
use std::sync::mpsc::Sender;
use std::thread;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Up,
    Down,
    Enter,
    /// Escape, or Ctrl-C / Ctrl-D (quit).
    Esc,
    Quit,
}

/// Reads keys on a thread of its own and sends each through `to` (wrapped
/// by `wrap`) until the receiver is gone.
pub fn spawn<E: Send + 'static>(to: Sender<E>, raw: bool, wrap: fn(Key) -> E) {
    thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        if raw {
            let mut byte = [0u8; 1];
            while let Ok(1) = lock.read(&mut byte) {
                let key = match byte[0] {
                    3 | 4 => Key::Quit,
                    b'\r' | b'\n' => Key::Enter,
                    0x1b => escape(&mut lock),
                    b => Key::Char((b as char).to_ascii_lowercase()),
                };
                if to.send(wrap(key)).is_err() {
                    break;
                }
            }
        } else {
            // Not a terminal: one key per line, an empty line is Enter. At
            // end of input the watch goes on (stdin may be /dev/null).
            for line in lock.lines().map_while(Result::ok) {
                let key = match line.trim() {
                    "" => Key::Enter,
                    "up" => Key::Up,
                    "down" => Key::Down,
                    "esc" => Key::Esc,
                    t => Key::Char(t.chars().next().map_or(' ', |c| c.to_ascii_lowercase())),
                };
                if to.send(wrap(key)).is_err() {
                    break;
                }
            }
        }
    });
}

/// After an escape byte: an arrow key (`ESC [ A`), or Escape alone when
/// nothing follows at once.
fn escape(input: &mut impl Read) -> Key {
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
    let follows = poll(&mut fds, PollTimeout::from(40u8)).is_ok_and(|n| n > 0);
    if !follows {
        return Key::Esc;
    }
    let mut seq = [0u8; 2];
    if input.read_exact(&mut seq).is_err() {
        return Key::Esc;
    }
    match seq {
        [b'[' | b'O', b'A'] => Key::Up,
        [b'[' | b'O', b'B'] => Key::Down,
        _ => Key::Esc,
    }
}
