//! Lines grouped by request id: `Requests`, the three tables (hex, UUID, text ids) a partial
//! keeps, and the paths the rest of the crate uses. Ids that are 32 lowercase hex digits
//! (nginx `$request_id`) or canonical UUIDs are stored as 128-bit integers, so a request
//! costs its 96-byte row. Per-request state merges commutatively, so grouping never
//! depends on the split. Must not read log events: `absorb.rs` turns a line into a `Touch`.

mod key;
mod req;
mod table;
#[cfg(test)]
mod tests;

pub use key::{PARTS, PartKey, ReqKey};
pub use req::{APP_DONE, APP_SEEN, NGINX_SEEN, ReqAgg, Touch, position};
pub use table::{PartJob, Segment, Shard};

use super::intern::Interner;
use key::lower_hex;
use table::{OPEN_LIMIT, Table};

/// Three tables rather than one of an enum key: a u128 key is 16 bytes, the enum 32.
#[derive(Default, Debug, Clone)]
pub struct Requests {
    hex: Table<u128>,
    uuid: Table<u128>,
    text: Table<Box<str>>,
}

impl Requests {
    #[inline]
    pub fn entry(&mut self, id: &str) -> &mut ReqAgg {
        let b = id.as_bytes();
        if b.len() == 32
            && let Some(v) = lower_hex(b)
        {
            return self.hex.open.entry(v).or_default();
        }
        if b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-') {
            let mut buf = [0u8; 32];
            let mut n = 0;
            for &c in b.iter().filter(|&&c| c != b'-') {
                if n == 32 {
                    break;
                }
                buf[n] = c;
                n += 1;
            }
            if n == 32
                && let Some(v) = lower_hex(&buf)
            {
                return self.uuid.open.entry(v).or_default();
            }
        }
        let text = &mut self.text.open;
        if !text.contains_key(id) {
            text.insert(id.into(), ReqAgg::default());
        }
        text.get_mut(id).expect("just inserted")
    }

    /// Flushes the open maps when they outgrow the cache; call between lines.
    #[inline]
    pub fn maybe_flush(&mut self) {
        if self.hex.open.len() >= OPEN_LIMIT {
            self.hex.flush();
        }
        if self.uuid.open.len() >= OPEN_LIMIT {
            self.uuid.flush();
        }
        if self.text.open.len() >= OPEN_LIMIT {
            self.text.flush();
        }
    }

    /// Ends line-by-line accumulation: open requests move into their partitions.
    pub fn seal(&mut self) {
        self.hex.flush();
        self.uuid.flush();
        self.text.flush();
    }

    /// Seals, and returns every partition not yet finished, for the engine to finish on
    /// any threads. Every job must run (`PartJob::run`); then `iter` and `len` are exact.
    pub fn part_jobs(&mut self) -> Vec<PartJob<'_>> {
        self.seal();
        let mut jobs = Vec::new();
        if !self.hex.finished {
            self.hex.finished = true;
            jobs.extend(self.hex.parts.iter_mut().map(PartJob::Hex));
        }
        if !self.uuid.finished {
            self.uuid.finished = true;
            jobs.extend(self.uuid.parts.iter_mut().map(PartJob::Uuid));
        }
        if !self.text.finished {
            self.text.finished = true;
            jobs.extend(self.text.parts.iter_mut().map(PartJob::Text));
        }
        jobs
    }

    /// Finishes every partition on this thread.
    pub fn finish(&mut self, names: &Interner) {
        for job in self.part_jobs() {
            job.run(names);
        }
    }

    /// Whether `iter` and `len` are exact.
    pub fn is_finished(&self) -> bool {
        self.hex.is_finished() && self.uuid.is_finished() && self.text.is_finished()
    }

    /// Distinct requests; exact once finished.
    pub fn len(&self) -> usize {
        self.hex.len() + self.uuid.len() + self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Merges `o`, whose interned ids `map` carries into ours; the remap is applied when the
    /// partitions are finished, so merging costs a move per segment, not a pass per request.
    pub fn merge(&mut self, o: Requests, map: &[u32]) {
        let map: std::sync::Arc<[u32]> = map.into();
        self.hex.merge(o.hex, &map);
        self.uuid.merge(o.uuid, &map);
        self.text.merge(o.text, &map);
    }

    /// Removes the requests whose newest line is before `before`, handing each to `gone`
    /// first (a stream that cannot keep every request: `watch`). Finishes the partitions.
    pub fn retire(&mut self, before: i64, names: &Interner, mut gone: impl FnMut(ReqKey, &ReqAgg)) {
        self.finish(names);
        let keep = |r: &ReqAgg| r.last == i64::MIN || r.last >= before;
        for seg in self.hex.parts.iter_mut().flatten() {
            seg.rows.retain(|(k, r)| {
                keep(r) || {
                    gone(ReqKey::Hex(*k), r);
                    false
                }
            });
        }
        for seg in self.uuid.parts.iter_mut().flatten() {
            seg.rows.retain(|(k, r)| {
                keep(r) || {
                    gone(ReqKey::Uuid(*k), r);
                    false
                }
            });
        }
        for seg in self.text.parts.iter_mut().flatten() {
            seg.rows.retain(|(k, r)| {
                keep(r) || {
                    gone(ReqKey::Text(k.clone()), r);
                    false
                }
            });
        }
    }

    /// The partitions, to work on their requests in parallel.
    pub fn shards(&self) -> Vec<Shard<'_>> {
        self.hex
            .parts
            .iter()
            .chain(&self.uuid.parts)
            .map(|p| Shard::Wide(p))
            .chain(self.text.parts.iter().map(|p| Shard::Text(p)))
            .collect()
    }

    /// Finished requests: partition by partition, in key order within each.
    pub fn iter(&self) -> impl Iterator<Item = (ReqKey, &ReqAgg)> {
        self.rows().map(|r| (r.key(), r.agg()))
    }

    /// Finished requests as references to their rows, in `iter`'s order: 16 bytes each where
    /// `iter`'s owned key is 32 (and a copy of a text id), for a listing of millions.
    pub fn rows(&self) -> impl Iterator<Item = RowRef<'_>> {
        debug_assert!(self.is_finished(), "iterating unfinished requests");
        self.hex
            .rows()
            .map(RowRef::Hex)
            .chain(self.uuid.rows().map(RowRef::Uuid))
            .chain(self.text.rows().map(RowRef::Text))
    }

    /// Every request, for a saved summary: the three tables' rows, finished (each table in
    /// partition order, key order within), so equal inputs save equal bytes.
    pub fn save(&mut self, names: &Interner) -> SavedRequests {
        self.finish(names);
        SavedRequests {
            hex: self.hex.rows().copied().collect(),
            uuid: self.uuid.rows().copied().collect(),
            text: self.text.rows().cloned().collect(),
        }
    }

    /// The requests a summary saved. Left unfinished: finishing sorts and folds them again,
    /// so a summary that is not in order (written by hand, say) still counts each id once.
    pub fn restore(saved: SavedRequests) -> Requests {
        let mut r = Requests::default();
        r.hex.load(saved.hex);
        r.uuid.load(saved.uuid);
        r.text.load(saved.text);
        r
    }

    /// Every request's state, to change in place (`Partial::relocate`).
    pub fn each_mut(&mut self, mut f: impl FnMut(&mut ReqAgg)) {
        self.seal();
        for seg in self
            .hex
            .parts
            .iter_mut()
            .chain(&mut self.uuid.parts)
            .flatten()
        {
            seg.rows.iter_mut().for_each(|(_, r)| f(r));
        }
        for seg in self.text.parts.iter_mut().flatten() {
            seg.rows.iter_mut().for_each(|(_, r)| f(r));
        }
    }
}

