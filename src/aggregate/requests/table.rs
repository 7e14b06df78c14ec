//! The partitioned table behind `Requests`: a small open map per key type, flushed into
//! `PARTS` partitions of segments, finished partition by partition (sort, apply pending
//! remaps, fold equal keys). Must not interpret request ids (`key.rs`) or lines (`req.rs`).

use rustc_hash::FxHashMap;

use super::key::{PARTS, PartKey};
use super::req::ReqAgg;
use crate::aggregate::intern::{Interner, remap};

/// Entries flushed into one partition, with the map that still has to carry their interned
/// ids into the owning partial's names (merges only compose maps; finishing applies them).
#[derive(Debug, Clone)]
pub struct Segment<K> {
    remap: Option<std::sync::Arc<[u32]>>,
    pub(super) rows: Vec<(K, ReqAgg)>,
}

/// Requests of one key type. Lines land in a small hash map (it stays in cache); every
/// `OPEN_LIMIT` requests it is flushed into its partitions' segments, 96 bytes a request with
/// no hash-table slack. Finishing a partition sorts its segments together and folds equal
/// keys, since a request's lines may sit in several flushes, chunks or files.
#[derive(Debug, Clone)]
pub(super) struct Table<K> {
    pub(super) open: FxHashMap<K, ReqAgg>,
    /// `PARTS` lists of segments once anything was flushed; the last segment of each list is
    /// the one this partial is still appending to.
    pub(super) parts: Vec<Vec<Segment<K>>>,
    /// Every partition is one sorted segment with unique keys and no pending remap.
    pub(super) finished: bool,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            open: FxHashMap::default(),
            parts: Vec::new(),
            finished: true,
        }
    }
}

/// Open requests per key type before a flush: small enough for the map to stay in cache.
pub(super) const OPEN_LIMIT: usize = 16 * 1024;

/// Rows of a partition's first segment, and of its largest. Flushed rows fill segments of
/// fixed capacity rather than one doubling `Vec`: a doubling list of millions of requests
/// holds up to as much again in slack (the `requests` listing of 5 M ids peaked at 1.2 GB
/// with 96-byte rows), where these leave at most one segment's slack per partition.
const SEG_FIRST: usize = 64;
const SEG_ROWS: usize = 4096;

impl<K: PartKey> Table<K> {
    pub(super) fn flush(&mut self) {
        // Drained, not taken: the map keeps its allocation for the next lines.
        let mut open = std::mem::take(&mut self.open);
        self.extend(open.drain());
        self.open = open;
    }

    /// Takes saved rows as flushed ones: each into its key's partition.
    pub(super) fn load(&mut self, rows: Vec<(K, ReqAgg)>) {
        self.extend(rows);
    }

    /// Appends rows to their keys' partitions, filling each partition's last segment before
    /// starting one of twice its capacity (up to `SEG_ROWS`).
    fn extend(&mut self, rows: impl IntoIterator<Item = (K, ReqAgg)>) {
        let mut rows = rows.into_iter().peekable();
        if rows.peek().is_none() {
            return;
        }
        self.finished = false;
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| Vec::new()).collect();
        }
        for (k, v) in rows {
            let segs = &mut self.parts[k.part()];
            match segs.last_mut() {
                Some(seg) if seg.remap.is_none() && seg.rows.len() < seg.rows.capacity() => {
                    seg.rows.push((k, v))
                }
                last => {
                    let cap = last.map_or(0, |s| s.rows.capacity() * 2);
                    let mut rows = Vec::with_capacity(cap.clamp(SEG_FIRST, SEG_ROWS));
                    rows.push((k, v));
                    segs.push(Segment { remap: None, rows });
                }
            }
        }
    }

    /// Moves `o`'s segments behind ours; `map` carries its interned ids into ours.
    pub(super) fn merge(&mut self, mut o: Table<K>, map: &std::sync::Arc<[u32]>) {
        o.flush();
        self.flush();
        if o.parts.is_empty() {
            return;
        }
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| Vec::new()).collect();
        }
        self.finished = false;
        for (mine, theirs) in self.parts.iter_mut().zip(o.parts) {
            for mut seg in theirs {
                seg.remap = Some(match seg.remap {
                    None => map.clone(),
                    Some(inner) => inner.iter().map(|&id| remap(id, map)).collect(),
                });
                mine.push(seg);
            }
        }
    }

    /// Whether the partitions are all finished.
    pub(super) fn is_finished(&self) -> bool {
        self.finished && self.open.is_empty()
    }

    /// Flushed rows, partition by partition.
    pub(super) fn rows(&self) -> impl Iterator<Item = &(K, ReqAgg)> {
        self.parts.iter().flatten().flat_map(|s| s.rows.iter())
    }

    pub(super) fn len(&self) -> usize {
        self.open.len()
            + self
                .parts
                .iter()
                .flatten()
                .map(|s| s.rows.len())
                .sum::<usize>()
    }
}

