//! `watch`: live triage of a stream. `state` holds the windows, requests in flight and the
//! cumulative summary; `alerts` judges the alert rules over recent windows. Pure: the command
//! (`cmd/watch.rs`) feeds lines and the clock and prints what comes out.

pub mod alerts;
pub mod state;
