//! Selecting lines: predicates as the user wrote them (`predicate`), the matcher that runs
//! them per line (`matcher`, for `filter`, `trace` and the rules' line matchers), the
//! normalised event a selected line becomes (`event`), and the row a record becomes for
//! `export` (`row`). Must not read input or print.

pub mod event;
pub mod matcher;
pub mod predicate;
pub mod row;
