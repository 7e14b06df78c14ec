//! Entry point: parse arguments, resolve the config, dispatch, map the outcome or the kind of
//! failure to an exit code. The only place that decides one; holds no logic of a command.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use logtriage::cli::{Cli, Command};
use logtriage::error::{EXIT_ERROR, EXIT_INPUT, EXIT_USAGE, Failure, RunOutcome};
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
        Command::Export(args) => {
            let cfg = config::export(&args)?;
            cmd::export::run(&cfg, out, &mut diag)
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
        Err(e) => {
            let code = match Failure::of(&e) {
                // The reader has seen enough (`| head`): not an error, and nothing to say.
                Failure::BrokenPipe => return ExitCode::SUCCESS,
                Failure::Usage => EXIT_USAGE,
                Failure::Input => EXIT_INPUT,
                Failure::Other => EXIT_ERROR,
            };
            let _ = writeln!(io::stderr(), "logtriage: error: {e:#}");
            ExitCode::from(code as u8)
        }
    }
}
