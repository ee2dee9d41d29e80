//! `cargo course watch [EXERCISE]`: re-checks the exercise whose file was
//! saved, moves on when the one being worked on passes, and takes keys:
//! `h` the next hint, `l` the list (move with the arrows or `j`/`k`, Enter
//! picks), `c` the whole chapter, `r` reset, `s` the reference solution of
//! a passed exercise, `q` quit.
//!
//! Every event (a save, a key, a finished check) arrives on one channel and
//! is handled by the one loop below, which alone owns the state and the
//! progress file. Saves are debounced (an editor's save is several file
//! events). A check runs in a process of its own (`checker`): a save while
//! it runs cancels it, and one check of everything saved (and of what the
//! cancelled check was for) follows the debounce. None is ever dropped.

mod checker;
mod keys;

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

pub use checker::main as check_json_main;
use keys::Key;

use crate::commands::{self, CmdResult, Ctx, find_exercise, load_progress, save_progress};
use crate::course::{Course, Exercise};
use crate::progress::Progress;
use crate::results::Report;
use crate::term;

/// Quiet time after the last file event before a check starts.
const DEBOUNCE: Duration = Duration::from_millis(60);

enum Event {
    /// Files under `chapters/` changed, at this time.
    Saved(Instant, Vec<PathBuf>),
    Key(Key),
    Checked(checker::Finished),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The last verdict is on the screen.
    Verdict,
    /// The list, the cursor on one exercise (its index in course order).
    List(usize),
    /// `r` was pressed: a `y` resets the current exercise.
    ConfirmReset,
}

struct Watch<'c> {
    ctx: &'c Ctx,
    progress: Progress,
    /// The exercise being worked on.
    current: String,
    mode: Mode,
    /// The check under way, what it is for, and whether a save asked for
    /// it (a check that only shows the next exercise's state is not
    /// repeated when a save cancels it).
    running: Option<(checker::Running, Vec<String>, bool)>,
    /// Whether what is due was asked for by a save.
    due_by_save: bool,
    generation: u64,
    /// Exercises and chapters to check once the debounce ends, and the
    /// first save they wait for.
    due: Vec<String>,
    due_since: Option<Instant>,
    quiet_until: Option<Instant>,
    /// The last verdict's screen, drawn again after the list.
    screen: String,
    /// A line for the top of the next screen ("fork_wait passed").
    notice: Option<String>,
    events: mpsc::Sender<Event>,
}

