//! Unit tests of `watch`'s state: windows closing, alerts firing and resolving, hung and
//! expiring requests, fed through a `Watcher` as `cmd/watch.rs` feeds it.

use super::*;
use crate::parse::time::format_utc;
use crate::parse::{FieldSpec, Zone};
use crate::rules::Severity;

const S: Micros = 1_000_000;
/// 2026-11-25T03:16:00Z
const T0: Micros = 1_795_576_560 * S;

fn watcher(lateness: Micros) -> Watcher {
    watcher_with(lateness, |_| {})
}

/// A watcher whose alert rules are `report`'s with `tweak` applied (as `--alert-*` do).
fn watcher_with(lateness: Micros, tweak: impl Fn(&mut crate::rules::Rule)) -> Watcher {
    let rules = Arc::new(RuleSet::default());
    let mut alert_rules = (*rules).clone();
    alert_rules.rules.iter_mut().for_each(tweak);
    let p = Params {
        window: 10 * S,
        lateness,
        request_ttl: 600 * S,
        alert_rules: Arc::new(alert_rules),
        hold: 60 * S,
        keep_windows: 60,
    };
    let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
    let opts = AggOptions {
        rules: Some(rules),
        ..AggOptions::default()
    };
    Watcher::new(p, parser, 1, &opts)
}

fn app(t: Micros, level: &str, msg: &str) -> String {
    format!(
        r#"{{"time":"{}","level":"{level}","msg":"{msg}","request_id":"r{t}"}}"#,
        format_utc(t)
    )
}

fn nginx_timeout(t: Micros) -> String {
    let dt = chrono::DateTime::from_timestamp_micros(t).unwrap();
    format!(
        "{} [error] 1#1: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: x, request: \"POST /pay HTTP/1.1\", upstream: \"http://10.0.0.7:8000/pay\", host: \"x\"",
        dt.format("%Y/%m/%d %H:%M:%S")
    )
}

fn feed(w: &mut Watcher, lines: &[String]) {
    for (i, l) in lines.iter().enumerate() {
        w.feed(0, i as u64 * 1000, l.as_bytes(), 0);
    }
    // The stream pauses: the last record is not waiting for a line that continues it.
    w.flush_idle(Micros::MAX);
}

fn windows(ev: &[WatchEvent]) -> Vec<(String, u64, u64, u64)> {
    ev.iter()
        .filter_map(|e| match e {
            WatchEvent::Window(w) => Some((w.start.clone(), w.lines, w.errors, w.late_lines)),
            _ => None,
        })
        .collect()
}

fn alerts(ev: &[WatchEvent]) -> Vec<(&str, &'static str)> {
    ev.iter()
        .filter_map(|e| match e {
            WatchEvent::Alert(a) => Some((a.rule.as_str(), a.state)),
            _ => None,
        })
        .collect()
}

#[test]
fn windows_close_after_lateness_and_late_lines_are_counted() {
    let mut w = watcher(5 * S);
    feed(
        &mut w,
        &[
            app(T0 + S, "info", "a"),
            app(T0 + 9 * S, "error", "b"),
            app(T0 + 12 * S, "info", "c"),
        ],
    );
    // Newest line at +12s: [0, 10) may still get lines until +15s.
    assert!(windows(&w.tick(0)).is_empty());
    // A line 6 s behind the newest is still in time.
    feed(
        &mut w,
        &[app(T0 + 8 * S, "info", "d"), app(T0 + 15 * S, "info", "e")],
    );
    assert_eq!(
        windows(&w.tick(0)),
        vec![(format_utc(T0), 3, 1, 0)],
        "window [0,10) closes once the newest line is at +15s"
    );
    // Now [0, 10) is closed: a line for it is late.
    feed(&mut w, &[app(T0 + 2 * S, "info", "late")]);
    // An untimed line lands at the newest event time (+15s window).
    feed(&mut w, &["plain text, no time".to_string()]);
    let end = w.finish();
    assert_eq!(windows(&end), vec![(format_utc(T0 + 10 * S), 2, 0, 1)]);
    assert_eq!(w.counters.late, 1);
    assert_eq!(w.counters.lines, 7);
    // The summary still counts every line.
    assert_eq!(w.summary.files[0].lines, 7);
}

