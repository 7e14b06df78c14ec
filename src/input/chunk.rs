//! Newline-aligned chunking of in-memory input, and iteration over its records: lines, or
//! runs of lines a caller's `joins(prev, next)` ties together (envelope fragments). Knows
//! nothing about formats; every record keeps its byte offset, and chunks are never cut
//! inside a record, so results never depend on the cut.

use std::ops::Range;

/// Cuts `data` into ranges of about `target` bytes, each ending just after a newline (the
/// last may end without one) where `joins` does not tie the lines on either side. A record
/// longer than `target` stays whole in one range.
pub fn split(
    data: &[u8],
    target: usize,
    joins: impl Fn(&[u8], &[u8]) -> bool,
) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut out = Vec::with_capacity(data.len() / target + 1);
    let mut start = 0;
    while start < data.len() {
        let want = start.saturating_add(target);
        if want >= data.len() {
            out.push(start..data.len());
            break;
        }
        let Some(i) = memchr::memchr(b'\n', &data[want..]) else {
            out.push(start..data.len());
            break;
        };
        let mut nl = want + i;
        // The line ending at `nl` and the one after it must not be one record.
        let mut line_start = memchr::memrchr(b'\n', &data[..nl]).map_or(0, |p| p + 1);
        let end = loop {
            let next = nl + 1;
            if next >= data.len() {
                break data.len();
            }
            let next_end = memchr::memchr(b'\n', &data[next..]).map_or(data.len(), |p| next + p);
            if !joins(&data[line_start..nl], &data[next..next_end]) {
                break next;
            }
            line_start = next;
            nl = next_end;
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Calls `f(offset_in_data, record, physical_lines)` for every record: a line without its
/// `\n`, or consecutive lines that `joins` ties (their inner newlines kept). A final line
/// without a newline counts as a line, as `wc -l` plus one.
#[inline]
pub fn for_each_record(
    data: &[u8],
    joins: impl Fn(&[u8], &[u8]) -> bool,
    mut f: impl FnMut(usize, &[u8], u32),
) {
    // The current record starts at `start` and its last line is `data[last..last_end]`.
    let mut current: Option<(usize, usize, usize, u32)> = None;
    let mut visit = |ls: usize, le: usize| {
        if let Some((start, last, last_end, n)) = current {
            if n < u32::MAX && joins(&data[last..last_end], &data[ls..le]) {
                current = Some((start, ls, le, n + 1));
                return;
            }
            f(start, &data[start..last_end], n);
        }
        current = Some((ls, ls, le, 1));
    };
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', data) {
        visit(start, nl);
        start = nl + 1;
    }
    if start < data.len() {
        visit(start, data.len());
    }
    if let Some((start, _, last_end, n)) = current {
        f(start, &data[start..last_end], n);
    }
}

/// Never joins: every line is its own record.
pub fn lines_only(_: &[u8], _: &[u8]) -> bool {
    false
}

/// Calls `f(offset_in_data, line)` for every line; `line` excludes its `\n`. A final line
/// without a newline counts as a line, as `wc -l` plus one.
#[inline]
pub fn for_each_line(data: &[u8], mut f: impl FnMut(usize, &[u8])) {
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', data) {
        f(start, &data[start..nl]);
        start = nl + 1;
    }
    if start < data.len() {
        f(start, &data[start..]);
    }
}

/// Lines in `data` as `for_each_line` sees them: newlines, plus a last line without one.
pub fn count_lines(data: &[u8]) -> u64 {
    let n = memchr::memchr_iter(b'\n', data).count() as u64;
    n + u64::from(data.last().is_some_and(|&b| b != b'\n'))
}

