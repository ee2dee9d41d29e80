use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::{snapshot_settings, within};
use thread_locals::context::{greet, run_class, set_student, student};

const LIMIT: Duration = Duration::from_secs(5);

/// A lesson three calls deep: nobody passes the student along.
fn homework() -> String {
    exercise()
}

fn exercise() -> String {
    greet()
}

#[test]
fn each_thread_greets_its_own_student() {
    let lines = within(LIMIT, "run_class", || {
        // Not in alphabetical order: the answers come back in this order.
        run_class(
            &[
                ("Dave", "Thread-D"),
                ("Alice", "Thread-A"),
                ("Carol", "Thread-C"),
                ("Bob", "Thread-B"),
            ],
            homework,
        )
    });
    snapshot_settings().bind(|| insta::assert_snapshot!("class", lines.join("\n")));
}

/// The students of [`a_lesson_that_needs_the_whole_class`], in the order
/// given to `run_class`.
const CLASS: [&str; 4] = ["Ann", "Ben", "Cid", "Dot"];
/// How long a lesson waits for the rest of the class to be there.
const ROLL_CALL: Duration = Duration::from_secs(3);

/// How many of the class have arrived, and whose turn it is to finish.
static ROOM: Mutex<(usize, usize)> = Mutex::new((0, CLASS.len()));
static ROOM_CHANGED: Condvar = Condvar::new();

/// Waits until the whole class is in the room, then lets the students
/// leave last-first: the threads end in the reverse of the order given.
fn a_lesson_that_needs_the_whole_class() -> String {
    let me = student().unwrap_or_default();
    let Some(place) = CLASS.iter().position(|&s| s == me) else {
        return format!("{me:?} is not in the class");
    };
    let deadline = Instant::now() + ROLL_CALL;
    let mut room = ROOM.lock().unwrap();
    room.0 += 1;
    ROOM_CHANGED.notify_all();
    while room.0 < CLASS.len() || room.1 != place + 1 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            room.1 -= 1;
            ROOM_CHANGED.notify_all();
            return format!(
                "{me} waited {ROLL_CALL:?} and only {} of the class came",
                room.0
            );
        }
        room = ROOM_CHANGED.wait_timeout(room, left).unwrap().0;
    }
    room.1 -= 1;
    ROOM_CHANGED.notify_all();
    drop(room);
    format!(
        "{}; out {} of {}",
        homework(),
        CLASS.len() - place,
        CLASS.len()
    )
}

#[test]
fn the_class_runs_at_once_and_answers_in_the_order_given() {
    let lines = within(
        Duration::from_secs(20),
        "run_class with a lesson that needs the whole class",
        || {
            let class: Vec<(&str, &str)> = CLASS.iter().map(|&s| (s, s)).collect();
            run_class(&class, a_lesson_that_needs_the_whole_class)
        },
    );
    let expected: Vec<String> = CLASS
        .iter()
        .enumerate()
        .map(|(i, s)| format!("Hello, {s} (in {s}); out {} of 4", CLASS.len() - i))
        .collect();
    assert_eq!(
        lines, expected,
        "every thread runs at once, they finish last-first, and the answers come back in the order given"
    );
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
