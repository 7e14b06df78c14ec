//! Time and number formatting: the timestamp shapes of the three logs and allocation-free
//! digits appended to a line buffer. Pure formatting; it must not draw from the PRNG or know
//! what a line means.

/// All internal times are microseconds since the Unix epoch, UTC.
pub(crate) const SEC: u64 = 1_000_000;

/// (year, month, day) from days since the epoch (Howard Hinnant's algorithm).
pub(crate) fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Clone, Copy)]
pub(crate) enum Stamp {
    /// python `asctime`: `2025-05-06 04:00:08` (the `,123` milliseconds are appended apart)
    App,
    /// nginx error log: `2025/05/06 04:00:08`
    Error,
    /// nginx `$time_local`: `06/May/2025:04:00:08 +0000`
    Access,
}

/// Formats the whole-second part of a timestamp once per second, not once per line.
pub(crate) struct StampCache {
    kind: Stamp,
    sec: u64,
    text: Vec<u8>,
}

impl StampCache {
    pub(crate) fn new(kind: Stamp) -> Self {
        Self {
            kind,
            sec: u64::MAX,
            text: Vec::with_capacity(32),
        }
    }
    pub(crate) fn get(&mut self, t: u64) -> &[u8] {
        let sec = t / SEC;
        if sec != self.sec {
            self.sec = sec;
            let (y, mo, d) = civil((sec / 86_400) as i64);
            let s = sec % 86_400;
            let (h, mi, se) = (s / 3600, s / 60 % 60, s % 60);
            self.text.clear();
            let w = &mut self.text;
            match self.kind {
                Stamp::App | Stamp::Error => {
                    let sep = if matches!(self.kind, Stamp::App) {
                        b'-'
                    } else {
                        b'/'
                    };
                    num(w, y as u64);
                    w.push(sep);
                    pad2(w, mo as u64);
                    w.push(sep);
                    pad2(w, d as u64);
                }
                Stamp::Access => {
                    pad2(w, d as u64);
                    w.push(b'/');
                    w.extend_from_slice(MONTHS[mo as usize - 1].as_bytes());
                    w.push(b'/');
                    num(w, y as u64);
                }
            }
            w.push(if matches!(self.kind, Stamp::Access) {
                b':'
            } else {
                b' '
            });
            pad2(w, h);
            w.push(b':');
            pad2(w, mi);
            w.push(b':');
            pad2(w, se);
            if matches!(self.kind, Stamp::Access) {
                w.extend_from_slice(b" +0000");
            }
        }
        &self.text
    }
}

pub(crate) fn num(w: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.extend_from_slice(&tmp[i..]);
}

pub(crate) fn pad2(w: &mut Vec<u8>, n: u64) {
    w.extend_from_slice(&[b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]);
}

pub(crate) fn pad3(w: &mut Vec<u8>, n: u64) {
    w.extend_from_slice(&[
        b'0' + (n / 100 % 10) as u8,
        b'0' + (n / 10 % 10) as u8,
        b'0' + (n % 10) as u8,
    ]);
}

pub(crate) fn pad_n(w: &mut Vec<u8>, n: u64, width: usize) {
    let start = w.len();
    num(w, n);
    let len = w.len() - start;
    if len < width {
        w.splice(start..start, std::iter::repeat_n(b'0', width - len));
    }
}

/// Microseconds as nginx prints `$request_time`: seconds with millisecond resolution.
pub(crate) fn secs3(w: &mut Vec<u8>, us: u64) {
    let ms = us / 1000;
    num(w, ms / 1000);
    w.push(b'.');
    pad3(w, ms % 1000);
}

/// Microseconds as Python prints `round(ms, 3)`: `12.345`, `12.34`, `5.0`.
pub(crate) fn py_ms(w: &mut Vec<u8>, us: u64) {
    num(w, us / 1000);
    w.push(b'.');
    let frac = us % 1000;
    if frac == 0 {
        w.push(b'0');
    } else {
        pad3(w, frac);
        while w.last() == Some(&b'0') {
            w.pop();
        }
    }
}

/// Request ids are kept as their hex text, so this is a copy; the name says what the field is.
pub(crate) fn hex(w: &mut Vec<u8>, bytes: &[u8]) {
    w.extend_from_slice(bytes);
}
