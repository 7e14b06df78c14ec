//! Escaping of untrusted log text before it reaches a terminal or a markdown document:
//! control characters (C0, DEL, C1) and so every ANSI escape sequence become visible text.

use std::borrow::Cow;

fn is_control(c: char) -> bool {
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

/// For markdown table cells: terminal-safe, and `|`, backticks and `<` cannot break the table.
pub fn markdown(s: &str) -> String {
    term(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_ansi_and_controls() {
        assert_eq!(term("plain"), "plain");
        assert_eq!(term("\u{1b}[31mred\u{1b}[0m"), "\\x1b[31mred\\x1b[0m");
        assert_eq!(term("a\nb\tc\u{7f}\u{9b}"), "a\\nb\\tc\\x7f\\x9b");
        assert_eq!(term("bidi\u{202e}x"), "bidi\\u{202e}x");
        assert_eq!(markdown("a|b`c"), "a\\|b\\`c");
    }
}
