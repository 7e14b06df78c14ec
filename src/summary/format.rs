//! The bytes of a summary file: magic, format version, the version of the logtriage that
//! wrote it, the length of the payload (a zstd frame of the postcard encoding of `Summary`)
//! and a CRC-32 of everything before it. Reading checks each in that order, so a file that
//! is not a summary, is newer, truncated or corrupt gets its own sentence. Must not judge
//! what a summary holds (`mod.rs` compares settings).

use super::Summary;

/// First bytes of every summary. The first is not ASCII and the `\r\n` catches a text-mode
/// copy, as PNG's do; no log line starts this way.
pub const MAGIC: [u8; 8] = *b"\x89LTSUM\r\n";
/// The format this build writes and the newest it reads. Bump it on any change to the
/// saved types, since postcard keeps no field names.
pub const FORMAT: u16 = 1;
/// zstd level: summaries are written once per host and small, and level 3 is zstd's default
/// balance.
const LEVEL: i32 = 3;

/// Whether `head` (the first bytes of a file) starts a summary.
pub fn is_summary(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

/// The summary as bytes.
pub fn encode(s: &Summary) -> Result<Vec<u8>, String> {
    let raw = postcard::to_stdvec(s).map_err(|e| format!("cannot encode the summary: {e}"))?;
    let packed = zstd::bulk::compress(&raw, LEVEL).map_err(|e| format!("cannot compress: {e}"))?;
    let tool = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = Vec::with_capacity(packed.len() + 64);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.push(tool.len() as u8);
    out.extend_from_slice(tool);
    out.extend_from_slice(&(packed.len() as u64).to_le_bytes());
    out.extend_from_slice(&packed);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Reads a summary; the error is a sentence about the file (the caller names it).
pub fn decode(b: &[u8]) -> Result<Summary, String> {
    if !is_summary(b) {
        return Err("not a logtriage summary (its first bytes are not a summary's)".into());
    }
    let mut at = MAGIC.len();
    let truncated = |want: usize| {
        format!(
            "truncated: {} bytes, a summary of this header needs {want}",
            b.len()
        )
    };
    let take = |at: &mut usize, n: usize| -> Result<std::ops::Range<usize>, String> {
        let r = *at..*at + n;
        if r.end > b.len() {
            return Err(truncated(r.end));
        }
        *at = r.end;
        Ok(r)
    };
    let version = u16::from_le_bytes(b[take(&mut at, 2)?].try_into().expect("2 bytes"));
    let tool_len = b[take(&mut at, 1)?.start] as usize;
    let tool = String::from_utf8_lossy(&b[take(&mut at, tool_len)?]).into_owned();
    if version > FORMAT || version == 0 {
        return Err(format!(
            "written by logtriage {tool} in summary format {version}; this logtriage ({}) reads format {FORMAT}: read it with a logtriage as new as the one that wrote it",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let len = u64::from_le_bytes(b[take(&mut at, 8)?].try_into().expect("8 bytes"));
    let len = usize::try_from(len).map_err(|_| truncated(usize::MAX))?;
    let want = at.saturating_add(len).saturating_add(4);
    if b.len() < want {
        return Err(truncated(want));
    }
    if b.len() > want {
        return Err(format!(
            "corrupt: {} bytes after the end of the summary",
            b.len() - want
        ));
    }
    let body = take(&mut at, len)?;
    let crc = u32::from_le_bytes(b[take(&mut at, 4)?].try_into().expect("4 bytes"));
    if crc32fast::hash(&b[..body.end]) != crc {
        return Err("corrupt: its checksum does not match its bytes".into());
    }
    let raw = zstd::stream::decode_all(&b[body])
        .map_err(|e| format!("corrupt: cannot decompress it: {e}"))?;
    postcard::from_bytes(&raw).map_err(|e| format!("corrupt: cannot decode it: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{AggOptions, Partial};
    use crate::summary::{SavedInput, Setting, Settings};

    fn sample() -> Vec<u8> {
        let s = Summary {
            settings: Settings(vec![Setting::plain("--window", "auto")]),
            inputs: vec![SavedInput {
                path: "app.log".into(),
                error: None,
                zone: None,
            }],
            partial: Partial::new(1, &AggOptions::default()).save(),
        };
        encode(&s).unwrap()
    }

    #[test]
    fn a_summary_reads_back() {
        let b = sample();
        assert!(is_summary(&b));
        let s = decode(&b).unwrap();
        assert_eq!(s.inputs[0].path, "app.log");
        assert_eq!(s.settings.0[0].shown, "auto");
        // And writes the same bytes again.
        assert_eq!(encode(&s).unwrap(), b);
    }

    #[test]
    fn every_cut_of_a_summary_is_an_error_not_a_panic() {
        let b = sample();
        for n in 0..b.len() {
            let e = decode(&b[..n]).unwrap_err();
            assert!(
                e.contains("truncated") || e.contains("not a logtriage summary"),
                "{n}: {e}"
            );
        }
    }

    #[test]
    fn every_flipped_byte_is_an_error_not_a_panic() {
        let b = sample();
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 0x20;
            assert!(decode(&c).is_err(), "flipping byte {i} went unnoticed");
        }
    }

    #[test]
    fn a_newer_format_names_both_versions() {
        let mut b = sample();
        b[8..10].copy_from_slice(&(FORMAT + 1).to_le_bytes());
        let e = decode(&b).unwrap_err();
        assert!(e.contains(&format!("format {}", FORMAT + 1)), "{e}");
        assert!(e.contains(env!("CARGO_PKG_VERSION")), "{e}");
    }
}
