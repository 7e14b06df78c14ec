//! Ties nginx error lines (which carry no request id) to the requests they were written for:
//! each 5xx access line leaves a small key on its request (`access_key`: client, method,
//! target, second and status, as `trace` correlates them), each error line of an nginx-class
//! rule slot leaves an `ErrLink` with the same key, and `resolve` pairs them over the finished
//! requests. Mergeable (the links are a bag, sorted when resolved), so the ties never depend
//! on the split. Must not judge rules or build flags (`triage/`).

use std::hash::BuildHasher;

use super::requests::{ReqAgg, ReqKey, Requests};

const SEC: i64 = 1_000_000;

/// The key of one request as nginx wrote it: the access line's `status` or an error line's
/// implied one, in its whole second (both logs stamp seconds, and an error that ends a
/// request is written in the second of its access line). Never 0, which means none.
#[inline]
pub fn access_key(client: &str, method: &str, target: &str, ts: i64, status: u16) -> u32 {
    let h =
        rustc_hash::FxBuildHasher.hash_one((client, method, target, ts.div_euclid(SEC), status));
    // Fold the high bits in: Fx leaves the low ones weak.
    ((h >> 32) as u32 ^ h as u32).max(1)
}

/// One nginx error line of a rule slot that can be tied to a request.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ErrLink {
    pub key: u32,
    pub ts: i64,
    /// The rule slot it hit (`RuleSet::slots`), the same in every partial.
    pub slot: u16,
    pub file: u32,
    pub offset: u64,
}

/// An error line tied to its request.
#[derive(Clone, Copy, Debug)]
pub struct Tie {
    pub slot: u16,
    /// The error line's time: it decides the window, as the line's count does.
    pub ts: i64,
    pub req: ReqAgg,
}

/// Pairs each error link with at most one request of the same key and each request with at
/// most one link, so the requests tied to a slot never outnumber its lines. Several requests
/// of one key (same client and request line in one second) pair in key order with the links
/// in time and position order: which of them had which error is unknowable then, and this
/// choice is the same for any split.
pub fn resolve(links: &[ErrLink], requests: &Requests) -> Vec<Tie> {
    let mut links = links.to_vec();
    if links.is_empty() {
        return Vec::new();
    }
    links.sort_unstable();
    let mut reqs: Vec<(u32, ReqKey, &ReqAgg)> = requests
        .iter()
        .filter(|(_, r)| r.access_key != 0)
        .filter(|(_, r)| links.binary_search_by_key(&r.access_key, |l| l.key).is_ok())
        .map(|(k, r)| (r.access_key, k, r))
        .collect();
    reqs.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut ties = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < links.len() && j < reqs.len() {
        let (lk, rk) = (links[i].key, reqs[j].0);
        if lk < rk {
            i += 1;
        } else if rk < lk {
            j += 1;
        } else {
            ties.push(Tie {
                slot: links[i].slot,
                ts: links[i].ts,
                req: *reqs[j].2,
            });
            i += 1;
            j += 1;
        }
    }
    ties
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_every_part_and_ignore_the_fraction_of_a_second() {
        let k = access_key("10.0.0.1", "POST", "/x", 5 * SEC, 502);
        assert_ne!(k, 0);
        assert_eq!(
            k,
            access_key("10.0.0.1", "POST", "/x", 5 * SEC + 999_999, 502)
        );
        for other in [
            access_key("10.0.0.2", "POST", "/x", 5 * SEC, 502),
            access_key("10.0.0.1", "GET", "/x", 5 * SEC, 502),
            access_key("10.0.0.1", "POST", "/y", 5 * SEC, 502),
            access_key("10.0.0.1", "POST", "/x", 6 * SEC, 502),
            access_key("10.0.0.1", "POST", "/x", 5 * SEC, 504),
        ] {
            assert_ne!(k, other);
        }
    }
}
