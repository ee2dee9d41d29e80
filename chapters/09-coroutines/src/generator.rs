//! # Exercise: generators as state machines
//!
//! A Python generator pauses at each `yield` and carries on from there when
//! asked for the next value. Its local variables survive the pause:
//!
//! ```python
//! def fibonacci():
//!     a, b = 0, 1
//!     while True:
//!         yield a
//!         a, b = b, a + b
//!
//! def tokens(text):
//!     i = 0
//!     while i < len(text):
//!         ...                  # skip blanks, find where the token ends
//!         yield text[start:i]
//! ```
//!
//! Rust has no `yield` in stable code, but a generator is nothing more than
//! a struct holding those local variables plus an `Iterator::next` that runs
//! from one `yield` to the next. Writing it by hand shows what the compiler
//! does for every `async fn`: turns the function into a state machine.
//!
//! - [`Fibonacci`] yields `0, 1, 1, 2, 3, 5, ...` and ends after the last
//!   number that fits in a `u64` (`F(93)`), rather than overflowing. Once it
//!   has ended it keeps returning `None`.
//! - [`Tokens`] splits text into [`Token`]s one at a time: it scans only as
//!   far as the token it returns, and [`Tokens::rest`] shows what it has not
//!   read yet. White space — any Unicode white space, as
//!   `char::is_whitespace` says, no-break space included — separates tokens
//!   and is skipped. A word starts with a letter (`char::is_alphabetic`:
//!   `é` and `Σ` too) or `_` and goes on with letters, digits and `_`; a
//!   number is ASCII digits `0`-`9` (`²` and `٣` are not); any other
//!   character is a symbol on its own, however many bytes it takes (`→`).
//!
//! The tests check the numbers and the end of `Fibonacci` (and that it does
//! not start over), that `Tokens` does not read ahead (`rest()` after each
//! token), text in several scripts, and random inputs of words, numbers and
//! symbols separated by blanks.
//!
//! Stuck? `cargo course hint generator`.

/// The Fibonacci numbers `0, 1, 1, 2, 3, 5, ...`, one per call to `next`,
/// ending with the last one that fits in a `u64`.
#[derive(Debug, Clone)]
pub struct Fibonacci {
    // Your fields: what the Python generator keeps between two `yield`s.
}

impl Fibonacci {
    /// A generator paused before its first `yield`.
    pub fn new() -> Self {
        todo!()
    }
}

impl Default for Fibonacci {
    fn default() -> Self {
        Self::new()
    }
}

impl Iterator for Fibonacci {
    type Item = u64;

    /// Runs to the next `yield`: returns the current number and moves on,
    /// or `None` once the next number would not fit in a `u64`.
    fn next(&mut self) -> Option<u64> {
        todo!()
    }
}

/// One token of the little language [`Tokens`] reads. Words and numbers
/// borrow their text from the input: nothing is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A letter or `_`, then letters, digits and `_`: `total`, `x_1`.
    Word(&'a str),
    /// ASCII digits: `42`.
    Number(&'a str),
    /// Any other character that is not white space: `=`, `(`, `;`.
    Symbol(char),
}

/// A tokenizer that scans its input only as far as the token it returns.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    // Your fields. One is enough.
    input: &'a str,
}

impl<'a> Tokens<'a> {
    /// A tokenizer over `input`, nothing scanned yet.
    pub fn new(input: &'a str) -> Self {
        todo!()
    }

    /// The input not scanned yet: all of it before the first `next`, and
    /// what follows the last token returned after that.
    pub fn rest(&self) -> &'a str {
        todo!()
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    /// Skips white space, then scans exactly one token.
    fn next(&mut self) -> Option<Token<'a>> {
        todo!()
    }
}
