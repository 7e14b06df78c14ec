//! Rewrites the benchmark's JSON app log as Go slog's TextHandler writes logfmt: `time=`
//! RFC 3339 UTC, `level=`, `msg=`, then the other keys in order, values quoted (with `\"`,
//! `\\`, `\n` escaped) when they hold a space, a quote, `=` or a control byte; `duration_ms`
//! becomes slog's `duration=12.3ms`. For the logfmt row of `benches/throughput.sh`; std only,
//! so it builds when the crate does not. Reads flat JSON objects of strings and numbers.
//!
//!   cargo run --release --example to_logfmt -- IN OUT

use std::io::{BufRead, BufReader, BufWriter, Write};

/// The flat object's pairs, strings unescaped (`\uXXXX` kept as the character).
fn pairs(line: &str) -> Option<Vec<(String, String)>> {
    let b = line.as_bytes();
    let mut i = line.find('{')? + 1;
    let mut out = Vec::new();
    let string = |i: &mut usize| -> Option<String> {
        *i += 1;
        let mut s = String::new();
        while *i < b.len() && b[*i] != b'"' {
            if b[*i] == b'\\' {
                *i += 1;
                match b.get(*i)? {
                    b'n' => s.push('\n'),
                    b't' => s.push('\t'),
                    b'r' => s.push('\r'),
                    b'u' => {
                        let h = line.get(*i + 1..*i + 5)?;
                        s.push(char::from_u32(u32::from_str_radix(h, 16).ok()?).unwrap_or('?'));
                        *i += 4;
                    }
                    c => s.push(*c as char),
                }
                *i += 1;
            } else {
                let c = line[*i..].chars().next()?;
                s.push(c);
                *i += c.len_utf8();
            }
        }
        *i += 1;
        Some(s)
    };
    loop {
        while *b.get(i)? == b' ' || b[i] == b',' {
            i += 1;
        }
        if b[i] == b'}' {
            return Some(out);
        }
        let k = string(&mut i)?;
        while b[i] == b':' || b[i] == b' ' {
            i += 1;
        }
        let v = if b[i] == b'"' {
            string(&mut i)?
        } else {
            let n = b[i..]
                .iter()
                .take_while(|c| !matches!(c, b',' | b'}'))
                .count();
            let v = line[i..i + n].trim().to_owned();
            i += n;
            v
        };
        out.push((k, v));
    }
}

fn value(out: &mut String, v: &str) {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c > ' ' && c != '"' && c != '=' && c != '\\');
    if plain {
        out.push_str(v);
        return;
    }
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = &args[..] else {
        eprintln!("usage: to_logfmt IN OUT");
        std::process::exit(2);
    };
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(input)?);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(output)?);
    let mut out = String::new();
    for line in reader.lines() {
        let line = line?;
        let Some(kv) = pairs(&line) else {
            // Not one of the app's JSON lines (a banner): as it was.
            writeln!(w, "{line}")?;
            continue;
        };
        out.clear();
        let get = |k: &str| kv.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if let Some(t) = get("asctime") {
            // `2025-05-06 01:00:00,017` in UTC.
            out.push_str("time=");
            out.push_str(&t.replacen(' ', "T", 1).replacen(',', ".", 1));
            out.push_str("Z ");
        }
        out.push_str("level=");
        value(&mut out, get("levelname").unwrap_or("INFO"));
        out.push_str(" msg=");
        value(&mut out, get("message").unwrap_or(""));
        for (k, v) in &kv {
            match k.as_str() {
                "asctime" | "levelname" | "message" => continue,
                "duration_ms" => {
                    out.push_str(" duration=");
                    out.push_str(v);
                    out.push_str("ms");
                }
                "name" => {
                    out.push_str(" logger=");
                    value(&mut out, v);
                }
                _ => {
                    out.push(' ');
                    out.push_str(k);
                    out.push('=');
                    value(&mut out, v);
                }
            }
        }
        out.push('\n');
        w.write_all(out.as_bytes())?;
    }
    w.flush()
}
