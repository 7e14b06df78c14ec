//! What the report's table and markdown renderers both say besides their tables: how naive
//! stamps were read, what was not counted as a plain line, an input's formats, the incident
//! strip. Plain strings from a finished `Report`, unescaped: each renderer escapes them for
//! its medium. Must not write anything.

use std::collections::BTreeMap;

use super::fit::{bucket, resample};
use super::sparkline;
use crate::model::human_duration;
use crate::report::{InputReport, Report, Window};

/// One character per window: the incident's number (mod 10) inside one, `·` outside.
pub fn incident_strip(windows: &[Window]) -> String {
    incident_marks(windows, windows.len())
}

/// `incident_strip` in at most `n` marks, each bucket of windows marked by the first
/// incident inside it.
fn incident_marks(windows: &[Window], n: usize) -> String {
    let buckets = n.min(windows.len()).max(1);
    (0..buckets)
        .map(|b| {
            let (lo, hi) = bucket(windows.len(), buckets, b);
            match windows[lo..hi.min(windows.len())]
                .iter()
                .find_map(|w| w.incident)
            {
                Some(i) => char::from_digit(i % 10, 10).unwrap_or('#'),
                None => '·',
            }
        })
        .collect()
}

/// The timeline's strips (label, marks) fitted to `width` columns with their labels, and
/// how many windows each mark stands for.
pub struct Strips {
    pub rows: Vec<(&'static str, String)>,
    pub per_mark: usize,
}

/// Label width of a strip row.
pub const STRIP_LABEL: usize = 7;

/// The strips of `r`'s windows, among `lines`, `errors`, `5xx`, `p95` and `incid.` as
/// `which` names them, each no wider than `width` with its label.
pub fn strips(r: &Report, which: &[&'static str], width: usize) -> Strips {
    let n = width.saturating_sub(STRIP_LABEL).max(8);
    let w = &r.windows;
    let series = |f: fn(&Window) -> Option<f64>| resample(&w.iter().map(f).collect::<Vec<_>>(), n);
    let rows = which
        .iter()
        .filter_map(|&label| {
            let marks = match label {
                "lines" => sparkline(&series(|x| Some(x.lines as f64))),
                "errors" => sparkline(&series(|x| Some(x.errors as f64))),
                "5xx" => sparkline(&series(|x| Some(x.status_5xx as f64))),
                "p95" => sparkline(&series(|x| x.p95)),
                "incid." if !r.incidents.is_empty() => incident_marks(w, n),
                _ => return None,
            };
            Some((label, marks))
        })
        .collect();
    Strips {
        rows,
        per_mark: w.len().div_ceil(n).max(1),
    }
}

/// An input's formats (`json:668 text:3`), then the envelopes they came in
/// (`in docker:671`); `kv` joins a name to its count, `sep` the pairs.
pub fn formats_cell(i: &InputReport, kv: &str, sep: &str) -> String {
    let pairs = |m: &BTreeMap<&str, u64>| -> Vec<String> {
        m.iter().map(|(k, v)| format!("{k}{kv}{v}")).collect()
    };
    let mut s = pairs(&i.formats).join(sep);
    if !i.envelopes.is_empty() {
        s.push_str(&format!(" in {}", pairs(&i.envelopes).join(sep)));
    }
    s
}

/// How inputs' naive stamps were read, where it is news: inferred, checked, unchecked or
/// inconsistent (not what `--tz` said).
pub fn zone_notes(r: &Report) -> Vec<&str> {
    r.inputs
        .iter()
        .filter_map(|i| i.timezone.as_ref())
        .filter(|z| z.how != "tz")
        .map(|z| z.note.as_str())
        .collect()
}

/// What the report did not count as it would a plain line, per input, as notes: access
/// lines of the app server whose statuses the app logs itself, lines over `--max-line`.
pub fn input_notes(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for i in &r.inputs {
        if i.echoed_access_lines > 0 {
            out.push(format!(
                "{}: {} access lines of the app server not counted in statuses (the app logs its own)",
                i.path, i.echoed_access_lines
            ));
        }
        if i.latency_out_of_range > 0 {
            out.push(format!(
                "{}: {} latency values over 1e15 ms, negative or not a number, left out of every figure",
                i.path, i.latency_out_of_range
            ));
        }
        if i.oversized > 0 {
            out.push(format!(
                "{}: {} lines over --max-line not parsed (counted unparsed)",
                i.path, i.oversized
            ));
        }
    }
    if let Some(asked) = r.window_requested_seconds {
        out.push(format!(
            "--window {}: more than {} windows over this span; widened to {}",
            human_duration(asked as f64),
            r.max_fixed_windows,
            human_duration(r.window_seconds as f64)
        ));
    }
    if let Some(f) = &r.totals.endpoints_folded {
        out.push(format!(
            "more than --max-endpoints {} distinct endpoints: {} lines count per endpoint as `{}` (kept by a hash of the name, not by traffic; raise --max-endpoints, or check that ids in paths are masked)",
            f.max_endpoints,
            f.lines,
            f.into
        ));
    }
    out
}
