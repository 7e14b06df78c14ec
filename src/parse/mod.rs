//! Parsing: one line (or one record of joined lines) -> `LogEvent<'a>`, borrowed from the
//! input or from the caller's buffer when an envelope had to be decoded; per-record envelope
//! unwrapping and format detection. Owns nothing about counting: aggregation reads events,
//! parsers never see totals.
//!
//! This file only declares the modules and re-exports the names the rest of the crate (and
//! tests, benches, fuzz targets) use as `crate::parse::X`. The files below it import each
//! other by their defining file, never through these re-exports, so the import graph stays
//! one-way: `parser` calls the readers (`json`, `nginx_*`, `text`, `log_format`, `stack`,
//! `envelope`), which build on the value types (`event`, `level`, `format`, `fields`,
//! `picked`, `time`).

pub mod cache;
pub mod endpoint;
pub mod envelope;
pub mod event;
pub mod fields;
pub mod format;
pub mod json;
pub mod json_scan;
pub mod jstr;
pub mod level;
pub mod log_format;
pub mod mask;
pub mod multiline;
pub mod nginx_access;
pub mod nginx_error;
pub mod origin;
pub mod parser;
pub mod picked;
pub mod records;
pub mod request_line;
pub mod stack;
pub mod swar;
pub mod text;
pub mod time;

pub use cache::ParseCache;
pub use envelope::types::{Envelope, Stream};
pub use event::{LogEvent, MAX_LATENCY_MS, Parsed};
pub use fields::{Canonical, FieldSpec, KeyCache, Unit};
pub use format::{Format, Source};
pub use json_scan::ScanCache;
pub use level::Level;
pub use parser::{FileCtx, Parser};
pub use request_line::split_request_line;
pub use time::{Micros, YearRef, Zone, ZoneCache};
