use super::*;

#[test]
fn chunks_start_at_lines_and_cover_everything() {
    let data = b"a\nbb\nccc\n\ndddd\neeeee";
    for target in 1..25 {
        let ranges = split(data, target, &Lines);
        assert_eq!(ranges.first().unwrap().start, 0);
        assert_eq!(ranges.last().unwrap().end, data.len());
        for w in ranges.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_eq!(data[w[0].end - 1], b'\n');
        }
    }
    assert!(split(b"", 4, &Lines).is_empty());
}

#[test]
fn matching_lines_are_numbered_and_unique() {
    let data = b"a id1\nb\nid2 c id1\n\nd\nid1";
    let f1 = memchr::memmem::Finder::new("id1");
    let f2 = memchr::memmem::Finder::new("id2");
    let (found, lines) = records_matching(data, &[f1, f2], &Lines);
    assert_eq!(lines, 6);
    let got: Vec<(u64, &[u8])> = found
        .into_iter()
        .map(|(i, r, _, _)| (i, &data[r]))
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
fn matches_across_search_blocks_are_found_once_and_lines_add_up() {
    // A needle starting at every offset around the end of the first search block (so it
    // straddles it, ends at it, or starts the next), one more two blocks on, and a last line
    // without a newline.
    let needle = b"req-7f3a9c";
    for start in SEARCH_BLOCK - 12..SEARCH_BLOCK + 3 {
        let mut data = Vec::new();
        let mut lines = 0u64;
        while data.len() + 64 + 20 < start {
            data.extend_from_slice(format!("{lines:>63}\n").as_bytes());
            lines += 1;
        }
        let first = lines;
        data.resize(start, b'y');
        data.extend_from_slice(needle);
        data.extend_from_slice(b" tail\n");
        lines += 1;
        while data.len() < 2 * SEARCH_BLOCK + 100 {
            data.extend_from_slice(format!("{lines:>63}\n").as_bytes());
            lines += 1;
        }
        data.extend_from_slice(b"last req-7f3a9c");
        let f = memchr::memmem::Finder::new(needle);
        let (found, counted) = records_matching(&data, &[f], &Lines);
        assert_eq!(counted, lines + 1, "start {start}");
        let got: Vec<u64> = found.iter().map(|m| m.0).collect();
        assert_eq!(got, vec![first, lines], "start {start}");
    }
}

/// A joiner with every kind of rule: lines ending in `+` go on in a fragment; indented
/// lines continue any record; `x` lines continue a record whose first line starts with
/// `F` (a rule that needs the first line, like nginx's FastCGI messages) until a line
/// ending in `"`; `D` lines continue across blank lines after an indented line.
struct Toy;

impl Joiner for Toy {
    fn fragment(&self, last: &[u8], _: &[u8]) -> bool {
        last.ends_with(b"+")
    }
    fn continues(&self, first: &[u8], last: &[u8], next: &[u8]) -> bool {
        match next[0] {
            b' ' => true,
            b'x' => first.starts_with(b"F") && !last.ends_with(b"\""),
            b'D' => last.starts_with(b" "),
            _ => false,
        }
    }
    fn may_join(&self, last: &[u8], next: &[u8]) -> bool {
        last.ends_with(b"+")
            || matches!(next[0], b' ')
            || (next[0] == b'x' && !last.ends_with(b"\""))
            || (next[0] == b'D' && last.starts_with(b" "))
    }
}

fn records(data: &[u8]) -> Vec<(usize, Vec<u8>, u32, usize)> {
    let mut v = Vec::new();
    for_each_record(data, &Toy, |o, r| {
        v.push((o, r.bytes.to_vec(), r.lines, r.head))
    });
    v
}

#[test]
fn fragments_continuations_and_blank_lines() {
    let data =
        b"a+\nb+\nc\n  at 1\nd\n\nF open\nx more\nx end\"\nx not\nk\n  tb\n\n\nD chained\n\nz\n\n";
    let got = records(data);
    for (o, bytes, _, _) in &got {
        assert_eq!(&data[*o..*o + bytes.len()], &bytes[..]);
    }
    let shape: Vec<(&[u8], u32, usize)> = got.iter().map(|(_, b, n, h)| (&b[..], *n, *h)).collect();
    let want: Vec<(&[u8], u32, usize)> = vec![
        (b"a+\nb+\nc\n  at 1", 4, 7),
        (b"d", 1, 1),
        (b"", 1, 0),
        (b"F open\nx more\nx end\"", 3, 6),
        (b"x not", 1, 5),
        (b"k\n  tb\n\n\nD chained", 5, 1),
        (b"", 1, 0),
        (b"z", 1, 1),
        (b"", 1, 0),
    ];
    assert_eq!(shape, want);
    let lines: u32 = got.iter().map(|r| r.2).sum();
    assert_eq!(lines as u64, count_lines(data));
}

/// Text mixing every rule, of which every cut and every search must agree with one
/// sequential read.
fn mixed() -> Vec<u8> {
    let pieces: [&[u8]; 12] = [
        b"a+\n",
        b"b\n",
        b"  frame\n",
        b"\n",
        b"D next\n",
        b"F fcgi\n",
        b"x one\n",
        b"x two\"\n",
        b"plain id\n",
        b"\n\n",
        b"  orphan id\n",
        b"q id\n",
    ];
    let mut out = Vec::new();
    let mut state = 7u32;
    for _ in 0..400 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        out.extend_from_slice(pieces[(state >> 16) as usize % pieces.len()]);
    }
    out
}

#[test]
fn records_are_never_cut() {
    let data = mixed();
    let want = records(&data);
    let lines: u32 = want.iter().map(|r| r.2).sum();
    assert_eq!(lines as u64, count_lines(&data));
    for target in [1, 2, 3, 5, 8, 13, 40, 100, 333, 1000, data.len() + 1] {
        let mut got = Vec::new();
        for r in split(&data, target, &Toy) {
            for_each_record(&data[r.clone()], &Toy, |o, rec| {
                got.push((r.start + o, rec.bytes.to_vec(), rec.lines, rec.head))
            });
        }
        assert_eq!(got, want, "target {target}");
    }
}

#[test]
fn matches_widen_to_whole_records() {
    let data = mixed();
    let f = memchr::memmem::Finder::new("id");
    let (found, lines) = records_matching(&data, &[f], &Toy);
    assert_eq!(lines, count_lines(&data));
    let mut want = Vec::new();
    let mut line = 0u64;
    for (o, bytes, n, head) in records(&data) {
        if memchr::memmem::find(&bytes, b"id").is_some() {
            want.push((line, o..o + bytes.len(), n, head));
        }
        line += n as u64;
    }
    assert!(!want.is_empty());
    assert_eq!(found, want);
}

#[test]
fn continuation_stops_at_the_cap() {
    let mut data = b"head\n".to_vec();
    for _ in 0..MAX_RECORD_LINES + 5 {
        data.extend_from_slice(b" x\n");
    }
    let got = records(&data);
    assert_eq!(got[0].2, MAX_RECORD_LINES);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].2, 6);
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
