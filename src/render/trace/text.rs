//! The text header of one traced request: id, endpoint, status, outcome, span, durations and
//! files. Renders a finished `TraceSummary`; log text goes through `escape::term`.

use std::io::{self, Write};

use crate::render::escape::term;
use crate::render::style::Style;
use crate::render::{Render, ms};
use crate::trace::TraceSummary;

pub struct Text {
    pub style: Style,
}

/// `12.3 ms`, or `-` when not logged.
fn opt_ms(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{} ms", ms(v)))
}

/// `2025-05-06 04:00:08.123 .. 04:00:09.456 UTC`; the last without its date when it is the
/// same day.
fn span(s: &TraceSummary) -> String {
    let stamp = |t: &str| t.trim_end_matches('Z').replacen('T', " ", 1);
    match (&s.first, &s.last) {
        (Some(a), Some(b)) if a.get(..10) == b.get(..10) => {
            format!("{} .. {} UTC", stamp(a), stamp(b).get(11..).unwrap_or(""))
        }
        (Some(a), Some(b)) => format!("{} .. {} UTC", stamp(a), stamp(b)),
        _ => "no timestamps".to_string(),
    }
}

/// `3 lines + 2 correlated (1 ambiguous)`.
fn counts(s: &TraceSummary) -> String {
    let mut counts = format!("{} line{}", s.lines, if s.lines == 1 { "" } else { "s" });
    if s.correlated > 0 {
        counts.push_str(&format!(" + {} correlated", s.correlated));
        if s.ambiguous > 0 {
            counts.push_str(&format!(" ({} ambiguous)", s.ambiguous));
        }
    }
    counts
}

impl Render<TraceSummary> for Text {
    fn render(&self, s: &TraceSummary, out: &mut dyn Write) -> io::Result<()> {
        let style = self.style;
        let outcome = s.outcome.name();
        let painted = match outcome {
            "ok" => style.paint("32", outcome),
            _ => style.paint("1;31", outcome),
        };
        writeln!(
            out,
            "request {}  {}  status {}  {}",
            style.paint("1", &term(&s.id)),
            term(s.endpoint.as_deref().unwrap_or("-")),
            s.status.map_or("-".to_string(), |v| v.to_string()),
            painted
        )?;
        writeln!(
            out,
            "  {}   app {}   nginx {}   {}",
            span(s),
            opt_ms(s.app_ms),
            opt_ms(s.nginx_ms),
            counts(s)
        )?;
        if let Some(late) = &s.late {
            writeln!(out, "  {}", term(&late.describe(1)))?;
        }
        let files: Vec<String> = s.files.iter().map(|f| term(f).into_owned()).collect();
        writeln!(out, "  files: {}", files.join(", "))?;
        writeln!(out)
    }
}
