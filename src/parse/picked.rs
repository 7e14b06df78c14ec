//! The values picked for one record, best-ranked alias per canonical field, and how they
//! become an event's fields (times, levels, statuses, latencies in their units). Filled by
//! the JSON scanners and the text parsers alike; never reads a line itself.

use std::borrow::Cow;

use super::event::LogEvent;
use super::fields::{Canonical, Unit};
use super::level::Level;
use super::request_line::split_request_line;
use super::time::{self, Zone, ZoneCache};

/// A scalar as found in the document.
#[derive(Debug, Clone)]
pub enum Raw<'a> {
    Str(Cow<'a, str>),
    U(u64),
    I(i64),
    F(f64),
}

impl Raw<'_> {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Raw::Str(s) => s.trim().parse().ok(),
            Raw::U(u) => Some(*u as f64),
            Raw::I(i) => Some(*i as f64),
            Raw::F(f) => Some(*f),
        }
    }
}

#[derive(Debug)]
struct Slot<'a> {
    val: Raw<'a>,
    rank: u32,
    unit: Unit,
}

/// The values picked from one line, best-ranked alias per canonical field.
#[derive(Default, Debug)]
pub struct Picked<'a> {
    slots: [Option<Slot<'a>>; Canonical::COUNT],
    flags: u8,
}

impl<'a> Picked<'a> {
    pub(super) fn mark(&mut self, flags: u8) {
        self.flags |= flags;
    }

    /// Offers a value for a leaf found `depth` levels down: better-ranked aliases win, and
    /// among equals the shallower one.
    #[inline]
    pub(super) fn offer_leaf(&mut self, l: super::fields::Leaf, depth: u32, v: Raw<'a>) {
        self.offer(l.field, l.unit, (l.rank << 6) | depth.min(63), v);
    }

    /// Whether no value was picked.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// The node flags met (`fields::PROXY_ADDR`, ...).
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Offers a value a text layout read at a fixed place: it outranks every alias.
    pub fn offer_layout(&mut self, field: Canonical, unit: Unit, val: Raw<'a>) {
        self.offer(field, unit, 0, val);
    }

    fn offer(&mut self, field: Canonical, unit: Unit, rank: u32, val: Raw<'a>) {
        let slot = &mut self.slots[field as usize];
        if slot.as_ref().is_none_or(|s| rank < s.rank) {
            *slot = Some(Slot { val, rank, unit });
        }
    }

    fn get(&self, f: Canonical) -> Option<&Raw<'a>> {
        self.slots[f as usize].as_ref().map(|s| &s.val)
    }

    #[inline(always)]
    fn take_str(&mut self, f: Canonical) -> Option<Cow<'a, str>> {
        match self.slots[f as usize].take()?.val {
            Raw::Str(s) if !s.is_empty() && s != "-" => Some(s),
            Raw::Str(_) => None,
            Raw::U(u) => Some(Cow::Owned(u.to_string())),
            Raw::I(i) => Some(Cow::Owned(i.to_string())),
            Raw::F(x) => Some(Cow::Owned(x.to_string())),
        }
    }
}

impl<'a> Picked<'a> {
    /// Turns the picked values into the event's fields (all but its format).
    /// `auto`: the unit of this input's latency keys whose name states none (`Unit::Auto`
    /// leaves them as seconds, or to the value's own suffix).
    pub fn fill(&mut self, zone: &Zone, cache: &mut ZoneCache, auto: Unit, ev: &mut LogEvent<'a>) {
        ev.ts = match self.get(Canonical::Ts) {
            Some(Raw::Str(s)) => time::parse_ts(s, zone, cache),
            Some(Raw::U(u)) => i64::try_from(*u).ok().and_then(time::epoch_i64),
            Some(Raw::I(i)) => time::epoch_i64(*i),
            Some(Raw::F(f)) => time::epoch_f64(*f),
            None => None,
        };
        ev.level = match self.get(Canonical::Level) {
            Some(Raw::Str(s)) => Level::from_name(s),
            Some(other) => other.as_f64().and_then(Level::from_number),
            None => None,
        };
        ev.status = self.get(Canonical::Status).and_then(status_of);
        ev.latency_ms = self.slots[Canonical::Latency as usize]
            .as_ref()
            .and_then(|s| latency_ms(&s.val, if s.unit == Unit::Auto { auto } else { s.unit }));
        ev.msg = self.take_str(Canonical::Msg);
        ev.request_id = self.take_str(Canonical::RequestId).map(trace_id_part);
        ev.error_type = self.take_str(Canonical::ErrorType);
        if ev.error_type.is_none() {
            ev.error_type = self
                .take_str(Canonical::Traceback)
                .and_then(|t| super::stack::exception_type(&t).map(|s| Cow::Owned(s.to_owned())));
        }
        ev.method = self.take_str(Canonical::Method);
        ev.path = self.take_str(Canonical::Path);
        if (ev.method.is_none() || ev.path.is_none())
            && let Some(Raw::Str(r)) = self.get(Canonical::Request)
            && let (Some(m), Some(t)) = split_request_line(r)
        {
            ev.method.get_or_insert_with(|| Cow::Owned(m.to_owned()));
            ev.path.get_or_insert_with(|| Cow::Owned(t.to_owned()));
        }
        ev.client = self.take_str(Canonical::Client);
        ev.upstream = self.take_str(Canonical::Upstream);
    }
}

