//! Unit tests of the escapers: exact outputs, and markdown checked by a CommonMark parser.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::*;

#[test]
fn escapes_ansi_and_controls() {
    assert_eq!(term("plain"), "plain");
    assert_eq!(term("\u{1b}[31mred\u{1b}[0m"), "\\x1b[31mred\\x1b[0m");
    assert_eq!(term("a\nb\tc\u{7f}\u{9b}\u{7}"), "a\\nb\\tc\\x7f\\x9b\\x07");
    assert_eq!(term("bidi\u{202e}x\u{2066}"), "bidi\\u{202e}x\\u{2066}");
}

#[test]
fn zero_width_characters_stay_escaped_for_the_terminal() {
    for c in ['\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}'] {
        assert!(is_control(c), "{:x}", c as u32);
        assert_eq!(term(&format!("a{c}b")), format!("a\\u{{{:x}}}b", c as u32));
    }
    assert!(!is_control('é'));
}

/// Every event of `md` parsed as GFM with tables.
fn events(md: &str) -> Vec<Event<'_>> {
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect()
}

/// The text a reader sees: text and code, concatenated.
fn shown(md: &str) -> String {
    events(md)
        .into_iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.into_string()),
            _ => None,
        })
        .collect()
}

fn no_markup(md: &str) {
    for e in events(md) {
        match e {
            Event::Start(Tag::Paragraph)
            | Event::End(TagEnd::Paragraph)
            | Event::Text(_)
            | Event::Code(_) => {}
            other => panic!("{md:?} gave {other:?}"),
        }
    }
}

const HOSTILE: [&str; 12] = [
    "[Click](http://x)",
    "![x](http://tracker/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "<http://x.example>",
    "*em* _em_ **strong** ~~gone~~",
    "a`b``c",
    "`lead and trail`",
    "&lt;b&gt; &#42;",
    "# not a heading",
    "- not a list",
    "1. not a list",
    "> not a quote",
];

#[test]
fn md_text_renders_as_the_characters_it_holds() {
    for s in HOSTILE {
        let md = md_text(s);
        no_markup(&md);
        assert_eq!(shown(&md), s, "{md}");
    }
    assert_eq!(md_text("GET /a_b (3)"), "GET /a\\_b \\(3\\)");
    assert_eq!(
        md_text("see http://x and www.y.z"),
        "see http\\://x and www\\.y.z"
    );
    assert_eq!(md_text("\u{1b}[31m"), "\\\\x1b\\[31m");
    assert_eq!(md_text("-x - y"), "\\-x - y");
    assert_eq!(md_text("12) x"), "12\\) x");
}

#[test]
fn md_code_holds_any_backticks() {
    for s in HOSTILE
        .iter()
        .copied()
        .chain(["``", "` `", " padded ", "x`"])
    {
        let md = md_code(s);
        let ev = events(&md);
        assert_eq!(
            ev.iter().filter(|e| matches!(e, Event::Code(_))).count(),
            1,
            "{md:?}: {ev:?}"
        );
        assert_eq!(shown(&md), s, "{md}");
    }
    assert_eq!(md_code("plain"), "`plain`");
    assert_eq!(md_code("a`b"), "``a`b``");
    assert_eq!(md_code("`x"), "`` `x ``");
    assert_eq!(md_code(""), "` `");
    assert_eq!(md_code("bell\u{7}"), "`bell\\x07`");
}

/// `cell` as the only data cell of a one-column table: what it renders as.
fn in_table(cell: &str) -> (Vec<String>, usize) {
    let md = format!("| h |\n|---|\n| {cell} |\n");
    let mut cells = Vec::new();
    let mut cur: Option<String> = None;
    for e in events(&md) {
        match e {
            Event::Start(Tag::TableCell) => cur = Some(String::new()),
            Event::End(TagEnd::TableCell) => cells.extend(cur.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cur.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. })
            | Event::Html(_)
            | Event::InlineHtml(_) => panic!("{md:?}: {e:?}"),
            _ => {}
        }
    }
    let n = cells.len();
    (cells, n)
}

#[test]
fn table_cells_keep_their_pipes() {
    for s in ["a|b", "a\\|b", "|", "\\", "x\\", "`|`", "[a](b)|![c](d)"] {
        let (cells, n) = in_table(&md_cell_code(s));
        assert_eq!(n, 2, "{s:?}: {cells:?}");
        assert_eq!(cells[1], s, "code {s:?}");
        let (cells, n) = in_table(&md_text(s));
        assert_eq!(n, 2, "{s:?}: {cells:?}");
        assert_eq!(cells[1], s, "text {s:?}");
    }
}

#[test]
fn csv_cells() {
    assert_eq!(csv_cell("=1+1"), "'=1+1");
    assert_eq!(csv_cell("+cmd"), "'+cmd");
    assert_eq!(csv_cell("-2+3"), "'-2+3");
    assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(csv_cell("\t=x"), "'\\t=x");
    assert_eq!(csv_cell("\r=x"), "'\\r=x");
    for n in ["-3", "-1.5", "+2", "-.5", "-1.5e3", "-2E-7"] {
        assert_eq!(csv_cell(n), n);
    }
    for s in ["-", "-.", "-e3", "-1e", "-1.2.3", "-inf", "-1 "] {
        assert!(csv_cell(s).starts_with('\''), "{s}");
    }
    assert_eq!(csv_cell("a=b"), "a=b");
    assert_eq!(
        csv_cell("ring\u{7}\u{1b}[2J\u{9b}\u{202e}"),
        "ring\\x07\\x1b[2J\\x9b\\u{202e}"
    );
}
