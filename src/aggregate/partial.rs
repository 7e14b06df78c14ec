//! `Partial`: everything the report counts for one part of the input, built per chunk and
//! merged associatively (earlier part left, in input order) with `Partial::new` as the empty
//! value. Owns the struct, its construction, merge, endpoint folding and sealing; what one
//! line adds lives in `absorb.rs`. Must not print or see `Write`; finishing into a `Report`
//! lives in `report.rs`.

use rustc_hash::FxHashMap;

use super::cardinality;
use super::counts::{ErrAgg, FileStats, SAMPLES_PER_FILE, Sample};
use super::evidence::Triage;
use super::intern::{Interner, remap};
use super::latency;
use super::merge::Merge;
use super::requests::{PartJob, Requests};
use super::sources;
use super::windows::Windows;
use super::zones;
use crate::parse::Source;
use crate::parse::endpoint;

/// Options that shape aggregation.
#[derive(Clone, Debug, Default)]
pub struct AggOptions {
    pub window: Option<i64>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Track each request's last app message (masked), for last words.
    pub last_words: bool,
    /// Triage rules whose line matchers run per line; also turns on message patterns.
    pub rules: Option<std::sync::Arc<crate::rules::RuleSet>>,
    /// Latency values a window keeps exactly before its histogram; `None`: as many as an
    /// endpoint (`latency::EXACT_CAP`). Endless streams set it low to bound memory.
    pub window_cap: Option<usize>,
    /// Gather evidence for the offset of inputs with naive stamps (no `--tz`).
    pub zone_evidence: bool,
    /// Per input, the source its path names (`sources::from_path`), if any.
    pub origins: std::sync::Arc<[Option<String>]>,
    /// Distinct endpoints kept by name (`--max-endpoints`); `None`: the default.
    pub max_endpoints: Option<usize>,
}

/// The mergeable summary of one part of the input. Interned ids are the partial's own
/// (`names`); merging carries the later part's ids into the earlier one's.
#[derive(Clone, Debug)]
pub struct Partial {
    pub files: Vec<FileStats>,
    pub levels: [u64; 6],
    /// Parsed lines outside `--since`/`--until`.
    pub filtered: u64,
    pub min_ts: i64,
    pub max_ts: i64,
    pub status: [FxHashMap<u16, u64>; 2],
    pub names: Interner,
    pub latency: [FxHashMap<u32, latency::LatStore>; 2],
    pub errors: FxHashMap<(Source, u32), ErrAgg>,
    pub windows: Windows,
    pub requests: Requests,
    pub samples: Vec<Sample>,
    /// Per interned id: 0 not yet judged, 1 not a health check, 2 a health check.
    pub(super) health: Vec<u8>,
    /// Raw `METHOD path` (query dropped) -> interned endpoint; ids are this partial's own.
    pub(super) endpoint_memo: endpoint::Memo,
    /// Raw message -> interned masked template, when tracking last words or patterns.
    pub(super) msg_memo: Option<FxHashMap<Box<str>, u32>>,
    pub(super) track_last_words: bool,
    pub(super) rules: Option<std::sync::Arc<crate::rules::RuleSet>>,
    pub triage: Triage,
    /// Per interned template and source: 0 not judged, 1 not a restart line, 2 a restart line.
    pub(super) restart_memo: Vec<[u8; 2]>,
    pub(super) since: Option<i64>,
    pub(super) until: Option<i64>,
    /// Requests' app latencies are in the views (`request_latency`): counted once.
    pub requests_latency_counted: bool,
    /// Evidence for the zones of naive stamps, when asked for.
    pub zones: Option<Box<zones::ZoneEvidence>>,
    /// Per source of enveloped lines.
    pub sources: sources::Sources,
    pub(super) origins: std::sync::Arc<[Option<String>]>,
    /// Per input, its origin's interned id (`NONE`: none; `UNSEEN`: not interned yet).
    pub(super) origin_ids: Vec<u32>,
    /// Which endpoints are kept by name (`--max-endpoints`), and what was folded.
    pub endpoints: cardinality::EndpointCap,
}

/// `Partial::origin_ids` before an input's origin is interned.
pub(super) const UNSEEN: u32 = u32::MAX - 1;

impl Partial {
    pub fn new(nfiles: usize, opts: &AggOptions) -> Partial {
        Partial {
            files: vec![FileStats::default(); nfiles],
            levels: [0; 6],
            filtered: 0,
            min_ts: i64::MAX,
            max_ts: i64::MIN,
            status: Default::default(),
            names: Interner::default(),
            latency: Default::default(),
            errors: FxHashMap::default(),
            windows: Windows::with_cap(opts.window, opts.window_cap.unwrap_or(latency::EXACT_CAP)),
            requests: Requests::default(),
            samples: Vec::new(),
            health: Vec::new(),
            endpoint_memo: endpoint::Memo::default(),
            msg_memo: (opts.last_words || opts.rules.is_some()).then(FxHashMap::default),
            track_last_words: opts.last_words,
            rules: opts.rules.clone(),
            triage: Triage::new(opts.rules.as_ref().map_or(0, |r| r.slots.len())),
            restart_memo: Vec::new(),
            since: opts.since,
            until: opts.until,
            requests_latency_counted: false,
            zones: opts
                .zone_evidence
                .then(|| Box::new(zones::ZoneEvidence::new(nfiles))),
            sources: sources::Sources::new(),
            origins: opts.origins.clone(),
            origin_ids: vec![UNSEEN; nfiles],
            endpoints: cardinality::EndpointCap::new(
                opts.max_endpoints
                    .unwrap_or(cardinality::DEFAULT_MAX_ENDPOINTS),
            ),
        }
    }

