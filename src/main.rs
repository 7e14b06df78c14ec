//! Entry point: parse arguments, resolve the config, dispatch, map the outcome to an exit code.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use logtriage::cli::{Cli, Command};
use logtriage::error::{EXIT_USAGE, RunOutcome, is_broken_pipe};
use logtriage::{cmd, config};

fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<RunOutcome> {
    let mut diag = io::stderr();
    match cli.command {
        Command::Report(args) => {
            let cfg = config::report(&args)?;
            cmd::report::run(&cfg, out, &mut diag)
        }
        Command::Trace(args) => {
            let cfg = config::trace(&args)?;
            cmd::trace::run(&cfg, out, &mut diag)
        }
        Command::Filter(args) => {
            let cfg = config::filter(&args)?;
            cmd::filter::run(&cfg, out, &mut diag)
        }
        Command::Requests(args) => {
            let cfg = config::requests(&args)?;
            cmd::requests::run(&cfg, out, &mut diag)
        }
        Command::Watch(args) => {
            let cfg = config::watch(&args)?;
            cmd::watch::run(&cfg, out, &mut diag)
        }
        Command::Rules(args) => {
            let rules = config::rule_set(args.rules.as_deref())?;
            cmd::rules::run(&rules, out)
        }
        Command::Completions { shell } => cmd::generate::completions(shell, out),
        Command::Man => cmd::generate::man(out),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = run(cli, &mut out).and_then(|o| {
        out.flush()?;
        Ok(o)
    });
    match result {
        Ok(outcome) => ExitCode::from(outcome.code() as u8),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "logtriage: error: {e:#}");
            ExitCode::from(EXIT_USAGE as u8)
        }
    }
}
