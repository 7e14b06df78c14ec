//! Message patterns at finalize: the masked templates the partials counted, merged in the
//! spirit of Drain (same length, same first token, few differing tokens -> one template with
//! `<*>` in the differing places). Deterministic: templates are visited in a fixed order.

use rustc_hash::FxHashMap;

use crate::aggregate::evidence::PatAgg;
use crate::aggregate::intern::Interner;

/// One pattern: its template and what its lines add up to.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub template: String,
    pub agg: PatAgg,
}

/// Whether `b` may join a cluster whose template tokens are `a`, and where they differ.
fn similar(a: &[String], b: &[&str]) -> Option<Vec<usize>> {
    if a.len() != b.len() || a.len() < 3 || a[0] != b[0] {
        return None;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    // At most one token in four may vary, so `request started` / `request finished` (and any
    // short message) stay apart.
    (diff.len() <= (a.len() / 4).max(1) && diff.iter().all(|&i| i > 0)).then_some(diff)
}

/// Clusters of every template, largest first (ties by template).
pub fn cluster(patterns: &FxHashMap<u32, PatAgg>, names: &Interner) -> Vec<Cluster> {
    let mut items: Vec<(&str, &PatAgg)> = patterns
        .iter()
        .map(|(id, agg)| (names.name(*id), agg))
        .collect();
    // Big templates first, so they anchor their clusters; the name breaks ties.
    items.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
    let mut clusters: Vec<(Vec<String>, PatAgg)> = Vec::new();
    let mut by_head: FxHashMap<(usize, String), Vec<usize>> = FxHashMap::default();
    for (template, agg) in items {
        let tokens: Vec<&str> = template.split(' ').collect();
        let key = (tokens.len(), tokens[0].to_string());
        let candidates = by_head.entry(key).or_default();
        let joined = candidates
            .iter()
            .find_map(|&ci| similar(&clusters[ci].0, &tokens).map(|diff| (ci, diff)));
        match joined {
            Some((ci, diff)) => {
                for i in diff {
                    clusters[ci].0[i] = "<*>".to_string();
                }
                clusters[ci].1.merge(agg);
            }
            None => {
                candidates.push(clusters.len());
                clusters.push((tokens.iter().map(|t| t.to_string()).collect(), agg.clone()));
            }
        }
    }
    let mut out: Vec<Cluster> = clusters
        .into_iter()
        .map(|(t, agg)| Cluster {
            template: t.join(" "),
            agg,
        })
        .collect();
    out.sort_by(|a, b| {
        b.agg
            .count
            .cmp(&a.agg.count)
            .then_with(|| a.template.cmp(&b.template))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(count: u64, first: i64) -> PatAgg {
        PatAgg {
            count,
            first,
            last: first,
            ..PatAgg::default()
        }
    }

    #[test]
    fn variable_tokens_merge_and_short_messages_stay_apart() {
        let mut names = Interner::default();
        let mut p = FxHashMap::default();
        for (t, n) in [
            ("request started", 10),
            ("request finished", 9),
            ("cache miss for user alice in region <n>", 3),
            ("cache miss for user bob in region <n>", 2),
            ("cache miss for user carol in region <n>", 1),
            ("lost connection to <ip>", 4),
        ] {
            p.insert(names.intern(t), agg(n, n as i64));
        }
        let c = cluster(&p, &names);
        let got: Vec<(&str, u64)> = c
            .iter()
            .map(|c| (c.template.as_str(), c.agg.count))
            .collect();
        assert_eq!(
            got,
            vec![
                ("request started", 10),
                ("request finished", 9),
                ("cache miss for user <*> in region <n>", 6),
                ("lost connection to <ip>", 4),
            ]
        );
        assert_eq!(c[2].agg.first, 1);
        assert_eq!(c[2].agg.last, 3);
    }
}
