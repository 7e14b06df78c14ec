//! A partial as a summary file keeps it (`SavedPartial`), and the two steps that let saved
//! partials of other runs join this one: `Partial::save`/`restore`, and `relocate`, which
//! moves a partial's inputs to their places among all the inputs of a run. Must not encode
//! bytes (`summary/` does) or decide which inputs go where (`cmd/` does).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::cardinality::EndpointCap;
use super::counts::{ErrAgg, FileStats, Sample};
use super::evidence::Triage;
use super::intern::{Interner, NONE};
use super::latency::LatStore;
use super::partial::{AggOptions, Partial, UNSEEN};
use super::requests::{Requests, SavedRequests};
use super::sources::Sources;
use super::windows::Windows;
use crate::parse::Source;

/// Everything a partial counted, without the memos that only speed up reading lines. Maps
/// are saved in key order and requests finished, so equal inputs save equal bytes whatever
/// the threads or chunking.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPartial {
    files: Vec<FileStats>,
    levels: [u64; 6],
    filtered: u64,
    min_ts: i64,
    max_ts: i64,
    status: [Vec<(u16, u64)>; 2],
    names: Interner,
    latency: [Vec<(u32, LatStore)>; 2],
    /// By (source: 0 app, 1 nginx; interned type).
    errors: Vec<((u8, u32), ErrAgg)>,
    windows: Windows,
    requests: SavedRequests,
    samples: Vec<Sample>,
    triage: Triage,
    sources: Sources,
    origins: Vec<Option<String>>,
    origin_ids: Vec<u32>,
    endpoints: EndpointCap,
    track_last_words: bool,
}

fn sorted<K: Ord + Copy, V>(m: impl IntoIterator<Item = (K, V)>) -> Vec<(K, V)> {
    let mut v: Vec<(K, V)> = m.into_iter().collect();
    v.sort_unstable_by_key(|e| e.0);
    v
}

impl SavedPartial {
    /// How many inputs the saved partial counted.
    pub fn inputs(&self) -> usize {
        self.files.len()
    }

    /// Whether it tracked each request's last message (`requests` needs it).
    pub fn tracked_last_words(&self) -> bool {
        self.track_last_words
    }
}

impl Partial {
    /// The partial as a summary keeps it. Its requests' latency must not be counted yet: a
    /// request may go on in another host's summary.
    pub fn save(mut self) -> SavedPartial {
        assert!(
            !self.requests_latency_counted,
            "a partial is saved before its requests' latency counts"
        );
        // What a merge leaves to the split (bucket widths, value order) is settled, so
        // the bytes depend only on the input.
        self.windows.settle();
        self.triage.coarsen_to(self.windows.width);
        let requests = self.requests.save(&self.names);
        let [s0, s1] = self.status;
        let [l0, l1] = self.latency;
        SavedPartial {
            files: self.files,
            levels: self.levels,
            filtered: self.filtered,
            min_ts: self.min_ts,
            max_ts: self.max_ts,
            status: [sorted(s0), sorted(s1)],
            names: self.names,
            latency: [sorted(l0), sorted(l1)],
            errors: sorted(
                self.errors
                    .into_iter()
                    .map(|((src, id), e)| ((src as u8, id), e)),
            ),
            windows: self.windows,
            requests,
            samples: self.samples,
            triage: self.triage,
            sources: self.sources,
            origins: self.origins.to_vec(),
            origin_ids: self.origin_ids,
            endpoints: self.endpoints,
            track_last_words: self.track_last_words,
        }
    }

    /// A saved partial again, counting as `opts` says from here on (its rules and time
    /// range; the caller has checked that they are the ones it was saved with).
    pub fn restore(s: SavedPartial, opts: &AggOptions) -> Partial {
        let mut p = Partial::new(s.files.len(), opts);
        p.files = s.files;
        p.levels = s.levels;
        p.filtered = s.filtered;
        p.min_ts = s.min_ts;
        p.max_ts = s.max_ts;
        let [s0, s1] = s.status;
        p.status = [s0.into_iter().collect(), s1.into_iter().collect()];
        p.names = s.names;
        let [l0, l1] = s.latency;
        p.latency = [l0.into_iter().collect(), l1.into_iter().collect()];
        p.errors = s
            .errors
            .into_iter()
            .map(|((src, id), e)| {
                let src = if src == 0 { Source::App } else { Source::Nginx };
                ((src, id), e)
            })
            .collect();
        p.windows = s.windows;
        p.requests = Requests::restore(s.requests);
        p.samples = s.samples;
        p.triage = s.triage;
        p.sources = s.sources;
        p.origins = s.origins.into();
        p.origin_ids = s.origin_ids;
        p.endpoints = s.endpoints;
        p.track_last_words = s.track_last_words;
        p
    }

    /// Moves input `i` of this partial to input `slots[i]` of `total`, keeping the order of
    /// positions (`slots` rises), so the partials of a run's inputs merge as if read together.
    /// Zone evidence is dropped: it was judged when this partial's inputs were read.
    pub fn relocate(&mut self, slots: &[u32], total: usize) {
        assert_eq!(slots.len(), self.files.len(), "a slot per input");
        debug_assert!(
            slots.windows(2).all(|w| w[0] < w[1]),
            "slots keep their order"
        );
        let at = |f: u32| slots[f as usize];
        let mut files = vec![FileStats::default(); total];
        let mut origins: Vec<Option<String>> = vec![None; total];
        let mut origin_ids = vec![UNSEEN; total];
        for (i, f) in std::mem::take(&mut self.files).into_iter().enumerate() {
            files[slots[i] as usize] = f;
            origins[slots[i] as usize] = self.origins.get(i).cloned().flatten();
            origin_ids[slots[i] as usize] = self.origin_ids.get(i).copied().unwrap_or(UNSEEN);
        }
        self.files = files;
        self.origins = Arc::from(origins);
        self.origin_ids = origin_ids;
        for s in &mut self.samples {
            s.file = at(s.file);
        }
        for e in self.errors.values_mut() {
            e.ids.iter_mut().for_each(|id| id.1 = at(id.1));
        }
        for e in &mut self.triage.evidence {
            e.ids.iter_mut().for_each(|id| id.1 = at(id.1));
            e.samples.iter_mut().for_each(|s| s.file = at(s.file));
        }
        for p in self.triage.patterns.values_mut() {
            if let Some(s) = p.sample.as_mut() {
                s.file = at(s.file);
            }
        }
        self.triage
            .links
            .iter_mut()
            .for_each(|l| l.file = at(l.file));
        self.requests.each_mut(|r| {
            // A position is kept only with a last message.
            if r.last_msg != NONE {
                let off = r.last_pos & ((1 << 40) - 1);
                r.last_pos = super::requests::position(at((r.last_pos >> 40) as u32), off);
            }
            if r.app_src != u32::MAX {
                r.app_src = at(r.app_src >> 4) << 4 | (r.app_src & 15);
            }
        });
        self.zones = None;
    }
}
