//! `watch`: the JSON lines (events, then the summary) and the live view, over hand-made
//! values.

use std::collections::BTreeMap;

use logtriage::model::BySource;
use logtriage::render::watch::{JsonLines, Live, Summary};
use logtriage::rules::Severity;
use logtriage::watch::alerts::AlertEvent;
use logtriage::watch::event::{WatchEvent, ZoneEvent};
use logtriage::watch::view::{AlertLine, EndpointP95, ErrorTypeCount, LiveView, WindowPoint};
use logtriage::watch::window::WindowEvent;

use crate::rendered;
use crate::values::{TERMINAL, report};

fn events() -> Vec<WatchEvent> {
    vec![
        WatchEvent::Zone(ZoneEvent {
            input: format!("logs/{TERMINAL}.log"),
            zone: "UTC+02:00".into(),
            note: "naive stamps read as UTC+02:00".into(),
        }),
        WatchEvent::Window(WindowEvent {
            start: "2025-05-06T04:01:00.000Z".into(),
            end: "2025-05-06T04:01:10.000Z".into(),
            lines: 20,
            errors: 12,
            warnings: 1,
            status_5xx: BySource { app: 0, nginx: 2 },
            p95_ms: BySource {
                app: Some(1800.0),
                nginx: None,
            },
            error_types: BTreeMap::from([(TERMINAL.to_string(), 12)]),
            late_lines: 0,
        }),
        WatchEvent::Alert(AlertEvent {
            state: "firing",
            rule: "error_rate".into(),
            subject: Some(format!("POST /pay {TERMINAL}")),
            severity: Severity::Critical,
            description: "share of ERROR lines above the baseline".into(),
            count: 12,
            detail: Some("60% of lines vs 2% before".into()),
            at: "2025-05-06T04:01:10.000Z".into(),
            since: "2025-05-06T04:01:10.000Z".into(),
        }),
    ]
}

#[test]
fn watch_json_lines() {
    let mut out: String = events().iter().map(|e| rendered(&JsonLines, e)).collect();
    let report = report();
    let last = Summary {
        oversized_lines: 1,
        late_lines: 3,
        report: &report,
    };
    out.push_str(&rendered(&JsonLines, &last));
    // One object per line, the summary last; the report inside is the report's own JSON.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[3].starts_with(
        r#"{"type":"summary","oversized_lines":1,"late_lines":3,"report":{"version":1,"headline":"#
    ));
    let summary: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    let alone: serde_json::Value = serde_json::to_value(&report).unwrap();
    assert_eq!(summary["report"], alone);
    insta::assert_snapshot!(lines[..3].join("\n"));
}

/// The view of a hand-made `LiveView`: formatting only, log text escaped. The screen control
/// that opens each redraw (`ESC[H ESC[2J`) is shown as `{ESC}`.
#[test]
fn watch_live_view() {
    let point = |lines, p95_ms| WindowPoint {
        lines,
        errors: lines / 2,
        status_5xx: 1,
        p95_ms,
    };
    let v = LiveView {
        lines: 300,
        lines_per_sec: 150.0,
        event_time: Some("2026-11-25T03:16:09.000Z".to_string()),
        window_secs: 10.0,
        lateness_secs: 5.0,
        late: 2,
        oversized: 0,
        in_flight: 7,
        windows: vec![point(100, Some(12.0)), point(200, None)],
        errors_per_min: 600.0,
        newest_5xx: 1,
        alerts: vec![AlertLine {
            severity: "critical",
            rule: "upstream_timeout".to_string(),
            subject: Some(format!("GET /x {TERMINAL}")),
            since: "2026-11-25T03:16:01.000Z".to_string(),
            count: 5,
            detail: None,
        }],
        endpoints: vec![EndpointP95 {
            p95_ms: 2500.0,
            count: 10,
            endpoint: format!("POST /pay {TERMINAL}"),
            side: "nginx",
        }],
        error_types: vec![ErrorTypeCount {
            count: 3,
            name: format!("Timeout{TERMINAL}"),
        }],
    };
    let live = Live {
        color: false,
        inputs: vec!["<stdin>".to_string(), format!("logs/{TERMINAL}.log")],
        width: 80,
        height: 24,
    };
    let screen = rendered(&live, &v);
    // The only raw escapes are the redraw's own (a synchronized update, home, a clear to
    // the end of each line and of the screen): the log's are made visible.
    assert!(screen.starts_with("\x1b[?2026h\x1b[H"));
    assert!(screen.ends_with("\x1b[J\x1b[?2026l"));
    let own = 4 + screen.matches("\x1b[K").count();
    assert_eq!(screen.matches('\x1b').count(), own);
    insta::assert_snapshot!(screen.replace('\x1b', "{ESC}"));
}
