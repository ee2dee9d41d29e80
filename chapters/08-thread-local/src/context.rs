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
//!     print(f"Hello, {name} (in {threading.current_thread().name})")
//!
//! def lesson(name):
//!     context.student = name
//!     homework()                   # ... which calls greet() eventually
//!
//! threading.Thread(target=lesson, args=("Alice",), name="Thread-A").start()
//! ```
//!
//! Build the same with `thread_local!`:
//!
//! - [`set_student`] and [`student`] write and read this thread's student;
//!   a thread that never set one reads `None`.
//! - [`greet`] returns `Hello, NAME (in THREAD)`: the student (or
//!   `stranger`), and the name of the current thread (or `<unnamed>`).
//! - [`run_class`] starts one thread per `(student, thread name)`, named as
//!   given; each sets its student, then calls a chain of at least two
//!   functions of yours that ends in [`greet`] — none of them takes the
//!   name as a parameter. It returns the greetings in the order given.
//!
//! The tests snapshot the sorted greetings of a class of four; check that
//! four threads which all set their student before any reads it back each
//! read their own; that a new thread has no student; and that setting again
//! replaces the name.
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
/// its student and greets from deep in a call chain; returns the greetings
/// in the order given.
pub fn run_class(class: &[(&str, &str)]) -> Vec<String> {
    todo!()
}
