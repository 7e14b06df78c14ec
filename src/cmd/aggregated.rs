//! What aggregating a run's inputs gives `report` and `requests`: the merged partial and
//! what became of each input. Plain values: reading (`mod.rs`) and joining summaries
//! (`summaries.rs`) fill them; nothing here reads or counts.

use crate::aggregate::Partial;
use crate::aggregate::zones::Reading;

/// Every input, aggregated: the merged partial and what became of each input.
pub struct Aggregated {
    pub partial: Partial,
    pub inputs: Inputs,
}

/// Per input: its name, the error that stopped reading it (also written to `diag`) and how
/// its naive stamps were read.
pub struct Inputs {
    pub paths: Vec<String>,
    pub errors: Vec<Option<String>>,
    pub zones: Vec<Option<Reading>>,
}
