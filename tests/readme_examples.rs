//! The README's console examples run against the real binary, so the docs cannot rot.
//! Every `$ logtriage ...` line in a console block runs from the repository root with the
//! built binary first on PATH; lines that write to the user's home or open a pager are skipped,
//! and files they write (`> logtriage.1`, `-o incident.html`, `-o incident.parquet`) land in a
//! scratch directory.

use std::path::Path;
use std::process::Command;

#[test]
fn readme_console_examples_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("logtriage");
    let bin_dir = bin.parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let tmp = tempfile::tempdir().unwrap();
    // Runs one example with bash; it must succeed.
    let run = |cmd: &str| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .current_dir(root)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README example failed: {cmd}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let mut in_console = false;
    let mut ran = 0;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        // Every command that runs logtriage, also behind a pipe; not the cargo/bash setup lines.
        let Some(cmd) = line.strip_prefix("$ ").filter(|c| {
            c.contains("logtriage ") && !c.starts_with("cargo") && !c.starts_with("bash ")
        }) else {
            continue;
        };
        if !in_console || cmd.contains('~') || cmd.contains("man ./") {
            continue;
        }
        // Comments after the command are prose; outputs land in a scratch directory.
        let cmd = cmd
            .split("  #")
            .next()
            .unwrap()
            .replace(
                "> logtriage.1",
                &format!("> {}/logtriage.1", tmp.path().display()),
            )
            .replace(
                "-o incident.",
                &format!("-o {}/incident.", tmp.path().display()),
            );
        let full = format!("set -o pipefail; {cmd}");
        let out = run(&full);
        // `-o FILE` writes the report there instead: the file must have it (`-o -` is stdout).
        let written = cmd
            .split_whitespace()
            .skip_while(|w| *w != "-o")
            .nth(1)
            .filter(|f| *f != "-");
        if let Some(f) = written {
            let len = std::fs::metadata(f).map_or(0, |m| m.len());
            assert!(len > 0, "README example wrote nothing to {f}: {full}");
        }
        assert!(
            !out.stdout.is_empty() || cmd.contains('>') || written.is_some(),
            "README example printed nothing: {full}"
        );
        ran += 1;
    }
    assert!(ran >= 9, "expected README examples to run, ran {ran}");
    // The examples column of the options table: inline `logtriage ...` code in table rows.
    let mut table_ran = 0;
    for line in readme.lines().filter(|l| l.starts_with('|')) {
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 && span.starts_with("logtriage ") {
                run(span);
                table_ran += 1;
            }
        }
    }
    assert!(
        table_ran >= 10,
        "expected the options table examples to run, ran {table_ran}"
    );
    // The rules file the README shows is the one the examples use.
    let shown = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block in the README");
    let file = std::fs::read_to_string(root.join("docs/rules-example.toml")).unwrap();
    assert_eq!(
        shown, file,
        "README's toml block and docs/rules-example.toml differ"
    );
}
