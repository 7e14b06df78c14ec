//! Escaping of untrusted log text for an HTML page: element text, quoted attribute values
//! (which covers inline SVG's text and attributes too) and fragment ids. Pure string
//! functions; must not decide what is log-derived (the HTML renderer does) nor write anything.

use std::borrow::Cow;
use std::fmt::Write;

use super::term;

/// Text for an element's content or a double- or single-quoted attribute value, in HTML and
/// in inline SVG: control characters made visible first (as `term` does), then `&`, `<`, `>`,
/// `"` and `'` written as character references, so log text can open no tag, close no
/// attribute and start no entity. Never use the result unquoted or inside `<script>` or
/// `<style>`.
pub fn text(s: &str) -> Cow<'_, str> {
    let t = term(s);
    if !t.contains(['&', '<', '>', '"', '\'']) {
        return t;
    }
    let mut out = String::with_capacity(t.len() + 16);
    for c in t.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A value for an `id` attribute and the `#` fragment that links to it: ASCII letters,
/// digits, `-` and `_` kept, every other byte written as `.` and two hex digits. One-to-one
/// (`.` is never kept), so two request ids never share an anchor, and the result needs no
/// further escaping in an attribute or a URL fragment.
pub fn id(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            let _ = write!(out, ".{b:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_quotes_and_controls() {
        assert_eq!(text("plain"), "plain");
        assert_eq!(
            text("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(text("a\x1b[31mb\n"), "a\\x1b[31mb\\n");
        assert_eq!(text("&amp;"), "&amp;amp;");
    }

    #[test]
    fn ids_are_safe_and_one_to_one() {
        assert_eq!(id("req-1_A"), "req-1_A");
        assert_eq!(id("\"><img src=x>"), ".22.3e.3cimg.20src.3dx.3e");
        assert_ne!(id("a.2e"), id("a..2e"));
        assert_ne!(id("a b"), id("a.20b"));
        assert_eq!(id("é"), ".c3.a9");
    }
}
