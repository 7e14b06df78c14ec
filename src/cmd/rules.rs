//! `logtriage rules`: the triage rules in force (built-ins, or as a `--rules` file makes
//! them), with their thresholds. Must not judge rules or load the file (`config/` does).

use std::io::Write;

use anyhow::Result;

use crate::error::RunOutcome;
use crate::render::Render;
use crate::render::rules as render;
use crate::rules::RuleSet;

pub fn run(rules: &RuleSet, out: &mut dyn Write) -> Result<RunOutcome> {
    render::Table.render(rules, out)?;
    Ok(RunOutcome::Success)
}
