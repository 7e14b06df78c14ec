//! SVG primitives for the HTML report's charts: a string builder for shapes with hover titles
//! (`<title>`) and `data-v` values, a linear and a log scale with "nice" ticks, and the time
//! axis that places windows by their start. Every string it is given is escaped here; it
//! must not know what a chart shows (that is `charts.rs`) nor read the report.

use std::fmt::Write;

use crate::render::escape::html::text;

/// A number for an SVG coordinate: one decimal, no trailing `.0`.
pub fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// One `<svg>` being written: shapes, each with an optional hover title and value.
pub struct Svg {
    buf: String,
}

/// What a shape says on hover (`<title>`) and in `data-v` (the exact value, for tests and
/// scripts).
#[derive(Default)]
pub struct Tip<'a> {
    pub title: Option<&'a str>,
    pub value: Option<String>,
}

impl Svg {
    /// An SVG `w` x `h` user units wide, scaling to the page width; `label` names it for
    /// screen readers.
    pub fn new(class: &str, w: f64, h: f64, label: &str) -> Svg {
        let mut buf = String::with_capacity(4096);
        let _ = write!(
            buf,
            "<svg class=\"chart {class}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">",
            num(w),
            num(h),
            text(label)
        );
        Svg { buf }
    }

    fn close(&mut self, tag: &str, tip: &Tip<'_>) {
        if let Some(v) = &tip.value {
            let _ = write!(self.buf, " data-v=\"{}\"", text(v));
        }
        match tip.title {
            Some(t) => {
                let _ = write!(self.buf, "><title>{}</title></{tag}>", text(t));
            }
            None => self.buf.push_str("/>"),
        }
    }

    pub fn rect(&mut self, class: &str, (x, y, w, h): (f64, f64, f64, f64), tip: &Tip<'_>) {
        let _ = write!(
            self.buf,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
        self.close("rect", tip);
    }

    pub fn circle(&mut self, class: &str, (x, y): (f64, f64), r: f64, tip: &Tip<'_>) {
        let _ = write!(
            self.buf,
            "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\"",
            num(x),
            num(y),
            num(r)
        );
        self.close("circle", tip);
    }

    /// A downward triangle with its tip at (`x`, `y`): a flag marker.
    pub fn marker(&mut self, class: &str, (x, y): (f64, f64), tip: &Tip<'_>) {
        let _ = write!(
            self.buf,
            "<path class=\"{class}\" d=\"M{} {}l-4 -7h8z\"",
            num(x),
            num(y)
        );
        self.close("path", tip);
    }

    pub fn line(&mut self, class: &str, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
        let _ = write!(
            self.buf,
            "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// Connected points; a `None` breaks the line.
    pub fn polyline(&mut self, class: &str, points: &[Option<(f64, f64)>]) {
        for run in points.split(Option::is_none) {
            if run.len() < 2 {
                continue;
            }
            let pts: Vec<String> = run
                .iter()
                .flatten()
                .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
                .collect();
            let _ = write!(
                self.buf,
                "<polyline class=\"{class}\" points=\"{}\"/>",
                pts.join(" ")
            );
        }
    }

    /// Text at (`x`, `y`); `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, class: &str, (x, y): (f64, f64), anchor: &str, s: &str) {
        let _ = write!(
            self.buf,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            num(x),
            num(y),
            text(s)
        );
    }

    pub fn group(&mut self, class: &str) {
        let _ = write!(self.buf, "<g class=\"{class}\">");
    }

    pub fn end_group(&mut self) {
        self.buf.push_str("</g>");
    }

    pub fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        self.buf
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `v` (1 for nothing).
pub fn nice_max(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= v {
            return m * p;
        }
    }
    10.0 * p
}

/// Values `0..=max` onto `h` units, upward from `bottom`.
pub struct Linear {
    pub max: f64,
    pub bottom: f64,
    pub h: f64,
}

impl Linear {
    pub fn of(values: impl Iterator<Item = f64>, bottom: f64, h: f64) -> Linear {
        Linear {
            max: nice_max(values.fold(0.0, f64::max)),
            bottom,
            h,
        }
    }

    pub fn y(&self, v: f64) -> f64 {
        self.bottom - (v / self.max).clamp(0.0, 1.0) * self.h
    }
}

/// Milliseconds on a log scale from `lo` to `hi` (powers of ten), onto `w` units from `x0`.
pub struct Log {
    pub lo: f64,
    pub hi: f64,
    pub x0: f64,
    pub w: f64,
}

impl Log {
    pub fn of(values: impl Iterator<Item = f64>, x0: f64, w: f64) -> Log {
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for v in values.filter(|v| *v > 0.0) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi <= 0.0 {
            (lo, hi) = (1.0, 10.0);
        }
        let lo = 10f64.powf(lo.log10().floor()).min(1.0);
        let hi = 10f64.powf(hi.log10().ceil()).max(lo * 10.0);
        Log { lo, hi, x0, w }
    }

    pub fn x(&self, v: f64) -> f64 {
        let v = v.max(self.lo);
        self.x0 + (v / self.lo).log10() / (self.hi / self.lo).log10() * self.w
    }

    /// The powers of ten from `lo` to `hi`.
    pub fn ticks(&self) -> Vec<f64> {
        let mut t = Vec::new();
        let mut v = self.lo;
        while v <= self.hi * 1.0001 {
            t.push(v);
            v *= 10.0;
        }
        t
    }
}

/// Windows placed by their start on one time axis, so gaps without lines stay gaps.
pub struct TimeAxis {
    t0: i64,
    step: i64,
    pub slots: usize,
    pub x0: f64,
    pub w: f64,
}

/// Seconds since the epoch of an RFC 3339 time.
pub fn epoch(t: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.timestamp())
}

impl TimeAxis {
    /// The axis from the first to the last of `starts`, `step` seconds per slot.
    pub fn of<'a>(
        mut starts: impl Iterator<Item = &'a str>,
        step: u64,
        x0: f64,
        w: f64,
    ) -> TimeAxis {
        let t0 = starts.next().and_then(epoch).unwrap_or(0);
        let last = starts.last().and_then(epoch).unwrap_or(t0);
        let step = (step as i64).max(1);
        TimeAxis {
            t0,
            step,
            slots: ((last - t0) / step + 1).max(1) as usize,
            x0,
            w,
        }
    }

