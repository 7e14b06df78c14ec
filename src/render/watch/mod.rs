//! Output of `watch`: JSON lines (`window`, `alert`, `zone`, then `summary`) when piped
//! (`json`), or a live view redrawn in place on a terminal (`live`). Renderers of finished
//! values only: the events, the summary around the final report, and the `LiveView` the
//! watch layer computed; must not read the watcher or its windows.

pub mod json;
pub mod live;

pub use json::{JsonLines, Summary};
pub use live::Live;
