//! Not an exercise: the test binary's global allocator, which counts each
//! thread's allocations and stops a forked child that allocates.
//!
//! After `fork` in a threaded program the child may call only
//! async-signal-safe functions, and `malloc` is not one. A child handler
//! registered with `pthread_atfork` marks the child; from then on any
//! allocation in it ends it at once with [`CHILD_ALLOCATED`], before it can
//! report anything.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit code of a forked child stopped for allocating.
pub const CHILD_ALLOCATED: i32 = 97;

struct CountingAllocator;

thread_local! {
    // const, without a destructor: safe to touch from inside the allocator.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Set in a child of `fork`, by the handler `trap_forked_children` installs.
static IN_FORKED_CHILD: AtomicBool = AtomicBool::new(false);

fn note_allocation() {
    if IN_FORKED_CHILD.load(Ordering::Relaxed) {
        // SAFETY: _exit is async-signal-safe and never returns.
        unsafe { libc::_exit(CHILD_ALLOCATED) }
    }
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

/// How many allocations this thread has made so far.
pub fn allocations() -> u64 {
    ALLOCATIONS.get()
}

extern "C" fn mark_forked_child() {
    IN_FORKED_CHILD.store(true, Ordering::Relaxed);
}

/// From now on, a child forked by this process that allocates is ended with
/// [`CHILD_ALLOCATED`].
pub fn trap_forked_children() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // SAFETY: registers a handler that only stores to an atomic, which
        // is async-signal-safe.
        let failed = unsafe { libc::pthread_atfork(None, None, Some(mark_forked_child)) };
        assert_eq!(failed, 0, "pthread_atfork failed");
    });
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: CountingAllocator = CountingAllocator;
