//! The only validator: turns clap's `Cli` into resolved configs (durations, times, zones,
//! field maps, threads, colour), one file per group of options. Every usage error comes from
//! here, before any input is read; nothing after this reads clap types. This file only
//! declares the parts and re-exports what `main` and `cmd/` name; it holds no code, so the
//! parts can import each other without a loop through it.

mod export;
mod input;
mod lines;
mod report;
mod requests;
mod summary;
mod values;
mod watch;

#[cfg(test)]
mod tests;

pub use export::{ExportConfig, Output, export};
pub use input::{Bound, InputConfig, field_spec, input, log_formats};
pub use lines::{FilterConfig, TraceConfig, filter, trace};
pub use report::{ReportConfig, report, rule_set};
pub use requests::{RequestsConfig, requests};
pub use summary::SummaryOut;
pub use values::{duration, size};
pub use watch::{WatchConfig, watch};
