//! Generators as state machines: the reference solution. The statement is in
//! `chapters/09-coroutines/src/generator.rs`.

/// The Fibonacci numbers `0, 1, 1, 2, 3, 5, ...`, one per call to `next`,
/// ending with the last one that fits in a `u64`.
#[derive(Debug, Clone)]
pub struct Fibonacci {
    // The two numbers a Python generator would keep in its local variables
    // between two `yield`s; `None` once the next one no longer fits.
    current: Option<u64>,
    next: Option<u64>,
}

impl Fibonacci {
    /// A generator paused before its first `yield`.
    pub fn new() -> Self {
        Fibonacci {
            current: Some(0),
            next: Some(1),
        }
    }
}

impl Default for Fibonacci {
    fn default() -> Self {
        Self::new()
    }
}

impl Iterator for Fibonacci {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let out = self.current?;
        // Overflow ends the sequence instead of wrapping: the state moves to
        // "finished" (`current == None`) one step later.
        let after = self.next.and_then(|next| out.checked_add(next));
        self.current = self.next;
        self.next = after;
        Some(out)
    }
}

/// One token of the little language [`Tokens`] reads.
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
    // Everything not scanned yet: the whole state of the paused generator.
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    /// A tokenizer over `input`, nothing scanned yet.
    pub fn new(input: &'a str) -> Self {
        Tokens { rest: input }
    }

    /// The input not scanned yet.
    pub fn rest(&self) -> &'a str {
        self.rest
    }

    /// Splits off the longest prefix of `self.rest` whose characters all
    /// satisfy `keep`.
    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let end = self.rest.find(|c| !keep(c)).unwrap_or(self.rest.len());
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        self.rest = self.rest.trim_start();
        let first = self.rest.chars().next()?;
        let token = if first.is_alphabetic() || first == '_' {
            Token::Word(self.take_while(|c| c.is_alphanumeric() || c == '_'))
        } else if first.is_ascii_digit() {
            Token::Number(self.take_while(|c| c.is_ascii_digit()))
        } else {
            self.rest = &self.rest[first.len_utf8()..];
            Token::Symbol(first)
        };
        Some(token)
    }
}
