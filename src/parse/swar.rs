//! Byte searches over the short runs of one line (keys, tokens, bare values), eight bytes a
//! step in a register (SWAR): too short for a memchr call's set-up and dispatch to pay, long
//! enough for a byte loop to cost. Knows no format.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `w` equal to `c`, exact up to the lowest one: false flags
/// sit only above a true one.
#[inline(always)]
fn flags(w: u64, c: u8) -> u64 {
    let x = w ^ (LO * c as u64);
    x.wrapping_sub(LO) & !x & HI
}

/// The first `a` or `c` in `s` at or after `i`, else `s.len()`.
#[inline]
pub fn find2(s: &[u8], mut i: usize, a: u8, c: u8) -> usize {
    while let Some(w) = s.get(i..i + 8) {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        // The lowest flag of either mask is a true one: a false flag of one sits above a
        // true flag of the same mask.
        let found = flags(w, a) | flags(w, c);
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && s[i] != a && s[i] != c {
        i += 1;
    }
    i
}

/// The first `a` in `s` at or after `i`, else `s.len()`.
#[inline]
pub fn find(s: &[u8], i: usize, a: u8) -> usize {
    find2(s, i, a, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_byte_loop_finds() {
        let text = b"abcdefgh ijklmnopq=rstu vw\tx  \x80\xff yz==\x01\x7f\xfe=";
        for from in 0..=text.len() {
            for (a, c) in [
                (b' ', b' '),
                (b' ', b'\t'),
                (b'=', b'='),
                (0xff, b'\t'),
                (b'q', 0),
            ] {
                let want = text[from..]
                    .iter()
                    .position(|&x| x == a || x == c)
                    .map_or(text.len(), |p| from + p);
                assert_eq!(find2(text, from, a, c), want, "from {from} {a} {c}");
            }
            let want = text[from..]
                .iter()
                .position(|&x| x == b' ')
                .map_or(text.len(), |p| from + p);
            assert_eq!(find(text, from, b' '), want, "from {from}");
        }
    }
}
