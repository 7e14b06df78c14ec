//! `watch`: live triage of a stream. `state` (the `Watcher`) takes records as `records`
//! assembles them, counts them in the summary and in event-time windows (`window`), tracks
//! requests in flight (`flight`) and judges `alerts` over the recent windows; it hands out
//! `event`s, and `view` is what the live view shows of it. Pure: the command
//! (`cmd/watch.rs`) feeds lines and the clock and prints what comes out (`render/watch/`).

pub mod alerts;
pub mod event;
pub mod flight;
pub mod records;
pub mod state;
pub mod view;
pub mod window;
