//! `watch`'s JSON lines (docs/watch-schema.md): each `WatchEvent` as it comes, and the last
//! line, the `summary` with the report of everything read. Written through `safe_json`.

use std::io::{self, Write};

use serde::Serialize;

use crate::render::Render;
use crate::render::safe_json::write_line;
use crate::report::Report;
use crate::watch::event::WatchEvent;

/// One JSON object per line.
pub struct JsonLines;

/// The last line: the report of everything read (docs/report-schema.md), and what the
/// stream did not count in its windows.
#[derive(Serialize, Debug)]
#[serde(tag = "type", rename = "summary")]
pub struct Summary<'a> {
    /// Lines skipped for exceeding `--max-line`.
    pub oversized_lines: u64,
    /// Lines that arrived after their window had closed (they are in the report).
    pub late_lines: u64,
    pub report: &'a Report,
}

impl Render<WatchEvent> for JsonLines {
    fn render(&self, e: &WatchEvent, out: &mut dyn Write) -> io::Result<()> {
        write_line(out, e)
    }
}

impl Render<Summary<'_>> for JsonLines {
    fn render(&self, s: &Summary<'_>, out: &mut dyn Write) -> io::Result<()> {
        write_line(out, s)
    }
}
