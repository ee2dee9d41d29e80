//! # Exercise: the per-thread context
//!
//! Python's `threading.local()` gives each thread its own attributes under
//! one shared name. A thread stores who it works for, and a function deep
//! down the call chain reads it back without anyone passing it along:
//!
//! ```python
//! context = threading.local()
//!
//! def greet():
//!     name = getattr(context, "student", "stranger")
//!     return f"Hello, {name} (in {threading.current_thread().name})"
//!
//! def attend(name, lesson):
//!     context.student = name
//!     lesson()                     # homework() ... calls greet() eventually
//!
//! threading.Thread(target=attend, args=("Alice", homework), name="Thread-A").start()
//! ```
//!
//! Build the same with `thread_local!`:
//!
//! - [`set_student`] and [`student`] write and read this thread's student;
//!   a thread that never set one reads `None`.
//! - [`greet`] returns `Hello, NAME (in THREAD)`: the student (or
//!   `stranger`), and the name of the current thread (or `<unnamed>`).
//! - [`run_class`] starts one thread per `(student, thread name)`, named as
//!   given, all of them before it joins any. Each sets its student, then
//!   runs `lesson`: a function that takes no argument, like Python's
//!   `target=`, and still greets the right student from a few calls down
//!   (the tests pass one that ends in [`greet`]). It returns what each
//!   lesson returned, in the order given — not the order the threads
//!   finish in.
//!
//! The tests check the greetings of a class of four in the order given;
//! that the whole class runs at once and comes back in order although the
//! threads finish last-first; that four threads which all set their
//! student before any reads it back each read their own; that a new thread
//! has no student; and that setting again replaces the name.
//!
//! Stuck? `cargo course hint context`.

/// Sets this thread's student; other threads do not see it.
pub fn set_student(name: &str) {
    todo!()
}

/// This thread's student, if one was set on this thread.
pub fn student() -> Option<String> {
    todo!()
}

/// `Hello, NAME (in THREAD)`, read from this thread's context: `stranger`
/// when no student was set, `<unnamed>` for a thread without a name.
pub fn greet() -> String {
    todo!()
}

/// Runs each `(student, thread name)` on a thread of that name, which sets
/// its student and then runs `lesson`; returns what each lesson returned,
/// in the order given.
pub fn run_class(class: &[(&str, &str)], lesson: fn() -> String) -> Vec<String> {
    todo!()
}
