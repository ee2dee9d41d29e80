//! Not an exercise: CPU time and thread counts, to see that code which
//! waits does not spin, and that it waits without a thread per waiter.

use std::mem::MaybeUninit;
use std::time::Duration;

fn clock(id: libc::clockid_t) -> Duration {
    let mut now = MaybeUninit::<libc::timespec>::uninit();
    // SAFETY: clock_gettime writes a timespec into the pointer it is given.
    let failed = unsafe { libc::clock_gettime(id, now.as_mut_ptr()) };
    assert_eq!(failed, 0, "clock_gettime failed");
    // SAFETY: initialised by the successful call above.
    let now = unsafe { now.assume_init() };
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// CPU time the calling thread has used so far.
pub fn this_thread() -> Duration {
    clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time every thread of this process has used so far.
pub fn this_process() -> Duration {
    clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// The threads of this process now.
pub fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("read /proc/self/task")
        .count()
}
