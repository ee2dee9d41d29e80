//! Making concurrent output comparable: the values that change from run to
//! run are replaced by placeholders before a snapshot sees them.

use regex::Regex;

/// Replaces chosen numbers (PIDs, fds) with named placeholders.
///
/// Only whole numbers are replaced, so PID 12 does not touch 4123.
#[derive(Default)]
pub struct Redactor {
    rules: Vec<(i64, String)>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the number `value` with `[label]`.
    pub fn number(mut self, value: impl Into<i64>, label: &str) -> Self {
        self.rules.push((value.into(), format!("[{label}]")));
        self
    }

    /// Replaces `pid` with `[label]`; the common case of [`Redactor::number`].
    pub fn pid(self, pid: impl Into<i64>, label: &str) -> Self {
        self.number(pid, label)
    }

    pub fn apply(&self, text: &str) -> String {
        let number = Regex::new(r"\b\d+\b").expect("a valid pattern");
        number
            .replace_all(text, |caps: &regex::Captures| {
                let found: Option<i64> = caps[0].parse().ok();
                self.rules
                    .iter()
                    .find(|(value, _)| Some(*value) == found)
                    .map_or_else(|| caps[0].to_string(), |(_, label)| label.clone())
            })
            .into_owned()
    }
}

/// insta settings with the filters every chapter needs: durations, thread ids
/// and any number written after `pid` become placeholders. Use as
/// `snapshot_settings().bind(|| insta::assert_snapshot!("name", text))`.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s)\b", "[duration]");
    settings.add_filter(r"ThreadId\(\d+\)", "ThreadId([id])");
    settings.add_filter(r"(?i)\b(pid|ppid)([ =:]+)\d+\b", "$1$2[pid]");
    settings.set_prepend_module_to_snapshot(true);
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_numbers_only() {
        let text = "child 12 of 4123 sent 12";
        let out = Redactor::new().pid(12, "child").apply(text);
        assert_eq!(out, "child [child] of 4123 sent [child]");
    }

    #[test]
    fn settings_hide_durations_and_pids() {
        snapshot_settings().bind(|| {
            insta::assert_snapshot!("pid 4242 took 12.5ms, ThreadId(7)", @"pid [pid] took [duration], ThreadId([id])");
        });
    }
}
