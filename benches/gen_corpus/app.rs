//! The app log's writers: python-json-logger lines for the steps of a request's script and the
//! app's periodic lines (feature flags, pool status, database reconnects). Request lines only
//! format what the simulation decided; the few draws of the periodic lines (a checked-out
//! count, an attempt number, the next due time) are part of the simulation's order, so it must
//! not add, drop or reorder any.

use std::io;

use crate::catalog::{
    ENDPOINTS, MID_BATCH, MID_CACHE_FEED, MID_CACHE_ITEM, MID_CACHE_USER, MID_LOCK, MID_LOGGER,
    MID_PAYMENT, MID_SEARCH, MID_STORED, WARN_AUTH, WARN_DB_RETRY, WARN_LOGGER, WARN_RATE,
    WARN_RETRY, WARN_SLOW, WARN_VALIDATION,
};
use crate::clock::{SEC, StampCache, hex, num, pad3, py_ms};
use crate::request::{Act, Req};
use crate::scenario::incident_secs;
use crate::sim::Gen;

impl Gen {
    /// The app's line for one step of a request's script (not the nginx steps).
    pub(crate) fn app_line(&mut self, t: u64, slot: usize, act: Act) -> io::Result<()> {
        let r = &self.reqs[slot];
        let ep = &ENDPOINTS[r.ep];
        let w = &mut self.app.line;
        let (level, name): (&str, &str) = match act {
            Act::Mid(m) => ("INFO", MID_LOGGER[m as usize]),
            Act::Warn(k) => ("WARNING", WARN_LOGGER[k as usize]),
            Act::Failed | Act::HealthFailed => ("ERROR", "app.api"),
            Act::Finished if r.status >= 500 => ("ERROR", "app.api"),
            _ => ("INFO", "app.api"),
        };
        app_head(w, &mut self.app.stamp, t, level, name);
        match act {
            Act::Started => w.extend_from_slice(b"request started"),
            Act::Finished => w.extend_from_slice(b"request finished"),
            Act::Failed => w.extend_from_slice(b"request failed"),
            Act::HealthFailed => w.extend_from_slice(b"health check failed: database unreachable"),
            Act::Mid(m) => mid_line(w, m, r),
            Act::Warn(k) => warn_line(w, k),
            _ => unreachable!(),
        }
        w.push(b'"');
        if let Act::Failed = act {
            // python-json-logger puts exc_info right after the format's fields.
            w.extend_from_slice(b", \"exc_info\": \"");
            w.extend_from_slice(&self.tracebacks[r.tb as usize]);
            w.push(b'"');
        }
        w.extend_from_slice(b", \"request_id\": \"");
        hex(w, &r.id);
        w.extend_from_slice(b"\", \"method\": \"");
        w.extend_from_slice(ep.method.as_bytes());
        w.extend_from_slice(b"\", \"path\": \"");
        w.extend_from_slice(&r.path);
        w.push(b'"');
        match act {
            Act::Finished => {
                w.extend_from_slice(b", \"status\": ");
                num(w, r.status as u64);
                w.extend_from_slice(b", \"duration_ms\": ");
                py_ms(w, r.dur);
            }
            Act::Mid(MID_STORED) => {
                w.extend_from_slice(b", \"samples\": ");
                num(w, r.n);
            }
            Act::Mid(MID_SEARCH) => {
                w.extend_from_slice(b", \"hits\": ");
                num(w, r.n);
            }
            Act::Warn(WARN_RETRY) => w.extend_from_slice(b", \"attempt\": 2"),
            _ => {}
        }
        w.push(b'}');
        self.app.commit()
    }

    /// Timer 0: the scheduler's feature-flag refresh, once a minute.
    pub(crate) fn flags_refreshed(&mut self, t: u64) -> io::Result<u64> {
        let w = &mut self.app.line;
        app_head(w, &mut self.app.stamp, t, "INFO", "app.scheduler");
        w.extend_from_slice(b"refreshed feature flags\", \"flags\": 42}");
        self.app.commit()?;
        Ok(t + 60 * SEC)
    }

