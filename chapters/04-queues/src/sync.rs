//! Where the bounded queue's lock and condition variables come from: std's
//! in a normal build, loom's when the crate is built with the `loom`
//! feature. Loom's model checker (tests/04-queues/loom.rs) then runs a few
//! threads over the queue under every interleaving of their lock and
//! condition-variable steps, so a check made under one lock and acted on
//! under another, or a wake-up sent to the wrong waiter, is found every
//! time rather than when the scheduler happens to allow it. Given,
//! finished: take `Mutex`, `MutexGuard` and `Condvar` from here, not from
//! std.

#[cfg(not(feature = "loom"))]
pub use std::sync::{Condvar, Mutex, MutexGuard, WaitTimeoutResult};

#[cfg(feature = "loom")]
pub use loom::sync::{Mutex, MutexGuard};

#[cfg(feature = "loom")]
pub use self::model::{Condvar, WaitTimeoutResult};

#[cfg(feature = "loom")]
mod model {
    use std::sync::{LockResult, PoisonError};
    use std::time::Duration;

    use loom::sync::MutexGuard;

    /// Whether a timed wait timed out: under the model, never.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct WaitTimeoutResult(bool);

    impl WaitTimeoutResult {
        pub fn timed_out(&self) -> bool {
            self.0
        }
    }

    /// Loom's condition variable with the rest of std's surface
    /// (`wait_while`, `wait_timeout_while`), so any way of waiting that std
    /// allows runs under the model too. Loom never times a wait out and
    /// never wakes one for nothing: the model checks who is woken, and the
    /// other tests check the timeouts.
    #[derive(Debug, Default)]
    pub struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub fn new() -> Self {
            Self(loom::sync::Condvar::new())
        }

        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
            self.0.wait(guard)
        }

        pub fn wait_timeout<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            timeout: Duration,
        ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
            let _ = timeout;
            match self.0.wait(guard) {
                Ok(guard) => Ok((guard, WaitTimeoutResult(false))),
                Err(poisoned) => Err(PoisonError::new((
                    poisoned.into_inner(),
                    WaitTimeoutResult(false),
                ))),
            }
        }

        pub fn wait_while<'a, T, F>(
            &self,
            mut guard: MutexGuard<'a, T>,
            mut condition: F,
        ) -> LockResult<MutexGuard<'a, T>>
        where
            F: FnMut(&mut T) -> bool,
        {
            while condition(&mut *guard) {
                guard = self.0.wait(guard)?;
            }
            Ok(guard)
        }

        pub fn wait_timeout_while<'a, T, F>(
            &self,
            mut guard: MutexGuard<'a, T>,
            timeout: Duration,
            mut condition: F,
        ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
        where
            F: FnMut(&mut T) -> bool,
        {
            while condition(&mut *guard) {
                guard = self.wait_timeout(guard, timeout)?.0;
            }
            Ok((guard, WaitTimeoutResult(false)))
        }

        pub fn notify_one(&self) {
            self.0.notify_one();
        }

        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}
