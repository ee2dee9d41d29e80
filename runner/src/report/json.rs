//! The result model itself, as JSON (its `version` says which fields).

use super::Reporter;
use crate::results::Report;

pub struct Json;

impl Reporter for Json {
    fn write(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}
