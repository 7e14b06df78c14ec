//! Seeded generator of large, realistic log corpora for throughput benchmarks. Same seed and
//! size, same bytes (std only: no dependencies, a splitmix64 PRNG, no hash-map iteration).
//!
//! ```text
//! cargo run --release --example gen_corpus -- [--out DIR] [--size 1GiB] [--seed 42]
//!     [--only app|error|access|compact] [--load daily|steady]
//! ```
//!
//! One discrete-event simulation of a Python/FastAPI service (python-json-logger) behind one of
//! two nginx ingress replicas drives all three files, so they tell the same story:
//!
//! - `app.log` (`--size` bytes): per request `request started`, sometimes 1-2 intermediate lines,
//!   `request finished` with `status` and `duration_ms` equal to the time between the two lines
//!   (log-normal latency with a heavy tail). Concurrent requests interleave; ~1.3% of lines are
//!   ERROR (an `exc_info` Python traceback, then a 5xx completion); ~0.5% of requests hang and
//!   never finish. Timestamps are monotonic over ~6 hours (01:00-07:00 UTC on 2025-05-06).
//! - `nginx-access.log` (~20% of `--size`): `combined` plus `request_id=` ... `upstream_addr=`
//!   for the share of requests this replica proxied, with the same request ids.
//! - `nginx-error.log` (~20% of `--size`): the proxy's view of failing requests (timeouts at
//!   60 s, closed/reset upstreams, refused connections, no live upstreams, 413s) plus the usual
//!   noise (temp-file buffering warnings, favicon and scanner 404s, rate limiting), start-up and
//!   reload notices. Connection ids increase.
//!
//! - `app-compact.log` (`--size` bytes): a second app-log shape from its own small simulation
//!   (see `compact`): compact JSON with `timestamp`/`level`/`logger`/`msg`/`request_id`/
//!   `endpoint`/`method`, 2-6 lines per request, a 12:00-12:10 burst of errors and latency.
//!
//! Incident 04:00-04:10: the database fails over (sqlalchemy errors, pool timeouts, 5xx, 6-8x
//! latency, more hung requests), pod 10.0.0.8 is down for three minutes and all pods for 30 s
//! (`no live upstreams`; no new requests reach the app), nginx runs out of worker connections.
//!
//! This file owns the command line and the run: it parses arguments, runs the simulation and
//! reports the files; it must not shape a line or draw from the PRNG. The modules: `rng` (the
//! PRNG), `clock` (timestamps and digits), `scenario` (the incident timeline and load),
//! `catalog` (endpoints, tracebacks, message ids), `sink` (output files), `request` (deciding one
//! request), `sim` (the event loop), `app` and `nginx` (the writers of the three files).

mod app;
mod catalog;
mod clock;
mod compact;
mod nginx;
mod request;
mod rng;
mod scenario;
mod sim;
mod sink;

use std::io;
use std::path::PathBuf;
use std::time::Instant;

use sim::Gen;
use sink::{IN_ACCESS, IN_APP, IN_COMPACT, IN_ERROR};

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let n: f64 = s[..split].parse().ok()?;
    let mult = match s[split..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1_048_576.0,
        "g" | "gb" => 1e9,
        "gib" => 1_073_741_824.0,
        _ => return None,
    };
    Some((n * mult) as u64).filter(|&b| b > 0)
}

const USAGE: &str =
    "usage: gen_corpus [--out DIR] [--size SIZE] [--seed N] [--only app|error|access|compact] [--load daily|steady]
  --out DIR     output directory (default target/bench-corpus)
  --size SIZE   app.log size, e.g. 1GiB, 200MB, 64MiB (default 1GiB); nginx-error.log and
                nginx-access.log are each ~20% of it
  --seed N      PRNG seed (default 42); same seed and size, same bytes
  --only KIND   write only app, error, access or compact (comma-separated list allowed)
  --load KIND   daily (default): traffic swells over the span and rises in the incident;
                steady: one request rate throughout";

fn usage(msg: &str) -> ! {
    eprintln!("gen_corpus: {msg}\n{USAGE}");
    std::process::exit(2)
}

struct Args {
    dir: PathBuf,
    size: u64,
    seed: u64,
    enabled: u8,
}

/// The arguments, or `None` when `--help` asked for the usage (already printed). `--load` is
/// not returned: it switches the scenario's global rate shape directly.
fn parse_args() -> Option<Args> {
    let mut a = Args {
        dir: PathBuf::from("target/bench-corpus"),
        size: 1u64 << 30,
        seed: 42u64,
        enabled: IN_APP | IN_ERROR | IN_ACCESS | IN_COMPACT,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return None;
        }
        let value = inline
            .or_else(|| args.next())
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--out" => a.dir = PathBuf::from(value),
            "--size" => {
                a.size =
                    parse_size(&value).unwrap_or_else(|| usage(&format!("bad --size {value:?}")))
            }
            "--seed" => {
                a.seed = value
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("bad --seed {value:?}")))
            }
            "--only" => a.enabled = parse_only(&value),
            "--load" => match value.as_str() {
                "daily" => scenario::set_steady(false),
                "steady" => scenario::set_steady(true),
                _ => usage(&format!("bad --load {value:?}")),
            },
            _ => usage(&format!("unknown argument {flag:?}")),
        }
    }
    Some(a)
}

fn parse_only(value: &str) -> u8 {
    let mut enabled = 0;
    for kind in value.split(',') {
        enabled |= match kind {
            "app" => IN_APP,
            "error" => IN_ERROR,
            "access" => IN_ACCESS,
            "compact" => IN_COMPACT,
            _ => usage(&format!("bad --only {kind:?}")),
        };
    }
    enabled
}

fn main() -> io::Result<()> {
    let Some(Args {
        dir,
        size,
        seed,
        enabled,
    }) = parse_args()
    else {
        return Ok(());
    };
    std::fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let mut g = Gen::new(seed, &dir, size, enabled)?;
    if enabled & (IN_APP | IN_ERROR | IN_ACCESS) != 0 {
        g.run(size)?;
    }
    for (sink, bit) in [
        (&g.app, IN_APP),
        (&g.error, IN_ERROR),
        (&g.access, IN_ACCESS),
    ] {
        if enabled & bit != 0 {
            println!(
                "{:<40} {:>13} bytes {:>10} lines {:>7.1} bytes/line",
                sink.path.display(),
                sink.bytes,
                sink.lines,
                sink.bytes as f64 / sink.lines.max(1) as f64
            );
        }
    }
    if enabled & IN_COMPACT != 0 {
        let path = dir.join("app-compact.log");
        let (bytes, lines) = compact::write(&path, size, seed)?;
        println!(
            "{:<40} {:>13} bytes {:>10} lines {:>7.1} bytes/line",
            path.display(),
            bytes,
            lines,
            bytes as f64 / lines.max(1) as f64
        );
    }
    eprintln!(
        "gen_corpus: {:.1} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
