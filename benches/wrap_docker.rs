//! Wraps a log in Docker's json-file envelope, as the daemon writes `<id>-json.log`: one
//! `{"log":"<line>\n","stream":"stdout","time":"<RFC 3339 nano>"}` per line, escaped as Go's
//! encoding/json does (`<`, `>`, `&` and control bytes as `\u00XX`, quotes and backslashes
//! escaped), lines over 16 KiB split into fragments without the newline. For the benchmark of
//! enveloped input (`benches/throughput.sh`); std only, so it builds when the crate does not.
//!
//!   cargo run --release --example wrap_docker -- IN OUT

use std::io::{BufRead, BufReader, BufWriter, Write};

const FRAGMENT: usize = 16 * 1024;

fn escape(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'<' | b'>' | b'&' | 0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
            _ => out.push(b),
        }
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = &args[..] else {
        eprintln!("usage: wrap_docker IN OUT");
        std::process::exit(2);
    };
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(input)?);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(output)?);
    let mut buf = Vec::new();
    // Arrival times a few microseconds apart from a fixed start: 2025-05-06T04:00:00Z.
    let mut nanos: u64 = 0;
    for line in reader.split(b'\n') {
        let line = line?;
        let parts: Vec<&[u8]> = if line.is_empty() {
            vec![&line[..]]
        } else {
            line.chunks(FRAGMENT).collect()
        };
        for (i, part) in parts.iter().enumerate() {
            nanos += 7_319;
            let (s, ns) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
            buf.clear();
            buf.extend_from_slice(br#"{"log":""#);
            escape(&mut buf, part);
            if i + 1 == parts.len() {
                buf.extend_from_slice(b"\\n");
            }
            let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
            let frac = format!("{ns:09}");
            let frac = frac.trim_end_matches('0');
            let time = if frac.is_empty() {
                format!("2025-05-06T{:02}:{m:02}:{sec:02}Z", 4 + h)
            } else {
                format!("2025-05-06T{:02}:{m:02}:{sec:02}.{frac}Z", 4 + h)
            };
            write!(buf, r#"","stream":"stdout","time":"{time}"}}"#)?;
            buf.push(b'\n');
            w.write_all(&buf)?;
        }
    }
    w.flush()
}
