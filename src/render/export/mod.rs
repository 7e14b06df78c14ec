//! Output of `export`: finished `Row`s to bytes, one file per format behind one trait
//! (`Export`, in `cells.rs` with what the formats share): `parquet` (Arrow arrays encoded
//! into Parquet row groups), `jsonl` (one JSON object per row) and `csv` (RFC 4180 with a
//! header row). Groups of rows are encoded on any thread, then written in input order, so
//! the bytes never depend on threads. Must not parse, select or count records
//! (`cmd/export.rs`), nor start a thread (`engine/`).

pub mod cells;
pub mod csv;
pub mod jsonl;
pub mod parquet;

pub use self::csv::Csv;
pub use cells::{Cells, Export, Stamp};
pub use jsonl::Jsonl;
pub use parquet::Parquet;

#[cfg(test)]
mod tests;
