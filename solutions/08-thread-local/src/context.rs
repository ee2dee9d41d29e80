//! The per-thread context: the reference solution. The statement is in
//! `chapters/08-thread-local/src/context.rs`.

use std::cell::RefCell;
use std::thread;

thread_local! {
    // Each thread gets its own `None` the first time it looks.
    static STUDENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Sets this thread's student; other threads do not see it.
pub fn set_student(name: &str) {
    STUDENT.set(Some(name.to_string()));
}

/// This thread's student, if one was set on this thread.
pub fn student() -> Option<String> {
    STUDENT.with_borrow(Clone::clone)
}

/// `Hello, NAME (in THREAD)`, read from this thread's context.
pub fn greet() -> String {
    let name = student().unwrap_or_else(|| "stranger".to_string());
    let current = thread::current();
    let thread = current.name().unwrap_or("<unnamed>");
    format!("Hello, {name} (in {thread})")
}

/// Runs each `(student, thread name)` on a thread of that name, which sets
/// its student and then runs `lesson`; returns what each lesson returned,
/// in the order given.
pub fn run_class(class: &[(&str, &str)], lesson: fn() -> String) -> Vec<String> {
    // Every thread starts before any is joined: the class runs at once.
    let threads: Vec<_> = class
        .iter()
        .map(|&(name, thread_name)| {
            let name = name.to_string();
            thread::Builder::new()
                .name(thread_name.to_string())
                .spawn(move || {
                    set_student(&name);
                    lesson()
                })
                .expect("a thread starts")
        })
        .collect();
    // Joined in the order given, whatever order they finish in.
    threads
        .into_iter()
        .map(|t| t.join().expect("a class thread panicked"))
        .collect()
}
