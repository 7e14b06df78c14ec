//! Newline-aligned chunking of in-memory input and line iteration. Knows nothing about
//! formats; every line keeps its byte offset so results never depend on the cut.

use std::ops::Range;

/// Cuts `data` into ranges of about `target` bytes, each ending just after a newline (the
/// last may end without one). A line longer than `target` stays whole in one range.
pub fn split(data: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut out = Vec::with_capacity(data.len() / target + 1);
    let mut start = 0;
    while start < data.len() {
        let want = start.saturating_add(target);
        if want >= data.len() {
            out.push(start..data.len());
            break;
        }
        let end = match memchr::memchr(b'\n', &data[want..]) {
            Some(i) => want + i + 1,
            None => data.len(),
        };
        out.push(start..end);
        start = end;
    }
    out
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

/// Every line holding a match of any finder, once, in order: (0-based line index, start and
/// end of the line without its newline). Between matches lines are counted, not visited.
pub fn lines_matching(
    data: &[u8],
    finders: &[memchr::memmem::Finder<'_>],
) -> Vec<(u64, Range<usize>)> {
    let mut starts: Vec<usize> = finders.iter().flat_map(|f| f.find_iter(data)).collect();
    starts.sort_unstable();
    let mut out: Vec<(u64, Range<usize>)> = Vec::new();
    let (mut counted_to, mut index) = (0usize, 0u64);
    for at in starts {
        if out.last().is_some_and(|(_, r)| at <= r.end) {
            continue;
        }
        let start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
        let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
        index += memchr::memchr_iter(b'\n', &data[counted_to..start]).count() as u64;
        counted_to = start;
        out.push((index, start..end));
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
            let ranges = split(data, target);
            assert_eq!(ranges.first().unwrap().start, 0);
            assert_eq!(ranges.last().unwrap().end, data.len());
            for w in ranges.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_eq!(data[w[0].end - 1], b'\n');
            }
        }
        assert!(split(b"", 4).is_empty());
    }

    #[test]
    fn matching_lines_are_numbered_and_unique() {
        let data = b"a id1\nb\nid2 c id1\n\nd\nid1";
        let f1 = memchr::memmem::Finder::new("id1");
        let f2 = memchr::memmem::Finder::new("id2");
        let got: Vec<(u64, &[u8])> = lines_matching(data, &[f1, f2])
            .into_iter()
            .map(|(i, r)| (i, &data[r]))
            .collect();
        assert_eq!(
            got,
            vec![(0, &b"a id1"[..]), (2, &b"id2 c id1"[..]), (5, &b"id1"[..])]
        );
        assert_eq!(count_lines(data), 6);
        assert_eq!(count_lines(b"x\n"), 1);
        assert_eq!(count_lines(b""), 0);
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
