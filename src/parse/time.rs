//! Timestamp parsing for every form the parsers meet; owns the zone applied to naive stamps.
//! Must not allocate on the hot path: digits are read at fixed positions and chrono only
//! validates the calendar date and does the epoch arithmetic.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Microseconds since the Unix epoch, UTC.
pub type Micros = i64;

/// The zone assumed for timestamps that carry none (nginx error log, Python `asctime`).
#[derive(Clone, Debug)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

impl Zone {
    /// Resolves `+08:00`, `-0530`, `UTC`, `Z` or an IANA name such as `Europe/Berlin`.
    pub fn parse(s: &str) -> Option<Zone> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Some(Zone::Fixed(FixedOffset::east_opt(0)?));
        }
        if let Some(secs) = parse_offset(t.as_bytes()) {
            return Some(Zone::Fixed(FixedOffset::east_opt(secs)?));
        }
        t.parse::<Tz>().ok().map(Zone::Named)
    }

    /// Tells zones apart for the memos: equal keys, equal zones.
    fn key(&self) -> u64 {
        match self {
            Zone::Fixed(f) => (1 << 32) | f.local_minus_utc() as u32 as u64,
            Zone::Named(tz) => (2 << 32) | *tz as u32 as u64,
        }
    }

    /// Offset in seconds east of UTC in force at instant `t`.
    pub fn offset_at(&self, t: Micros) -> i32 {
        match self {
            Zone::Fixed(f) => f.local_minus_utc(),
            Zone::Named(tz) => chrono::DateTime::from_timestamp_micros(t).map_or(0, |d| {
                tz.offset_from_utc_datetime(&d.naive_utc())
                    .fix()
                    .local_minus_utc()
            }),
        }
    }

    /// `UTC+01:00`, `UTC-05:30`, `UTC+00:00`: how reports name a fixed offset.
    pub fn offset_name(secs: i32) -> String {
        let sign = if secs < 0 { '-' } else { '+' };
        let a = secs.unsigned_abs();
        format!("UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    }

    pub fn fixed(secs: i32) -> Option<Zone> {
        FixedOffset::east_opt(secs).map(Zone::Fixed)
    }

    /// Offset in seconds east of UTC that applies to a local (naive) time in this zone.
    /// An ambiguous local time (autumn DST fold) takes the earlier instant; a
    /// non-existent one (spring gap) takes the offset in force just before the gap.
    pub fn offset_for_local(&self, naive: &NaiveDateTime) -> i64 {
        match self {
            Zone::Fixed(f) => f.local_minus_utc() as i64,
            Zone::Named(tz) => match tz.offset_from_local_datetime(naive).earliest() {
                Some(off) => off.fix().local_minus_utc() as i64,
                None => {
                    let before = *naive - chrono::Duration::hours(3);
                    tz.offset_from_local_datetime(&before)
                        .earliest()
                        .map(|o| o.fix().local_minus_utc() as i64)
                        .unwrap_or(0)
                }
            },
        }
    }
}

/// Per-worker memos: the zone offset for the last local hour seen, and the instant of the
/// last minute seen (its first 16 bytes, its offset and the zone it was read in). Log lines
/// arrive in time order, so most stamps differ from the previous one only in seconds and
/// fraction; both memos map their key (the zone included: inputs of one worker may be read
/// in different zones) to a result by a pure function, so they never change an answer. Both
/// hold only hours whose offset does not change within them.
#[derive(Default)]
pub struct ZoneCache {
    hour: i64,
    hour_zone: u64,
    offset: i64,
    valid: bool,
    minute_key: u128,
    minute_offset: Option<i32>,
    minute_zone: u64,
    minute_base: Micros,
    /// The minute's start as wall-clock digits read as UTC, for naive stamps.
    minute_local: Micros,
    minute_valid: bool,
    /// The zone suffix (`+00:00`, `Z`) the minute's offset was read from, packed by
    /// `pack_rest`: the same bytes again need no reading.
    minute_rest: u64,
    /// The same for nginx's `$time_local` stamps (`nginx_local`).
    nginx: MinuteMemo,
    /// The last stamp's offset holds for its whole local hour: it carried its own, or its
    /// zone did not switch within that hour. Only then may the minute memo keep it.
    steady: bool,
    /// The last stamp parsed, as its wall-clock digits read as UTC, when it carried no zone
    /// (so it was read in the zone given); `None` when it carried its own. Zone inference
    /// compares these local readings with zoned evidence.
    pub naive_local: Option<Micros>,
}

impl ZoneCache {
    fn local_to_utc(&mut self, zone: &Zone, local_micros: i64, naive: &NaiveDateTime) -> Micros {
        self.steady = true;
        if let Zone::Fixed(f) = zone {
            return local_micros - f.local_minus_utc() as i64 * 1_000_000;
        }
        const HOUR: i64 = 3_600_000_000;
        let hour = local_micros.div_euclid(HOUR);
        let zone_key = zone.key();
        if self.valid && self.hour == hour && self.hour_zone == zone_key {
            return local_micros - self.offset * 1_000_000;
        }
        let offset = zone.offset_for_local(naive);
        // A zone may switch inside a local hour (Lord Howe's half-hour shift at 02:00, Goose
        // Bay's switches at 00:01 until 2011): then one offset for the hour is wrong for
        // part of it, and the answer would depend on which stamp came first (found by the
        // `time` fuzz target). The hour is kept only when its first and last microsecond
        // read with this stamp's offset (one zone never switches twice within an hour);
        // otherwise each of its stamps is looked up.
        let at = |t: i64| {
            chrono::DateTime::from_timestamp_micros(t)
                .map(|d| zone.offset_for_local(&d.naive_utc()))
        };
        let start = hour * HOUR;
        self.steady = at(start) == Some(offset) && at(start + HOUR - 1) == Some(offset);
        self.valid = self.steady;
        self.hour = hour;
        self.hour_zone = zone_key;
        self.offset = offset;
        local_micros - offset * 1_000_000
    }
}

#[inline]
fn d2(b: &[u8], i: usize) -> Option<u32> {
    let (a, c) = (*b.get(i)?, *b.get(i + 1)?);
    if a.is_ascii_digit() && c.is_ascii_digit() {
        Some(((a - b'0') * 10 + (c - b'0')) as u32)
    } else {
        None
    }
}

#[inline]
fn d4(b: &[u8], i: usize) -> Option<i32> {
    Some((d2(b, i)? * 100 + d2(b, i + 2)?) as i32)
}

/// `+08:00`, `+0800`, `-05`, `Z` -> seconds east of UTC.
fn parse_offset(b: &[u8]) -> Option<i32> {
    if b == b"Z" || b == b"z" {
        return Some(0);
    }
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h = d2(b, 1)? as i32;
    let m = match b.len() {
        3 => 0,
        5 => d2(b, 3)? as i32,
        6 if b[3] == b':' => d2(b, 4)? as i32,
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

fn build(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> Option<NaiveDateTime> {
    // A leap second (:60) is folded onto :59.999999 rather than rejected.
    let (s, us) = if s == 60 { (59, 999_999) } else { (s, us) };
    NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_micro_opt(h, mi, s, us)
}

fn finish(naive: NaiveDateTime, offset: Option<i32>, zone: &Zone, cache: &mut ZoneCache) -> Micros {
    let local = naive.and_utc().timestamp_micros();
    cache.naive_local = offset.is_none().then_some(local);
    match offset {
        Some(off) => {
            cache.steady = true;
            local - off as i64 * 1_000_000
        }
        None => cache.local_to_utc(zone, local, &naive),
    }
}

/// Fraction digits after `.` or `,` as microseconds; returns (micros, bytes consumed).
fn fraction(b: &[u8]) -> (u32, usize) {
    let mut us = 0u32;
    let mut n = 0usize;
    while n < b.len() && b[n].is_ascii_digit() {
        if n < 6 {
            us = us * 10 + (b[n] - b'0') as u32;
        }
        n += 1;
    }
    for _ in n..6 {
        us *= 10;
    }
    (us, n)
}

/// `2025-05-06T04:00:08.123Z`, `2025-05-06 04:00:08,123`, `2025-05-06T04:00:08+08:00`,
/// `2025/05/06 04:00:08` (nginx error log); the zone suffix is optional.
fn iso_like(b: &[u8], zone: &Zone, cache: &mut ZoneCache) -> Option<Micros> {
    if b.len() < 19 {
        return None;
    }
    // Bytes 0..16 equal to a stamp already validated: date, hour and minute need no reading.
    let key = u128::from_le_bytes(b[..16].try_into().expect("16 bytes"));
    let known = cache.minute_valid && cache.minute_key == key;
    let mut ymdhm = (0, 0, 0, 0, 0);
    if !known {
        if !(b[4] == b'-' || b[4] == b'/') || b[7] != b[4] {
            return None;
        }
        if !(b[10] == b'T' || b[10] == b' ' || b[10] == b't') || b[13] != b':' {
            return None;
        }
        ymdhm = (d4(b, 0)?, d2(b, 5)?, d2(b, 8)?, d2(b, 11)?, d2(b, 14)?);
    }
    if b[16] != b':' {
        return None;
    }
    let s = d2(b, 17)?;
    let mut i = 19;
    let mut us = 0;
    if i < b.len() && (b[i] == b'.' || b[i] == b',') {
        let (f, n) = fraction(&b[i + 1..]);
        if n == 0 {
            return None;
        }
        us = f;
        i += 1 + n;
    }
    let mut rest = &b[i..];
    if rest.first() == Some(&b' ') {
        rest = &rest[1..];
    }
    let packed = pack_rest(rest);
    let offset = if known && packed.is_some_and(|p| p == cache.minute_rest) {
        cache.minute_offset
    } else if rest.is_empty() {
        None
    } else if rest.eq_ignore_ascii_case(b"UTC") || rest.eq_ignore_ascii_case(b"GMT") {
        Some(0)
    } else {
        Some(parse_offset(rest)?)
    };
    // The same date, hour, minute and offset as the last stamp: same minute start. Only
    // validated stamps enter the memo; a leap second (:60) always takes the slow path.
    let within = s as i64 * 1_000_000 + us as i64;
    if known
        && s < 60
        && cache.minute_offset == offset
        && (offset.is_some() || cache.minute_zone == zone.key())
    {
        cache.naive_local = offset.is_none().then_some(cache.minute_local + within);
        return Some(cache.minute_base + within);
    }
    if known {
        ymdhm = (d4(b, 0)?, d2(b, 5)?, d2(b, 8)?, d2(b, 11)?, d2(b, 14)?);
    }
    let (y, mo, d, h, mi) = ymdhm;
    let t = finish(build(y, mo, d, h, mi, s, us)?, offset, zone, cache);
    if s < 60 && cache.steady {
        cache.minute_key = key;
        cache.minute_offset = offset;
        cache.minute_base = t - within;
        cache.minute_local = cache.naive_local.map_or(0, |l| l - within);
        cache.minute_zone = zone.key();
        // No packing (a suffix over 7 bytes) never matches: `pack_rest` sets the top byte.
        cache.minute_rest = packed.unwrap_or(0);
        cache.minute_valid = true;
    }
    Some(t)
}

/// A zone suffix of at most 7 bytes as one integer, its length in the top byte (so no two
/// suffixes share a value, and none is 0).
#[inline]
fn pack_rest(rest: &[u8]) -> Option<u64> {
    if rest.len() > 7 {
        return None;
    }
    let mut buf = [0u8; 8];
    buf[..rest.len()].copy_from_slice(rest);
    buf[7] = rest.len() as u8 + 1;
    Some(u64::from_le_bytes(buf))
}

fn month(b: &[u8]) -> Option<u32> {
    const M: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let key = b.get(..3)?;
    M.iter()
        .position(|m| m.eq_ignore_ascii_case(key))
        .map(|i| i as u32 + 1)
}

/// nginx `$time_local`: `06/May/2025:04:00:08 +0000`.
fn nginx_local(b: &[u8], zone: &Zone, cache: &mut ZoneCache) -> Option<Micros> {
    if b.len() < 20 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' {
        return None;
    }
    let s = d2(b, 18)?;
    let rest = b[20..].strip_prefix(b" ").unwrap_or(&b[20..]);
    // Bytes 0..17 (date, hour, minute) and the zone suffix as in the last stamp: the same
    // minute start, as in `iso_like`'s memo.
    let key = u128::from_le_bytes(b[..16].try_into().expect("16 bytes"));
    let packed = pack_rest(rest);
    let m = &cache.nginx;
    if m.valid
        && s < 60
        && m.key == key
        && m.key16 == b[16]
        && packed == Some(m.rest)
        && (m.offset.is_some() || m.zone == zone.key())
    {
        let within = s as i64 * 1_000_000;
        cache.naive_local = m.offset.is_none().then_some(m.local + within);
        return Some(m.base + within);
    }
    let d = d2(b, 0)?;
    let mo = month(&b[3..6])?;
    let y = d4(b, 7)?;
    let (h, mi) = (d2(b, 12)?, d2(b, 15)?);
    let offset = if rest.is_empty() {
        None
    } else {
        Some(parse_offset(rest)?)
    };
    let t = finish(build(y, mo, d, h, mi, s, 0)?, offset, zone, cache);
    if s < 60 && cache.steady {
        let within = s as i64 * 1_000_000;
        cache.nginx = MinuteMemo {
            valid: packed.is_some(),
            key,
            key16: b[16],
            rest: packed.unwrap_or(0),
            offset,
            zone: zone.key(),
            base: t - within,
            local: cache.naive_local.map_or(0, |l| l - within),
        };
    }
    Some(t)
}

/// `nginx_local`'s memo of one minute: its first 17 bytes, zone suffix and start.
#[derive(Default, Clone, Copy)]
struct MinuteMemo {
    valid: bool,
    key: u128,
    key16: u8,
    rest: u64,
    offset: Option<i32>,
    zone: u64,
    base: Micros,
    /// The minute's start as wall-clock digits read as UTC, for naive stamps.
    local: Micros,
}

/// Epoch number of unknown unit, judged by magnitude: seconds (zap, float), milliseconds
/// (pino, bunyan), microseconds, nanoseconds. Plausible dates only (1973..2286 for seconds).
pub fn epoch_f64(v: f64) -> Option<Micros> {
    if !v.is_finite() || v <= 0.0 {
        return None;
    }
    let us = if v < 1e11 {
        v * 1e6
    } else if v < 1e14 {
        v * 1e3
    } else if v < 1e17 {
        v
    } else {
        v / 1e3
    };
    if us < 1e14 {
        return None;
    }
    Some(us.round() as i64)
}

/// Integer epoch, kept exact (f64 would round nanosecond stamps).
pub fn epoch_i64(v: i64) -> Option<Micros> {
    let us = if v < 100_000_000_000 {
        v.checked_mul(1_000_000)?
    } else if v < 100_000_000_000_000 {
        v * 1_000
    } else if v < 100_000_000_000_000_000 {
        v
    } else {
        v / 1_000
    };
    (us >= 100_000_000_000_000).then_some(us)
}

/// Parses any supported textual timestamp; naive ones are read in `zone`.
pub fn parse_ts(s: &str, zone: &Zone, cache: &mut ZoneCache) -> Option<Micros> {
    cache.naive_local = None;
    // Stamps rarely carry spaces: trim (which decodes characters) only when an end may.
    let raw = s.as_bytes();
    let bare = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_graphic());
    let b = if bare(raw.first()) && bare(raw.last()) {
        raw
    } else {
        s.trim().as_bytes()
    };
    let first = *b.first()?;
    if !first.is_ascii_digit() {
        return None;
    }
    if let Some(t) = iso_like(b, zone, cache) {
        return Some(t);
    }
    if let Some(t) = nginx_local(b, zone, cache) {
        return Some(t);
    }
    if b.iter().all(|c| c.is_ascii_digit()) && b.len() <= 19 {
        return epoch_i64(s.trim().parse().ok()?);
    }
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return epoch_f64(s.trim().parse().ok()?);
    }
    None
}

/// The date year-less stamps (RFC 3164 syslog, journalctl's short output) are placed near:
/// a dated line of the same input (the nearest year), else its modification time (a line
/// is written before its file was last modified, so the latest year that does not put the
/// stamp more than a day after it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearRef {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// A dated line, not a modification time: stamps may lie on either side of it.
    pub nearest: bool,
}

