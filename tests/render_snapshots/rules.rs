//! `logtriage rules`: the built-in rules and a custom one with hostile text.

use logtriage::parse::Level;
use logtriage::render::rules::Table;
use logtriage::rules::{Condition, Kind, Params, Rule, RuleSet, Severity, builtins};
use logtriage::select::matcher::Matcher;

use crate::rendered;
use crate::values::TERMINAL;

#[test]
fn rules_table() {
    let mut rules = builtins();
    rules[1].enabled = false;
    rules.push(Rule {
        id: format!("bank_{TERMINAL}"),
        severity: Severity::Warning,
        description: format!("bank errors {TERMINAL}"),
        enabled: true,
        kind: Kind::Custom(
            Box::new(Matcher {
                min_level: Some(Level::Error),
                since: None,
                until: None,
                request_ids: Vec::new(),
                predicates: Vec::new(),
                grep: None,
            }),
            Condition::ShareAbove(0.25),
        ),
        params: Params::default(),
        builtin: false,
    });
    insta::assert_snapshot!(rendered(&Table, &RuleSet::new(rules, 2)));
}