    /// No lines yet, counting as `self` counts: the empty value a fold merges into. Zone
    /// evidence is left out: merging takes the other side's.
    fn empty_like(&self) -> Partial {
        let opts = AggOptions {
            window: None,
            since: self.since,
            until: self.until,
            last_words: self.track_last_words,
            rules: self.rules.clone(),
            window_cap: Some(self.windows.cap),
            zone_evidence: false,
            origins: self.origins.clone(),
            max_endpoints: Some(self.endpoints.cap()),
        };
        let mut q = Partial::new(self.files.len(), &opts);
        // The same width (and fixed width) as ours, which may have widened already.
        q.windows = self.windows.empty_like();
        q
    }

    /// Folds the endpoints past `--max-endpoints` into `cardinality::OTHER` everywhere they
    /// are counted. Every split of the input folds the same ones; a no-op under the cap.
    pub fn fold_endpoints(self) -> Partial {
        let Some(plan) = self.endpoints.fold_plan() else {
            return self;
        };
        let mut q = self.empty_like();
        let other = q.names.intern(cardinality::OTHER);
        q.endpoints.set_other(other);
        let map: Vec<u32> = (0..self.names.len() as u32)
            .map(|id| match plan.get(id as usize) {
                Some(true) => other,
                _ => q.names.intern(self.names.name(id)),
            })
            .collect();
        let counted = self.requests_latency_counted;
        let mut o = self;
        o.requests_latency_counted = false;
        q.merge_mapped(o, map);
        q.requests_latency_counted = counted;
        q
    }

    /// Ends line-by-line accumulation: open request groups move into their partitions. The
    /// engine seals each fold's partial; merging seals too.
    pub fn seal(&mut self) {
        self.requests.seal();
    }

    /// Work that finishes the partial: one job per request partition, for any thread.
    pub fn finish_jobs(&mut self) -> (Vec<PartJob<'_>>, &Interner) {
        (self.requests.part_jobs(), &self.names)
    }
}

impl Merge for Partial {
    fn merge(&mut self, o: Partial) {
        let map = self.names.absorb(&o.names);
        self.merge_mapped(o, map);
    }
}

impl Partial {
    /// `merge`, with `map` carrying `o`'s interned ids into ours (several may share one, as
    /// when a fold sends endpoints to `cardinality::OTHER`).
    fn merge_mapped(&mut self, mut o: Partial, map: Vec<u32>) {
        debug_assert!(
            !self.requests_latency_counted && !o.requests_latency_counted,
            "a request split over two partials must be whole before its latency counts"
        );
        // The other side's ids are remapped into ours; ours keep their meaning, and so does
        // the health memo.
        self.endpoints.merge(
            std::mem::replace(&mut o.endpoints, self.endpoints.empty_like()),
            &map,
        );
        for s in &mut o.samples {
            s.line += self.files[s.file as usize].lines;
        }
        let lines_before: Vec<u64> = self.files.iter().map(|f| f.lines).collect();
        o.triage.shift(&lines_before);
        for (mine, theirs) in self.files.iter_mut().zip(o.files) {
            mine.merge(theirs);
        }
        // Keep the first samples of each file: ours come first in input order.
        for s in o.samples {
            if self.samples.iter().filter(|m| m.file == s.file).count() < SAMPLES_PER_FILE {
                self.samples.push(s);
            }
        }
        for i in 0..6 {
            self.levels[i] += o.levels[i];
        }
        self.filtered += o.filtered;
        self.min_ts = self.min_ts.min(o.min_ts);
        self.max_ts = self.max_ts.max(o.max_ts);
        for (mine, theirs) in self.status.iter_mut().zip(o.status) {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
        for (mine, theirs) in self.latency.iter_mut().zip(o.latency) {
            for (ep, lat) in theirs {
                mine.entry(remap(ep, &map))
                    .or_default()
                    .merge(&lat, latency::EXACT_CAP);
            }
        }
        for ((src, id), agg) in o.errors {
            self.errors
                .entry((src, remap(id, &map)))
                .or_default()
                .merge_remapped(agg, &map);
        }
        self.windows.merge_remapped(o.windows, &map);
        self.sources.merge_remapped(o.sources, &map);
        self.requests.merge(o.requests, &map);
        self.triage
            .merge_remapped(std::mem::take(&mut o.triage), &map);
        match (self.zones.as_deref_mut(), o.zones) {
            (Some(mine), Some(theirs)) => mine.merge(*theirs),
            (None, theirs) => self.zones = theirs,
            _ => {}
        }
    }
}
