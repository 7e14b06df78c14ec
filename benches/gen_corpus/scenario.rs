//! The incident timeline and the traffic shape: when the six hours start, when the database
//! fails over and which pods are down, how load and latency move with it, and the calibration
//! that turns `--size` into a request rate. Pure functions of time; it must not draw from the
//! PRNG or format lines.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::clock::SEC;

pub(crate) const START: u64 = 1_746_493_200 * SEC; // 2025-05-06 01:00:00 UTC
const SPAN: u64 = 6 * 3600 * SEC;
pub(crate) const INCIDENT: u64 = START + 3 * 3600 * SEC; // 04:00:00
const INCIDENT_LEN: u64 = 600 * SEC;
/// Pod 10.0.0.8 refuses connections in this part of the incident (seconds into it).
pub(crate) const POD_DOWN: (u64, u64) = (150, 330);
/// Index into `catalog::PODS` of the pod that `POD_DOWN` takes down.
pub(crate) const DOWN_POD: usize = 1;
/// Every pod is down: nginx has no live upstream, the app logs nothing.
pub(crate) const ALL_DOWN: (u64, u64) = (270, 300);
/// `nginx -s reload` for a config change after the incident.
pub(crate) const RELOAD: u64 = INCIDENT + 12 * 60 * SEC + 31 * SEC + 417_000;
/// nginx `proxy_read_timeout`.
pub(crate) const PROXY_TIMEOUT: u64 = 60 * SEC;

/// Calibration, measured on this generator's own output so that the files come out at the
/// documented sizes for any `--size`: app bytes per request, the share of requests that pass
/// through this nginx replica, and nginx noise lines per request.
const APP_BYTES_PER_REQUEST: f64 = 613.0;
pub(crate) const ACCESS_SHARE: f64 = 0.453;
pub(crate) const NOISE_PER_REQUEST: f64 = 0.388;

/// Requests per second at load 1.0 that make `app.log` come out at `size` bytes.
pub(crate) fn requests_per_sec(size: u64) -> f64 {
    size as f64 / (APP_BYTES_PER_REQUEST * (SPAN / SEC) as f64)
}

pub(crate) fn incident_secs(t: u64) -> Option<u64> {
    (INCIDENT..INCIDENT + INCIDENT_LEN)
        .contains(&t)
        .then(|| (t - INCIDENT) / SEC)
}

pub(crate) fn in_window(t: u64, w: (u64, u64)) -> bool {
    incident_secs(t).is_some_and(|s| s >= w.0 && s < w.1)
}

/// Health checks fail while the database is unreachable.
pub(crate) fn health_failing(incident: Option<u64>) -> bool {
    incident.is_some_and(|s| s < 420)
}

/// `--load steady`: one request rate throughout (for memory benchmarks of streams).
static STEADY: AtomicBool = AtomicBool::new(false);

pub(crate) fn set_steady(steady: bool) {
    STEADY.store(steady, Ordering::Relaxed);
}

/// Relative request rate: a gentle daily-traffic swell over the span, and client retries
/// during the incident (or flat with `--load steady`).
pub(crate) fn load(t: u64) -> f64 {
    if STEADY.load(Ordering::Relaxed) {
        return 1.0;
    }
    let frac = t.saturating_sub(START) as f64 / SPAN as f64;
    let s = (std::f64::consts::PI * frac).sin();
    let base = 0.8 + 0.4 * s * s;
    if incident_secs(t).is_some() {
        base * 1.3
    } else {
        base
    }
}

/// Latency multiplier: ramps up over the first minute of the incident, back down in the last.
pub(crate) fn slowdown(t: u64) -> f64 {
    match incident_secs(t) {
        None => 1.0,
        Some(s) => {
            let ramp = (s.min(600 - s) as f64 / 60.0).min(1.0);
            1.0 + 6.0 * ramp
        }
    }
}
