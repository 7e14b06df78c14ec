//! Triage: the evaluation of the rules (`crate::rules`) over the finished windows into flags
//! and incidents (`evaluate`), and message patterns (`patterns`). Pure: turns a merged
//! partial into report values; must not read input or print.

pub mod evaluate;
pub mod flag;
pub mod incidents;
pub mod judge;
pub mod patterns;
