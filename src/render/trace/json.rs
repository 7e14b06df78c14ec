//! The `type: "request"` line `trace --format json` writes before a request's events: its
//! `TraceSummary` as serialised by its derive (docs/lines-schema.md), through `safe_json`.

use std::io::{self, Write};

use serde::Serialize;

use crate::render::Render;
use crate::render::safe_json::write_line;
use crate::trace::TraceSummary;

pub struct Json;

/// The summary with its type first.
#[derive(Serialize)]
struct RequestRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    summary: &'a TraceSummary,
}

impl Render<TraceSummary> for Json {
    fn render(&self, summary: &TraceSummary, out: &mut dyn Write) -> io::Result<()> {
        let record = RequestRecord {
            kind: "request",
            summary,
        };
        write_line(out, &record)
    }
}
