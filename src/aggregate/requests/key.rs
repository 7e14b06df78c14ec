//! How a request id is stored and partitioned: `ReqKey` (32 lowercase hex digits and
//! canonical UUIDs as 128-bit integers, else the text), the SWAR hex decoder, and the fixed
//! hash that picks a key's partition. Must not hold request state.

/// Request id as stored: compact when it is hex or a UUID, else the string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReqKey {
    Hex(u128),
    Uuid(u128),
    Text(Box<str>),
}

impl ReqKey {
    pub fn render(&self) -> String {
        match self {
            ReqKey::Hex(v) => {
                let mut out = String::with_capacity(32);
                push_hex(&mut out, *v, 32);
                out
            }
            ReqKey::Uuid(v) => {
                let mut out = String::with_capacity(36);
                for (i, (shift, digits)) in [(96, 8), (80, 4), (64, 4), (48, 4), (0, 12)]
                    .into_iter()
                    .enumerate()
                {
                    if i > 0 {
                        out.push('-');
                    }
                    push_hex(&mut out, *v >> shift, digits);
                }
                out
            }
            ReqKey::Text(s) => s.to_string(),
        }
    }
}

/// Appends the low `digits` hex digits of `v`, most significant first, lowercase.
fn push_hex(out: &mut String, v: u128, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        out.push(HEX[((v >> (i * 4)) & 0xF) as usize] as char);
    }
}

/// Eight lowercase hex digits (first digit most significant) as a u32, or `None`. SWAR: the
/// digit values are computed for all eight bytes at once and validated by re-encoding them.
#[inline]
pub(super) fn hex8(chunk: &[u8]) -> Option<u32> {
    const LO: u64 = 0x0101_0101_0101_0101;
    let w = u64::from_be_bytes(chunk.try_into().ok()?);
    // Digits are 0x30..0x39 (bit 6 clear), letters 0x61..0x66 (bit 6 set): low nibble, +9.
    let letter = (w & (LO * 0x40)) >> 6;
    let val = (w & (LO * 0x0F)) + letter * 9;
    // Re-encode; only bytes that were exactly `0-9a-f` come back unchanged.
    // (No byte carries into the next: val <= 24, so every sum below stays under 0x100.)
    let ge16 = (val + LO * 0x70) & (LO * 0x80);
    let ge10 = ((val + LO * 0x76) & (LO * 0x80)) >> 7;
    if ge16 != 0 || val + LO * 0x30 + ge10 * 0x27 != w {
        return None;
    }
    let v = (val | (val >> 4)) & 0x00FF_00FF_00FF_00FF;
    let v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
    Some(((v | (v >> 16)) & 0xFFFF_FFFF) as u32)
}

/// 32 lowercase hex digits as a u128.
pub(super) fn lower_hex(b: &[u8]) -> Option<u128> {
    if b.len() != 32 {
        return None;
    }
    let mut v: u128 = 0;
    for c in b.chunks_exact(8) {
        v = (v << 32) | hex8(c)? as u128;
    }
    Some(v)
}

/// Partitions per key type. A request always lands in the partition its key hashes to, so
/// partitions are finished independently (in parallel, by the engine) and no final merge ever
/// touches every request.
pub const PARTS: usize = 64;

/// Keys that know their partition; a fixed mix, so the layout never depends on the run.
pub trait PartKey: std::hash::Hash + Eq + Ord + Clone + Send + Sync {
    fn part(&self) -> usize;
}

#[inline]
fn mix(v: u64) -> usize {
    (v.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

impl PartKey for u128 {
    #[inline]
    fn part(&self) -> usize {
        mix(*self as u64 ^ (*self >> 64) as u64)
    }
}

impl PartKey for Box<str> {
    fn part(&self) -> usize {
        use std::hash::{BuildHasher, BuildHasherDefault};
        mix(BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(&**self))
    }
}
