//! Partial summaries: everything the report counts, built per chunk and merged. This file is
//! only the module map and the paths the rest of the crate uses (`aggregate::Partial`, ...);
//! code lives in the files below, which import each other directly, never through here.
//! Nothing here may print or see `Write`; finishing into a `Report` lives in `report.rs`.

mod absorb;
pub mod cardinality;
pub mod counts;

pub mod evidence;
pub mod intern;
pub mod latency;
pub mod links;
pub mod merge;
pub mod outcome;
mod partial;
pub mod request_latency;
pub mod requests;
pub mod saved;
pub mod sources;
pub mod windows;
mod wire;
pub mod zones;

pub use absorb::Scratch;
pub use counts::{ErrAgg, FileStats, IDS_PER_ERROR, LineRef, SAMPLES_PER_FILE, Sample};
pub use merge::Merge;
pub use partial::{AggOptions, Partial};
