//! The HTML report's table builder: a sortable, filterable `<table>` (readable without
//! script) of escaped text, right-aligned numbers with their exact value in `data-v`, and
//! links to a request's timeline. Escapes every string it is given; must not know which
//! section a table belongs to.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::render::escape::html::{id, text};

/// One cell, its content already safe to write.
pub struct Cell {
    html: String,
    num: Option<String>,
}

impl Cell {
    /// Log-derived or other text, escaped.
    pub fn text(s: &str) -> Cell {
        Cell {
            html: text(s).into_owned(),
            num: None,
        }
    }

    /// Several lines of text, each escaped, joined by line breaks.
    pub fn lines<S: AsRef<str>>(lines: &[S]) -> Cell {
        let v: Vec<String> = lines
            .iter()
            .map(|l| text(l.as_ref()).into_owned())
            .collect();
        Cell {
            html: v.join("<br>"),
            num: None,
        }
    }

    /// A count, right-aligned, sortable as a number.
    pub fn count(n: u64) -> Cell {
        Cell {
            html: n.to_string(),
            num: Some(n.to_string()),
        }
    }

    /// A value shown as `shown` and sorted by `v`; `-` when absent.
    pub fn value(v: Option<f64>, shown: impl Fn(f64) -> String) -> Cell {
        match v {
            Some(v) => Cell {
                html: text(&shown(v)).into_owned(),
                num: Some(v.to_string()),
            },
            None => Cell {
                html: "-".into(),
                num: Some(String::new()),
            },
        }
    }

    /// A request id, linked to its timeline on this page when it has one.
    pub fn request(rid: &str, linked: &BTreeSet<&str>) -> Cell {
        Cell {
            html: request_link(rid, linked),
            num: None,
        }
    }

    /// Markup made by this module's helpers (already escaped).
    pub fn markup(html: String) -> Cell {
        Cell { html, num: None }
    }
}

/// `<a href="#trace-ID">ID</a>` when `rid` has a timeline here, else the escaped id.
pub fn request_link(rid: &str, linked: &BTreeSet<&str>) -> String {
    if linked.contains(rid) {
        format!(
            "<a class=\"rid\" href=\"#trace-{}\">{}</a>",
            id(rid),
            text(rid)
        )
    } else {
        format!("<code class=\"rid\">{}</code>", text(rid))
    }
}

/// A table being built: a caption-less `<table>` whose header cells say how to sort.
pub struct Table {
    buf: String,
}

impl Table {
    /// A table with `headers`; a header ending in `#` is numeric (the `#` is not shown).
    pub fn new(table_id: &str, headers: &[&str]) -> Table {
        let mut buf = String::with_capacity(2048);
        let _ = write!(
            buf,
            "<div class=\"tw\"><table class=\"data\" id=\"{}\"><thead><tr>",
            id(table_id)
        );
        for h in headers {
            match h.strip_suffix('#') {
                Some(h) => {
                    let _ = write!(buf, "<th class=\"n\" data-sort=\"num\">{}</th>", text(h));
                }
                None => {
                    let _ = write!(buf, "<th data-sort=\"text\">{}</th>", text(h));
                }
            }
        }
        buf.push_str("</tr></thead><tbody>");
        Table { buf }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.row_class("", cells);
    }

    /// A row with a class (`total`, `sev-critical`, ...).
    pub fn row_class(&mut self, class: &str, cells: Vec<Cell>) {
        if class.is_empty() {
            self.buf.push_str("<tr>");
        } else {
            let _ = write!(self.buf, "<tr class=\"{}\">", text(class));
        }
        for c in cells {
            match c.num {
                Some(v) => {
                    let _ = write!(
                        self.buf,
                        "<td class=\"n\" data-v=\"{}\">{}</td>",
                        text(&v),
                        c.html
                    );
                }
                None => {
                    let _ = write!(self.buf, "<td>{}</td>", c.html);
                }
            }
        }
        self.buf.push_str("</tr>");
    }

    pub fn finish(mut self) -> String {
        self.buf.push_str("</tbody></table></div>");
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_and_link() {
        let linked: BTreeSet<&str> = ["a\"b"].into_iter().collect();
        assert_eq!(
            request_link("a\"b", &linked),
            "<a class=\"rid\" href=\"#trace-a.22b\">a&quot;b</a>"
        );
        assert_eq!(
            request_link("<i>", &linked),
            "<code class=\"rid\">&lt;i&gt;</code>"
        );
        let mut t = Table::new("t", &["name", "n#"]);
        t.row(vec![Cell::text("<b>"), Cell::count(3)]);
        let html = t.finish();
        assert!(html.contains("<td>&lt;b&gt;</td><td class=\"n\" data-v=\"3\">3</td>"));
        assert!(html.contains("<th class=\"n\" data-sort=\"num\">n</th>"));
    }
}
