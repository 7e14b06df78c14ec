//! Output of `requests`, one renderer of a finished `Listing` per format: an aligned
//! `table` followed by the last words of stuck requests, one `json` document, or `csv`
//! rows. Each reads the listing's rows one at a time as it writes them.

pub mod csv;
pub mod json;
pub mod table;

pub use self::csv::Csv;
pub use json::Json;
pub use table::Table;
