//! Markdown table rows and cells shared by the report's sections. Formats only; escaping of
//! log text is the caller's (`escape::md_*`).

use std::io::{self, Write};

use crate::render::short_time;

pub(crate) fn row(out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    writeln!(out, "| {} |", cells.join(" | "))
}

/// A table's header row and its rule; `align` holds one `l` or `r` per column (numbers
/// right, text left).
pub(crate) fn header(out: &mut dyn Write, cells: &[&str], align: &str) -> io::Result<()> {
    debug_assert_eq!(cells.len(), align.len(), "one alignment per column");
    writeln!(out, "| {} |", cells.join(" | "))?;
    let seps: Vec<&str> = align
        .chars()
        .map(|a| if a == 'r' { "---:" } else { "---" })
        .collect();
    writeln!(out, "|{}|", seps.join("|"))
}

pub(crate) fn t(o: &Option<String>) -> String {
    o.as_deref().map(short_time).unwrap_or_else(|| "-".into())
}
