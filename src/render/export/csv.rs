//! `export -f csv`: a header row of the column names, then one row per record, written by
//! the `csv` crate (RFC 4180: a cell holding a comma, quote, CR or LF is quoted, quotes
//! doubled), so a message with newlines stays one row. Cells hold the values exactly as
//! logged: no spreadsheet formula guard (`requests -f csv` has one) and no visible escapes,
//! since an engine reading the file must get the text back; `config/export.rs` keeps this
//! output off a terminal. A null is an empty cell. Must not choose or change values.

use std::io::{self, Write};

use super::cells::{Cells, Export};
use crate::select::row::{COLUMNS, Row};

pub struct Csv<'a> {
    /// The inputs as named on the command line.
    pub paths: &'a [String],
    /// Whether the header row is out yet.
    pub header_written: bool,
}

impl<'a> Csv<'a> {
    pub fn new(paths: &'a [String]) -> Csv<'a> {
        Csv {
            paths,
            header_written: false,
        }
    }

    fn header(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.header_written {
            self.header_written = true;
            let mut w = csv::Writer::from_writer(out);
            w.write_record(COLUMNS)?;
            w.flush()?;
        }
        Ok(())
    }
}

impl Export for Csv<'_> {
    type Piece = Vec<u8>;

    fn encode(&self, rows: &[Row]) -> io::Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::with_capacity(rows.len() * 300));
        for r in rows {
            w.serialize(Cells::of(r, self.paths))
                .map_err(|e| match e.into_kind() {
                    csv::ErrorKind::Io(e) => e,
                    other => io::Error::other(format!("{other:?}")),
                })?;
        }
        w.into_inner().map_err(|e| io::Error::other(e.to_string()))
    }

    fn write(&mut self, piece: Vec<u8>, out: &mut dyn Write) -> io::Result<()> {
        self.header(out)?;
        out.write_all(&piece)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.header(out)?;
        out.flush()
    }
}
