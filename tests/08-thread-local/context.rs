use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use forklings_support::{snapshot_settings, within};
use thread_locals::context::{greet, run_class, set_student, student};

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn each_thread_greets_its_own_student() {
    let mut lines = within(LIMIT, "run_class", || {
        run_class(&[
            ("Alice", "Thread-A"),
            ("Bob", "Thread-B"),
            ("Carol", "Thread-C"),
            ("Dave", "Thread-D"),
        ])
    });
    lines.sort();
    snapshot_settings().bind(|| insta::assert_snapshot!("class", lines.join("\n")));
}

#[test]
fn threads_that_set_at_once_keep_their_own() {
    let seen = within(LIMIT, "four threads setting their student", || {
        let all_set = Arc::new(Barrier::new(4));
        let threads: Vec<_> = ["Alice", "Bob", "Carol", "Dave"]
            .into_iter()
            .map(|name| {
                let all_set = Arc::clone(&all_set);
                thread::spawn(move || {
                    set_student(name);
                    // Every thread has set its name before any reads back.
                    all_set.wait();
                    (name, student())
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a thread panicked"))
            .collect::<Vec<_>>()
    });
    for (name, read) in seen {
        assert_eq!(
            read.as_deref(),
            Some(name),
            "{name}'s thread read another thread's student"
        );
    }
}

#[test]
fn a_new_thread_has_no_student_yet() {
    let (here, there, greeting) = within(LIMIT, "student() in a new thread", || {
        set_student("Erin");
        let (there, greeting) = thread::spawn(|| (student(), greet()))
            .join()
            .expect("the new thread panicked");
        (student(), there, greeting)
    });
    assert_eq!(here.as_deref(), Some("Erin"));
    assert_eq!(
        there, None,
        "the new thread must not see the name set on another"
    );
    assert_eq!(greeting, "Hello, stranger (in <unnamed>)");
}

#[test]
fn setting_again_replaces_the_student() {
    let greeting = within(LIMIT, "set_student twice", || {
        thread::Builder::new()
            .name("Thread-F".into())
            .spawn(|| {
                set_student("Fay");
                set_student("Finn");
                greet()
            })
            .expect("a thread starts")
            .join()
            .expect("the thread panicked")
    });
    assert_eq!(greeting, "Hello, Finn (in Thread-F)");
}
