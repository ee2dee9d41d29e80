//! Where the chapter's atomics come from: std's in a normal build, loom's
//! when the crate is built with the `loom` feature. Loom's model checker
//! (tests/06-locks/loom.rs) then runs the spin lock under every
//! interleaving and every reordering its orderings allow, and sees a
//! `Relaxed` that x86 would hide. Given, finished: take `AtomicBool`,
//! `Ordering`, `spin_loop` and `yield_now` from here, not from std.

#[cfg(not(feature = "loom"))]
pub mod atomic {
    pub use std::sync::atomic::{AtomicBool, Ordering};
}

#[cfg(feature = "loom")]
pub mod atomic {
    pub use loom::sync::atomic::{AtomicBool, Ordering};
}

#[cfg(not(feature = "loom"))]
pub mod hint {
    pub use std::hint::spin_loop;
}

// Loom runs one thread at a time: a thread that spins must tell it so, or
// the model would spin for ever.
#[cfg(feature = "loom")]
pub mod hint {
    pub use loom::hint::spin_loop;
}

#[cfg(not(feature = "loom"))]
pub mod thread {
    pub use std::thread::yield_now;
}

#[cfg(feature = "loom")]
pub mod thread {
    pub use loom::thread::yield_now;
}
