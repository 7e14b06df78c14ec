//! Structured predicates (`KEY=VALUE`, `KEY~REGEX`) as `filter --field` and a rules file's
//! `match.fields` write them, parsed into values; matching them against a line lives in
//! `matcher.rs`. Must not read clap types or input.

use crate::error::{UsageError, usage};

/// One `--field` predicate of `filter`.
#[derive(Clone, Debug)]
pub enum Predicate {
    Equals(String, String),
    Matches(String, regex::Regex),
}

pub fn regex(pattern: &str, what: &str) -> Result<regex::Regex, UsageError> {
    regex::Regex::new(pattern).map_err(|e| {
        let first = e.to_string();
        let reason = first.lines().last().unwrap_or("invalid regex").trim();
        usage(format!("{what}: invalid regex '{pattern}': {reason}"))
    })
}

/// One `KEY=VALUE` or `KEY~REGEX` predicate; `what` names the option or setting.
pub fn predicate(p: &str, what: &str) -> Result<Predicate, UsageError> {
    // Whichever of `=` and `~` comes first separates the key.
    let eq = p.find('=');
    let re = p.find('~');
    let pred = match (eq, re) {
        (Some(e), r) if r.is_none_or(|r| e < r) => {
            Predicate::Equals(p[..e].trim().to_string(), p[e + 1..].to_string())
        }
        (_, Some(r)) => Predicate::Matches(
            p[..r].trim().to_string(),
            regex(&p[r + 1..], &format!("{what} {}", &p[..r]))?,
        ),
        _ => {
            return Err(usage(format!(
                "{what}: expected KEY=VALUE or KEY~REGEX, got '{p}'"
            )));
        }
    };
    let key = match &pred {
        Predicate::Equals(k, _) | Predicate::Matches(k, _) => k,
    };
    if key.is_empty() {
        return Err(usage(format!("{what}: empty key in '{p}'")));
    }
    Ok(pred)
}