    pub fn slot(&self, start: &str) -> usize {
        epoch(start).map_or(0, |t| ((t - self.t0) / self.step).max(0) as usize)
    }

    pub fn slot_w(&self) -> f64 {
        self.w / self.slots as f64
    }

    /// Left edge of a slot.
    pub fn x(&self, slot: usize) -> f64 {
        self.x0 + slot as f64 * self.slot_w()
    }

    /// A slot's start as a tick label: `HH:MM:SS` under a minute a slot, `HH:MM` under a
    /// day, else `MM-DD` (all UTC).
    pub fn label(&self, slot: usize) -> String {
        let t = self.t0 + slot as i64 * self.step;
        let fmt = match self.step {
            s if s < 60 => "%H:%M:%S",
            s if s < 86_400 => "%H:%M",
            _ => "%m-%d",
        };
        chrono::DateTime::from_timestamp(t, 0).map_or(String::new(), |d| d.format(fmt).to_string())
    }

    /// About `n` evenly spaced slots for tick labels, the first included.
    pub fn ticks(&self, n: usize) -> Vec<usize> {
        let every = self.slots.div_ceil(n.max(1)).max(1);
        (0..self.slots).step_by(every).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_maxima_and_scales() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(12.0), 20.0);
        assert_eq!(nice_max(2001.0), 2500.0);
        let l = Log::of([3.0, 2004.0].into_iter(), 0.0, 100.0);
        assert_eq!((l.lo, l.hi), (1.0, 10_000.0));
        assert_eq!(l.x(100.0), 50.0);
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(3.0), "3");
    }

    #[test]
    fn time_axis_keeps_gaps() {
        let starts = ["2025-05-06T04:00:00.000Z", "2025-05-06T04:00:10.000Z"];
        let a = TimeAxis::of(starts.iter().copied(), 2, 0.0, 60.0);
        assert_eq!(a.slots, 6);
        assert_eq!(a.slot(starts[1]), 5);
        assert_eq!(a.x(5), 50.0);
    }

    #[test]
    fn titles_and_values_are_escaped() {
        let mut s = Svg::new("t", 10.0, 10.0, "a\"b");
        s.rect(
            "bar",
            (0.0, 0.0, 1.0, 1.0),
            &Tip {
                title: Some("<script>"),
                value: Some("\"1".into()),
            },
        );
        let out = s.finish();
        assert!(out.contains("aria-label=\"a&quot;b\""));
        assert!(out.contains("data-v=\"&quot;1\"><title>&lt;script&gt;</title></rect>"));
    }
}
