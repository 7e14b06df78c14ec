//! `export`'s options resolved into an `ExportConfig`: the format, where the rows go (a file,
//! or standard output when it is not a terminal for the binary and raw-text formats) and
//! the row-group size. Must not create the output file (`cmd/export.rs` does, before any
//! input is read) nor read a log line.

use std::path::{Path, PathBuf};

use super::input::{InputConfig, input};
use super::values::stdout_is_terminal;
use crate::cli::{ExportArgs, ExportFormat};
use crate::error::{UsageError, usage};
use crate::input::InputSpec;

/// Where the rows go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    Stdout,
    File(PathBuf),
}

#[derive(Clone, Debug)]
pub struct ExportConfig {
    pub input: InputConfig,
    pub format: ExportFormat,
    pub output: Output,
    /// Rows per Parquet row group and per piece encoded in parallel.
    pub row_group: usize,
}

/// The most rows one group may hold: a group is held in memory while it is encoded.
const MAX_ROW_GROUP: usize = 1 << 22;

pub fn export(args: &ExportArgs) -> Result<ExportConfig, UsageError> {
    let mut input = input(&args.input)?;
    input.color = false;
    input.progress = false;
    let output = if args.output.as_os_str() == "-" {
        Output::Stdout
    } else {
        Output::File(args.output.clone())
    };
    if output == Output::Stdout && stdout_is_terminal() {
        // Like gzip: binary data, and CSV cells that carry log text exactly as logged
        // (escape sequences included), are not for a terminal. JSON lines escape them.
        match args.format {
            ExportFormat::Parquet => {
                return Err(usage(
                    "--output -: standard output is a terminal; Parquet is binary: give a file, or pipe it",
                ));
            }
            ExportFormat::Csv => {
                return Err(usage(
                    "--output -: standard output is a terminal; CSV cells hold log text as logged, control characters included: give a file, pipe it, or use -f jsonl",
                ));
            }
            ExportFormat::Jsonl => {}
        }
    }
    if let Output::File(path) = &output {
        refuse_overwriting_an_input(path, &input.inputs)?;
    }
    if args.row_group == 0 || args.row_group > MAX_ROW_GROUP {
        return Err(usage(format!(
            "--row-group: must be between 1 and {MAX_ROW_GROUP} rows, got {}",
            args.row_group
        )));
    }
    Ok(ExportConfig {
        input,
        format: args.format,
        output,
        row_group: args.row_group,
    })
}

/// `-o app.log app.log` would truncate the log before it is read: refused, whatever the
/// spelling of the path (compared once both exist, by their canonical paths).
fn refuse_overwriting_an_input(out: &Path, inputs: &[InputSpec]) -> Result<(), UsageError> {
    let Ok(target) = out.canonicalize() else {
        return Ok(());
    };
    for spec in inputs {
        if let InputSpec::Path(p) = spec
            && p.canonicalize().is_ok_and(|c| c == target)
        {
            return Err(usage(format!(
                "--output {}: is also an input; writing it would destroy the log before it is read",
                out.display()
            )));
        }
    }
    Ok(())
}
