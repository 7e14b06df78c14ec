//! `requests --format csv`: a header row, then one row per listed request (the last words
//! are not rows). The cells that come from the log go through `escape::csv_cell`.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::listing::{Listing, Row};
use crate::render::Render;
use crate::render::escape::csv_cell;

/// CSV with a header row, one row per listed request (the last words are not rows). The
/// cells that come from the log (id, endpoint, error type, last message) go through
/// `escape::csv_cell`, so a spreadsheet opening the file sees text, never a formula or a
/// control character; the rest are numbers, times and names the tool wrote.
pub struct Csv;

impl Render<Listing<'_>> for Csv {
    fn render(&self, l: &Listing<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        for r in l.rows() {
            let endpoint = r.endpoint.map(csv_cell);
            let error_type = r.error_type.map(csv_cell);
            let last_message = r.last_message.map(csv_cell);
            let id = match csv_cell(&r.id) {
                Cow::Owned(safe) => Some(safe),
                Cow::Borrowed(_) => None,
            };
            let r = Row {
                id: id.unwrap_or(r.id),
                endpoint: endpoint.as_deref(),
                error_type: error_type.as_deref(),
                last_message: last_message.as_deref(),
                ..r
            };
            w.serialize(&r).map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(e) => e,
                other => io::Error::other(format!("{other:?}")),
            })?;
        }
        if l.is_empty() {
            // serialize writes the header with the first row; an empty listing still gets one.
            w.write_record([
                "id",
                "first",
                "last",
                "endpoint",
                "status",
                "app_status",
                "nginx_status",
                "duration_ms",
                "duration_from",
                "app_ms",
                "nginx_ms",
                "lines",
                "errors",
                "error_type",
                "outcome",
                "last_message",
            ])?;
        }
        w.flush()
    }
}
