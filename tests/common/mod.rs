//! Shared by the binary tests on testdata/: the bundled logs, the manifest that says how they
//! were made, and the command under test.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

/// Every log in testdata/, in the order the tests pass them.
pub const FILES: [&str; 6] = [
    "app.log",
    "node-app.log",
    "worker.log",
    "nginx-access.log",
    "nginx-access.json.log",
    "nginx-error.log",
];

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// testdata/manifest.json: what the generator sent and how the services answered.
pub fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("testdata/manifest.json")).unwrap())
        .unwrap()
}

/// `logtriage SUBCOMMAND` run from the repository root.
pub fn logtriage(subcommand: &str) -> Command {
    let mut cmd = Command::cargo_bin("logtriage").unwrap();
    cmd.current_dir(root()).arg(subcommand);
    cmd
}

/// Appends every testdata log to `cmd`.
pub fn with_all_logs(cmd: &mut Command) -> &mut Command {
    for f in FILES {
        cmd.arg(format!("testdata/{f}"));
    }
    cmd
}
