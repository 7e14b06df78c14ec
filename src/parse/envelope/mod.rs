//! Envelopes: what container runtimes, hosts and log stores wrap around a program's line
//! (Docker json-file, Kubernetes CRI, kubectl's prefixes, journald, syslog; Loki,
//! Elasticsearch, CloudWatch, Google Cloud Logging and OTLP records, one a line). Detected per line from
//! its first bytes, unwrapped down to the program's own text, nested as they come; the
//! envelope's time, level and fields come along. Must not parse the inner text: the caller
//! runs the normal detection on it.
//!
//! This file chooses which reader looks at a line; the readers import the shared values from
//! `types.rs`, never from here.

pub mod cloudwatch;
pub mod docker;
pub mod elastic;
pub mod frame;
pub mod gcp;
pub mod journald;
pub mod kube;
pub mod loki;
pub mod otlp;
pub mod syslog;
pub mod types;

use crate::parse::fields;
use crate::parse::time::ZoneCache;
use types::MAX_DEPTH;
pub use types::{Carried, Ctx, Envelope, Kind, MAX_JOINED, Names, Stream};

/// A log store's record (one JSON line), told by the marks its JSON scan raised
/// (`fields::STORES`): the store's reader decodes the program's text into `buf` and fills
/// `env`. `None` when the line is not that store's record after all (an app's own key).
pub fn store<'a>(
    line: &'a [u8],
    flags: u8,
    env: &mut Envelope<'a>,
    buf: &mut Vec<u8>,
) -> Option<()> {
    let read: fn(&'a [u8], &mut Envelope<'a>, &mut Vec<u8>) -> Option<()> =
        if flags & fields::OTLP != 0 {
            otlp::unwrap
        } else if flags & fields::ELASTIC != 0 {
            elastic::unwrap
        } else if flags & fields::GCP != 0 {
            gcp::unwrap
        } else if flags & fields::CLOUDWATCH != 0 {
            cloudwatch::unwrap
        } else if flags & fields::LOKI != 0 {
            loki::unwrap
        } else {
            return None;
        };
    let r = read(line, env, buf);
    if r.is_none() {
        *env = Envelope::default();
        buf.clear();
    }
    r
}

/// Where the text inside the outer envelope is.
pub enum Outer {
    /// No decoding envelope: the record itself.
    Bare,
    /// The text was decoded or joined into the caller's buffer.
    Buf,
}

/// The outer envelopes that decode or join (Docker json-file decodes a JSON string, CRI
/// fragments join) into `buf`; journald entries are told by their JSON scan instead.
/// `record` may span several physical lines when `joins` joined fragments into it.
pub fn outer<'a>(record: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Outer {
    buf.clear();
    match record.first() {
        Some(b'{') if docker::is_docker(record) => {
            if docker::unwrap(record, env, buf).is_some() {
                return Outer::Buf;
            }
            *env = Envelope::default();
        }
        Some(b'0'..=b'9') if kube::iso_stamp(record) && memchr::memchr(b'\n', record).is_some() => {
            if kube::join_cri(record, env, buf).is_some() {
                return Outer::Buf;
            }
            *env = Envelope::default();
        }
        _ => {}
    }
    buf.clear();
    Outer::Bare
}

/// Peels the envelopes that only frame the text (CRI, kubectl's timestamps and prefix,
/// syslog, journalctl's text), innermost last; returns the program's own text.
pub fn peel<'a>(
    mut text: &'a [u8],
    env: &mut Envelope<'a>,
    ctx: &Ctx<'_>,
    cache: &mut ZoneCache,
) -> &'a [u8] {
    for _ in 0..MAX_DEPTH {
        let next = match text.first() {
            // nginx's own stamps (`2026/12/01`, `127.0.0.1`) are told apart at fixed places.
            Some(b'0'..=b'9') if kube::iso_stamp(text) => kube::cri(text, env)
                .or_else(|| syslog::iso(text, env, ctx, cache))
                .or_else(|| kube::timestamps(text, env, ctx, cache)),
            Some(b'[') => kube::prefix(text, env),
            Some(b'<') => syslog::rfc5424(text, env, ctx, cache)
                .or_else(|| syslog::rfc3164(text, env, ctx, cache)),
            Some(b'A'..=b'S') => syslog::rfc3164(text, env, ctx, cache),
            _ => None,
        };
        match next {
            Some(inner) => text = inner,
            None => break,
        }
    }
    text
}

/// Whether `next` continues the record `prev` ends: a Docker fragment (its `log` without a
/// trailing newline) or a CRI `P` line, followed by a line of the same stream. Decided by
/// the two lines alone, so chunking and the reader agree wherever input is cut.
#[inline]
pub fn joins(prev: &[u8], next: &[u8]) -> bool {
    match prev.first() {
        Some(b'{') => {
            docker::fragment_stream(prev).is_some_and(|s| docker::stream_of(next) == Some(s))
        }
        Some(b'0'..=b'9') if kube::iso_stamp(prev) => {
            kube::cri_partial_stream(prev).is_some_and(|s| kube::cri_stream(next) == Some(s))
        }
        _ => false,
    }
}

/// Whether a line may continue into the next one (a Docker fragment, a CRI `P` line): a
/// stream reader holds it until the next line arrives.
#[inline]
pub fn may_continue(line: &[u8]) -> bool {
    match line.first() {
        Some(b'{') => docker::fragment_stream(line).is_some(),
        Some(b'0'..=b'9') => kube::iso_stamp(line) && kube::cri_partial_stream(line).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_stores;
