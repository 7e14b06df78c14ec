//! `completions` and `man`: generated from the same clap definitions as the parser. Must not
//! define or document options of its own: they are `cli.rs`'s.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Shell};
use crate::error::RunOutcome;

pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<RunOutcome> {
    let mut cmd = Cli::command();
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut cmd, "logtriage", out);
    Ok(RunOutcome::Success)
}

pub fn man(out: &mut dyn Write) -> Result<RunOutcome> {
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd.clone()).render(out)?;
    // Subcommands get their own sections so every option is documented.
    for sub in cmd.get_subcommands() {
        let name = format!("logtriage-{}", sub.get_name());
        let sub = sub.clone().name(name);
        clap_mangen::Man::new(sub).render(out)?;
    }
    Ok(RunOutcome::Success)
}