/// Every record holding a match of any finder, once, in order: (0-based index of its first
/// line, its range without the final newline, its physical lines). Between matches lines are
/// counted, not visited; a match inside a joined record widens to the whole record.
pub fn records_matching(
    data: &[u8],
    finders: &[memchr::memmem::Finder<'_>],
    joins: impl Fn(&[u8], &[u8]) -> bool,
) -> Vec<(u64, Range<usize>, u32)> {
    let mut starts: Vec<usize> = finders.iter().flat_map(|f| f.find_iter(data)).collect();
    starts.sort_unstable();
    let mut out: Vec<(u64, Range<usize>, u32)> = Vec::new();
    let (mut counted_to, mut index) = (0usize, 0u64);
    let line_at = |at: usize| {
        let s = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
        let e = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
        (s, e)
    };
    for at in starts {
        if out.last().is_some_and(|(_, r, _)| at <= r.end) {
            continue;
        }
        let (ls, le) = line_at(at);
        let (mut start, mut first_end, mut last, mut end) = (ls, le, ls, le);
        let mut lines = 1u32;
        // Back to the record's first line, then on to its last.
        while start > 0 {
            let (ps, pe) = line_at(start - 1);
            if out.last().is_some_and(|(_, r, _)| ps <= r.end)
                || !joins(&data[ps..pe], &data[start..first_end])
            {
                break;
            }
            (start, first_end) = (ps, pe);
            lines += 1;
        }
        while end + 1 < data.len() {
            let ns = end + 1;
            let ne = memchr::memchr(b'\n', &data[ns..]).map_or(data.len(), |p| ns + p);
            if !joins(&data[last..end], &data[ns..ne]) {
                break;
            }
            (last, end) = (ns, ne);
            lines += 1;
        }
        index += memchr::memchr_iter(b'\n', &data[counted_to..start]).count() as u64;
        counted_to = start;
        out.push((index, start..end, lines));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_newlines_and_cover_everything() {
        let data = b"a\nbb\nccc\n\ndddd\neeeee";
        for target in 1..25 {
            let ranges = split(data, target, lines_only);
            assert_eq!(ranges.first().unwrap().start, 0);
            assert_eq!(ranges.last().unwrap().end, data.len());
            for w in ranges.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_eq!(data[w[0].end - 1], b'\n');
            }
        }
        assert!(split(b"", 4, lines_only).is_empty());
    }

    #[test]
    fn matching_lines_are_numbered_and_unique() {
        let data = b"a id1\nb\nid2 c id1\n\nd\nid1";
        let f1 = memchr::memmem::Finder::new("id1");
        let f2 = memchr::memmem::Finder::new("id2");
        let got: Vec<(u64, &[u8])> = records_matching(data, &[f1, f2], lines_only)
            .into_iter()
            .map(|(i, r, _)| (i, &data[r]))
            .collect();
        assert_eq!(
            got,
            vec![(0, &b"a id1"[..]), (2, &b"id2 c id1"[..]), (5, &b"id1"[..])]
        );
        assert_eq!(count_lines(data), 6);
        assert_eq!(count_lines(b"x\n"), 1);
        assert_eq!(count_lines(b""), 0);
    }

    /// Lines ending in `+` continue into the next.
    fn plus(prev: &[u8], _: &[u8]) -> bool {
        prev.ends_with(b"+")
    }

    #[test]
    fn records_are_never_cut() {
        let data = b"a+\nb+\nc\nd\ne+\nf\ng+";
        let mut want = Vec::new();
        for_each_record(data, plus, |o, r, n| want.push((o, r.to_vec(), n)));
        assert_eq!(
            want,
            vec![
                (0, b"a+\nb+\nc".to_vec(), 3),
                (8, b"d".to_vec(), 1),
                (10, b"e+\nf".to_vec(), 2),
                (15, b"g+".to_vec(), 1)
            ]
        );
        for target in 1..data.len() + 2 {
            let mut got = Vec::new();
            for r in split(data, target, plus) {
                for_each_record(&data[r.clone()], plus, |o, rec, n| {
                    got.push((r.start + o, rec.to_vec(), n))
                });
            }
            assert_eq!(got, want, "target {target}");
        }
        let f = memchr::memmem::Finder::new("b");
        let g = memchr::memmem::Finder::new("f");
        let found: Vec<(u64, &[u8], u32)> = records_matching(data, &[f, g], plus)
            .into_iter()
            .map(|(i, r, n)| (i, &data[r], n))
            .collect();
        assert_eq!(
            found,
            vec![(0, &b"a+\nb+\nc"[..], 3), (4, &b"e+\nf"[..], 2)]
        );
    }

    #[test]
    fn lines_like_wc_plus_unterminated() {
        let mut seen = Vec::new();
        for_each_line(b"a\n\nb\r\nc", |o, l| seen.push((o, l.to_vec())));
        assert_eq!(
            seen,
            vec![
                (0, b"a".to_vec()),
                (2, b"".to_vec()),
                (3, b"b\r".to_vec()),
                (6, b"c".to_vec())
            ]
        );
        let mut n = 0;
        for_each_line(b"x\n", |_, _| n += 1);
        assert_eq!(n, 1);
    }
}
