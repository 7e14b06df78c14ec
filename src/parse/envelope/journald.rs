//! `journalctl -o json`: one JSON object per entry, `__REALTIME_TIMESTAMP` in microseconds as
//! a string, `PRIORITY` "0"-"7", `MESSAGE` as a string or, when it holds non-printable or
//! invalid UTF-8 bytes, an array of byte values; a field with several values is an array
//! of them; a field over 4096 bytes is `null` unless journalctl ran with `--all`. Must not
//! parse the program's text.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::types::{Envelope, Kind};
use crate::parse::jstr;
use crate::parse::level::Level;

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow)]
    realtime: Option<&'a RawValue>,
    #[serde(rename = "MESSAGE", borrow)]
    message: Option<&'a RawValue>,
    #[serde(rename = "PRIORITY", borrow)]
    priority: Option<&'a RawValue>,
    #[serde(rename = "_SYSTEMD_UNIT", borrow)]
    unit: Option<&'a RawValue>,
    #[serde(rename = "_SYSTEMD_USER_UNIT", borrow)]
    user_unit: Option<&'a RawValue>,
    #[serde(rename = "_HOSTNAME", borrow)]
    host: Option<&'a RawValue>,
    #[serde(rename = "SYSLOG_IDENTIFIER", borrow)]
    ident: Option<&'a RawValue>,
    #[serde(rename = "_PID", borrow)]
    pid: Option<&'a RawValue>,
    /// Docker's journald driver names the container.
    #[serde(rename = "CONTAINER_NAME", borrow)]
    container: Option<&'a RawValue>,
}

/// A field's text: a string, or the first of several values; byte arrays only for `MESSAGE`.
fn text(v: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let raw = v?.get();
    let raw = match raw.as_bytes().first()? {
        b'"' => raw,
        b'[' => {
            // Several values: the first string among them.
            let vals: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
            return vals.into_iter().find_map(|v| text(Some(v)));
        }
        _ => return None,
    };
    if !raw.contains('\\') {
        return Some(Cow::Borrowed(&raw[1..raw.len() - 1]));
    }
    let mut out = Vec::new();
    jstr::decode(raw.as_bytes(), 0, &mut out)?;
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// Decodes the entry's `MESSAGE` into `buf` (emptied first) and its fields into `env`. Entries are told from
/// other JSON by the `__REALTIME_TIMESTAMP` key (`fields::JOURNAL`), wherever it stands.
pub fn unwrap<'a>(line: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let e: Entry<'a> = serde_json::from_slice(line).ok()?;
    // journalctl writes fields over 4096 bytes as null unless given --all (serde reads that
    // as no value): the entry still says when, where and how severe.
    let msg = e.message.map_or(&b""[..], |m| m.get().as_bytes());
    match msg.first() {
        None => {}
        Some(b'"') => {
            jstr::decode(msg, 0, buf)?;
        }
        Some(b'[') => {
            // Bytes, or several values (the first is the message).
            if let Ok(bytes) = serde_json::from_slice::<Vec<u8>>(msg) {
                buf.extend_from_slice(&bytes);
            } else {
                buf.extend_from_slice(text(e.message)?.as_bytes());
            }
        }
        Some(_) => return None,
    }
    let realtime: u64 = text(e.realtime)?.parse().ok()?;
    env.mark(Kind::Journald);
    env.ts = i64::try_from(realtime).ok();
    env.ts_local = None;
    env.level = text(e.priority)
        .and_then(|p| p.parse::<u8>().ok())
        .and_then(severity);
    env.pid = text(e.pid).and_then(|p| p.parse().ok());
    let names = env.names_mut();
    names.unit = text(e.unit).or_else(|| text(e.user_unit));
    names.host = text(e.host);
    names.ident = text(e.ident);
    names.container = text(e.container);
    if buf.ends_with(b"\n") {
        buf.pop();
    }
    Some(())
}

/// syslog severities (RFC 5424 table 2; journald's `PRIORITY`) as levels.
pub fn severity(p: u8) -> Option<Level> {
    Some(match p {
        0..=2 => Level::Fatal,
        3 => Level::Error,
        4 => Level::Warn,
        5 | 6 => Level::Info,
        7 => Level::Debug,
        _ => return None,
    })
}
