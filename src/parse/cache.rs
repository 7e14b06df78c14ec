//! `ParseCache`: the per-worker memos of the readers (zone offsets, JSON key positions,
//! text key positions). Must never change a result, only how fast it comes.

use super::fields::{KeyCache, Unit};
use super::json_scan::ScanCache;
use super::time::ZoneCache;

/// Per-worker parsing memos; results never depend on them.
#[derive(Default)]
pub struct ParseCache {
    pub zone: ZoneCache,
    pub scan: ScanCache,
    /// The node flags (`fields::JOURNAL`, ...) of the last JSON object parsed: the scan that
    /// reads a line's fields also says what kind of record it is, for free.
    pub json_flags: u8,
    /// The unit of the current input's latency keys that state none (`FileCtx`).
    pub auto_latency: Unit,
    /// Key positions of the last text record's `key=value` pairs.
    pub text_keys: KeyCache,
}
