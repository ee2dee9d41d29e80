//! Every page of the book, as doc comments: `cargo test -p forklings-book-check`
//! compiles each Rust snippet in it. Snippets that must not run (they fork a
//! daemon, or wait forever on purpose) are marked `no_run`; they still compile.

include!(concat!(env!("OUT_DIR"), "/pages.rs"));
