//! Reporters: each turns the one result model into one format. Issue 7's
//! junit, gradescope and github formats are further implementations.

mod human;
mod json;

pub use human::Human;
pub use json::Json;

use crate::results::Report;

pub trait Reporter {
    /// Writes the report of a whole run.
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()>;
}
