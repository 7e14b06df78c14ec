//! Renderers: one module per output format behind one trait, over a finished `Report` only.

pub mod escape;
pub mod events;
pub mod json;
pub mod markdown;
pub mod requests;
pub mod rules;
pub mod table;
pub mod trace;
pub mod watch;

use std::io::{self, Write};

use crate::report::Report;

pub trait Render {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Unicode sparkline scaled to the largest value; `·` marks zero or missing.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let max = values.iter().flatten().cloned().fold(0.0_f64, f64::max);
    values
        .iter()
        .map(|v| match v {
            Some(x) if *x > 0.0 && max > 0.0 => {
                let i = ((x / max) * (SPARKS.len() - 1) as f64).round() as usize;
                SPARKS[i.min(SPARKS.len() - 1)]
            }
            _ => '·',
        })
        .collect()
}

/// One character per window: the incident's number (mod 10) inside one, `·` outside.
pub(crate) fn incident_strip(windows: &[crate::report::Window]) -> String {
    windows
        .iter()
        .map(|w| match w.incident {
            Some(i) => char::from_digit(i % 10, 10).unwrap_or('#'),
            None => '·',
        })
        .collect()
}

/// `2025-05-06T04:00:08.000Z` -> `2025-05-06 04:00:08`.
pub fn short_time(t: &str) -> String {
    t.get(..19).unwrap_or(t).replace('T', " ")
}

/// An input's formats (`json:668 text:3`), then the envelopes they came in
/// (`in docker:671`); `kv` joins a name to its count, `sep` the pairs.
pub fn formats_cell(i: &crate::report::InputReport, kv: &str, sep: &str) -> String {
    let pairs = |m: &std::collections::BTreeMap<&str, u64>| -> Vec<String> {
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
pub fn zone_notes(r: &crate::report::Report) -> Vec<&str> {
    r.inputs
        .iter()
        .filter_map(|i| i.timezone.as_ref())
        .filter(|z| z.how != "tz")
        .map(|z| z.note.as_str())
        .collect()
}

/// What the report did not count as it would a plain line, per input, as notes: access
/// lines of the app server whose statuses the app logs itself, lines over `--max-line`.
pub fn input_notes(r: &crate::report::Report) -> Vec<String> {
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
            crate::model::human_duration(asked as f64),
            r.max_fixed_windows,
            crate::model::human_duration(r.window_seconds as f64)
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

pub fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales() {
        assert_eq!(sparkline(&[Some(0.0), Some(1.0), Some(7.0), None]), "·▂█·");
        assert_eq!(sparkline(&[]), "");
    }
}
