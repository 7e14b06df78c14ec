//! Fuzz target `json_scan`: libFuzzer's driver around `bodies::json_scan`, where the property lives
//! (shared with the stable replay in `tests/fuzz_replay.rs`). Must hold no logic of its own.
#![no_main]

#[allow(dead_code)]
#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::json_scan(data));
