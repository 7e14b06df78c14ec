//! `Text`: one text record being read — the values its layout and `key=value` pairs gave so
//! far, and the event they go into. The layout readers (`python`, `golog`, `morgan`, the
//! logfmt record in `mod.rs`) fill it; this file knows no layout.

use std::borrow::Cow;

use super::logfmt;
use crate::parse::event::LogEvent;
use crate::parse::fields::{Canonical, FieldSpec, KeyCache, ROOT, Unit, pack_at};
use crate::parse::format::Format;
use crate::parse::level::Level;
use crate::parse::picked::{Picked, Raw};
use crate::parse::time::{Zone, ZoneCache};

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
    /// How many `key=value` pairs the record held, known to the alias table or not.
    pub(super) pairs: usize,
}

impl<'a> Text<'_, 'a> {
    /// A record with nothing picked yet, to fill `ev` (a default event).
    #[inline]
    pub(super) fn new<'c>(
        spec: &'c FieldSpec,
        zone: &'c Zone,
        cache: &'c mut ZoneCache,
        keys: &'c mut KeyCache,
        auto: Unit,
        ev: &'c mut LogEvent<'a>,
    ) -> Text<'c, 'a> {
        Text {
            p: Picked::default(),
            spec,
            zone,
            cache,
            keys,
            auto,
            ev,
            err_pair: false,
            pairs: 0,
        }
    }

    /// Offers the `key=value` pairs of `text` the alias table knows.
    pub(super) fn pairs(&mut self, text: &'a str) {
        self.keys.start_line();
        let mut pairs = logfmt::pairs(text);
        while let Some(pair) = pairs.next_guessing(self.keys) {
            self.pairs += 1;
            let (k, v) = (pair.key, pair.value);
            if matches!(k, "err" | "error") && !v.is_empty() {
                self.err_pair = true;
            }
            let node = pair.node.unwrap_or_else(|| {
                // Packed from the whole text, which mostly holds 16 bytes from the key on:
                // one load, where packing the key alone copies it byte by byte first.
                let packed = pack_at(text.as_bytes(), pair.at, k.len());
                self.spec
                    .child_cached_packed(ROOT, k.as_bytes(), packed, self.keys)
            });
            if let Some(node) = node {
                let n = self.spec.node(node);
                self.p.mark(n.flags);
                if let Some(leaf) = n.leaf {
                    self.p.offer_leaf(leaf, 1, Raw::Str(v));
                }
            }
        }
    }

    pub(super) fn offer(&mut self, field: Canonical, v: &'a str) {
        self.p
            .offer_layout(field, Unit::Auto, Raw::Str(Cow::Borrowed(v)));
    }

    /// Turns what was picked into the event, of format `f`.
    pub(super) fn finish(&mut self, f: Format) -> bool {
        self.p.fill(self.zone, self.cache, self.auto, self.ev);
        self.ev.format = Some(f);
        if self.ev.level.is_none() && self.err_pair {
            self.ev.level = Some(Level::Error);
        }
        true
    }
}
