//! The first bytes of an input without consuming them: what tells a summary file from a
//! log before either is read. Must not interpret the bytes.

use std::io::{BufRead, Read};

use super::InputSpec;

/// Up to `n` first bytes of `spec`; fewer (or none) when it is shorter or cannot be read,
/// which its reading reports later. Standard input is peeked in its own buffer, so its
/// later reading still sees these bytes; a pipe that has not delivered `n` bytes yet gives
/// what it has.
pub fn head(spec: &InputSpec, n: usize) -> Vec<u8> {
    match spec {
        InputSpec::Stdin => {
            let stdin = std::io::stdin();
            let mut lock = stdin.lock();
            lock.fill_buf()
                .map(|b| b[..b.len().min(n)].to_vec())
                .unwrap_or_default()
        }
        InputSpec::Path(p) => {
            let mut out = Vec::with_capacity(n);
            if let Ok(f) = std::fs::File::open(p) {
                let _ = f.take(n as u64).read_to_end(&mut out);
            }
            out
        }
    }
}

/// All of standard input, for a summary read from it.
pub fn stdin_all() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    std::io::stdin().lock().read_to_end(&mut out)?;
    Ok(out)
}
