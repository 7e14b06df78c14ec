//! logtriage: log analysis and incident triage for JSON app logs and nginx logs.
//!
//! Data flows one way, with a named type at each step:
//! `Cli` (cli) -> `Config` (config) -> chunks (input, engine) -> `LogEvent` (parse) ->
//! `Partial` (aggregate, mergeable) -> `Report` (report) -> bytes (render).
//! Only `engine` owns threads; only `input::mmap` holds `unsafe` (memory maps, and the
//! allocator's threshold for them); only `config` reads clap types.
//!
//! Parsing one line with the library:
//!
//! ```
//! use logtriage::parse::{FieldSpec, Level, ParseCache, Parsed, Parser, Zone};
//!
//! let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
//! let line = br#"{"time":"2025-05-06T04:00:08Z","level":"error","msg":"boom","request_id":"r1","status":500}"#;
//! match parser.parse(0, line, &mut ParseCache::default(), &mut Vec::new()) {
//!     Parsed::Event(ev) => {
//!         assert_eq!(ev.level, Some(Level::Error));
//!         assert_eq!(ev.status, Some(500));
//!         assert_eq!(ev.request_id.as_deref(), Some("r1"));
//!     }
//!     _ => panic!("not parsed"),
//! }
//! ```

pub mod aggregate;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod engine;
pub mod error;
pub mod input;
pub mod listing;
pub mod model;
pub mod parse;
pub mod progress;
pub mod render;
pub mod report;
pub mod rules;
pub mod select;
pub mod summary;
pub mod trace;
pub mod triage;
pub mod watch;
