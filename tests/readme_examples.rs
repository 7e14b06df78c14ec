//! The README's console examples run against the real binary, so the docs cannot rot.
//! Every `$ logtriage ...` line in a console block runs from the repository root with the
//! built binary first on PATH; lines that write to the user's home or open a pager are skipped.

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
    let mut in_console = false;
    let mut ran = 0;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        let Some(cmd) = line.strip_prefix("$ logtriage") else {
            continue;
        };
        if !in_console || cmd.contains('~') || cmd.contains("man ./") {
            continue;
        }
        // Comments after the command are prose; outputs land in a scratch directory.
        let cmd = cmd.split("  #").next().unwrap().replace(
            "> logtriage.1",
            &format!("> {}/logtriage.1", tmp.path().display()),
        );
        let full = format!("set -o pipefail; logtriage{cmd}");
        let out = Command::new("bash")
            .arg("-c")
            .arg(&full)
            .current_dir(root)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README example failed: {full}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !out.stdout.is_empty() || cmd.contains('>'),
            "README example printed nothing: {full}"
        );
        ran += 1;
    }
    assert!(ran >= 4, "expected README examples to run, ran {ran}");
}
