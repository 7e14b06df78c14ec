//! The endpoint cap: which endpoints a partial keeps by name when there are more than
//! `--max-endpoints`, and the count of lines and names folded into `OTHER`. The choice is by
//! a hash of the name, never by first sight or by count, so any split of the input and any
//! thread count keep the same endpoints. Owns no other state of the partial and never prints.

use super::intern::{Interner, NONE};

/// The name folded endpoints share. A request target holds no space, so no normalised
/// endpoint can be this name.
pub const OTHER: &str = "(other endpoints)";
/// Distinct endpoints kept by name when `--max-endpoints` is not given.
pub const DEFAULT_MAX_ENDPOINTS: usize = 10_000;

/// The endpoint names a partial has admitted, and what it turned away.
///
/// A partial admits a new endpoint only when the hash of its name is at most `tau`. Each time
/// `2 * cap` admitted names sit at or under `tau`, `tau` drops to the `cap`-th smallest of
/// them. A partial sees a subset of the whole input's names, so its `cap`-th smallest hash is
/// never below the whole input's: the `cap` endpoints with the smallest hashes overall are
/// admitted by every partial that sees them, with all their lines. `fold_plan` keeps exactly
/// those, whatever the split. Names admitted above the final cut are the only waste: about
/// `cap` per halving of `tau`, so memory grows with the log of the number of names.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EndpointCap {
    cap: usize,
    tau: u64,
    /// Per interned id: its name's hash when it is an admitted endpoint (0: not one), and the
    /// lines that named it.
    slots: Vec<Slot>,
    /// Admitted endpoints whose hash is at most `tau`.
    under: usize,
    /// The interned `OTHER`, once a line was folded.
    other: u32,
    /// Lines whose endpoint was folded. (How many distinct names were folded is not kept:
    /// names turned away at first sight are not remembered, and a count of only the others
    /// would depend on the split.)
    folded_lines: u64,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Slot {
    hash: u64,
    lines: u64,
    /// An admitted endpoint (a health check when `hash` is 0).
    kept: bool,
}

impl EndpointCap {
    pub fn new(cap: usize) -> EndpointCap {
        EndpointCap {
            cap: cap.max(1),
            tau: u64::MAX,
            slots: Vec::new(),
            under: 0,
            other: NONE,
            folded_lines: 0,
        }
    }

    /// The largest number of endpoints kept by name.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The interned id of endpoint `name`, or of `OTHER` when the cap turns it away. Health
    /// checks (`is_health`, asked only of names not kept yet) are always kept: folding them
    /// would put their latency among the requests'.
    pub fn admit(
        &mut self,
        names: &mut Interner,
        name: &str,
        is_health: impl FnOnce(&str) -> bool,
    ) -> u32 {
        if let Some(id) = names.get(name)
            && self.slots.get(id as usize).is_some_and(|s| s.kept)
        {
            return id;
        }
        let health = is_health(name);
        let h = if health { 0 } else { name_hash(name) };
        if h > self.tau {
            return self.other_id(names);
        }
        let id = names.intern(name);
        let slot = self.slot(id);
        slot.kept = true;
        if h != 0 && slot.hash == 0 {
            slot.hash = h;
            self.under += 1;
            if self.under >= 2 * self.cap {
                self.tighten();
            }
        }
        id
    }

    /// One line named endpoint `id` (an id `admit` returned).
    #[inline]
    pub fn count(&mut self, id: u32) {
        if id == self.other {
            self.folded_lines += 1;
        } else if let Some(s) = self.slots.get_mut(id as usize) {
            s.lines += 1;
        }
    }

    fn other_id(&mut self, names: &mut Interner) -> u32 {
        if self.other == NONE {
            self.other = names.intern(OTHER);
        }
        self.other
    }

