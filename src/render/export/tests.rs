//! Unit tests of the export formats over hand-made rows.
