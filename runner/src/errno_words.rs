//! What an errno in a failure means for the code under test. A test that
//! fails on `Err(ECHILD)` says which call returned it; this says what the
//! kernel meant, and the usual mistake behind it, so that "ECHILD" does not
//! read as "fork failed".

/// (name, meaning and the usual cause) for the errors the course's
/// system calls return when the code around them is wrong.
const WORDS: &[(&str, &str)] = &[
    (
        "ECHILD",
        "no child of this process to wait for: it was reaped already (a second waitpid on the same PID, or a wait for any child that took it), or it is not this process's child",
    ),
    (
        "ESRCH",
        "no such process: it has ended and been reaped (a signal sent to a PID after its wait)",
    ),
    (
        "EBADF",
        "not an open file descriptor: it was closed already (closed twice, or used after its owner was dropped)",
    ),
    (
        "EPIPE",
        "a write to a pipe or socket whose every read end is closed: the reader is gone",
    ),
    (
        "EAGAIN",
        "the call would block on a non-blocking descriptor (or a resource is short for now): wait until it is ready and try again",
    ),
    (
        "EINTR",
        "a signal interrupted the call before it finished: call it again",
    ),
    (
        "EMFILE",
        "this process has too many descriptors open: some are never closed",
    ),
    (
        "EDEADLK",
        "the lock or wait would deadlock: this thread or process already holds what it waits for",
    ),
    (
        "EADDRINUSE",
        "the address is taken: a socket (or socket file) of an earlier run is still bound to it",
    ),
    (
        "ECONNREFUSED",
        "nobody listens at that address (yet, or any more)",
    ),
    ("ENOENT", "no such file or folder"),
];

/// One line per errno named in `words` (as a whole word), in `WORDS`'s order.
pub fn explain(words: &str) -> String {
    let mut out = String::new();
    for (name, meaning) in WORDS {
        if names(words, name) {
            out.push_str(&format!("\n({name}: {meaning})"));
        }
    }
    out
}

fn names(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let part_of_a_word =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !part_of_a_word(before) && !part_of_a_word(after)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_errno_is_explained_once_and_only_as_a_word() {
        let words = "failed: run_in_child returned an error: ECHILD: No child processes";
        let added = super::explain(words);
        assert!(
            added.starts_with("\n(ECHILD: no child of this process to wait for"),
            "{added}"
        );
        assert_eq!(added.matches("ECHILD").count(), 1);
        assert_eq!(super::explain("ECHILDREN and NOEPIPE"), "");
    }
}
