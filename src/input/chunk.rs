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
