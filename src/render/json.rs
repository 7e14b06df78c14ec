//! The report as JSON: the `Report` as serialised by its derive (docs/report-schema.md),
//! pretty-printed through `safe_json`. Must not change what is serialised.

use std::io::{self, Write};

use super::Render;
use super::safe_json::{io_error, to_writer_pretty_safe};
use crate::report::Report;

pub struct Json;

impl Render<Report> for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        to_writer_pretty_safe(&mut *out, report).map_err(io_error)?;
        out.write_all(b"\n")
    }
}
