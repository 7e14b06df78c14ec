//! Lines of output for selected events (`trace`, `filter`), one renderer of `Event` per
//! format: `raw` (the original line), `json` (one normalised JSON object per line, the
//! documented contract) and `text` (aligned and escaped for a terminal, tracebacks indented
//! under their line). Each sees one finished `Event` at a time; none selects or reorders.

pub mod json;
pub mod raw;
pub mod text;

pub use json::Json;
pub use raw::Raw;
pub use text::{Layout, Text};