/// One finished request, by reference (`Requests::rows`).
#[derive(Clone, Copy, Debug)]
pub enum RowRef<'a> {
    Hex(&'a (u128, ReqAgg)),
    Uuid(&'a (u128, ReqAgg)),
    Text(&'a (Box<str>, ReqAgg)),
}

impl<'a> RowRef<'a> {
    pub fn agg(self) -> &'a ReqAgg {
        match self {
            RowRef::Hex(r) | RowRef::Uuid(r) => &r.1,
            RowRef::Text(r) => &r.1,
        }
    }

    pub fn key(self) -> ReqKey {
        match self {
            RowRef::Hex(r) => ReqKey::Hex(r.0),
            RowRef::Uuid(r) => ReqKey::Uuid(r.0),
            RowRef::Text(r) => ReqKey::Text(r.0.clone()),
        }
    }

    /// The order of their `ReqKey`s, without making them.
    pub fn cmp_key(self, o: RowRef<'_>) -> std::cmp::Ordering {
        match (self, o) {
            (RowRef::Hex(a), RowRef::Hex(b)) | (RowRef::Uuid(a), RowRef::Uuid(b)) => a.0.cmp(&b.0),
            (RowRef::Text(a), RowRef::Text(b)) => a.0.cmp(&b.0),
            _ => self.rank().cmp(&o.rank()),
        }
    }

    fn rank(self) -> u8 {
        match self {
            RowRef::Hex(_) => 0,
            RowRef::Uuid(_) => 1,
            RowRef::Text(_) => 2,
        }
    }
}

/// The requests of a saved summary (`Requests::save`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedRequests {
    hex: Vec<(u128, ReqAgg)>,
    uuid: Vec<(u128, ReqAgg)>,
    text: Vec<(Box<str>, ReqAgg)>,
}
