//! Making an order of events likely enough to test, with the scheduler.
//!
//! Some wrong answers show only when a thread that is woken runs after the
//! thread that woke it has gone on (a second `put` before the first getter
//! looks, say). A lower priority alone does not make that so: with a second
//! core idle, the woken thread runs there at once. Threads pinned to one
//! CPU run one at a time, and a `SCHED_IDLE` thread runs only when nothing
//! else on that CPU wants to.

/// Keeps the calling thread on one CPU, the first this thread may use, so
/// that every thread pinned here takes turns with the others. Call it on a
/// thread of the test's own, never on the test's thread, which libtest may
/// run the next test on.
pub fn pin_to_one_cpu() {
    // SAFETY: a cpu_set_t is plain bits and zeroed is the empty set;
    // sched_getaffinity and sched_setaffinity read and write the calling
    // thread's mask (pid 0) through a pointer to a set of the size passed.
    unsafe {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, size, &raw mut set) != 0 {
            return;
        }
        let Some(first) = (0..libc::CPU_SETSIZE as usize).find(|&cpu| libc::CPU_ISSET(cpu, &set))
        else {
            return;
        };
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(first, &mut one);
        libc::sched_setaffinity(0, size, &raw const one);
    }
}

/// Pins the calling thread like `pin_to_one_cpu` and puts it last in line
/// there: a thread it wakes, or that wakes it, on the same CPU runs first.
pub fn be_slow_to_wake() {
    pin_to_one_cpu();
    // SAFETY: sched_setscheduler and setpriority change the calling thread
    // (pid 0); lowering a thread's priority needs no right. If SCHED_IDLE
    // is refused, nice 19 remains.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        libc::sched_setscheduler(0, libc::SCHED_IDLE, &raw const param);
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

/// Pins the calling thread like `pin_to_one_cpu` and, where the kernel
/// allows it (root, or an `RLIMIT_RTPRIO` above 0), makes it a real-time
/// thread: on its CPU it then runs on until it blocks, and a thread it wakes
/// there waits for that. `be_slow_to_wake` alone does not promise this: on
/// kernels with the EEVDF scheduler a woken `SCHED_IDLE` thread may still
/// run at once. Where it is refused, nothing changes, so a test that relies
/// on the order repeats its round enough times to see it anyway.
pub fn go_first() {
    pin_to_one_cpu();
    // SAFETY: sched_setscheduler changes the calling thread (pid 0); it
    // fails with EPERM, and changes nothing, where real time is not allowed.
    unsafe {
        let param = libc::sched_param { sched_priority: 1 };
        libc::sched_setscheduler(0, libc::SCHED_FIFO, &raw const param);
    }
}

/// CPU time the calling thread has used so far (user and system). A thread
/// that sleeps while it waits uses next to none; one that spins uses all it
/// is given, even on a crowded machine a large share of the wait.
pub fn cpu_of_this_thread() -> std::time::Duration {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(std::time::Duration::from)
        .unwrap_or_default()
}
