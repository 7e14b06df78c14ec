//! The `requests` listing: one row per request id from a merged partial, selected, sorted and
//! cut, and the last words of stuck requests (where in the code they stopped). Pure: builds
//! values from a finished `Partial`; must not read input or print.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::aggregate::Partial;
use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::latency::round3;
use crate::aggregate::outcome::{Completions, Outcomes, RequestOutcome, outcome};
use crate::aggregate::requests::{ReqAgg, ReqKey, RowRef};
use crate::aggregate::zones::Reading;
use crate::model::{opt_ms, ts};
use crate::report::EndpointCount;
use crate::triage::evaluate::{LateAnswer, answered_late};

/// Version of the `requests --format json` document (docs/requests-schema.md).
pub const SCHEMA_VERSION: u32 = 1;
/// Request ids kept per last-words group.
const IDS_PER_GROUP: usize = 5;
/// Endpoints named per last-words group.
const ENDPOINTS_PER_GROUP: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// First line's time, earliest first.
    Time,
    /// Duration, longest first.
    Duration,
    /// Error lines, most first.
    Errors,
}

/// Which requests to list and how.
#[derive(Clone, Debug)]
pub struct Query {
    /// Empty: every outcome.
    pub outcomes: Vec<RequestOutcome>,
    pub slower_than_ms: Option<f64>,
    pub endpoint: Option<regex::Regex>,
    pub sort: SortKey,
    pub top: Option<usize>,
}

/// Outcomes whose requests never got an answer from the app: their last app line is where
/// they stopped.
pub fn is_stuck(o: RequestOutcome) -> bool {
    matches!(
        o,
        RequestOutcome::Timeout | RequestOutcome::UpstreamClosed | RequestOutcome::Unfinished
    )
}

/// A request's duration in ms and where it comes from: the longest latency either side logged,
/// else the span from its first to its last timed line.
pub fn duration(r: &ReqAgg) -> Option<(f64, DurationFrom)> {
    let logged = r.app_ms.max(r.nginx_ms);
    if logged >= 0.0 {
        Some((logged as f64, DurationFrom::Logged))
    } else if r.first <= r.last {
        Some(((r.last - r.first) as f64 / 1000.0, DurationFrom::Span))
    } else {
        None
    }
}

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DurationFrom {
    Logged,
    Span,
}

impl DurationFrom {
    pub fn name(self) -> &'static str {
        match self {
            DurationFrom::Logged => "logged",
            DurationFrom::Span => "span",
        }
    }
}

/// One request, owned and ready to print.
#[derive(Serialize, Clone, Debug)]
pub struct Row<'a> {
    pub id: String,
    pub first: Option<String>,
    pub last: Option<String>,
    pub endpoint: Option<&'a str>,
    /// nginx's status when it logged one, else the app's.
    pub status: Option<u16>,
    pub app_status: Option<u16>,
    pub nginx_status: Option<u16>,
    pub duration_ms: Option<f64>,
    pub duration_from: Option<DurationFrom>,
    pub app_ms: Option<f64>,
    pub nginx_ms: Option<f64>,
    pub lines: u64,
    pub errors: u64,
    pub error_type: Option<&'a str>,
    pub outcome: RequestOutcome,
    /// The request's last app message, variable parts masked.
    pub last_message: Option<&'a str>,
}