#[test]
fn upstream_alert_fires_on_the_fifth_timeout_and_resolves_after_the_hold() {
    // As `--alert-upstream 5`: five timeouts in a window.
    let mut w = watcher_with(0, |r| {
        if r.id == "upstream_timeout" {
            r.params.min_count = 5;
        }
    });
    let lines: Vec<String> = (0..4).map(|i| nginx_timeout(T0 + i * S)).collect();
    feed(&mut w, &lines);
    assert!(alerts(&w.tick(0)).is_empty());
    feed(&mut w, &[nginx_timeout(T0 + 5 * S)]);
    let ev = w.tick(0);
    assert_eq!(alerts(&ev), vec![("upstream_timeout", "firing")], "{ev:?}");
    let WatchEvent::Alert(a) = ev
        .iter()
        .find(|e| matches!(e, WatchEvent::Alert(_)))
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!((a.count, a.severity), (5, Severity::Critical));
    assert_eq!(a.since, format_utc(T0 + 5 * S));
    // Still firing while the window [0, 10) overlaps the last minute: no new event.
    feed(&mut w, &[app(T0 + 30 * S, "info", "ok")]);
    assert!(alerts(&w.tick(0)).is_empty());
    assert_eq!(w.firing().len(), 1);
    // At +70s the window has left the minute: resolved.
    feed(&mut w, &[app(T0 + 70 * S, "info", "ok")]);
    let ev = w.tick(0);
    assert_eq!(
        alerts(&ev),
        vec![("upstream_timeout", "resolved")],
        "{ev:?}"
    );
    assert!(w.firing().is_empty());
}