    fn slot(&mut self, id: u32) -> &mut Slot {
        let i = id as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, Slot::default());
        }
        &mut self.slots[i]
    }

    /// `tau` becomes the `cap`-th smallest admitted hash at or under it.
    fn tighten(&mut self) {
        let mut under: Vec<u64> = self
            .slots
            .iter()
            .map(|s| s.hash)
            .filter(|&h| h != 0 && h <= self.tau)
            .collect();
        if under.len() > self.cap {
            let (_, kth, _) = under.select_nth_unstable(self.cap - 1);
            self.tau = *kth;
        }
        self.under = self
            .slots
            .iter()
            .filter(|s| s.hash != 0 && s.hash <= self.tau)
            .count();
    }

    /// Adds a later partial's endpoints; `map` carries its interned ids into ours.
    pub fn merge(&mut self, o: EndpointCap, map: &[u32]) {
        self.tau = self.tau.min(o.tau);
        if o.other != NONE {
            self.other = map[o.other as usize];
        }
        self.folded_lines += o.folded_lines;
        for (id, s) in o.slots.iter().enumerate() {
            let to = map[id];
            if !s.kept && s.lines == 0 {
                continue;
            }
            if to == self.other {
                // Folded by the caller's map (`fold_plan`).
                self.folded_lines += s.lines;
                continue;
            }
            let mine = self.slot(to);
            if s.hash != 0 {
                mine.hash = s.hash;
            }
            mine.kept |= s.kept;
            mine.lines += s.lines;
        }
        self.tighten();
    }

    /// When more than `cap` endpoints were admitted: the ids to fold (those whose hash is
    /// above the `cap`-th smallest), else `None`.
    pub fn fold_plan(&self) -> Option<Vec<bool>> {
        let mut hashes: Vec<u64> = self
            .slots
            .iter()
            .map(|s| s.hash)
            .filter(|&h| h != 0)
            .collect();
        if hashes.len() <= self.cap {
            return None;
        }
        let (_, kth, _) = hashes.select_nth_unstable(self.cap - 1);
        let cut = *kth;
        Some(
            self.slots
                .iter()
                .map(|s| s.hash != 0 && s.hash > cut)
                .collect(),
        )
    }

    /// The same cap with nothing admitted: the empty value `fold` merges into.
    pub fn empty_like(&self) -> EndpointCap {
        EndpointCap::new(self.cap)
    }

    /// Marks `id` (interned in the owner's names) as `OTHER`, for a fold's empty partial.
    pub fn set_other(&mut self, id: u32) {
        self.other = id;
    }

    /// Lines folded so far (turned away at first sight, or cut by a fold), if any.
    pub fn folded_lines(&self) -> Option<u64> {
        (self.folded_lines > 0).then_some(self.folded_lines)
    }
}

/// A hash of the name, the same on every run and platform; never 0 (0 marks "not an
/// endpoint" and health checks).
fn name_hash(name: &str) -> u64 {
    // FNV-1a then a SplitMix64 finaliser: stable, and well mixed in every bit.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name.as_bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    h.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("GET /p/{i:x}/item")).collect()
    }

    /// What a whole run keeps: admit every line, merge the parts, fold.
    fn kept(parts: &[&[String]], cap: usize) -> (Vec<String>, u64) {
        let mut total: Option<(Interner, EndpointCap)> = None;
        for part in parts {
            let mut n = Interner::default();
            let mut c = EndpointCap::new(cap);
            for name in *part {
                let id = c.admit(&mut n, name, |_| false);
                c.count(id);
            }
            total = Some(match total {
                None => (n, c),
                Some((mut tn, mut tc)) => {
                    let map = tn.absorb(&n);
                    tc.merge(c, &map);
                    (tn, tc)
                }
            });
        }
        let (n, c) = total.unwrap();
        let plan = c.fold_plan().unwrap_or_default();
        let mut folded = c.folded_lines;
        let mut out = Vec::new();
        for (id, s) in c.slots.iter().enumerate() {
            if s.hash == 0 {
                continue;
            }
            if plan.get(id).copied().unwrap_or(false) {
                folded += s.lines;
            } else {
                out.push(n.name(id as u32).to_string());
            }
        }
        out.sort();
        (out, folded)
    }

    #[test]
    fn any_split_keeps_the_same_endpoints() {
        let all = names(5_000);
        let mut lines: Vec<String> = Vec::new();
        for (i, n) in all.iter().enumerate() {
            for _ in 0..(1 + i % 3) {
                lines.push(n.clone());
            }
        }
        let whole = kept(&[&lines], 100);
        assert_eq!(whole.0.len(), 100);
        assert_eq!(whole.1 + count_kept(&lines, &whole.0), lines.len() as u64);
        for parts in [2, 3, 7, 40] {
            let size = lines.len().div_ceil(parts);
            let split: Vec<&[String]> = lines.chunks(size).collect();
            assert_eq!(kept(&split, 100), whole, "{parts} parts");
        }
    }

    fn count_kept(lines: &[String], kept: &[String]) -> u64 {
        lines.iter().filter(|l| kept.contains(l)).count() as u64
    }

    #[test]
    fn under_the_cap_nothing_folds() {
        let all = names(50);
        assert_eq!(kept(&[&all[..20], &all[20..]], 50).0.len(), 50);
        let mut c = EndpointCap::new(50);
        let mut n = Interner::default();
        for name in &all {
            c.admit(&mut n, name, |_| false);
        }
        assert!(c.fold_plan().is_none());
    }

    #[test]
    fn health_checks_are_never_folded() {
        let mut c = EndpointCap::new(1);
        let mut n = Interner::default();
        for name in names(10) {
            c.admit(&mut n, &name, |_| false);
        }
        let h = c.admit(&mut n, "GET /healthz", |_| true);
        assert_eq!(n.name(h), "GET /healthz");
        let plan = c.fold_plan().unwrap();
        assert!(!plan.get(h as usize).copied().unwrap_or(false));
    }

    #[test]
    fn memory_grows_with_the_log_of_the_names() {
        let mut c = EndpointCap::new(1_000);
        let mut n = Interner::default();
        for name in names(200_000) {
            c.admit(&mut n, &name, |_| false);
        }
        let admitted = c.slots.iter().filter(|s| s.hash != 0).count();
        assert!(admitted < 12_000, "{admitted} admitted");
    }
}
