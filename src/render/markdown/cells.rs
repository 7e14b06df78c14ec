//! Markdown table rows and cells shared by the report's sections. Formats only; escaping of
//! log text is the caller's (`escape::md_*`).

use std::io::{self, Write};

use crate::render::short_time;

pub(crate) fn row(out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    writeln!(out, "| {} |", cells.join(" | "))
}

pub(crate) fn header(out: &mut dyn Write, cells: &[&str], numeric_from: usize) -> io::Result<()> {
    writeln!(out, "| {} |", cells.join(" | "))?;
    let seps: Vec<&str> = (0..cells.len())
        .map(|i| if i >= numeric_from { "---:" } else { "---" })
        .collect();
    writeln!(out, "|{}|", seps.join("|"))
}

pub(crate) fn t(o: &Option<String>) -> String {
    o.as_deref().map(short_time).unwrap_or_else(|| "-".into())
}
