//! The `Merge` trait every partial summary implements: the one contract that lets the engine
//! fold chunks in parallel and reduce them in input order. Holds no summary itself.

/// Associative combination with an empty value; `self` is the earlier part of the input.
pub trait Merge {
    fn merge(&mut self, later: Self);
}
