//! Fitting text to a width: prose wrapped with a hanging indent, cells clipped with `…`,
//! request ids shortened, column widths shared out, series resampled to a strip's width.
//! Layout only: it never escapes (callers pass text already made safe) and never computes
//! a figure of the report.

use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

/// Characters of a request id a table shows unless `--wide`.
pub const SHORT_ID: usize = 8;

/// Display width, escape sequences (colour) not counted.
pub fn width(s: &str) -> usize {
    textwrap::core::display_width(s)
}

/// `text` wrapped to `width` columns: the first line as is, the rest after `indent`. Words
/// longer than a line are broken.
pub fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let opts = textwrap::Options::new(width.max(indent.width() + 1))
        .subsequent_indent(indent)
        .break_words(true);
    textwrap::wrap(text, opts)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// `s` cut to `width` columns, ending in `…` when cut.
pub fn clip(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// `items` joined by `sep` in at most `width` columns: as many as fit whole, then `+N more`
/// for the rest; `None` when not even the first fits.
pub fn whole_list(items: &[String], sep: &str, width: usize) -> Option<String> {
    let l = list(items, sep, width);
    (items.is_empty() || !l.ends_with('…') || items[0].ends_with('…')).then_some(l)
}

/// `items` joined by `sep` in at most `width` columns: as many as fit whole, then `+N more`
/// for the rest (clipped only when not even the first fits).
pub fn list(items: &[String], sep: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let rest = items.len() - i - 1;
        let tail = if rest > 0 {
            format!("{sep}+{rest} more")
        } else {
            String::new()
        };
        let joined = if i == 0 {
            item.clone()
        } else {
            format!("{out}{sep}{item}")
        };
        if self::width(&joined) + self::width(&tail) <= width {
            out = joined;
            continue;
        }
        let left = items.len() - i;
        if i == 0 {
            return clip(&format!("{item}{tail}"), width).into_owned();
        }
        return format!("{out}{sep}+{left} more");
    }
    out
}

/// A request id as a table shows it: whole with `--wide` (or when short), else its first
/// `SHORT_ID` characters and `…`, the form `trace` takes back.
pub fn short_id(id: &str, wide: bool) -> String {
    if wide || id.chars().count() <= SHORT_ID + 1 {
        return id.to_string();
    }
    let mut s: String = id.chars().take(SHORT_ID).collect();
    s.push('…');
    s
}

