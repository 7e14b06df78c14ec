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

/// Saved as its names in id order; the lookup map is rebuilt when read.
impl serde::Serialize for Interner {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.names.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Interner {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Interner, D::Error> {
        let names: Vec<Box<str>> = serde::Deserialize::deserialize(d)?;
        let mut ids = FxHashMap::default();
        for (i, n) in names.iter().enumerate() {
            if ids.insert(n.clone(), i as u32).is_some() {
                return Err(serde::de::Error::custom("a name is interned twice"));
            }
        }
        Ok(Interner { ids, names })
    }
}
