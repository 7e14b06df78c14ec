//! `export -f jsonl`: one JSON object per row, keys in column order, null for a missing
//! value. Log text goes through `safe_json`, so quotes, backslashes, newlines and every
//! control character are escaped (`\n`, `\u001b`) and a line can never break or carry a
//! terminal escape. Must not choose or change values, only spell them.

use std::io::{self, Write};

use super::cells::{Cells, Export};
use crate::render::safe_json::write_line;
use crate::select::row::Row;

pub struct Jsonl<'a> {
    /// The inputs as named on the command line.
    pub paths: &'a [String],
}

impl Export for Jsonl<'_> {
    type Piece = Vec<u8>;

    fn encode(&self, rows: &[Row]) -> io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(rows.len() * 400);
        for r in rows {
            write_line(&mut buf, &Cells::of(r, self.paths))?;
        }
        Ok(buf)
    }

    fn write(&mut self, piece: Vec<u8>, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&piece)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.flush()
    }
}