    /// Timer 1: connection pool status, every 30 s; exhausted and every 2 s in the incident.
    pub(crate) fn pool_status(&mut self, t: u64) -> io::Result<u64> {
        let incident = incident_secs(t).is_some();
        let out = if incident { 20 } else { self.rng.range(1, 9) };
        let w = &mut self.app.line;
        app_head(
            w,
            &mut self.app.stamp,
            t,
            if incident { "WARNING" } else { "INFO" },
            "app.db",
        );
        w.extend_from_slice(if incident {
            b"connection pool exhausted".as_slice()
        } else {
            b"connection pool status"
        });
        w.extend_from_slice(b"\", \"pool_size\": 20, \"checked_out\": ");
        num(w, out);
        w.extend_from_slice(b", \"overflow\": ");
        num(w, if incident { 10 } else { 0 });
        w.push(b'}');
        self.app.commit()?;
        Ok(t + if incident { 2 * SEC } else { 30 * SEC })
    }

    /// Timer 2: reconnect errors while the database is failing over (first 7 minutes).
    pub(crate) fn db_reconnecting(&mut self, t: u64) -> io::Result<u64> {
        if incident_secs(t).is_none_or(|s| s > 420) {
            return Ok(u64::MAX);
        }
        let w = &mut self.app.line;
        app_head(w, &mut self.app.stamp, t, "ERROR", "app.db");
        w.extend_from_slice(b"lost connection to database, reconnecting\", \"attempt\": ");
        num(w, 1 + self.rng.below(5));
        w.push(b'}');
        self.app.commit()?;
        Ok(t + self.rng.range(3 * SEC, 15 * SEC))
    }
}

/// `{"asctime": "...", "levelname": "...", "name": "...", "message": "` (message left open).
fn app_head(w: &mut Vec<u8>, stamp: &mut StampCache, t: u64, level: &str, name: &str) {
    w.extend_from_slice(b"{\"asctime\": \"");
    w.extend_from_slice(stamp.get(t));
    w.push(b',');
    pad3(w, t / 1000 % 1000);
    w.extend_from_slice(b"\", \"levelname\": \"");
    w.extend_from_slice(level.as_bytes());
    w.extend_from_slice(b"\", \"name\": \"");
    w.extend_from_slice(name.as_bytes());
    w.extend_from_slice(b"\", \"message\": \"");
}

fn mid_line(w: &mut Vec<u8>, m: u8, r: &Req) {
    match m {
        MID_CACHE_ITEM => {
            w.extend_from_slice(b"cache miss for key item:");
            num(w, r.n);
        }
        MID_CACHE_USER => {
            w.extend_from_slice(b"cache miss for key user:");
            num(w, r.n % 50_000);
        }
        MID_PAYMENT => w.extend_from_slice(b"calling payment provider"),
        MID_BATCH => w.extend_from_slice(b"loading batch"),
        MID_STORED => w.extend_from_slice(b"stored samples"),
        MID_SEARCH => w.extend_from_slice(b"search backend responded"),
        MID_LOCK => {
            w.extend_from_slice(b"acquired lock cart:");
            num(w, r.n);
        }
        MID_CACHE_FEED => {
            w.extend_from_slice(b"cache miss for key feed:");
            num(w, r.n);
        }
        _ => w.extend_from_slice(b"querying database"),
    }
}

fn warn_line(w: &mut Vec<u8>, k: u8) {
    w.extend_from_slice(match k {
        WARN_RETRY => b"payment provider slow, retrying".as_slice(),
        WARN_RATE => b"rate limit exceeded for client",
        WARN_AUTH => b"invalid credentials",
        WARN_SLOW => b"request exceeded latency budget of 2000 ms",
        WARN_VALIDATION => b"validation failed: field required (body.data.metrics)",
        WARN_DB_RETRY => b"database query retried after disconnect",
        _ => b"cart was modified concurrently",
    });
}
