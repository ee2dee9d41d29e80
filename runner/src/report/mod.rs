//! Reporters: each turns the one result model into one format.

mod github;
mod gradescope;
mod human;
mod json;
mod junit;

pub use github::Github;
pub use gradescope::Gradescope;
pub use human::Human;
pub use json::Json;
pub use junit::Junit;

use crate::results::Report;

pub trait Reporter {
    /// Writes the report of a whole run.
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()>;
}

/// The formats of `cargo course grade --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The table people read.
    Human,
    /// The result model itself (see its `version`).
    Json,
    /// JUnit XML, one testcase per graded test.
    Junit,
    /// Gradescope's results.json.
    Gradescope,
    /// The runner result GitHub Classroom's grading reporter reads.
    Github,
}

impl Format {
    pub fn reporter(self) -> Box<dyn Reporter> {
        match self {
            Format::Human => Box::new(Human { failures: true }),
            Format::Json => Box::new(Json),
            Format::Junit => Box::new(Junit),
            Format::Gradescope => Box::new(Gradescope),
            Format::Github => Box::new(Github),
        }
    }
}
