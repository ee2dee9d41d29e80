//! Whether a type is `Send` or `Sync`, asked at run time.
//!
//! A static assertion (`fn needs_sync<T: Sync>() {}` called on the type)
//! would stop the whole chapter's tests from compiling when one answer
//! gets it wrong. These macros compile either way and give a `bool`: an
//! inherent method that exists only when the bound holds takes precedence
//! over a trait method of the same name that always exists, so the call
//! picks `true` exactly when the type has the trait.

macro_rules! is_send {
    ($t:ty) => {{
        #[allow(dead_code)]
        struct Probe<T: ?Sized>(std::marker::PhantomData<T>);
        #[allow(dead_code)]
        trait Otherwise {
            fn answer(&self) -> bool {
                false
            }
        }
        impl<T: ?Sized> Otherwise for Probe<T> {}
        #[allow(dead_code)]
        impl<T: ?Sized + Send> Probe<T> {
            fn answer(&self) -> bool {
                true
            }
        }
        Probe::<$t>(std::marker::PhantomData).answer()
    }};
}

macro_rules! is_sync {
    ($t:ty) => {{
        #[allow(dead_code)]
        struct Probe<T: ?Sized>(std::marker::PhantomData<T>);
        #[allow(dead_code)]
        trait Otherwise {
            fn answer(&self) -> bool {
                false
            }
        }
        impl<T: ?Sized> Otherwise for Probe<T> {}
        #[allow(dead_code)]
        impl<T: ?Sized + Sync> Probe<T> {
            fn answer(&self) -> bool {
                true
            }
        }
        Probe::<$t>(std::marker::PhantomData).answer()
    }};
}

pub(crate) use {is_send, is_sync};