/// Stuck requests that stopped after the same app message (or that the app answered after
/// nginx had given up on them).
#[derive(Serialize, Debug)]
pub struct LastWords {
    /// Masked template of the last app message; null when the app logged nothing for them,
    /// and for the group of late answers.
    pub message: Option<String>,
    /// Set for the requests the app answered after nginx had given up (504, 502): where they
    /// "stopped" is not the question.
    pub late: Option<LateAnswer>,
    pub count: u64,
    /// Stuck outcomes among them (`timeout`, `upstream_closed`, `unfinished`), zeros left out.
    pub outcomes: BTreeMap<&'static str, u64>,
    pub endpoints: Vec<EndpointCount>,
    /// The earliest of them by first line, then id.
    pub request_ids: Vec<String>,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// Per input: its line accounting, so nothing is lost silently.
#[derive(Serialize, Debug)]
pub struct InputLines {
    pub path: String,
    pub lines: u64,
    pub parsed: u64,
    /// Physical lines joined into the record before them (envelope fragments).
    pub continuation: u64,
    pub unparsed: u64,
    pub blank: u64,
    pub error: Option<String>,
    /// How the input's stamps without a zone were read; absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Reading>,
}

/// The whole answer. Rows stay references into the partial until rendered, so listing
/// millions of requests costs a pointer and a key each, not a row of strings.
pub struct Listing<'a> {
    pub inputs: Vec<InputLines>,
    pub timezone: String,
    /// Distinct request ids in the input.
    pub total: u64,
    /// Requests the query selected (before `--top`).
    pub matched: u64,
    pub outcomes: Outcomes,
    pub last_words: Vec<LastWords>,
    rows: Rows<'a>,
}

/// The listed rows: as `build` leaves them, a key and a reference into the partial each,
/// made into `Row`s one at a time as they are printed; or rows made already
/// (`Listing::of_rows`).
enum Rows<'a> {
    InPartial(InPartial<'a>),
    Made(Vec<Row<'a>>),
}

struct InPartial<'a> {
    rows: Vec<RowRef<'a>>,
    names: &'a Interner,
    completes: Completions,
}

fn nonzero(s: u16) -> Option<u16> {
    (s > 0).then_some(s)
}

