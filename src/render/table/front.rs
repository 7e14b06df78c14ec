//! The terminal report's first screen: the headline, each incident in two lines, the
//! timeline strip with incidents marked, the top flags and error types, one line each, all
//! fitted to the width. Lays out the finished `Brief`; every log-derived string goes
//! through `escape::term` before it is fitted.

use std::io::{self, Write};

use super::{TableRender, clock};
use crate::model::human_duration;
use crate::render::escape::term;
use crate::render::fit::{clip, whole_list, width, wrap};
use crate::render::notes::{STRIP_LABEL, strips};
use crate::render::short_time;
use crate::report::Report;
use crate::report::brief::{BriefError, BriefFlag, BriefIncident};

impl TableRender {
    /// Everything the first screen shows, in order.
    pub(super) fn front(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.opening(r, out)?;
        let b = &r.brief;
        if !b.incidents.is_empty() {
            self.heading(out, "INCIDENTS")?;
            for inc in &b.incidents {
                for line in self.incident_lines(inc, &r.time_range.as_ref().map(|t| &t.start)) {
                    writeln!(out, "{line}")?;
                }
            }
        }
        self.strip(r, out)?;
        if !b.flags.is_empty() {
            self.heading(out, "TOP FLAGS")?;
            // A long subject (an endpoint) gets a third of the line, so count and gist show.
            let rule_w = b.flags.iter().map(|f| width(&term(&rule_label(f)))).max();
            let rule_w = rule_w.unwrap_or(0).min(self.width / 3);
            let count_w = b.flags.iter().map(|f| f.count.to_string().len()).max();
            for f in &b.flags {
                let line = self.flag_line(f, rule_w, count_w.unwrap_or(0));
                writeln!(out, "{line}")?;
            }
            if b.flags_more > 0 {
                writeln!(out, "  (+{} more under FLAGS below)", b.flags_more)?;
            }
        }
        if !b.error_types.is_empty() {
            self.heading(out, "TOP ERROR TYPES")?;
            let kind_w = b.error_types.iter().map(|e| kind_label(e).chars().count());
            let kind_w = kind_w.max().unwrap_or(0).min(self.width / 2);
            let count_w = b
                .error_types
                .iter()
                .map(|e| e.count.to_string().len())
                .max();
            for e in &b.error_types {
                let line = error_line(e, kind_w, count_w.unwrap_or(0));
                writeln!(out, "{}", clip(&line, self.width))?;
            }
            if b.error_types_more > 0 {
                writeln!(
                    out,
                    "  (+{} more under ERROR TYPES below)",
                    b.error_types_more
                )?;
            }
        }
        Ok(())
    }

    /// The headline, what the figures are in, and the notes on how inputs were read, each
    /// wrapped to the width.
    fn opening(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        for (i, line) in wrap(&term(&r.headline), self.width, "  ")
            .iter()
            .enumerate()
        {
            if i == 0 && self.color {
                writeln!(out, "\x1b[1m{line}\x1b[0m")?;
            } else {
                writeln!(out, "{line}")?;
            }
        }
        let zones = crate::render::notes::zone_notes(r);
        let what = format!(
            "times in UTC; naive timestamps read as {}{}; window {}; latency in ms; the timeline shows {}'s 5xx and p95",
            term(&r.timezone_assumed),
            if zones.is_empty() {
                ""
            } else {
                " unless noted"
            },
            human_duration(r.window_seconds as f64),
            r.primary_source.name()
        );
        let notes = crate::render::notes::input_notes(r);
        let lines = std::iter::once(what).chain(
            zones
                .iter()
                .map(|z| format!("  {}", term(z)))
                .chain(notes.iter().map(|n| format!("  {}", term(n)))),
        );
        for l in lines {
            for w in wrap(&l, self.width, "    ") {
                writeln!(out, "{w}")?;
            }
        }
        Ok(())
    }