/// Column widths that fit `total` columns with `gap` between columns: each column's natural
/// width, the flexible ones capped at one common width, the largest cap that fits, never
/// below a floor (so a table far too wide still prints, each flexible cell wrapped to its
/// share). Columns under the cap keep their natural width; what the cap leaves over goes to
/// the capped columns, the leftmost first.
pub fn share(natural: &[usize], flexible: &[bool], gap: usize, total: usize) -> Vec<usize> {
    const FLOOR: usize = 6;
    let fixed: usize = gap * natural.len().saturating_sub(1)
        + (0..natural.len())
            .filter(|&i| !flexible[i])
            .map(|i| natural[i])
            .sum::<usize>();
    let capped = |cap: usize| -> usize {
        (0..natural.len())
            .filter(|&i| flexible[i])
            .map(|i| natural[i].min(cap))
            .sum()
    };
    let widest = natural.iter().copied().max().unwrap_or(0);
    if fixed + capped(widest) <= total {
        return natural.to_vec();
    }
    // The largest cap that fits, found by bisection over [FLOOR, widest].
    let (mut lo, mut hi) = (FLOOR, widest);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fixed + capped(mid) <= total {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut w: Vec<usize> = (0..natural.len())
        .map(|i| {
            if flexible[i] {
                natural[i].min(lo)
            } else {
                natural[i]
            }
        })
        .collect();
    let mut slack = total.saturating_sub(fixed + capped(lo));
    for i in 0..w.len() {
        if slack == 0 {
            break;
        }
        if flexible[i] && natural[i] > w[i] {
            w[i] += 1;
            slack -= 1;
        }
    }
    w
}

/// `values` in at most `n` buckets, each the largest value of the windows it holds (`None`
/// when none has one), so a peak is never averaged away.
pub fn resample(values: &[Option<f64>], n: usize) -> Vec<Option<f64>> {
    if values.len() <= n || n == 0 {
        return values.to_vec();
    }
    (0..n)
        .map(|b| {
            let (lo, hi) = bucket(values.len(), n, b);
            values[lo..hi]
                .iter()
                .flatten()
                .copied()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
        })
        .collect()
}

/// The window range `[lo, hi)` of bucket `b` of `n` over `len` windows.
pub fn bucket(len: usize, n: usize, b: usize) -> (usize, usize) {
    (b * len / n, ((b + 1) * len / n).max(b * len / n + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_narrows_the_widest_flexible_column_first() {
        // 10 + 50 + 30 + 2 gaps of 2 = 94 > 60: both capped at 23.
        let w = share(&[10, 50, 30], &[false, true, true], 2, 60);
        assert_eq!(w.iter().sum::<usize>() + 4, 60);
        assert_eq!(w[0], 10);
        assert!(w[1].abs_diff(w[2]) <= 1, "{w:?}");
        // A narrow flexible column keeps its width; the wide ones share the rest.
        let w = share(&[10, 8, 50, 50], &[false, true, true, true], 2, 80);
        assert_eq!(w, vec![10, 8, 28, 28]);
        // Far too wide: flexible columns stop at the floor.
        assert_eq!(share(&[50, 50], &[false, true], 2, 20), vec![50, 6]);
        // Nothing flexible: left as is.
        assert_eq!(share(&[50, 50], &[false, false], 2, 60), vec![50, 50]);
        // Already fits.
        assert_eq!(share(&[5, 5], &[true, true], 2, 60), vec![5, 5]);
    }

    #[test]
    fn lists_keep_whole_items_and_count_the_rest() {
        let items: Vec<String> = ["alpha", "beta", "gamma"].map(String::from).to_vec();
        assert_eq!(list(&items, ", ", 40), "alpha, beta, gamma");
        assert_eq!(list(&items, ", ", 17), "alpha, +2 more");
        assert_eq!(list(&items, ", ", 15), "alpha, +2 more");
        assert_eq!(list(&items, ", ", 3), "al…");
        assert_eq!(list(&items, ", ", 12), "alpha, +2 m…");
        assert_eq!(whole_list(&items, ", ", 3), None);
        assert_eq!(
            whole_list(&items, ", ", 15).as_deref(),
            Some("alpha, +2 more")
        );
    }

    #[test]
    fn clip_and_short_ids() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(clip("日本語の", 5), "日本…");
        assert_eq!(
            short_id("34f2c5430c4ced97eeca230e2141ea7a", false),
            "34f2c543…"
        );
        assert_eq!(short_id("34f2c5430c4ced97eeca230e2141ea7a", true).len(), 32);
        assert_eq!(short_id("req-1", false), "req-1");
    }

    #[test]
    fn wrap_indents_and_breaks_long_words() {
        let lines = wrap("one two three four five six", 12, "  ");
        assert!(lines.iter().all(|l| width(l) <= 12), "{lines:?}");
        assert!(lines[1].starts_with("  "));
        let long = wrap(&"x".repeat(30), 12, "");
        assert!(long.iter().all(|l| width(l) <= 12));
    }

    #[test]
    fn resample_keeps_peaks() {
        let v: Vec<Option<f64>> = (0..10)
            .map(|i| Some(if i == 7 { 9.0 } else { 1.0 }))
            .collect();
        let r = resample(&v, 3);
        assert_eq!(r.len(), 3);
        assert_eq!(r.iter().flatten().cloned().fold(0.0, f64::max), 9.0);
        assert_eq!(
            resample(&[None, None, Some(2.0), None], 2),
            vec![None, Some(2.0)]
        );
    }
}
