//! What `trace` prints about one traced request besides its lines: the summary, as a text
//! header (`text`) or as the `type: "request"` JSON line (`json`). Renderers of a finished
//! `TraceSummary`; the lines themselves are `events`' to print.

pub mod json;
pub mod text;

pub use json::Json;
pub use text::Text;
