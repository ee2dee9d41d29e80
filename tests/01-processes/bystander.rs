//! A child of the test process that is none of the code's business: a
//! zombie that a `waitpid` for any child (`-1`) would reap in place of the
//! child it should wait for.
//!
//! Make it on the thread that then runs the code under test, before that
//! code forks: `waitpid(-1)` looks first at the children of the calling
//! thread, oldest first, so the bystander is the first zombie it finds.

use std::process::{Child, Command};
use std::time::Duration;

use forklings_support::procs;

pub struct Bystander {
    child: Child,
}

impl Bystander {
    /// Starts `true` and waits until it has exited: from then on it is a
    /// zombie that any `waitpid(-1)` would take at once.
    pub fn new() -> Bystander {
        let child = Command::new("true").spawn().expect("start `true`");
        let pid = child.id() as i32;
        assert!(
            procs::eventually(Duration::from_secs(5), || procs::is_zombie(pid)),
            "the bystander child did not exit"
        );
        Bystander { child }
    }

    /// Checks that nobody reaped it, then reaps it.
    pub fn assert_untouched(mut self, what: &str) {
        let pid = self.child.id() as i32;
        let state = procs::state(pid);
        let _ = self.child.wait();
        assert_eq!(
            state,
            Some('Z'),
            "{what} reaped a child that was not its own: wait for one PID, never for any child (-1)"
        );
    }
}

impl Drop for Bystander {
    fn drop(&mut self) {
        let _ = self.child.wait();
    }
}
