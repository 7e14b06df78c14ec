//! The one way every JSON output of the tool is written (`to_writer_safe`,
//! `to_writer_pretty_safe`, `write_line`), shared by every JSON renderer. Must not change
//! what is serialised, only how strings are spelled.
//!
//! serde_json escapes C0 controls, `"` and `\`, but writes DEL, C1 controls (U+0080–U+009F,
//! where U+009B is a one-byte CSI to many terminals) and the zero-width and bidi controls raw.
//! Someone reading the output with `cat`, `less` or an editor would get them live, so
//! `Safe` writes every character `escape::is_control` names as `\uXXXX` (all are in the
//! BMP, so one escape each). The JSON means the same to any parser.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter};

use super::escape::is_control;

/// `value` as one compact JSON line (escaped as below) and a newline.
pub fn write_line<T: ?Sized + Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    to_writer_safe(&mut *out, value).map_err(io_error)?;
    out.write_all(b"\n")
}

/// A serde_json error as an I/O error, keeping the kind so a closed pipe is still recognised
/// as one.
pub fn io_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}

/// `serde_json::to_writer`, with DEL, C1, zero-width and bidi controls escaped.
pub fn to_writer_safe<W: Write, T: ?Sized + Serialize>(w: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(
        w,
        Safe(CompactFormatter),
    ))
}

/// `serde_json::to_writer_pretty`, with DEL, C1, zero-width and bidi controls escaped.
pub fn to_writer_pretty_safe<W: Write, T: ?Sized + Serialize>(
    w: W,
    value: &T,
) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(
        w,
        Safe(PrettyFormatter::new()),
    ))
}

/// `serde_json::to_string`, with DEL, C1, zero-width and bidi controls escaped.
pub fn to_string_safe<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<String> {
    let mut v = Vec::with_capacity(128);
    to_writer_safe(&mut v, value)?;
    // Only ASCII escapes were added to serde_json's own UTF-8.
    Ok(String::from_utf8(v).expect("serde_json writes UTF-8"))
}

/// A formatter that spells the characters `is_control` names as `\uXXXX` and leaves
/// everything else to `F` (compact or pretty layout).
pub struct Safe<F>(pub F);

/// Writes `s` with those characters escaped. Every one of them is DEL or starts with the
/// UTF-8 lead byte 0xC2 (U+0080–U+009F) or 0xE2 (U+2000–U+2FFF); neither can be a
/// continuation byte, so `memchr3` finds candidates at char boundaries and text without
/// them (nearly all of it) is written in one call.
fn write_escaped<W: ?Sized + Write>(w: &mut W, s: &str) -> io::Result<()> {
    let b = s.as_bytes();
    let mut done = 0;
    let mut at = 0;
    while let Some(off) = memchr::memchr3(0x7f, 0xc2, 0xe2, &b[at..]) {
        let i = at + off;
        // A candidate is a char boundary (see above), so this char starts at `i`.
        let c = s[i..].chars().next().expect("char at boundary");
        at = i + c.len_utf8();
        if is_control(c) {
            w.write_all(&b[done..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            done = at;
        }
    }
    w.write_all(&b[done..])
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        #[inline]
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(w $(, $arg)*)
        }
    )*};
}

impl<F: Formatter> Formatter for Safe<F> {
    #[inline]
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        write_escaped(w, s)
    }

    /// A `RawValue` (the original object under `fields` in trace/filter JSON lines) is
    /// valid JSON, where such characters can only stand inside strings, and never right after
    /// a backslash: escaping them there keeps it valid and equal.
    #[inline]
    fn write_raw_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        write_escaped(w, s)
    }

    // Everything else is `F`'s: the layout of a pretty formatter, numbers, escapes.
    delegate! {
        write_null();
        write_bool(v: bool);
        write_i8(v: i8);
        write_i16(v: i16);
        write_i32(v: i32);
        write_i64(v: i64);
        write_i128(v: i128);
        write_u8(v: u8);
        write_u16(v: u16);
        write_u32(v: u32);
        write_u64(v: u64);
        write_u128(v: u128);
        write_f32(v: f32);
        write_f64(v: f64);
        write_number_str(v: &str);
        begin_string();
        end_string();
        write_char_escape(v: CharEscape);
        write_byte_array(v: &[u8]);
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    const HOSTILE: &str = "a\u{9b}31m\u{85}b\u{202e}cba\u{2066}\u{200b}\u{7f}\u{1b}[0m\"\\\n";

    #[test]
    fn escapes_c1_bidi_and_zero_width() {
        let s = to_string_safe(HOSTILE).unwrap();
        assert_eq!(
            s,
            r#""a\u009b31m\u0085b\u202ecba\u2066\u200b\u007f\u001b[0m\"\\\n""#
        );
        assert!(s.is_ascii());
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, HOSTILE);
    }

    #[test]
    fn other_text_is_written_as_serde_json_writes_it() {
        // Characters with the lead bytes 0xC2 or 0xE2 that are not controls (no-break space,
        // ©, en dash, euro sign, line separator) take the slow path and come out unchanged.
        let v = serde_json::json!({"k": "a\u{a0}b © – € 😀 \u{2028} plain", "n": [1, 2.5, null]});
        assert_eq!(
            to_string_safe(&v).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        let mut a = Vec::new();
        to_writer_pretty_safe(&mut a, &v).unwrap();
        assert_eq!(a, serde_json::to_vec_pretty(&v).unwrap());
    }

    #[test]
    fn keys_and_raw_values_are_escaped_too() {
        let raw = serde_json::to_string(&serde_json::json!({"m": "x\u{202e}y"})).unwrap();
        let raw = RawValue::from_string(raw).unwrap();
        let mut m = std::collections::BTreeMap::new();
        m.insert("k\u{9b}", &raw);
        let s = to_string_safe(&m).unwrap();
        assert_eq!(s, r#"{"k\u009b":{"m":"x\u202ey"}}"#);
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["k\u{9b}"]["m"], "x\u{202e}y");
    }
}
