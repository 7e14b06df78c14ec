//! Plain-text formats of app loggers and servers, told apart by their first bytes: Python
//! `logging` layouts, uvicorn, gunicorn's error log, Go's `log`, logfmt, morgan's short
//! presets. Each fills a `Picked` from its layout, adds the `key=value` pairs of its
//! message, and turns it into the event. Knows nothing about counting.
//!
//! This file tells the layouts apart and reads a whole logfmt record; the record being read
//! (`Text`) lives in `reader.rs`, which the layout readers import instead of this file.

pub mod golog;
pub mod logfmt;
pub mod morgan;
pub mod python;
pub mod reader;

pub use reader::Text;

use crate::parse::event::LogEvent;
use crate::parse::fields::{FieldSpec, KeyCache, Unit};
use crate::parse::format::Format;
use crate::parse::picked::Picked;
use crate::parse::time::{Zone, ZoneCache};

/// Parses `line` (one record's head, no newline) if a text format here reads it; fills
/// `ev` (a default event) and says whether one did.
pub fn parse_into<'a>(
    line: &'a str,
    spec: &FieldSpec,
    zone: &Zone,
    cache: &mut ZoneCache,
    keys: &mut KeyCache,
    auto: Unit,
    ev: &mut LogEvent<'a>,
) -> bool {
    let Some(&b0) = line.as_bytes().first() else {
        return false;
    };
    let mut t = Text::new(spec, zone, cache, keys, auto, ev);
    match b0 {
        b'0'..=b'9' => {
            python::asctime(&mut t, line)
                || golog::parse(&mut t, line)
                || morgan::short(&mut t, line)
        }
        b'[' => python::bracketed(&mut t, line),
        b'A'..=b'Z' => {
            python::level_colon(&mut t, line) || morgan::tiny(&mut t, line) || record(&mut t, line)
        }
        b'a'..=b'z' => record(&mut t, line),
        0x1b => morgan::dev(&mut t, line),
        _ => false,
    }
}

/// A whole logfmt record: it opens with a pair, and holds another, one of them known.
fn record<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    if !logfmt::looks_like(line.as_bytes()) {
        return false;
    }
    t.pairs(line);
    if t.pairs < 2 || t.p.is_empty() {
        t.p = Picked::default();
        return false;
    }
    t.finish(Format::Logfmt)
}

#[cfg(test)]
mod tests;
