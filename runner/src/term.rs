//! The terminal: colours when stdout is one (and `NO_COLOR` is unset), the
//! yes/no question of `reset`, and the raw key mode of `watch`.

use std::io::IsTerminal;
use std::os::fd::BorrowedFd;
use std::sync::OnceLock;

use nix::sys::termios::{self, LocalFlags, SetArg, SpecialCharacterIndices};

pub fn color_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none())
}

fn paint(code: &str, text: &str) -> String {
    if color_enabled() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn green(text: &str) -> String {
    paint("32", text)
}
pub fn red(text: &str) -> String {
    paint("31", text)
}
pub fn yellow(text: &str) -> String {
    paint("33", text)
}
pub fn bold(text: &str) -> String {
    paint("1", text)
}
pub fn dim(text: &str) -> String {
    paint("2", text)
}

/// Whether `watch` clears the screen for each verdict: on a terminal, or
/// when `CLICOLOR_FORCE` asks for terminal output anyway.
pub fn clears_screen() -> bool {
    std::io::stdout().is_terminal()
        || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Clears the screen and its scroll-back, the cursor at the top left.
pub const CLEAR_SCREEN: &str = "\x1b[H\x1b[2J\x1b[3J";

pub fn stdin_is_tty() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks a yes/no question on the terminal; anything but `y`/`yes` is no.
pub fn confirm(question: &str) -> bool {
    use std::io::Write;
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// The terminal settings to put back, for the signal handler too.
static SAVED: OnceLock<libc::termios> = OnceLock::new();

fn stdin_fd() -> BorrowedFd<'static> {
    // SAFETY: fd 0 stays open for the life of the process.
    unsafe { BorrowedFd::borrow_raw(0) }
}

/// Key-at-a-time input without echo while alive; the terminal is restored
/// on drop, and on SIGINT/SIGTERM/SIGHUP by a handler.
pub struct RawMode {
    _private: (),
}

impl RawMode {
    pub fn enter() -> nix::Result<RawMode> {
        let original = termios::tcgetattr(stdin_fd())?;
        let _ = SAVED.set(libc::termios::from(original.clone()));
        let mut raw = original;
        // Not a full raw mode: output processing stays (so "\n" still starts
        // a line), and Ctrl-C arrives as a byte the watch loop turns into a
        // clean quit.
        raw.local_flags
            .remove(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG);
        raw.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
        raw.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
        install_restore_handlers();
        termios::tcsetattr(stdin_fd(), SetArg::TCSANOW, &raw)?;
        Ok(RawMode { _private: () })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    if let Some(saved) = SAVED.get() {
        // SAFETY: a plain call on fd 0 with a valid termios; async-signal-safe.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, saved);
        }
    }
}

extern "C" fn restore_and_die(signal: libc::c_int) {
    // Only async-signal-safe calls: tcsetattr, signal, raise.
    restore();
    // SAFETY: resetting to the default disposition and re-raising is the
    // usual way to die of the signal after cleaning up.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

fn install_restore_handlers() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        // SAFETY: the handler only makes async-signal-safe calls.
        unsafe {
            let _ = signal(sig, SigHandler::Handler(restore_and_die));
        }
    }
}
