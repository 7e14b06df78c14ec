//! Error types at the edges, how a run ended, and the exit codes each of them means; only
//! `main` turns them into a process exit. Must not print: `main` writes the one error line.

use thiserror::Error;

/// A usage error: a bad option value, found before any input is read (or, for a time range
/// that is empty only once the newest line is known, right after reading it).
#[derive(Error, Debug)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A `UsageError` from its message (which names the option or file).
pub fn usage(msg: impl Into<String>) -> UsageError {
    UsageError(msg.into())
}

/// An input that could not be opened at all, so the run cannot start: a `--follow` file.
/// (The inputs of the other commands are recorded one by one instead, and the run goes on
/// to end with `RunOutcome::InputErrors`.)
#[derive(Error, Debug)]
#[error("{input}")]
pub struct InputError {
    /// The input as the user named it, with the option that named it: `--follow: app.log`.
    pub input: String,
    #[source]
    pub source: std::io::Error,
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

/// What ended a run that failed outright; each kind has its exit code, chosen in `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A `UsageError`.
    Usage,
    /// An `InputError`.
    Input,
    /// Output went to a pipe that was closed (`logtriage ... | head`).
    BrokenPipe,
    /// Anything else, such as a write error on stdout other than a closed pipe.
    Other,
}

impl Failure {
    /// The kind of `e`, looked for along its whole chain of causes.
    pub fn of(e: &anyhow::Error) -> Failure {
        if e.chain().any(|c| c.is::<UsageError>()) {
            Failure::Usage
        } else if e.chain().any(|c| c.is::<InputError>()) {
            Failure::Input
        } else if is_broken_pipe(e) {
            Failure::BrokenPipe
        } else {
            Failure::Other
        }
    }
}

pub const EXIT_OK: i32 = 0;
pub const EXIT_NO_MATCH: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
/// An input could not be read: the README gives it the usage errors' 2.
pub const EXIT_INPUT: i32 = 2;
pub const EXIT_FLAGS: i32 = 3;
/// Any other failure. The README documents no code of its own for it, so it keeps the 2 of
/// every error.
pub const EXIT_ERROR: i32 = 2;

impl RunOutcome {
    pub fn code(self) -> i32 {
        match self {
            RunOutcome::Success => EXIT_OK,
            RunOutcome::InputErrors => EXIT_INPUT,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: std::io::ErrorKind) -> std::io::Error {
        std::io::Error::new(kind, "x")
    }

    #[test]
    fn each_failure_is_known_by_its_kind_through_any_context() {
        let of = |e: anyhow::Error| Failure::of(&e);
        assert_eq!(of(usage("--window: bad").into()), Failure::Usage);
        let follow = InputError {
            input: "--follow: a.log".into(),
            source: io(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            of(anyhow::Error::from(follow).context("watch")),
            Failure::Input
        );
        let pipe = anyhow::Error::from(io(std::io::ErrorKind::BrokenPipe));
        assert_eq!(of(pipe.context("writing")), Failure::BrokenPipe);
        assert_eq!(
            of(io(std::io::ErrorKind::StorageFull).into()),
            Failure::Other
        );
    }

    #[test]
    fn an_input_error_reads_as_before_it_was_typed() {
        let e = anyhow::Error::from(InputError {
            input: "--follow: a.log".into(),
            source: io(std::io::ErrorKind::NotADirectory),
        });
        assert_eq!(format!("{e:#}"), "--follow: a.log: x");
    }
}
