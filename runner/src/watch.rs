//! `cargo course watch`: re-check the current exercise on every save under
//! `chapters/`, move on when it passes; keys `h` (next hint), `l` (list),
//! `q` (quit).
//!
//! Every event (a save, a key, a finished check) arrives on one channel and
//! is handled by the one loop below, which alone owns the state and the
//! progress file. Saves are debounced (an editor's save is several file
//! events). A save during a check marks one more check as due: however many
//! saves come while a check runs, exactly one more check follows, and none
//! is ever dropped.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::commands::{self, CmdResult, Ctx, load_progress, save_progress};
use crate::course::{Course, Flavor};
use crate::driver;
use crate::results::Report;
use crate::term;

/// Quiet time after the last file event before a check starts.
const DEBOUNCE: Duration = Duration::from_millis(150);

enum Event {
    /// A file under `chapters/` changed, at this time.
    Saved(Instant),
    Key(char),
    /// A check ended; the time is when the save that started it happened.
    Checked(Result<Report, String>, Instant),
}

/// Tells the student a check started, nothing more: the verdict says the rest.
struct Silent;
impl driver::Progress for Silent {}

pub fn run(ctx: &Ctx) -> CmdResult {
    let mut progress = load_progress(ctx)?;
    let course = Arc::new(ctx.course.clone());
    let Some(first) = progress.next(&course) else {
        println!("{}", term::green("every exercise is done. Well done!"));
        return Ok(0);
    };
    let mut current = first.id.clone();
    let (tx, rx) = mpsc::channel::<Event>();

    let watched = course.root.join("chapters");
    let fs_tx = tx.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(event) = res
            && is_a_save(&event)
        {
            let _ = fs_tx.send(Event::Saved(Instant::now()));
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    watcher
        .watch(&watched, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", watched.display()))?;

    // Raw keys on a terminal (restored on drop and on signals), lines otherwise.
    let _raw = if term::stdin_is_tty() {
        term::RawMode::enter().ok()
    } else {
        None
    };
    spawn_keys(tx.clone(), _raw.is_some());

    println!(
        "{} watching chapters/ — keys: h hint, l list, q quit",
        term::bold("forklings watch:")
    );
    let jobs = ctx.jobs;
    let start_check = |exercise: &str, since: Instant| {
        print_banner(&course, exercise);
        let course = Arc::clone(&course);
        let exercise = exercise.to_string();
        let tx = tx.clone();
        thread::spawn(move || {
            let ex = course
                .exercise(&exercise)
                .expect("an exercise of the course");
            let result = driver::run(&course, &[ex], Flavor::Skeleton, jobs, &Silent)
                .map_err(|e| format!("could not run cargo: {e}"));
            let _ = tx.send(Event::Checked(result, since));
        });
    };

    let mut running = true;
    start_check(&current, Instant::now());
    // The first save not yet checked, and when the debounce ends.
    let mut due: Option<Instant> = None;
    let mut quiet_until: Option<Instant> = None;
    loop {
        let event = match quiet_until {
            Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            },
            None => match rx.recv() {
                Ok(event) => Some(event),
                Err(_) => break,
            },
        };
        match event {
            Some(Event::Saved(at)) => {
                due.get_or_insert(at);
                if !running {
                    quiet_until = Some(Instant::now() + DEBOUNCE);
                }
            }
            Some(Event::Key('q')) => break,
            Some(Event::Key('h')) => show_hint(ctx, &mut progress, &current)?,
            Some(Event::Key('l')) => {
                commands::list::print_list(ctx, &progress);
                println!();
            }
            Some(Event::Key(_)) => {}
            Some(Event::Checked(result, since)) => {
                running = false;
                let report = match result {
                    Ok(report) => report,
                    Err(e) => {
                        println!("{}", term::red(&e));
                        continue;
                    }
                };
                progress.record(&report);
                save_progress(ctx, &progress)?;
                let mut out = std::io::stdout().lock();
                let _ = commands::check::print_report(&report, &mut out);
                let _ = writeln!(
                    out,
                    "{}",
                    term::dim(&format!(
                        "checked in {:.2} s (save → verdict)",
                        since.elapsed().as_secs_f64()
                    ))
                );
                drop(out);
                if report.exercises().all(|e| e.done) {
                    match progress.next(&course) {
                        Some(next) => {
                            println!(
                                "\n{} on to {}",
                                term::green("passed!"),
                                term::bold(&next.id)
                            );
                            current = next.id.clone();
                            // Show the new exercise's state at once.
                            due.get_or_insert(Instant::now());
                        }
                        None => {
                            println!("\n{}", term::green("every exercise is done. Well done!"));
                            break;
                        }
                    }
                }
                if due.is_some() {
                    quiet_until = Some(Instant::now() + DEBOUNCE);
                }
            }
            None => {
                // The debounce ended.
                quiet_until = None;
                if let Some(since) = due.take() {
                    running = true;
                    start_check(&current, since);
                }
            }
        }
    }
    drop(watcher);
    println!("bye");
    Ok(0)
}

/// A change to a source or manifest file (not an editor's swap file, not a
/// build output).
fn is_a_save(event: &notify::Event) -> bool {
    if !matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) {
        return false;
    }
    event.paths.iter().any(|p| is_source(p))
}

fn is_source(path: &Path) -> bool {
    let hidden_or_built = path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "target" || c.starts_with('.')
    });
    let ext = path.extension().and_then(|e| e.to_str());
    !hidden_or_built && matches!(ext, Some("rs" | "toml"))
}

fn spawn_keys(tx: Sender<Event>, raw: bool) {
    thread::spawn(move || {
        let stdin = std::io::stdin();
        if raw {
            let mut byte = [0u8; 1];
            let mut lock = stdin.lock();
            while let Ok(1) = lock.read(&mut byte) {
                let key = match byte[0] {
                    // Ctrl-C and Ctrl-D: ISIG is off in raw mode.
                    3 | 4 => 'q',
                    b => (b as char).to_ascii_lowercase(),
                };
                if tx.send(Event::Key(key)).is_err() {
                    break;
                }
            }
        } else {
            // Not a terminal: one key per line. At end of input the watch
            // goes on (stdin may be /dev/null); Ctrl-C ends it.
            for line in stdin.lock().lines().map_while(Result::ok) {
                if let Some(key) = line.trim().chars().next()
                    && tx.send(Event::Key(key.to_ascii_lowercase())).is_err()
                {
                    break;
                }
            }
        }
    });
}

fn print_banner(course: &Course, exercise: &str) {
    if let Some(ex) = course.exercise(exercise) {
        println!(
            "\n{}",
            term::dim(&format!(
                "checking {} ({}) ...",
                ex.id,
                ex.skeleton_file().display()
            ))
        );
    }
}

fn show_hint(
    ctx: &Ctx,
    progress: &mut crate::progress::Progress,
    exercise: &str,
) -> Result<(), String> {
    let ex = commands::find_exercise(ctx, exercise)?;
    if ex.hints.is_empty() {
        println!("{} has no hints", ex.id);
        return Ok(());
    }
    // Each press shows the next hint; after the last, the first again.
    let seen = progress.hints_seen.get(&ex.id).copied().unwrap_or(0);
    let i = seen % ex.hints.len();
    println!(
        "{} {}",
        term::bold(&format!("hint {}/{}:", i + 1, ex.hints.len())),
        ex.hints[i]
    );
    progress.hints_seen.insert(ex.id.clone(), seen + 1);
    save_progress(ctx, progress)
}
