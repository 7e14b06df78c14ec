//! JSON output: the `Report` as serialised by its derive (docs/report-schema.md).

use std::io::{self, Write};

use super::Render;
use crate::report::Report;

pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(|e| match e.io_error_kind() {
            // Keep the kind so a closed pipe is still recognised as one.
            Some(kind) => io::Error::new(kind, e),
            None => io::Error::other(e),
        })?;
        out.write_all(b"\n")
    }
}
