//! Error types at the edges and the exit codes; only `main` turns them into a process exit.

use thiserror::Error;

/// A usage error: a bad option value, found before any input is read.
#[derive(Error, Debug)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A `UsageError` from its message (which names the option or file).
pub fn usage(msg: impl Into<String>) -> UsageError {
    UsageError(msg.into())
}

/// How a run ended when it did not fail outright (not how a request ended: that is
/// `aggregate::outcome::RequestOutcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Everything read and reported.
    Success,
    /// Reported, but at least one input could not be read (exit 2).
    InputErrors,
    /// Everything read, nothing matched (exit 1, like grep).
    NoMatch,
    /// Reported, and a flag at or above `--fail-on` fired (exit 3).
    FlagsFired,
}

pub const EXIT_OK: i32 = 0;
pub const EXIT_NO_MATCH: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_FLAGS: i32 = 3;

impl RunOutcome {
    pub fn code(self) -> i32 {
        match self {
            RunOutcome::Success => EXIT_OK,
            RunOutcome::InputErrors => EXIT_USAGE,
            RunOutcome::NoMatch => EXIT_NO_MATCH,
            RunOutcome::FlagsFired => EXIT_FLAGS,
        }
    }
}

/// True when an error chain ends in a closed pipe (`logtriage ... | head`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