fn status_of(r: &Raw) -> Option<u16> {
    let v = match r {
        Raw::Str(s) => s.trim().parse::<u16>().ok()?,
        Raw::U(u) => u16::try_from(*u).ok()?,
        Raw::I(i) => u16::try_from(*i).ok()?,
        Raw::F(f) if f.fract() == 0.0 => *f as u16,
        Raw::F(_) => return None,
    };
    (100..=599).contains(&v).then_some(v)
}

/// A latency value in milliseconds: numbers take the key's unit; strings may carry their own
/// (`"12ms"`, `"1.5s"`, Go's `"1m2.5s"`).
pub fn latency_ms(r: &Raw, unit: Unit) -> Option<f64> {
    let v = match r {
        Raw::Str(s) => {
            let s = s.trim();
            match s.parse::<f64>() {
                Ok(n) => unit.to_ms(n),
                Err(_) => go_duration_ms(s)?,
            }
        }
        other => unit.to_ms(other.as_f64()?),
    };
    // Negative, infinite and huge values are kept here: the parser counts them as out of
    // range (`MAX_LATENCY_MS`) rather than losing them without a word.
    Some(v)
}

/// Go-style durations: `1h30m`, `1.5s`, `250ms`, `10us`; also `d` for days.
pub fn go_duration_ms(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut total = 0.0;
    let mut any = false;
    while i < b.len() {
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let n: f64 = s[start..i].parse().ok()?;
        let ustart = i;
        while i < b.len() && !(b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let mult = match &s[ustart..i] {
            "d" => 86_400_000.0,
            "h" => 3_600_000.0,
            "m" => 60_000.0,
            "s" => 1_000.0,
            "ms" => 1.0,
            "us" | "µs" | "μs" => 1e-3,
            "ns" => 1e-6,
            _ => return None,
        };
        total += n * mult;
        any = true;
    }
    any.then_some(total)
}

/// A request id as carried: W3C `traceparent` (`00-<trace-id>-<span-id>-01`) and AWS's
/// `X-Amzn-Trace-Id` (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=...`) reduced to the
/// trace they name; any other id as it is.
pub fn trace_id_part(id: Cow<'_, str>) -> Cow<'_, str> {
    let b = id.as_bytes();
    let hex = |s: &[u8]| s.iter().all(u8::is_ascii_hexdigit);
    if b.len() == 55 && b[2] == b'-' && b[35] == b'-' && b[52] == b'-' && hex(&b[3..35]) {
        return match id {
            Cow::Borrowed(s) => Cow::Borrowed(&s[3..35]),
            Cow::Owned(s) => Cow::Owned(s[3..35].to_owned()),
        };
    }
    if let Some(root) = id.strip_prefix("Root=") {
        let r = root.split(';').next().unwrap_or(root);
        return Cow::Owned(r.to_owned());
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_headers_name_their_trace() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(trace_id_part(tp.into()), "4bf92f3577b34da6a3ce929d0e0e4736");
        let amzn = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(
            trace_id_part(amzn.into()),
            "1-5759e988-bd862e3fe1be46a994272793"
        );
        assert_eq!(trace_id_part("req-1".into()), "req-1");
    }
}
