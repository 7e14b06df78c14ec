//! What `watch` hands out as the stream goes: a window closed, an alert changed, an input's
//! zone decided (`WatchEvent`, one JSON line each). Plain values: must not reach back into
//! the watcher that made them.

use serde::Serialize;

use super::alerts::AlertEvent;
use super::window::WindowEvent;

/// An input's naive stamps are read in another zone from now on, as the evidence says.
#[derive(Serialize, Debug, Clone)]
pub struct ZoneEvent {
    pub input: String,
    /// The zone they are read in from now on (`UTC+01:00`).
    pub zone: String,
    pub note: String,
}

#[derive(Serialize, Debug, Clone)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WatchEvent {
    Window(WindowEvent),
    Alert(AlertEvent),
    Zone(ZoneEvent),
}
