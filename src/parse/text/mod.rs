//! Plain-text formats of app loggers and servers, told apart by their first bytes: Python
//! `logging` layouts, uvicorn, gunicorn's error log, Go's `log`, logfmt, morgan's short
//! presets. Each fills a `Picked` from its layout, adds the `key=value` pairs of its
//! message, and turns it into the event. Knows nothing about counting.

pub mod golog;
pub mod logfmt;
pub mod morgan;
pub mod python;

use std::borrow::Cow;

use super::fields::{Canonical, FieldSpec, KeyCache, ROOT, Unit, pack_at};
use super::picked::{Picked, Raw};
use super::time::{Zone, ZoneCache};
use super::{Format, Level, LogEvent};

/// One text record being read: the values picked so far and where they go.
pub struct Text<'c, 'a> {
    pub p: Picked<'a>,
    spec: &'c FieldSpec,
    zone: &'c Zone,
    cache: &'c mut ZoneCache,
    /// The keys met at each position of the previous record: one logger writes its keys in
    /// the same order, so a lookup is mostly one compare.
    keys: &'c mut KeyCache,
    auto: Unit,
    ev: &'c mut LogEvent<'a>,
    /// An `err=`/`error=` pair was met: the record reports an error even where the layout
    /// has no level (Go's `log`).
    err_pair: bool,
    pairs: usize,
}

impl<'a> Text<'_, 'a> {
    /// Offers the `key=value` pairs of `text` the alias table knows.
    fn pairs(&mut self, text: &'a str) {
        self.keys.start_line();
        for (k, v) in logfmt::pairs(text) {
            self.pairs += 1;
            if matches!(k, "err" | "error") && !v.is_empty() {
                self.err_pair = true;
            }
            let kb = k.as_bytes();
            let packed = pack_at(kb, 0, kb.len());
            if let Some(node) = self.spec.child_cached_packed(ROOT, kb, packed, self.keys) {
                let n = self.spec.node(node);
                self.p.mark(n.flags);
                if let Some(leaf) = n.leaf {
                    self.p.offer_leaf(leaf, 1, Raw::Str(v));
                }
            }
        }
    }

    fn offer(&mut self, field: Canonical, v: &'a str) {
        self.p
            .offer_layout(field, Unit::Auto, Raw::Str(Cow::Borrowed(v)));
    }

    /// Turns what was picked into the event, of format `f`.
    fn finish(&mut self, f: Format) -> bool {
        self.p.fill(self.zone, self.cache, self.auto, self.ev);
        self.ev.format = Some(f);
        if self.ev.level.is_none() && self.err_pair {
            self.ev.level = Some(Level::Error);
        }
        true
    }
}

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
    let mut t = Text {
        p: Picked::default(),
        spec,
        zone,
        cache,
        keys,
        auto,
        ev,
        err_pair: false,
        pairs: 0,
    };
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
