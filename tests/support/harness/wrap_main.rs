//! The course's harness around a graded test binary's `main`, linked into
//! every `graded` test target by `build.rs` beside it (`-Wl,--wrap=main`:
//! the C runtime calls `__wrap_main`, which calls the real `main`, libtest's).
//!
//! Why: a test's pass must reach the runner by a channel that nothing the
//! student's code prints can imitate. Under the runner's supervisor the
//! environment names two descriptors, `FORKLINGS_HARNESS=SECRET_FD,REPORT_FD`:
//!
//! 1. before `main` runs (so before any test or student code), the secret is
//!    read from SECRET_FD and that descriptor closed; the variable is removed
//!    (it holds only descriptor numbers, never the secret);
//! 2. `ready` is written on REPORT_FD (which is marked close-on-exec), so the
//!    runner can tell a binary without this harness from one that failed;
//! 3. libtest's `main` *returns* only when every selected test passed (a
//!    failure exits with 101 from inside it, and a student's `exit(0)` never
//!    comes back here); if it returned 0 in the very process that started
//!    (not a forked child that ran on through the harness), `pass SECRET` is
//!    written on REPORT_FD.
//!
//! Without the variable (`cargo test`, nextest) this only calls `main`.
//! Compiled on its own by `build.rs` (`no_std`, no dependencies, no code
//! that can panic), so it links into any test binary, whatever it uses.

#![no_std]

use core::ffi::{c_char, c_int, c_void};

unsafe extern "C" {
    fn __real_main(argc: c_int, argv: *const *const c_char, envp: *const *const c_char) -> c_int;
    fn getenv(name: *const c_char) -> *const c_char;
    fn unsetenv(name: *const c_char) -> c_int;
    fn read(fd: c_int, buf: *mut c_void, count: usize) -> isize;
    fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    fn close(fd: c_int) -> c_int;
    fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    fn getpid() -> c_int;
}

const VARIABLE: &[u8] = b"FORKLINGS_HARNESS\0";
const F_SETFD: c_int = 2;
const FD_CLOEXEC: c_int = 1;
/// The longest secret read; the runner sends 32 hex digits.
const SECRET_MAX: usize = 64;

/// Parses `A,B` (two descriptor numbers).
///
/// # Safety
/// `text` is a NUL-terminated string.
unsafe fn two_fds(text: *const c_char) -> Option<(c_int, c_int)> {
    let mut fds = [0 as c_int; 2];
    let mut which = 0;
    let mut digits = 0;
    let mut at = text;
    loop {
        // SAFETY: `at` stays within the string: it stops at the NUL.
        let byte = unsafe { *at } as u8;
        match byte {
            b'0'..=b'9' if digits < 6 => {
                fds[which] = fds[which] * 10 + c_int::from(byte - b'0');
                digits += 1;
            }
            b',' if which == 0 && digits > 0 => {
                which = 1;
                digits = 0;
            }
            0 if which == 1 && digits > 0 => return Some((fds[0], fds[1])),
            _ => return None,
        }
        // SAFETY: the byte just read was not the NUL.
        at = unsafe { at.add(1) };
    }
}

/// Writes all of `bytes`, retrying short writes; errors are ignored (the
/// runner then sees no verdict: a fail).
///
/// # Safety
/// `fd` is a descriptor number (any: a closed one just fails).
unsafe fn write_all(fd: c_int, bytes: &[u8]) {
    let mut done = 0;
    while done < bytes.len() {
        // SAFETY: the pointer and length describe the rest of `bytes`.
        let n = unsafe { write(fd, bytes.as_ptr().add(done).cast(), bytes.len() - done) };
        if n <= 0 {
            return;
        }
        done += n as usize;
    }
}

/// # Safety
/// Called once, by the C runtime, as the program's `main`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_main(
    argc: c_int,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    // SAFETY: VARIABLE is NUL-terminated; getenv's result is a
    // NUL-terminated string or null, read before the environment changes.
    let fds = unsafe {
        let value = getenv(VARIABLE.as_ptr().cast());
        if value.is_null() { None } else { two_fds(value) }
    };
    let Some((secret_fd, report_fd)) = fds else {
        // SAFETY: the arguments are the C runtime's own, passed on.
        return unsafe { __real_main(argc, argv, envp) };
    };
    // "pass " + the secret + "\n", built now while nothing else runs.
    let mut message = [0u8; 5 + SECRET_MAX + 1];
    for (to, from) in message.iter_mut().zip(b"pass ") {
        *to = *from;
    }
    let mut len = 5;
    // SAFETY: plain calls on descriptor numbers and on a buffer of ours,
    // each read bounded by the room left in `message`.
    unsafe {
        unsetenv(VARIABLE.as_ptr().cast());
        while len < 5 + SECRET_MAX {
            let n = read(
                secret_fd,
                message.as_mut_ptr().add(len).cast(),
                5 + SECRET_MAX - len,
            );
            if n <= 0 {
                break;
            }
            len += n as usize;
        }
        close(secret_fd);
        fcntl(report_fd, F_SETFD, FD_CLOEXEC);
        write_all(report_fd, b"ready\n");
    }
    // Never out of bounds (`len` is at most 5 + SECRET_MAX); `get` keeps
    // any panic path, and so any dependency on core's, out of the object.
    if let Some(end) = message.get_mut(len) {
        *end = b'\n';
        len += 1;
    }
    // SAFETY: getpid has no preconditions.
    let started_as = unsafe { getpid() };
    // SAFETY: the arguments are the C runtime's own, passed on.
    let code = unsafe { __real_main(argc, argv, envp) };
    // SAFETY: as above.
    unsafe {
        if code == 0
            && getpid() == started_as
            && let Some(message) = message.get(..len)
        {
            write_all(report_fd, message);
        }
    }
    code
}
