//! Cuts a byte stream that arrives in pieces (a pipe, a followed file) into batches of whole
//! lines: a partial line waits for its newline, and a line longer than `max_line` is dropped
//! and counted without ever being buffered whole. Knows nothing about parsing.

/// Complete lines, contiguous, starting at byte `offset` of their stream.
#[derive(Debug, PartialEq, Eq)]
pub struct Piece {
    pub offset: u64,
    pub data: Vec<u8>,
}

#[derive(Debug)]
pub struct LineSplitter {
    /// Bytes after the last newline seen (a partial line).
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    at: u64,
    max_line: usize,
    /// Inside an oversized line: drop bytes until its newline.
    skipping: bool,
    /// Oversized lines dropped so far.
    pub oversized: u64,
}

impl LineSplitter {
    pub fn new(max_line: usize) -> LineSplitter {
        LineSplitter {
            buf: Vec::new(),
            at: 0,
            max_line: max_line.max(1),
            skipping: false,
            oversized: 0,
        }
    }

    /// Stream offset of the next byte `push` expects.
    pub fn offset(&self) -> u64 {
        self.at + self.buf.len() as u64
    }

    /// Starts over at `offset` (a truncated or replaced file), dropping a partial line.
    pub fn reset(&mut self, offset: u64) {
        self.buf.clear();
        self.at = offset;
        self.skipping = false;
    }

    /// Feeds the next bytes of the stream; returns the complete lines they finish.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut Vec<Piece>) {
        while !chunk.is_empty() {
            if self.skipping {
                match memchr::memchr(b'\n', chunk) {
                    Some(nl) => {
                        self.skipping = false;
                        self.at += nl as u64 + 1;
                        chunk = &chunk[nl + 1..];
                    }
                    None => {
                        self.at += chunk.len() as u64;
                        return;
                    }
                }
                continue;
            }
            let Some(last_nl) = memchr::memrchr(b'\n', chunk) else {
                self.buf.extend_from_slice(chunk);
                self.check_partial();
                return;
            };
            self.buf.extend_from_slice(&chunk[..=last_nl]);
            chunk = &chunk[last_nl + 1..];
            self.emit_complete(out);
        }
    }

    /// The partial line at the end of the stream, as a last line without a newline.
    pub fn finish(&mut self, out: &mut Vec<Piece>) {
        if !self.buf.is_empty() && !self.skipping {
            out.push(Piece {
                offset: self.at,
                data: std::mem::take(&mut self.buf),
            });
        }
        self.at += self.buf.len() as u64;
        self.buf.clear();
        self.skipping = false;
    }

    /// `buf` holds whole lines only: emit them, leaving out those over the limit.
    fn emit_complete(&mut self, out: &mut Vec<Piece>) {
        let data = std::mem::take(&mut self.buf);
        let mut start = 0; // of the run of acceptable lines being collected
        let mut line = 0;
        for nl in memchr::memchr_iter(b'\n', &data) {
            if nl - line > self.max_line {
                if line > start {
                    out.push(Piece {
                        offset: self.at + start as u64,
                        data: data[start..line].to_vec(),
                    });
                }
                self.oversized += 1;
                start = nl + 1;
            }
            line = nl + 1;
        }
        if start == 0 && line == data.len() {
            out.push(Piece {
                offset: self.at,
                data,
            });
        } else if line > start {
            out.push(Piece {
                offset: self.at + start as u64,
                data: data[start..line].to_vec(),
            });
        }
        self.at += line as u64;
    }

    fn check_partial(&mut self) {
        if self.buf.len() > self.max_line {
            self.oversized += 1;
            self.at += self.buf.len() as u64;
            self.buf.clear();
            self.skipping = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pieces: &[&[u8]], max: usize) -> (Vec<(u64, String)>, u64) {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        for p in pieces {
            s.push(p, &mut out);
        }
        s.finish(&mut out);
        let lines = out
            .into_iter()
            .flat_map(|p| {
                let mut v = Vec::new();
                crate::input::chunk::for_each_line(&p.data, |off, l| {
                    v.push((
                        p.offset + off as u64,
                        String::from_utf8_lossy(l).into_owned(),
                    ))
                });
                v
            })
            .collect();
        (lines, s.oversized)
    }

    #[test]
    fn partial_lines_wait_for_their_newline() {
        let (lines, over) = run(&[b"ab", b"c\nde", b"f\n", b"g"], 100);
        assert_eq!(
            lines,
            vec![(0, "abc".into()), (4, "def".into()), (8, "g".into())]
        );
        assert_eq!(over, 0);
    }

    #[test]
    fn oversized_lines_are_dropped_and_counted_without_buffering() {
        // A long line split across pushes, and one that arrives whole.
        let long = vec![b'x'; 50];
        let mut first = b"ok\n".to_vec();
        first.extend_from_slice(&long[..30]);
        let mut second = long[30..].to_vec();
        second.extend_from_slice(b"\nfine\n");
        second.extend_from_slice(&long);
        second.extend_from_slice(b"\nlast\n");
        let (lines, over) = run(&[&first, &second], 10);
        let text: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
        assert_eq!(text, vec!["ok", "fine", "last"]);
        assert_eq!(over, 2);
        // Offsets still point into the stream.
        assert_eq!(lines[1].0, 3 + 50 + 1);
        assert_eq!(lines[2].0, 3 + 50 + 1 + 5 + 50 + 1);
    }

    #[test]
    fn any_split_gives_the_same_lines() {
        let text = b"alpha\nbeta\n\ngamma delta\nepsilon";
        let (want, _) = run(&[text], 100);
        for cut in 0..text.len() {
            let (got, _) = run(&[&text[..cut], &text[cut..]], 100);
            assert_eq!(got, want, "cut at {cut}");
        }
    }
}