impl<'a> Listing<'a> {
    /// Selects, groups and sorts the finished requests of `p`.
    pub fn build(
        p: &'a Partial,
        q: &Query,
        paths: &[String],
        errors: &[Option<String>],
        timezone: &str,
        zones: &[Option<Reading>],
    ) -> Listing<'a> {
        let names = &p.names;
        let completes = Completions::of(p);
        let mut total = 0;
        let mut outcomes = Outcomes::default();
        let mut rows = Vec::new();
        let mut groups: BTreeMap<u32, Group> = BTreeMap::new();
        let mut endpoints = EndpointMatch::default();
        for row in p.requests.rows() {
            let r = row.agg();
            total += 1;
            let o = outcome(r, &completes);
            if !q.outcomes.is_empty() && !q.outcomes.contains(&o) {
                continue;
            }
            if let Some(min) = q.slower_than_ms
                && duration(r).is_none_or(|(d, _)| d <= min)
            {
                continue;
            }
            if let Some(re) = &q.endpoint
                && !endpoints.matches(re, r.endpoint, names)
            {
                continue;
            }
            outcomes.add(o);
            if is_stuck(o) {
                let group = if answered_late(r) { LATE } else { r.last_msg };
                groups.entry(group).or_default().add(&row.key(), r, o);
            }
            rows.push(row);
        }
        let matched = rows.len() as u64;
        sort(&mut rows, q.sort, q.top);
        let last_words = last_words(groups, names);
        let inputs = input_lines(p, paths, errors, zones);
        Listing {
            inputs,
            timezone: timezone.to_string(),
            total,
            matched,
            outcomes,
            last_words,
            rows: Rows::InPartial(InPartial {
                rows,
                names,
                completes,
            }),
        }
    }

    /// A listing of rows made already, in the order given (a hand-made listing, as the
    /// renderer tests make): every row selected, their outcomes counted, no inputs, no last
    /// words; set the public fields for more.
    pub fn of_rows(rows: Vec<Row<'a>>) -> Listing<'a> {
        let mut outcomes = Outcomes::default();
        for r in &rows {
            outcomes.add(r.outcome);
        }
        Listing {
            inputs: Vec::new(),
            timezone: String::new(),
            total: rows.len() as u64,
            matched: rows.len() as u64,
            outcomes,
            last_words: Vec::new(),
            rows: Rows::Made(rows),
        }
    }

    /// Rows as listed (sorted and cut), built one at a time.
    pub fn rows(&self) -> impl Iterator<Item = Row<'a>> + '_ {
        self.rows_in(0..self.len())
    }

    /// The listed rows at positions `range` (clamped to the listing), built one at a time:
    /// pieces of a long listing can be formatted apart, in parallel, and joined in order.
    pub fn rows_in(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = Row<'a>> + '_ {
        let end = range.end.min(self.len());
        let range = range.start.min(end)..end;
        let (in_partial, made) = match &self.rows {
            Rows::InPartial(p) => (Some(p.rows[range].iter().map(|&r| p.row(r))), None),
            Rows::Made(rows) => (None, Some(rows[range].iter().cloned())),
        };
        in_partial
            .into_iter()
            .flatten()
            .chain(made.into_iter().flatten())
    }

    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::InPartial(p) => p.rows.len(),
            Rows::Made(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> InPartial<'a> {
    fn name(&self, id: u32) -> Option<&'a str> {
        let names: &'a Interner = self.names;
        (id != NONE).then(|| names.name(id))
    }

    fn row(&self, row: RowRef<'_>) -> Row<'a> {
        let r = row.agg();
        let d = duration(r);
        Row {
            id: row.key().render(),
            first: ts(r.first),
            last: ts(r.last),
            endpoint: self.name(r.endpoint),
            status: nonzero(r.nginx_status).or(nonzero(r.app_status)),
            app_status: nonzero(r.app_status),
            nginx_status: nonzero(r.nginx_status),
            duration_ms: d.map(|(v, _)| round3(v)),
            duration_from: d.map(|(_, f)| f),
            app_ms: opt_ms(r.app_ms),
            nginx_ms: opt_ms(r.nginx_ms),
            lines: r.lines as u64,
            errors: r.errors as u64,
            error_type: self.name(r.error_type),
            outcome: outcome(r, &self.completes),
            last_message: self.name(r.last_msg),
        }
    }
}

/// Orders rows by the key, then by first time and id, so equal keys list the same way on
/// every run. With a `top`, only the rows that make the cut are sorted.
fn sort(rows: &mut Vec<RowRef<'_>>, key: SortKey, top: Option<usize>) {
    let dur = |r: &ReqAgg| duration(r).map_or(f64::NEG_INFINITY, |(d, _)| d);
    let tie = |a: &RowRef<'_>, b: &RowRef<'_>| {
        a.agg()
            .first
            .cmp(&b.agg().first)
            .then_with(|| a.cmp_key(*b))
    };
    let cmp = |a: &RowRef<'_>, b: &RowRef<'_>| match key {
        SortKey::Time => tie(a, b),
        SortKey::Duration => dur(b.agg())
            .total_cmp(&dur(a.agg()))
            .then_with(|| tie(a, b)),
        SortKey::Errors => b.agg().errors.cmp(&a.agg().errors).then_with(|| tie(a, b)),
    };
    if let Some(n) = top
        && n < rows.len()
    {
        rows.select_nth_unstable_by(n, cmp);
        rows.truncate(n);
    }
    crate::engine::par_sort(rows, cmp);
}

/// The group key of late answers among the last-words groups (no interned id is this).
const LATE: u32 = u32::MAX - 1;

struct Group {
    late: LateAnswer,
    count: u64,
    outcomes: BTreeMap<&'static str, u64>,
    endpoints: BTreeMap<u32, u64>,
    ids: Vec<(i64, ReqKey)>,
    first: i64,
    last: i64,
}

impl Default for Group {
    fn default() -> Self {
        Group {
            late: LateAnswer::default(),
            count: 0,
            outcomes: BTreeMap::new(),
            endpoints: BTreeMap::new(),
            ids: Vec::new(),
            first: i64::MAX,
            last: i64::MIN,
        }
    }
}

impl Group {
    fn add(&mut self, key: &ReqKey, r: &ReqAgg, o: RequestOutcome) {
        self.count += 1;
        self.late.add(r);
        *self.outcomes.entry(o.name()).or_default() += 1;
        if r.endpoint != NONE {
            *self.endpoints.entry(r.endpoint).or_default() += 1;
        }
        self.first = self.first.min(r.first);
        self.last = self.last.max(r.last);
        let cand = (r.first, key.clone());
        if self.ids.len() < IDS_PER_GROUP || cand < self.ids[IDS_PER_GROUP - 1] {
            let at = self.ids.partition_point(|x| *x < cand);
            self.ids.insert(at, cand);
            self.ids.truncate(IDS_PER_GROUP);
        }
    }

    fn finish(self, msg: u32, names: &Interner) -> LastWords {
        let mut endpoints: Vec<EndpointCount> = self
            .endpoints
            .into_iter()
            .map(|(ep, count)| EndpointCount {
                endpoint: names.name(ep).to_string(),
                count,
            })
            .collect();
        endpoints.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.endpoint.cmp(&b.endpoint))
        });
        endpoints.truncate(ENDPOINTS_PER_GROUP);
        LastWords {
            message: (msg != NONE && msg != LATE).then(|| names.name(msg).to_string()),
            late: (msg == LATE).then_some(self.late),
            count: self.count,
            outcomes: self.outcomes,
            endpoints,
            request_ids: self.ids.into_iter().map(|(_, k)| k.render()).collect(),
            first: ts(self.first),
            last: ts(self.last),
        }
    }
}

