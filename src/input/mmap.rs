//! The one place that memory-maps a file, and the crate's only `unsafe`.

use std::fs::File;
use std::io;

use memmap2::Mmap;

/// Maps a regular file named on the command line, read-only.
pub fn map(file: &File) -> io::Result<Mmap> {
    // SAFETY: the mapping is read-only and lives as long as the `Mmap` value. The remaining
    // hazard is another process truncating or rewriting the file while we read it: reads of
    // truncated pages raise SIGBUS and rewritten bytes change under us. We accept that risk
    // only for regular files named on the command line (the same trade ripgrep makes), never
    // for stdin, pipes or files being followed by `watch`, and `--no-mmap` turns it off.
    unsafe { Mmap::map(file) }
}
