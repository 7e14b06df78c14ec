//! The one place that memory-maps: files named on the command line, and (for endless streams)
//! the allocator's large blocks. The crate's only `unsafe`; nothing here reads or parses.

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

/// Makes the allocator give every block of `bytes` or more its own memory map, returned to the
/// system when freed. glibc otherwise raises that threshold to the largest block freed so far
/// and carves later large blocks out of its heap, where an endless stream's churn (request
/// tables sorted and rebuilt every few seconds of event time) leaves holes it never returns:
/// `watch`'s peak RSS grew 30% from 2 M to 20 M lines, with the heap itself nearly flat.
/// Elsewhere than glibc this does nothing.
pub fn map_large_allocations(bytes: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let bytes = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a tuning parameter of glibc's allocator, under the
        // allocator's own lock; it may be called at any time from any thread and changes no
        // block already handed out.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, bytes);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = bytes;
}