/// The JSON document; rows are serialised as they are built.
impl Serialize for Listing<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Rows<'b, 'a>(&'b Listing<'a>);
        impl Serialize for Rows<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.rows())
            }
        }
        let mut st = s.serialize_struct("Listing", 8)?;
        st.serialize_field("version", &SCHEMA_VERSION)?;
        st.serialize_field("inputs", &self.inputs)?;
        st.serialize_field("timezone_assumed", &self.timezone)?;
        st.serialize_field("total", &self.total)?;
        st.serialize_field("matched", &self.matched)?;
        st.serialize_field("outcomes", &self.outcomes)?;
        st.serialize_field("requests", &Rows(self))?;
        st.serialize_field("last_words", &self.last_words)?;
        st.end()
    }
}

/// Endpoint regexes judged once per interned endpoint, not once per request.
#[derive(Default)]
struct EndpointMatch {
    judged: Vec<Option<bool>>,
}

impl EndpointMatch {
    fn matches(&mut self, re: &regex::Regex, endpoint: u32, names: &Interner) -> bool {
        if endpoint == NONE {
            return false;
        }
        let i = endpoint as usize;
        if i >= self.judged.len() {
            self.judged.resize(i + 1, None);
        }
        *self.judged[i].get_or_insert_with(|| re.is_match(names.name(endpoint)))
    }
}

/// Stuck requests grouped by their last words, the largest group first.
fn last_words(groups: BTreeMap<u32, Group>, names: &Interner) -> Vec<LastWords> {
    let mut out: Vec<LastWords> = groups
        .into_iter()
        .map(|(msg, g)| g.finish(msg, names))
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.message.cmp(&b.message))
    });
    out
}

/// Each input's line accounting, as the listing reports it.
fn input_lines(
    p: &Partial,
    paths: &[String],
    errors: &[Option<String>],
    zones: &[Option<Reading>],
) -> Vec<InputLines> {
    p.files
        .iter()
        .enumerate()
        .map(|(i, f)| InputLines {
            path: paths[i].clone(),
            lines: f.lines,
            parsed: f.parsed,
            continuation: f.continuation,
            unparsed: f.unparsed,
            blank: f.blank,
            error: errors.get(i).cloned().flatten(),
            timezone: zones.get(i).cloned().flatten(),
        })
        .collect()
}
