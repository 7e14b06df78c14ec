//! Serde helpers for the saved form of partials (`saved.rs`): hash maps are written in key
//! order, so a summary's bytes depend on what was counted, never on hash or merge order.
//! Must not decide what is saved; the types say that with their derives.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Deserializer, Serialize};

/// A hash map as its entries in key order.
pub fn sorted<K, V, S, Ser>(m: &HashMap<K, V, S>, s: Ser) -> Result<Ser::Ok, Ser::Error>
where
    K: Ord + Serialize,
    V: Serialize,
    Ser: Serializer,
{
    let mut v: Vec<(&K, &V)> = m.iter().collect();
    v.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for e in v {
        seq.serialize_element(&e)?;
    }
    seq.end()
}

/// Reads what `sorted` wrote.
pub fn unsorted<'de, K, V, S, D>(d: D) -> Result<HashMap<K, V, S>, D::Error>
where
    K: Eq + Hash + Deserialize<'de>,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
    D: Deserializer<'de>,
{
    let v: Vec<(K, V)> = Vec::deserialize(d)?;
    Ok(v.into_iter().collect())
}

/// Values in ascending order (the order they arrived in depends on the split).
pub fn sorted_values<S: Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
    let mut v = v.to_vec();
    v.sort_unstable_by(f32::total_cmp);
    v.serialize(s)
}

/// `sorted` and `unsorted` as one `with` module.
pub mod map {
    pub use super::sorted as serialize;
    pub use super::unsorted as deserialize;
}
