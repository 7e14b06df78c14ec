//! String interner for endpoint and error-type names inside one partial; ids are local to a
//! partial and remapped when partials merge. Must not be shared between threads.

use rustc_hash::FxHashMap;

pub const NONE: u32 = u32::MAX;

#[derive(Default, Debug, Clone)]
pub struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    /// The id of `s` if it is interned.
    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Interns every name of `other`; returns the map from its ids to ours.
    pub fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        other.names.iter().map(|n| self.intern(n)).collect()
    }
}

#[inline]
pub fn remap(id: u32, map: &[u32]) -> u32 {
    if id == NONE { NONE } else { map[id as usize] }
}
