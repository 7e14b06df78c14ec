//! logtriage: log analysis and incident triage for JSON app logs and nginx logs.
//!
//! Data flows one way, with a named type at each step:
//! `Cli` (cli) -> `Config` (config) -> chunks (input, engine) -> `LogEvent` (parse) ->
//! `Partial` (aggregate, mergeable) -> `Report` (report) -> bytes (render).
//! Only `engine` owns threads; only `input::mmap` holds `unsafe`; only `config` reads clap types.

pub mod aggregate;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod engine;
pub mod error;
pub mod input;
pub mod parse;
pub mod progress;
pub mod render;
pub mod report;