/// Sorts one partition's segments into one with unique keys, applying pending remaps.
fn finish_part<K: PartKey>(segs: &mut Vec<Segment<K>>, names: &Interner) {
    if segs.len() == 1 && segs[0].remap.is_none() && segs[0].rows.is_sorted_by(|a, b| a.0 < b.0) {
        return;
    }
    let total: usize = segs.iter().map(|s| s.rows.len()).sum();
    // A watch finishes its requests again every few windows: the partition is then one
    // segment whose finished (sorted, unique) rows come first, with the new ones flushed
    // after them. Those rows are kept in place, not copied, and only the rest are sorted
    // before one merge, where sorting everything again took a tenth of a stream's time.
    let mut rows: Vec<(K, ReqAgg)> = match segs.first() {
        Some(s) if s.remap.is_none() => segs.remove(0).rows,
        _ => Vec::new(),
    };
    let kept = rows
        .windows(2)
        .position(|w| w[0].0 >= w[1].0)
        .map_or(rows.len(), |i| i + 1);
    rows.reserve_exact(total - rows.len());
    for seg in segs.drain(..) {
        let start = rows.len();
        rows.extend(seg.rows);
        if let Some(map) = seg.remap {
            for (_, r) in &mut rows[start..] {
                r.endpoint = remap(r.endpoint, &map);
                r.error_type = remap(r.error_type, &map);
                r.last_msg = remap(r.last_msg, &map);
            }
        }
    }
    // Equal keys are folded by a commutative merge, so an unstable sort is deterministic.
    if kept >= 64 {
        rows[kept..].sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // Two sorted runs: the stable sort finds them and merges them in one pass.
        rows.sort_by(|a, b| a.0.cmp(&b.0));
    } else {
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }
    rows.dedup_by(|later, kept| {
        if later.0 == kept.0 {
            kept.1.merge_with(&later.1, names);
            true
        } else {
            false
        }
    });
    // Equal keys folded leave slack; the finished partition is what a run keeps to its end.
    rows.shrink_to_fit();
    segs.push(Segment { remap: None, rows });
}

/// One partition of one table, to be finished on any thread.
pub enum PartJob<'a> {
    Hex(&'a mut Vec<Segment<u128>>),
    Uuid(&'a mut Vec<Segment<u128>>),
    Text(&'a mut Vec<Segment<Box<str>>>),
}

impl PartJob<'_> {
    pub fn run(self, names: &Interner) {
        match self {
            PartJob::Hex(s) | PartJob::Uuid(s) => finish_part(s, names),
            PartJob::Text(s) => finish_part(s, names),
        }
    }
}

/// One partition of requests.
pub enum Shard<'a> {
    Wide(&'a [Segment<u128>]),
    Text(&'a [Segment<Box<str>>]),
}

impl Shard<'_> {
    pub fn aggs(&self) -> Box<dyn Iterator<Item = &ReqAgg> + '_> {
        match self {
            Shard::Wide(s) => Box::new(s.iter().flat_map(|g| g.rows.iter().map(|r| &r.1))),
            Shard::Text(s) => Box::new(s.iter().flat_map(|g| g.rows.iter().map(|r| &r.1))),
        }
    }
}
