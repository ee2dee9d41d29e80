//! Whether a concrete type is `Send` or `Sync`, decided by the compiler and
//! checked when the test runs. A compile-time assertion would stop the whole
//! test binary from building on a wrong answer, and zero the chapter; a
//! probe fails one test and says why.
//!
//! Method resolution does the work: `(&Probe::<T>(..)).is_sync()` first
//! looks for a method whose receiver is exactly `&Probe<T>`, and finds the
//! `true` one when `T: Sync`; otherwise it takes one more auto-ref and finds
//! the `false` one on `&Probe<T>`. It only works on concrete types.

// Which of the traits a test binary ends up using depends on its probes.
#![allow(dead_code)]

use std::marker::PhantomData;

/// Carries a type to probe; `fn() -> T` keeps the probe itself free of
/// `T`'s auto traits.
pub struct Probe<T: ?Sized>(pub PhantomData<fn() -> T>);

pub trait SyncYes {
    fn is_sync(&self) -> bool {
        true
    }
}
impl<T: ?Sized + Sync> SyncYes for Probe<T> {}

pub trait SyncNo {
    fn is_sync(&self) -> bool {
        false
    }
}
impl<T: ?Sized> SyncNo for &Probe<T> {}

pub trait SendYes {
    fn is_send(&self) -> bool {
        true
    }
}
impl<T: ?Sized + Send> SendYes for Probe<T> {}

pub trait SendNo {
    fn is_send(&self) -> bool {
        false
    }
}
impl<T: ?Sized> SendNo for &Probe<T> {}

/// `is_sync!(Type)`: whether `Type` is `Sync`.
macro_rules! is_sync {
    ($t:ty) => {{
        #[allow(unused_imports)]
        use $crate::auto_traits::{SyncNo as _, SyncYes as _};
        (&$crate::auto_traits::Probe::<$t>(::std::marker::PhantomData)).is_sync()
    }};
}

/// `is_send!(Type)`: whether `Type` is `Send`.
macro_rules! is_send {
    ($t:ty) => {{
        #[allow(unused_imports)]
        use $crate::auto_traits::{SendNo as _, SendYes as _};
        (&$crate::auto_traits::Probe::<$t>(::std::marker::PhantomData)).is_send()
    }};
}

pub(crate) use {is_send, is_sync};