#[test]
fn report_rules_fire_as_alerts_with_their_own_thresholds() {
    // By default one timeout in a window flags, as in `report`.
    let mut w = watcher(0);
    feed(&mut w, &[nginx_timeout(T0)]);
    assert_eq!(alerts(&w.tick(0)), vec![("upstream_timeout", "firing")]);

    // latency_spike: p95 over 2 s for one endpoint, named as the alert's subject.
    let mut w = watcher(0);
    let slow: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{"time":"{}","level":"info","msg":"done","method":"POST","path":"/pay","status":200,"duration_ms":{}}}"#,
                format_utc(T0 + i * S / 2),
                2500 + i
            )
        })
        .collect();
    feed(&mut w, &slow);
    let ev = w.tick(0);
    let a: Vec<&AlertEvent> = ev
        .iter()
        .filter_map(|e| match e {
            WatchEvent::Alert(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(a.len(), 1, "{ev:?}");
    assert_eq!(a[0].rule, "latency_spike");
    assert_eq!(a[0].subject.as_deref(), Some("POST /pay (app)"));
    assert_eq!(a[0].count, 10);

    // restart: a start-up line in the stream's first window is its beginning, later one
    // is a restart.
    let mut w = watcher(0);
    feed(&mut w, &[app(T0, "info", "Application startup complete.")]);
    assert!(alerts(&w.tick(0)).is_empty());
    feed(
        &mut w,
        &[app(T0 + 30 * S, "info", "Application startup complete.")],
    );
    assert_eq!(alerts(&w.tick(0)), vec![("restart", "firing")]);
}

/// An nginx access line for request `id`, `status` at time `t`.
fn access(t: Micros, id: &str, status: u16) -> String {
    let dt = chrono::DateTime::from_timestamp_micros(t).unwrap();
    format!(
        "10.0.0.1 - - [{}] \"POST /pay HTTP/1.1\" {status} 0 \"-\" \"curl\" request_id={id} request_time=60.001 upstream_response_time=60.000 upstream_status={status} upstream_addr=10.0.0.7:8000",
        dt.format("%d/%b/%Y:%H:%M:%S +0000")
    )
}

#[test]
fn requests_nginx_gave_up_on_after_the_app_saw_them_are_hung() {
    let mut w = watcher(0);
    let start = |t: Micros, id: &str| {
        format!(
            r#"{{"time":"{}","level":"info","msg":"calling provider","request_id":"{id}"}}"#,
            format_utc(t)
        )
    };
    let finish = |t: Micros, id: &str| {
        format!(
            r#"{{"time":"{}","level":"info","msg":"done","request_id":"{id}","status":200,"duration_ms":5}}"#,
            format_utc(t)
        )
    };
    feed(
        &mut w,
        &[
            start(T0, "timedout"),
            start(T0 + S, "closed"),
            start(T0 + 2 * S, "fine"),
            finish(T0 + 3 * S, "fine"),
            access(T0 + 3 * S, "fine", 200),
            // Refused: nginx alone, the app never saw it.
            access(T0 + 4 * S, "refused", 502),
        ],
    );
    assert!(alerts(&w.tick(0)).is_empty());
    assert_eq!(w.windows.all()[&T0].hung, 0);
    feed(
        &mut w,
        &[
            access(T0 + 30 * S, "closed", 502),
            access(T0 + 60 * S, "timedout", 504),
        ],
    );
    // Each counts in the window where nginx gave up on it.
    assert_eq!(w.windows.all()[&T0].hung, 0);
    assert_eq!(w.windows.all()[&(T0 + 30 * S)].hung, 1);
    assert_eq!(w.windows.all()[&(T0 + 60 * S)].hung, 1);
    let ev = w.tick(0);
    assert!(alerts(&ev).contains(&("hung_requests", "firing")), "{ev:?}");
    // Where they stopped: their last app message.
    let hung = w.firing().into_iter().find(|a| a.rule == "hung_requests");
    let detail = hung.unwrap().detail.clone().unwrap();
    assert!(
        detail.ends_with(": 2 stopped after \"calling provider\""),
        "{detail}"
    );
}

#[test]
fn error_share_alert_needs_enough_lines() {
    let mut w = watcher(0);
    // 10 lines in one window, half errors: too few lines to judge (min_lines 20).
    let line = |i: i64| {
        app(
            T0 + i * S / 4,
            if i % 2 == 0 { "error" } else { "info" },
            "x",
        )
    };
    let few: Vec<String> = (0..10).map(line).collect();
    feed(&mut w, &few);
    assert!(alerts(&w.tick(0)).is_empty());
    let more: Vec<String> = (10..30).map(line).collect();
    feed(&mut w, &more);
    assert_eq!(alerts(&w.tick(0)), vec![("error_rate_spike", "firing")]);
}

#[test]
fn finished_and_stale_requests_leave_the_in_flight_set() {
    let mut w = watcher(0);
    feed(
        &mut w,
        &[
            app(T0, "info", "start"),
            format!(
                r#"{{"time":"{}","level":"info","msg":"done","request_id":"r{}","status":200}}"#,
                format_utc(T0 + S),
                T0
            ),
            app(T0 + 2 * S, "info", "start other"),
        ],
    );
    w.tick(0);
    assert_eq!(w.counters.in_flight, 1);
    feed(&mut w, &[app(T0 + 700 * S, "info", "much later")]);
    w.tick(0);
    // The other request is past its TTL; the new one is in flight.
    assert_eq!(w.counters.in_flight, 1);
}

#[test]
fn requests_quiet_for_the_ttl_leave_memory_but_stay_in_the_summary() {
    let mut w = watcher(0);
    w.p.request_ttl = 60 * S;
    let early: Vec<String> = (0..50)
        .map(|i| app(T0 + i * S / 10, "error", "boom"))
        .collect();
    feed(&mut w, &early);
    w.tick(0);
    feed(&mut w, &[app(T0 + 200 * S, "info", "later")]);
    w.tick(0);
    assert_eq!(w.retired.total(), 50);
    w.summary.requests.finish(&w.summary.names);
    assert_eq!(w.summary.requests.len(), 1);
    let retired = std::mem::take(&mut w.retired);
    let ctx = crate::report::Context {
        rules: None,
        retired: Some(&retired),
        paths: &["<stdin>".to_string()],
        errors: &[None],
        timezone: "UTC",
        zones: &[],
        top: 10,
    };
    let r = crate::report::Report::build(w.summary, &ctx);
    assert_eq!(r.requests.total, 51);
    // None of them logged an end (status or latency), and this source never logs one:
    // nothing is unfinished. The 50 with an error line failed, retired or not; the other's
    // outcome is unknown.
    assert_eq!(r.requests.outcomes.unfinished, 0);
    assert_eq!(r.requests.outcomes.error, 50);
    assert_eq!(r.requests.outcomes.unknown, 1);
    assert_eq!(r.requests.with_errors, 50);
    assert_eq!(r.requests.unfinished, None);
}
