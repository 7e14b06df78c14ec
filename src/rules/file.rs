//! The `--rules` TOML file: overrides of built-in rules, `gap_windows`, custom rules (a match
//! and one condition). Turns text into a `RuleSet` or a one-line error naming the file and
//! line; knows nothing about evaluation.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Condition, Kind, Params, Rule, RuleSet, Severity, builtins};
use crate::parse::{Format, Level};
use crate::select::matcher::Matcher;
use crate::select::predicate::Predicate;

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileOverride {
    enabled: Option<bool>,
    severity: Option<Severity>,
    description: Option<String>,
    min_count: Option<u64>,
    min_share: Option<f64>,
    factor: Option<f64>,
    /// A duration such as `2s` or `800ms`.
    p95_above: Option<String>,
    min_lines: Option<u64>,
    baseline_windows: Option<usize>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct FileMatch {
    format: Option<String>,
    level: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
    message: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct FileCondition {
    count_at_least: Option<u64>,
    share_above: Option<f64>,
    p95_above: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct FileCustom {
    id: String,
    severity: Severity,
    description: String,
    #[serde(rename = "match")]
    matcher: FileMatch,
    condition: FileCondition,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    gap_windows: Option<usize>,
    #[serde(default)]
    rules: BTreeMap<String, FileOverride>,
    #[serde(default)]
    custom: Vec<FileCustom>,
}

/// Line (1-based) of a byte offset.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Builds the rule set from a `--rules` file's text; errors are one line naming `path`, the
/// line and the problem.
pub fn from_toml(text: &str, path: &str) -> Result<RuleSet, String> {
    build(text, path).map_err(|e| one_line(&e))
}

/// Errors quote the file's own values (a rule id, a format, a regex), and a quoted TOML key
/// or string may hold a newline or any control character: written escaped (`\n`), the
/// error stays one line and prints nothing raw to a terminal.
fn one_line(e: &str) -> String {
    e.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn build(text: &str, path: &str) -> Result<RuleSet, String> {
    let file: RulesFile = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(String::new(), |s| {
            format!("line {}: ", line_of(text, s.start))
        });
        format!("{path}: {at}{}", e.message().trim().replace('\n', " "))
    })?;
    // Semantic errors point at the table that holds the problem.
    let locate = |needle: &str| {
        text.find(needle)
            .map_or(String::new(), |at| format!("line {}: ", line_of(text, at)))
    };
    let mut rules = builtins();
    for (id, o) in &file.rules {
        let Some(r) = rules.iter_mut().find(|r| &r.id == id) else {
            let known: Vec<String> = builtins().into_iter().map(|r| r.id).collect();
            return Err(format!(
                "{path}: {}unknown built-in rule '{id}' (one of {})",
                locate(&format!("rules.{id}")),
                known.join(", ")
            ));
        };
        let bad = |what: &str| {
            format!(
                "{path}: {}rules.{id}: {what}",
                locate(&format!("rules.{id}"))
            )
        };
        apply_override(r, o).map_err(|what| bad(&what))?;
    }
    for c in file.custom {
        let at = locate(&format!("\"{}\"", c.id));
        let bad = |what: String| format!("{path}: {at}custom rule '{}': {what}", c.id);
        if c.id.trim().is_empty() || rules.iter().any(|r| r.id == c.id) {
            return Err(bad(
                "id must be non-empty and unlike every other rule's".into()
            ));
        }
        let matcher = custom_matcher(&c.matcher).map_err(bad)?;
        let condition = custom_condition(&c.condition).map_err(bad)?;
        rules.push(Rule {
            id: c.id.clone(),
            severity: c.severity,
            description: c.description.clone(),
            enabled: true,
            kind: Kind::Custom(Box::new(matcher), condition),
            params: Params::default(),
            builtin: false,
        });
    }
    Ok(RuleSet::new(rules, file.gap_windows.unwrap_or(1)))
}

/// A built-in rule as a `[rules.ID]` table tunes it; the error says what is wrong.
fn apply_override(r: &mut Rule, o: &FileOverride) -> Result<(), String> {
    if let Some(v) = o.enabled {
        r.enabled = v;
    }
    if let Some(v) = o.severity {
        r.severity = v;
    }
    if let Some(v) = &o.description {
        r.description = v.clone();
    }
    if let Some(v) = o.min_count {
        r.params.min_count = v;
    }
    if let Some(v) = o.min_share {
        if !(0.0..=1.0).contains(&v) {
            return Err("min_share must be between 0 and 1".into());
        }
        r.params.min_share = v;
    }
    if let Some(v) = o.factor {
        if !v.is_finite() || v < 0.0 {
            return Err(format!(
                "factor must be a finite number, not negative (got {v})"
            ));
        }
        r.params.factor = v;
    }
    if let Some(v) = &o.p95_above {
        r.params.p95_ms =
            duration_ms(v).ok_or_else(|| format!("p95_above: invalid duration '{v}'"))?;
    }
    if let Some(v) = o.min_lines {
        r.params.min_lines = v;
    }
    if let Some(v) = o.baseline_windows {
        r.params.baseline_windows = v;
    }
    Ok(())
}

/// The line matcher of a custom rule's `match` table.
fn custom_matcher(m: &FileMatch) -> Result<Matcher, String> {
    let mut predicates = Vec::new();
    if let Some(f) = &m.format {
        if Format::ALL.iter().all(|x| x.name() != f) {
            return Err(format!(
                "match.format: unknown format '{f}' (json, nginx_json, nginx_error, nginx_access)"
            ));
        }
        predicates.push(Predicate::Equals("format".into(), f.clone()));
    }
    for f in &m.fields {
        predicates.push(crate::select::predicate::predicate(f, "match.fields").map_err(|e| e.0)?);
    }
    let min_level = m
        .level
        .as_deref()
        .map(|l| Level::from_name(l).ok_or_else(|| format!("match.level: unknown level '{l}'")))
        .transpose()?;
    let grep = m
        .message
        .as_deref()
        .map(|re| {
            regex::Regex::new(re).map_err(|e| {
                let reason = e.to_string();
                format!(
                    "match.message: invalid regex '{re}': {}",
                    reason.lines().last().unwrap_or("").trim()
                )
            })
        })
        .transpose()?;
    Ok(Matcher {
        min_level,
        since: None,
        until: None,
        request_ids: Vec::new(),
        predicates,
        grep,
    })
}

/// A custom rule's `condition` table: exactly one of its three forms.
fn custom_condition(cond: &FileCondition) -> Result<Condition, String> {
    match (cond.count_at_least, cond.share_above, &cond.p95_above) {
        (Some(n), None, None) => Ok(Condition::CountAtLeast(n.max(1))),
        (None, Some(s), None) if (0.0..=1.0).contains(&s) => Ok(Condition::ShareAbove(s)),
        (None, None, Some(d)) => duration_ms(d)
            .map(Condition::P95Above)
            .ok_or_else(|| format!("condition.p95_above: invalid duration '{d}'")),
        _ => Err(
            "condition: give exactly one of count_at_least = N, share_above = 0-1, p95_above = \"2s\"".into(),
        ),
    }
}

fn duration_ms(s: &str) -> Option<f64> {
    crate::parse::picked::go_duration_ms(s.trim()).filter(|v| v.is_finite() && *v > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::LineMatch;

    #[test]
    fn rules_file_overrides_and_adds() {
        let text = r#"
gap_windows = 2

[rules.upstream_timeout]
min_count = 3
severity = "warning"

[rules.restart]
enabled = false

[[custom]]
id = "payment_errors"
severity = "critical"
description = "payment provider errors"
match = { format = "json", level = "error", fields = ["error_type~Payment"], message = "payment" }
condition = { count_at_least = 2 }
"#;
        let set = from_toml(text, "r.toml").unwrap();
        assert_eq!(set.gap_windows, 2);
        let t = set.rule("upstream_timeout").unwrap();
        assert_eq!((t.params.min_count, t.severity), (3, Severity::Warning));
        assert!(set.rule("restart").is_none());
        let c = set.rule("payment_errors").unwrap();
        assert!(matches!(
            c.kind,
            Kind::Custom(_, Condition::CountAtLeast(2))
        ));
        assert!(
            set.slots
                .iter()
                .all(|(_, m)| !matches!(m, LineMatch::Restart))
        );
    }

    #[test]
    fn rules_file_errors_name_the_line() {
        let cases = [
            ("[rules.upstream_timeout]\nmin_cout = 3\n", "line 2"),
            (
                "[rules.nope]\nmin_count = 3\n",
                "unknown built-in rule 'nope'",
            ),
            (
                "\n[[custom]]\nid = \"x\"\nseverity = \"high\"\ndescription = \"d\"\nmatch = {}\ncondition = { count_at_least = 1 }\n",
                "line 4",
            ),
            (
                "[[custom]]\nid = \"x\"\nseverity = \"info\"\ndescription = \"d\"\nmatch = { message = \"(\" }\ncondition = { count_at_least = 1 }\n",
                "invalid regex",
            ),
            (
                "[[custom]]\nid = \"x\"\nseverity = \"info\"\ndescription = \"d\"\nmatch = {}\ncondition = { count_at_least = 1, share_above = 0.1 }\n",
                "exactly one of",
            ),
            // TOML spells NaN and infinity `nan` and `inf`: no threshold compares with them.
            (
                "\n[rules.error_rate_spike]\nfactor = nan\n",
                "line 2: rules.error_rate_spike: factor must be a finite number",
            ),
            ("[rules.error_rate_spike]\nfactor = inf\n", "finite"),
            // Found by the `rules` fuzz target: values quoted from the file kept their
            // newlines, so the one-line error was several.
            (
                "[rules.\"upstream\\ntimeout\"]\nmin_count = 1\n",
                "unknown built-in rule 'upstream\\ntimeout'",
            ),
            (
                "[[custom]]\nid = \"x\"\nseverity = \"info\"\ndescription = \"d\"\nmatch = { message = \"(\\n\" }\ncondition = { count_at_least = 1 }\n",
                "invalid regex '(\\n'",
            ),
            (
                "[rules.error_rate_spike]\nmin_share = nan\n",
                "between 0 and 1",
            ),
            (
                "[[custom]]\nid = \"x\"\nseverity = \"info\"\ndescription = \"d\"\nmatch = {}\ncondition = { share_above = nan }\n",
                "exactly one of",
            ),
        ];
        for (text, want) in cases {
            let e = from_toml(text, "r.toml").unwrap_err();
            assert!(e.starts_with("r.toml: "), "{e}");
            assert!(e.contains(want), "{e} (want {want})");
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