pub fn run(ctx: &Ctx, start_on: Option<&str>) -> CmdResult {
    let mut progress = load_progress(ctx)?;
    let first = match start_on {
        Some(id) => {
            let ex = find_exercise(ctx, id)?;
            progress.current = Some(ex.id.clone());
            save_progress(ctx, &progress)?;
            ex
        }
        None => match progress
            .current
            .as_deref()
            .and_then(|id| ctx.course.exercise(id))
        {
            Some(ex) => ex,
            None => match progress.next(&ctx.course) {
                Some(ex) => ex,
                None => {
                    println!(
                        "{} (`cargo course watch EXERCISE` watches one of them again)",
                        term::green("every exercise is done. Well done!")
                    );
                    return Ok(0);
                }
            },
        },
    };
    let (tx, rx) = mpsc::channel::<Event>();
    let watched = ctx.course.root.join("chapters");
    let fs_tx = tx.clone();
    let chapters = watched.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(event) = res
            && is_a_save(&event, &chapters)
        {
            let _ = fs_tx.send(Event::Saved(Instant::now(), event.paths));
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    watcher
        .watch(&watched, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", watched.display()))?;

    // Raw keys on a terminal (restored on drop and on signals), lines otherwise.
    let raw = if term::stdin_is_tty() {
        term::RawMode::enter().ok()
    } else {
        None
    };
    keys::spawn(tx.clone(), raw.is_some(), Event::Key);

    let mut watch = Watch {
        ctx,
        progress,
        current: first.id.clone(),
        mode: Mode::Verdict,
        running: None,
        generation: 0,
        due: Vec::new(),
        due_by_save: false,
        due_since: None,
        quiet_until: None,
        screen: String::new(),
        notice: None,
        events: tx,
    };
    watch.ask(std::slice::from_ref(&first.id), Instant::now(), false);
    loop {
        let event = match watch.quiet_until {
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
        let go_on = match event {
            Some(Event::Saved(at, paths)) => {
                let targets = watch.targets_of(&paths);
                watch.ask(&targets, at, true);
                true
            }
            Some(Event::Key(key)) => watch.key(key)?,
            Some(Event::Checked(finished)) => watch.checked(finished)?,
            None => {
                watch.quiet_until = None;
                watch.start_due();
                true
            }
        };
        if !go_on {
            break;
        }
    }
    if let Some((running, _, _)) = watch.running.take() {
        running.cancel();
    }
    drop(watcher);
    drop(raw);
    println!("bye");
    Ok(0)
}

impl Watch<'_> {
    fn course(&self) -> &Course {
        &self.ctx.course
    }

    fn exercise(&self) -> &Exercise {
        self.course()
            .exercise(&self.current)
            .expect("the current exercise is one of the course's")
    }

    /// Asks for a check of `targets`: after the debounce when a save asked,
    /// at once otherwise. A check under way is cancelled, and what it was
    /// for is checked with the rest.
    fn ask(&mut self, targets: &[String], since: Instant, debounce: bool) {
        if let Some((running, was_for, by_save)) = self.running.take() {
            running.cancel();
            if by_save {
                for t in was_for {
                    if !self.due.contains(&t) {
                        self.due.push(t);
                    }
                }
                self.due_by_save = true;
            }
        }
        self.due_by_save |= debounce;
        for t in targets {
            if !self.due.contains(t) {
                self.due.push(t.clone());
            }
        }
        // The exercise last saved is the one worked on.
        if let Some(ex) = targets
            .iter()
            .rev()
            .find(|t| self.course().exercise(t).is_some())
        {
            self.current = ex.clone();
        }
        self.due_since.get_or_insert(since);
        self.quiet_until = Some(if debounce {
            Instant::now() + DEBOUNCE
        } else {
            Instant::now()
        });
    }

    fn start_due(&mut self) {
        if self.due.is_empty() || self.running.is_some() {
            return;
        }
        let targets = std::mem::take(&mut self.due);
        let by_save = std::mem::take(&mut self.due_by_save);
        let since = self.due_since.take().unwrap_or_else(Instant::now);
        self.generation += 1;
        let shown: Vec<String> = targets
            .iter()
            .map(|t| match self.course().exercise(t) {
                Some(ex) => format!("{} ({})", ex.id, ex.skeleton_file().display()),
                None => format!("chapter {t}"),
            })
            .collect();
        if self.mode == Mode::Verdict {
            println!(
                "\n{}",
                term::dim(&format!("checking {} ...", shown.join(", ")))
            );
        }
        let tx = self.events.clone();
        let running = checker::start(
            &self.course().root,
            self.ctx.jobs,
            &targets,
            self.generation,
            since,
            move |finished| {
                let _ = tx.send(Event::Checked(finished));
            },
        );
        self.running = Some((running, targets, by_save));
    }

    /// The exercises the changed files belong to: the module of an
    /// exercise (`src/EXERCISE.rs` or a file under `src/EXERCISE/`) is that
    /// exercise; any other file of a chapter (`lib.rs`, `Cargo.toml`) is the
    /// current exercise when it is in that chapter, else the chapter.
    fn targets_of(&self, paths: &[PathBuf]) -> Vec<String> {
        let mut found = Vec::new();
        for path in paths {
            let Some((chapter, module)) = place_of(&self.course().root, path) else {
                continue;
            };
            let Some(ch) = self.course().chapter(&chapter) else {
                continue;
            };
            let target = match module.and_then(|m| ch.exercises.iter().find(|e| e.id == m)) {
                Some(ex) => ex.id.clone(),
                None if self.exercise().chapter == ch.id => self.current.clone(),
                None => ch.id.clone(),
            };
            if !found.contains(&target) {
                found.push(target);
            }
        }
        found
    }

    fn checked(&mut self, finished: checker::Finished) -> Result<bool, String> {
        match &self.running {
            Some((running, _, _)) if running.generation == finished.generation => {}
            // A cancelled check that finished anyway.
            _ => return Ok(true),
        }
        self.running = None;
        let report = match finished.result {
            Ok(report) => report,
            Err(e) => {
                println!("{}", term::red(&e));
                self.start_due();
                return Ok(true);
            }
        };
        let was_all_done = self.progress.next(self.course()).is_none();
        self.progress.record(&report);
        let passed = report.exercises().any(|e| e.id == self.current && e.done);
        let mut moved = None;
        if passed {
            self.progress.current = None;
            match self.progress.next(self.course()) {
                Some(next) => moved = Some(next.id.clone()),
                // A course done before this check: the student came back to
                // an exercise on purpose, and watches it on.
                None if was_all_done => {}
                None => {
                    save_progress(self.ctx, &self.progress)?;
                    self.show_verdict(&report, finished.since);
                    println!("\n{}", term::green("every exercise is done. Well done!"));
                    return Ok(false);
                }
            }
        }
        save_progress(self.ctx, &self.progress)?;
        self.show_verdict(&report, finished.since);
        if let Some(next) = moved {
            let line = format!("{} passed! on to {next}", self.current);
            println!("\n{}", term::green(&line));
            self.notice = Some(line);
            self.current = next.clone();
            // Show the new exercise's state at once.
            self.ask(&[next], Instant::now(), false);
        } else {
            self.start_due();
        }
        Ok(true)
    }

    /// Clears the screen and shows a verdict.
    fn show_verdict(&mut self, report: &Report, since: Instant) {
        let mut text = Vec::new();
        if let Some(notice) = self.notice.take() {
            let _ = writeln!(text, "{}\n", term::green(&notice));
        }
        let _ = commands::check::print_report(report, &mut text);
        let _ = commands::solution::offer(self.ctx, report, &mut text);
        let _ = writeln!(
            text,
            "{}",
            term::dim(&format!(
                "checked in {:.2} s (save → verdict)",
                since.elapsed().as_secs_f64()
            ))
        );
        let _ = writeln!(text, "\n{}", footer());
        self.screen = String::from_utf8_lossy(&text).into_owned();
        if self.mode == Mode::Verdict {
            self.draw(&self.screen.clone());
        }
    }

    fn draw(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        if term::clears_screen() {
            let _ = write!(out, "{}", term::CLEAR_SCREEN);
        }
        let _ = write!(out, "{text}");
        let _ = out.flush();
    }

    fn draw_list(&self, cursor: usize) {
        let mut text = commands::list::lines(self.ctx, &self.progress, Some(cursor)).join("\n");
        text.push_str(&format!(
            "\n\n{}\n",
            term::dim("up/down or j/k to move, Enter to watch that exercise, Esc or l to go back")
        ));
        self.draw(&text);
    }

    /// Handles a key; false: quit.
    fn key(&mut self, key: Key) -> Result<bool, String> {
        match (self.mode, key) {
            (_, Key::Quit) => return Ok(false),
            (Mode::List(cursor), key) => {
                let last = self.course().exercises().count().saturating_sub(1);
                match key {
                    Key::Up | Key::Char('k') => {
                        self.mode = Mode::List(cursor.saturating_sub(1));
                    }
                    Key::Down | Key::Char('j') => self.mode = Mode::List((cursor + 1).min(last)),
                    Key::Enter => {
                        let picked = self
                            .course()
                            .exercises()
                            .nth(cursor)
                            .expect("the cursor is on an exercise")
                            .id
                            .clone();
                        self.mode = Mode::Verdict;
                        self.progress.current = Some(picked.clone());
                        save_progress(self.ctx, &self.progress)?;
                        self.current = picked.clone();
                        self.draw(&format!("now watching {picked}\n"));
                        self.ask(&[picked], Instant::now(), false);
                        return Ok(true);
                    }
                    Key::Esc | Key::Char('l' | 'q') => {
                        self.mode = Mode::Verdict;
                        self.draw(&self.screen.clone());
                        return Ok(true);
                    }
                    _ => {}
                }
                if let Mode::List(cursor) = self.mode {
                    self.draw_list(cursor);
                }
            }
            (Mode::ConfirmReset, key) => {
                self.mode = Mode::Verdict;
                if key == Key::Char('y') {
                    let ex = self.exercise().clone();
                    commands::reset::reset(self.ctx, &ex, &|_| Ok(true))?;
                    // Reset marks the exercise not done in the file.
                    if let crate::progress::Loaded::Ok(p) =
                        crate::progress::load(&self.course().root)
                    {
                        self.progress = p;
                    }
                } else {
                    println!("Nothing was changed.");
                }
            }
            (Mode::Verdict, Key::Char('q')) => return Ok(false),
            (Mode::Verdict, Key::Char('h')) => self.hint()?,
            (Mode::Verdict, Key::Char('l')) => {
                let at = self
                    .course()
                    .exercises()
                    .position(|e| e.id == self.current)
                    .unwrap_or(0);
                self.mode = Mode::List(at);
                self.draw_list(at);
            }
            (Mode::Verdict, Key::Char('c')) => {
                let chapter = self.exercise().chapter.clone();
                self.ask(&[chapter], Instant::now(), false);
            }
            (Mode::Verdict, Key::Char('r')) => {
                self.mode = Mode::ConfirmReset;
                print!(
                    "\nReset {} to the untouched skeleton? Your version is kept in .forklings/backups/. [y/N] ",
                    self.exercise().skeleton_file().display()
                );
                let _ = std::io::stdout().flush();
            }
            (Mode::Verdict, Key::Char('s')) => {
                let ex = self.exercise().clone();
                let done = self.progress.is_done(&ex.id);
                println!();
                let _ =
                    commands::solution::show(self.ctx, &ex, done, &mut std::io::stdout().lock());
            }
            _ => {}
        }
        Ok(true)
    }

    fn hint(&mut self) -> Result<(), String> {
        let ex = self.exercise().clone();
        if ex.hints.is_empty() {
            println!("{} has no hints", ex.id);
            return Ok(());
        }
        // Each press shows the next hint; after the last, the first again.
        let seen = self.progress.hints_seen.get(&ex.id).copied().unwrap_or(0);
        let i = seen % ex.hints.len();
        println!(
            "\n{} {}",
            term::bold(&format!("hint {}/{} for {}:", i + 1, ex.hints.len(), ex.id)),
            ex.hints[i]
        );
        self.progress.hints_seen.insert(ex.id.clone(), seen + 1);
        save_progress(self.ctx, &self.progress)
    }
}

fn footer() -> String {
    term::dim("keys: h hint · l list · c check the chapter · r reset · s solution · q quit")
}

/// The chapter and the module a path under `chapters/` belongs to:
/// `chapters/01-x/src/fork_wait.rs` and `chapters/01-x/src/fork_wait/a.rs`
/// are (`01-x`, `fork_wait`); `chapters/01-x/Cargo.toml` is (`01-x`, none).
fn place_of(root: &Path, path: &Path) -> Option<(String, Option<String>)> {
    let rel = path
        .strip_prefix(root)
        .ok()
        .or_else(|| path.strip_prefix(root.canonicalize().ok()?).ok())?;
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if parts.first().map(String::as_str) != Some("chapters") {
        return None;
    }
    let chapter = parts.get(1)?.clone();
    let module = match parts.get(2).map(String::as_str) {
        Some("src") => match parts.len() {
            4 => parts[3].strip_suffix(".rs").map(str::to_string),
            n if n > 4 => Some(parts[3].clone()),
            _ => None,
        },
        _ => None,
    };
    Some((chapter, module))
}

/// A change to a source or manifest file under `chapters` (not an editor's
/// swap file, not a build output).
fn is_a_save(event: &notify::Event, chapters: &Path) -> bool {
    if !matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) {
        return false;
    }
    event
        .paths
        .iter()
        .any(|p| is_source(p.strip_prefix(chapters).unwrap_or(p)))
}

/// `path` is relative to `chapters/`: the folders above (which may well be
/// called `target`) do not count.
fn is_source(path: &Path) -> bool {
    let hidden_or_built = path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "target" || c.starts_with('.')
    });
    let ext = path.extension().and_then(|e| e.to_str());
    !hidden_or_built && matches!(ext, Some("rs" | "toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_belongs_to_its_exercise() {
        let root = Path::new("/c");
        assert_eq!(
            place_of(root, Path::new("/c/chapters/01-a/src/fork_wait.rs")),
            Some(("01-a".into(), Some("fork_wait".into())))
        );
        assert_eq!(
            place_of(root, Path::new("/c/chapters/01-a/src/pool/inner.rs")),
            Some(("01-a".into(), Some("pool".into())))
        );
        assert_eq!(
            place_of(root, Path::new("/c/chapters/01-a/src/lib.rs")),
            Some(("01-a".into(), Some("lib".into())))
        );
        assert_eq!(
            place_of(root, Path::new("/c/chapters/01-a/Cargo.toml")),
            Some(("01-a".into(), None))
        );
        assert_eq!(place_of(root, Path::new("/c/tests/01-a/main.rs")), None);
    }

    #[test]
    fn a_course_inside_a_folder_named_target_is_watched() {
        assert!(is_source(Path::new("01-a/src/fork_wait.rs")));
        assert!(!is_source(Path::new("01-a/target/debug/x.rs")));
        assert!(!is_source(Path::new("01-a/src/.fork_wait.rs.swp")));
        assert!(!is_source(Path::new("01-a/src/fork_wait.rs~")));
    }
}
