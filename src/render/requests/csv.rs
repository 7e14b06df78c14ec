//! `requests --format csv`: a header row, then one row per listed request (the last words
//! are not rows). The cells that come from the log go through `escape::csv_cell`.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

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
        write_rows(l, 0..l.len(), true, out)
    }
}

/// The CSV of the listed rows at positions `range`, after the header row when `header`: the
/// pieces of `0..len` in order, the first with the header, are byte for byte what `render`
/// writes. `cmd/requests.rs` formats long listings in such pieces in parallel.
pub fn piece(l: &Listing<'_>, range: Range<usize>, header: bool) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(range.len().min(l.len()) * 160);
    write_rows(l, range, header, &mut buf)?;
    Ok(buf)
}

fn write_rows(
    l: &Listing<'_>,
    range: Range<usize>,
    header: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(header)
        .from_writer(out);
    let mut any = false;
    for r in l.rows_in(range) {
        any = true;
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
    if header && !any {
        // serialize writes the header with the first row; a piece without rows writes it.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::outcome::RequestOutcome;

    fn row(i: usize) -> Row<'static> {
        Row {
            id: format!("=req-{i}"),
            first: Some("2025-05-06T00:00:00.000Z".into()),
            last: None,
            endpoint: Some("GET /a/:id"),
            status: Some(200),
            app_status: Some(200),
            nginx_status: None,
            duration_ms: Some(i as f64 / 7.0),
            duration_from: None,
            app_ms: None,
            nginx_ms: None,
            lines: i as u64,
            errors: 0,
            error_type: i.is_multiple_of(3).then_some("Err,\"x\""),
            outcome: RequestOutcome::Ok,
            last_message: Some("line\nbreak"),
        }
    }

    #[test]
    fn pieces_in_order_are_the_whole_listing() {
        let l = Listing::of_rows((0..10).map(row).collect());
        let mut whole = Vec::new();
        Csv.render(&l, &mut whole).unwrap();
        for size in [1, 3, 4, 10, 11] {
            let mut joined = Vec::new();
            for start in (0..10).step_by(size) {
                joined.extend(piece(&l, start..start + size, start == 0).unwrap());
            }
            assert_eq!(
                String::from_utf8_lossy(&joined),
                String::from_utf8_lossy(&whole)
            );
        }
        let empty = Listing::of_rows(Vec::new());
        let mut none = Vec::new();
        Csv.render(&empty, &mut none).unwrap();
        assert_eq!(piece(&empty, 0..5, true).unwrap(), none);
        assert!(none.starts_with(b"id,first,last,"));
    }
}