    /// `1 critical 03:16:06-03:16:52 (46s): what failed` and `  on endpoints; new: types`,
    /// each clipped to the width.
    fn incident_lines(&self, inc: &BriefIncident, day_of: &Option<&String>) -> Vec<String> {
        let start = short_time(&inc.start);
        let same_day = day_of.is_some_and(|d| d.get(..10) == inc.start.get(..10))
            && inc.start.get(..10) == inc.end.get(..10);
        let (start, end) = if same_day {
            (
                start.get(11..).unwrap_or(&start).to_string(),
                short_time(&inc.end).get(11..).unwrap_or("").to_string(),
            )
        } else {
            (start.clone(), short_time(&inc.end))
        };
        let head = format!(
            "{} {} {start}-{end} ({}): ",
            inc.number,
            self.paint_severity(inc.severity),
            human_duration(inc.seconds)
        );
        let room = self.width.saturating_sub(width(&head));
        let what: Vec<String> = inc.what.iter().map(|w| term(w).into_owned()).collect();
        // What failed fills the first line; what does not fit leads the second, then where
        // it failed and the new error types, each group shortened to its share.
        let fit = whole(&what, "; ", room);
        let mut lines = vec![format!("{head}{}", what[..fit].join("; "))];
        let names =
            |v: &[String]| -> Vec<String> { v.iter().map(|x| term(x).into_owned()).collect() };
        let groups: Vec<(&str, Vec<String>, &str, &str)> = [
            ("", what[fit..].to_vec(), "; ", "more failures"),
            ("on ", names(&inc.endpoints), ", ", "endpoints"),
            ("new: ", names(&inc.new_error_types), ", ", "error types"),
        ]
        .into_iter()
        .filter(|g| !g.1.is_empty())
        .collect();
        let mut second = String::from("  ");
        for (i, (label, items, sep, noun)) in groups.iter().enumerate() {
            if i > 0 {
                second.push_str("; ");
            }
            // Later groups keep room for their label and a short first item.
            let reserve: usize = groups[i + 1..]
                .iter()
                .map(|g| g.0.len() + format!("; {} {}", g.1.len(), g.3).len())
                .sum();
            let room = self
                .width
                .saturating_sub(width(&second) + label.len() + reserve);
            let shown = whole_list(items, sep, room.max(6))
                .unwrap_or_else(|| format!("{} {noun}", items.len()));
            second.push_str(&format!("{label}{shown}"));
        }
        if groups.is_empty() {
            return lines;
        }
        lines.push(clip(&second, self.width).into_owned());
        lines
    }

    /// The errors and 5xx strips with incidents marked under them, fitted to the width.
    fn strip(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let (Some(a), Some(z)) = (r.windows.first(), r.windows.last()) else {
            return Ok(());
        };
        let s = strips(r, &["errors", "5xx", "incid."], self.width);
        let per = if s.per_mark > 1 {
            format!("a mark per up to {} windows", s.per_mark)
        } else {
            "a mark per window".to_string()
        };
        self.heading(
            out,
            &clip(
                &format!(
                    "TIMELINE {} to {}, {} windows ({per})",
                    clock(r, &a.start),
                    clock(r, &z.start),
                    human_duration(r.window_seconds as f64)
                ),
                self.width,
            ),
        )?;
        for (label, marks) in &s.rows {
            writeln!(out, "{label:<w$}{marks}", w = STRIP_LABEL)?;
        }
        Ok(())
    }

    fn flag_line(&self, f: &BriefFlag, rule_w: usize, count_w: usize) -> String {
        let label = term(&rule_label(f)).into_owned();
        let label = clip(&label, rule_w).into_owned();
        let pad = rule_w.saturating_sub(width(&label));
        let gist = term(&f.gist.join("; ")).into_owned();
        // Severity padded before colour, so columns line up with and without it.
        let sev = format!("{:<8}", f.severity.name());
        let plain = format!(
            "{sev} {}{} {:>count_w$}  {gist}",
            label,
            " ".repeat(pad),
            f.count
        );
        let clipped = clip(&plain, self.width).into_owned();
        match clipped.strip_prefix(&sev) {
            Some(rest) if self.color => format!("{}{rest}", self.paint(f.severity, &sev)),
            _ => clipped,
        }
    }
}

/// A flag's rule, with its subject when it has one.
fn rule_label(f: &BriefFlag) -> String {
    match &f.subject {
        Some(s) => format!("{} {s}", f.rule),
        None => f.rule.clone(),
    }
}

fn kind_label(e: &BriefError) -> String {
    match e.http_status {
        Some(s) => format!("{} [{s}]", e.kind),
        None => e.kind.clone(),
    }
}

fn error_line(e: &BriefError, kind_w: usize, count_w: usize) -> String {
    let kind = term(&kind_label(e)).into_owned();
    let kind = clip(&kind, kind_w).into_owned();
    let pad = kind_w.saturating_sub(width(&kind));
    let endpoint = e
        .endpoint
        .as_deref()
        .map_or(String::new(), |x| term(x).into_owned());
    format!(
        "{kind}{}  {:<5} {:>count_w$}  {endpoint}",
        " ".repeat(pad),
        e.source,
        e.count
    )
    .trim_end()
    .to_string()
}

/// How many of `items`, joined by `sep`, fit whole in `room` columns (at least one).
fn whole(items: &[String], sep: &str, room: usize) -> usize {
    let mut used = 0;
    for (i, item) in items.iter().enumerate() {
        used += width(item) + if i > 0 { sep.len() } else { 0 };
        if used > room {
            return i.max(1).min(items.len());
        }
    }
    items.len()
}
