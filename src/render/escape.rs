//! Escaping of untrusted log text for each place it is shown: a terminal, markdown (prose,
//! code spans, table cells), CSV cells, and an HTML page (`escape/html.rs`: text, attributes,
//! inline SVG, fragment ids). Pure string functions; must not decide what is log-derived (the
//! renderers do) nor write anything.
//!
//! JSON has its own escaper (`render::safe_json`), built on the same `is_control`.

pub mod html;

use std::borrow::Cow;

/// What a terminal or a viewer must never receive raw: C0, DEL and C1 controls (so every
/// ANSI escape sequence), the zero-width characters U+200B–U+200D, and the bidi controls
/// U+200E–U+200F, U+202A–U+202E, U+2066–U+2069 that make text read in another order than
/// it was written ("Trojan Source").
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `\x1b[31m` becomes the visible text `\x1b[31m`; tabs and newlines become `\t`, `\n`.
pub fn term(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x100 && is_control(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Markdown outside a code span (prose, list items, table cells): terminal-safe, then every
/// character that could start markup is backslash-escaped, so log text renders as the
/// characters it holds and never as a link, image, autolink, emphasis, strikethrough, math,
/// raw HTML, entity, mention or table cell break. CommonMark lets any ASCII punctuation be
/// escaped, so an escape too many costs nothing in the rendered text.
///
/// Always escaped: ``\ ` * _ [ ] ( ) ! < > | # ~ & $ @``. Escaped where they matter, to keep
/// the source readable: `:` before `//` and `.` after `www` (GFM's bare-URL autolinks need
/// `scheme://` or `www.` in the source), and a leading `+`, `-`, `=` or `12.`/`12)` (list
/// items, setext underlines) since the text may open a line.
pub fn md_text(s: &str) -> String {
    let s = term(s);
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 8);
    let lead_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, c) in s.char_indices() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '<' | '>' | '|' | '#' | '~'
            | '&' | '$' | '@' => true,
            ':' => b[i + 1..].starts_with(b"//"),
            '.' => {
                (lead_digits > 0 && i == lead_digits)
                    || (i >= 3 && b[i - 3..i].eq_ignore_ascii_case(b"www"))
            }
            '+' | '-' | '=' => i == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An inline code span holding `s` exactly (made terminal-safe first), for prose and list
/// items: nothing inside a code span is markup. The fence is one backtick longer than the
/// longest run of backticks inside, and a space pads content that starts or ends with a
/// backtick or a space (CommonMark strips one such space from each side).
pub fn md_code(s: &str) -> String {
    code_span(&term(s))
}

/// A code span for a GFM table cell. A table splits its rows at `|` before it reads code
/// spans, so every `|` inside is written `\|` (which GFM turns back into `|`). The one
/// thing that cannot be said that way is a backslash right before a pipe (readers disagree
/// on `\\|`), so such text falls back to `md_text`, which escapes both unambiguously.
pub fn md_cell_code(s: &str) -> String {
    let t = term(s);
    if t.contains("\\|") {
        return md_text(&t);
    }
    if t.contains('|') {
        return code_span(&t.replace('|', "\\|"));
    }
    code_span(&t)
}

fn code_span(body: &str) -> String {
    if body.is_empty() {
        // Two backticks alone would be literal text; this is a span holding one space.
        return "` `".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for b in body.bytes() {
        run = if b == b'`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let all_spaces = body.bytes().all(|b| b == b' ');
    let pad = !all_spaces
        && (body.starts_with('`')
            || body.ends_with('`')
            || (body.starts_with(' ') && body.ends_with(' ')));
    if pad {
        format!("{fence} {body} {fence}")
    } else {
        format!("{fence}{body}{fence}")
    }
}

/// A CSV cell a spreadsheet will show as text. A cell starting with `=`, `+`, `-`, `@`, tab
/// or CR is a formula to Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`, DDE), so
/// it gets a leading `'`, unless it is a plain number like `-3` or `-1.5e3`, which is data
/// and is left alone. Then control characters are made visible as `term` does, so no ESC,
/// BEL, bidi control or line break reaches the file raw.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let formula = matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) && !is_plain_number(s);
    let t = term(s);
    if formula {
        Cow::Owned(format!("'{t}"))
    } else {
        t
    }
}

/// `-3`, `+0.5`, `-1.5e3`, `.5`: an optional sign, digits with at most one point (at least
/// one digit), an optional exponent.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests;
