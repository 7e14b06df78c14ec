//! The fuzz targets' bodies over their committed inputs, on stable: every file in
//! `fuzz/corpus/<target>/` and, when a local fuzz run left any, `fuzz/artifacts/<target>/`.
//! A crash once found and added to a corpus stays a regression test without nightly or
//! cargo-fuzz. Owns only the replay; the properties live in `fuzz/bodies.rs`.

#[path = "../fuzz/bodies.rs"]
mod bodies;

use std::path::Path;

/// The files of one input directory, sorted so a failure names the same file every run.
fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_file_passes_its_target() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut failed = Vec::new();
    for (name, body) in bodies::TARGETS {
        let seeds = inputs(&fuzz.join("corpus").join(name));
        assert!(
            seeds.len() >= 10,
            "fuzz/corpus/{name} holds {} seeds",
            seeds.len()
        );
        let crashes = inputs(&fuzz.join("artifacts").join(name));
        for file in seeds.iter().chain(&crashes) {
            let data = std::fs::read(file).unwrap();
            // Every file runs; the failing ones are named together at the end (each body's
            // panic message is on stderr above).
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                failed.push(file.display().to_string());
            }
        }
    }
    assert!(failed.is_empty(), "fuzz inputs that fail: {failed:#?}");
}
