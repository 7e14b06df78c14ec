//! The report's one-line headline: time span, how many requests failed (or the error share),
//! the worst window and the top error type. Reads a finished `Report` only.

use super::Report;
use crate::model::human_duration;

fn short(t: &str) -> &str {
    // `2025-05-06T04:00:08.000Z` -> `2025-05-06 04:00:08`
    t.get(..19).unwrap_or(t)
}

pub(super) fn headline(r: &Report) -> String {
    let mut parts = Vec::new();
    match &r.time_range {
        Some(tr) => parts.push(format!(
            "{} to {} UTC ({})",
            short(&tr.start).replace('T', " "),
            short(&tr.end).replace('T', " "),
            human_duration(tr.seconds)
        )),
        // `--since`/`--until` left nothing: not the same as lines that carry no time.
        None if r.totals.filtered > 0 => parts.push(format!(
            "no lines in the range ({} outside --since/--until)",
            r.totals.filtered
        )),
        None => parts.push("no timestamps: counts only".to_string()),
    }
    if r.requests.total > 0 {
        let o = &r.requests.outcomes;
        let known = r.requests.total - o.unknown;
        let failed = o.failed();
        let share = |n: u64, of: u64| 100.0 * n as f64 / of.max(1) as f64;
        parts.push(if o.unknown == 0 {
            format!(
                "{} requests, {:.1}% failed",
                r.requests.total,
                share(failed, known)
            )
        } else if known == 0 {
            format!(
                "{} requests, none with a known outcome (no completion lines)",
                r.requests.total
            )
        } else {
            format!(
                "{} requests, {failed} of {known} with a known outcome failed ({:.1}%), {} unknown",
                r.requests.total,
                share(failed, known),
                o.unknown
            )
        });
    } else {
        let errs = r.levels.ERROR + r.levels.FATAL;
        let share = if r.totals.parsed > 0 {
            100.0 * errs as f64 / r.totals.parsed as f64
        } else {
            0.0
        };
        parts.push(format!("{} lines, {:.1}% errors", r.totals.lines, share));
    }
    if let Some(w) = r.worst_window() {
        parts.push(format!(
            "worst window {} ({} errors, {} 5xx)",
            short(&w.start).replace('T', " "),
            w.errors,
            w.status_5xx
        ));
    }
    if let Some(e) = r.error_types.first() {
        parts.push(format!("top error {} ({})", e.kind, e.count));
    }
    parts.join("; ")
}
