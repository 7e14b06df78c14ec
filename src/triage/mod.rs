//! Triage: rules (`rules`), their evaluation over the finished windows into flags and
//! incidents (`evaluate`), and message patterns (`patterns`). Pure: turns a merged partial
//! into report values; must not read input or print.

pub mod evaluate;
pub mod incidents;
pub mod patterns;
pub mod rules;
pub mod rules_file;