impl YearRef {
    /// A modification time (or the clock): stamps lie before it.
    pub fn of(t: Micros) -> Option<YearRef> {
        use chrono::Datelike;
        let d = chrono::DateTime::from_timestamp_micros(t)?.date_naive();
        Some(YearRef {
            year: d.year(),
            month: d.month(),
            day: d.day(),
            nearest: false,
        })
    }

    /// A dated line of the input: stamps take the year nearest to it.
    pub fn near(t: Micros) -> Option<YearRef> {
        YearRef::of(t).map(|r| YearRef { nearest: true, ..r })
    }

    pub fn year_for(&self, month: u32, day: u32) -> i32 {
        if self.nearest {
            let at = |y: i32| (y - self.year) * 372 + (month * 31 + day) as i32;
            let me = (self.month * 31 + self.day) as i32;
            return [self.year - 1, self.year, self.year + 1]
                .into_iter()
                .min_by_key(|&y| (at(y) - me).abs())
                .unwrap_or(self.year);
        }
        if (month, day) > (self.month, self.day + 1) {
            self.year - 1
        } else {
            self.year
        }
    }
}

/// `Dec  1 06:30:59` or `Dec 01 06:30:59` (RFC 3164, journalctl's short output), read in
/// `zone` in the year `year` chooses. The stamp is the first 15 bytes of `b`.
pub fn syslog_ts(b: &[u8], year: &YearRef, zone: &Zone, cache: &mut ZoneCache) -> Option<Micros> {
    if b.len() < 15 || b[3] != b' ' || b[6] != b' ' || b[9] != b':' || b[12] != b':' {
        return None;
    }
    let mo = month(&b[..3])?;
    let d = match (b[4], b[5]) {
        (b' ', c) if c.is_ascii_digit() => (c - b'0') as u32,
        _ => d2(b, 4)?,
    };
    let (h, mi, s) = (d2(b, 7)?, d2(b, 10)?, d2(b, 13)?);
    let naive = build(year.year_for(mo, d), mo, d, h, mi, s, 0)?;
    Some(finish(naive, None, zone, cache))
}

/// Public helper for the nginx error log, whose stamp is always the first 19 bytes.
pub fn parse_nginx_error_ts(b: &[u8], zone: &Zone, cache: &mut ZoneCache) -> Option<Micros> {
    iso_like(b.get(..19)?, zone, cache)
}

/// RFC 3339 in UTC with millisecond precision, the one form every output uses.
pub fn format_utc(t: Micros) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    // Fields written directly: strftime's item parser costs more than the whole rest of a
    // `requests` row, and listings format millions of times.
    match chrono::DateTime::from_timestamp_micros(t) {
        Some(dt) if (0..=9999).contains(&dt.year()) => {
            let mut s = String::with_capacity(24);
            let _ = write!(
                s,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                dt.year(),
                dt.month(),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second(),
                dt.timestamp_subsec_millis().min(999)
            );
            s
        }
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => String::from("invalid"),
    }
}

#[cfg(test)]
mod tests;
