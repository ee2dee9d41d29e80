//! Not an exercise: what a thread or a process cost while it waited, to see
//! that code which waits does not spin; and a count of threads, to see that
//! it waits without a thread per waiter.
//!
//! A thread that spins shows in one of two ways. On an idle machine it gets
//! a core and its CPU time grows with the wall time. On a busy one it gets
//! little CPU time, but the kernel has to take the core away from it again
//! and again (involuntary context switches), where a thread that blocks
//! gives the core up itself.

use std::mem::MaybeUninit;
use std::ops::Sub;
use std::time::Duration;

/// CPU time used, and how often the kernel took the core away.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub cpu: Duration,
    pub preempted: i64,
}

impl Sub for Usage {
    type Output = Usage;
    fn sub(self, earlier: Usage) -> Usage {
        Usage {
            cpu: self.cpu.saturating_sub(earlier.cpu),
            preempted: self.preempted - earlier.preempted,
        }
    }
}

impl Usage {
    /// True if this much use over `wall` of waiting means something spun:
    /// a quarter of the time on a CPU, or pushed off one ten times or more.
    pub fn spun_during(&self, wall: Duration) -> bool {
        self.cpu > wall / 4 || self.preempted >= 10
    }
}

fn usage(who: libc::c_int) -> Usage {
    let mut usage = MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage writes a whole rusage into the pointer it is given.
    let failed = unsafe { libc::getrusage(who, usage.as_mut_ptr()) };
    assert_eq!(failed, 0, "getrusage failed");
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Usage {
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        preempted: usage.ru_nivcsw,
    }
}

/// What the calling thread has used so far.
pub fn this_thread() -> Usage {
    usage(libc::RUSAGE_THREAD)
}

/// What every thread of this process has used so far.
pub fn this_process() -> Usage {
    usage(libc::RUSAGE_SELF)
}

/// The threads of this process now.
pub fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("read /proc/self/task")
        .count()
}
