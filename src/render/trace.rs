//! The text header of one traced request: id, endpoint, status, outcome, span, durations and
//! files. Sees only the finished `TraceSummary`; log text is escaped.

use std::io::{self, Write};

use super::escape::term;
use super::events::Style;
use crate::trace::TraceSummary;

fn paint(style: Style, code: &str, s: &str) -> String {
    if style.color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{} ms", super::ms(v)))
}

pub fn header(s: &TraceSummary, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let outcome = s.outcome.name();
    let painted = match outcome {
        "ok" => paint(style, "32", outcome),
        _ => paint(style, "1;31", outcome),
    };
    writeln!(
        out,
        "request {}  {}  status {}  {}",
        paint(style, "1", &term(&s.id)),
        term(s.endpoint.as_deref().unwrap_or("-")),
        s.status.map_or("-".to_string(), |v| v.to_string()),
        painted
    )?;
    // `2025-05-06T04:00:08.123Z` -> `2025-05-06 04:00:08.123`; the last without its date
    // when it is the same day.
    let stamp = |t: &str| t.trim_end_matches('Z').replacen('T', " ", 1);
    let span = match (&s.first, &s.last) {
        (Some(a), Some(b)) if a.get(..10) == b.get(..10) => {
            format!("{} .. {} UTC", stamp(a), stamp(b).get(11..).unwrap_or(""))
        }
        (Some(a), Some(b)) => format!("{} .. {} UTC", stamp(a), stamp(b)),
        _ => "no timestamps".to_string(),
    };
    let mut counts = format!("{} line{}", s.lines, if s.lines == 1 { "" } else { "s" });
    if s.correlated > 0 {
        counts.push_str(&format!(" + {} correlated", s.correlated));
        if s.ambiguous > 0 {
            counts.push_str(&format!(" ({} ambiguous)", s.ambiguous));
        }
    }
    writeln!(
        out,
        "  {span}   app {}   nginx {}   {counts}",
        ms(s.app_ms),
        ms(s.nginx_ms)
    )?;
    if let Some(late) = &s.late {
        writeln!(out, "  {}", term(&late.describe(1)))?;
    }
    let files: Vec<String> = s.files.iter().map(|f| term(f).into_owned()).collect();
    writeln!(out, "  files: {}", files.join(", "))?;
    writeln!(out)
}
