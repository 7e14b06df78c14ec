//! Finished values built by hand, shared by the snapshot tests: one report with something in
//! every section, and the hostile strings log text may carry.

use std::collections::BTreeMap;

use logtriage::aggregate::outcome::{Outcomes, RequestOutcome};
use logtriage::aggregate::zones::Reading;
use logtriage::model::{BySource, LatencySummary};
use logtriage::parse::Source;
use logtriage::report::*;
use logtriage::rules::Severity;
use logtriage::triage::flag::{AppSide, Flag, NameCount, SampleLine};
use logtriage::triage::incidents::{Incident, IncidentFlag};

/// Terminal escapes (SGR, an OSC title with BEL) and a bidi override.
pub const TERMINAL: &str = "boom\u{1b}[31m red\u{1b}]0;pwned\u{7} \u{202e}txet";
/// Markdown and table syntax: a cell break, a link, emphasis, HTML, a code span.
pub const MARKUP: &str = "a|b [click](http://x) *em* <img src=x> `tick`";
/// A spreadsheet formula.
pub const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";

pub fn strings(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

pub fn summary(count: u64, p95: f64) -> LatencySummary {
    LatencySummary {
        count,
        mean: p95 / 3.0,
        p50: p95 / 4.0,
        p90: p95 * 0.8,
        p95,
        p99: p95 * 1.5,
        max: p95 * 2.0,
    }
}

fn input() -> InputReport {
    InputReport {
        path: format!("logs/{TERMINAL}.log"),
        formats: [("json", 40), ("nginx_access", 2)].into_iter().collect(),
        envelopes: [("docker", 42)].into_iter().collect(),
        lines: 45,
        parsed: 42,
        unparsed: 2,
        oversized: 1,
        blank: 1,
        untimed: 0,
        bytes: 9000,
        first: Some("2025-05-06T04:00:00.000Z".into()),
        last: Some("2025-05-06T04:02:59.000Z".into()),
        echoed_access_lines: 2,
        timezone: Some(Reading {
            zone: "UTC+02:00".into(),
            how: "inferred",
            request_ids: 3,
            ids_agreeing: 3,
            matched_error_lines: 0,
            conflicting: BTreeMap::new(),
            note: "naive stamps read as UTC+02:00: 3 of 3 request ids agree".into(),
            reread: None,
        }),
        ..InputReport::default()
    }
}

fn window(start: &str, lines: u64, errors: u64, p95: Option<f64>, incident: Option<u32>) -> Window {
    Window {
        start: start.into(),
        lines,
        requests: lines / 2,
        errors,
        warnings: 1,
        status_5xx: errors / 2,
        status_5xx_app: 0,
        status_5xx_nginx: errors / 2,
        p95,
        p95_app: p95,
        p95_nginx: None,
        latency: BySource {
            app: p95.map(|p| summary(lines, p)),
            nginx: None,
        },
        flags: if incident.is_some() {
            vec!["error_rate".into()]
        } else {
            Vec::new()
        },
        incident,
        error_types: if errors > 0 {
            BTreeMap::from([(format!("BankTimeout{MARKUP}"), errors)])
        } else {
            BTreeMap::new()
        },
    }
}

fn flag() -> Flag {
    Flag {
        rule: "error_rate".into(),
        severity: Severity::Critical,
        description: "share of ERROR lines above the baseline".into(),
        subject: Some(format!("POST /pay {MARKUP}")),
        count: 12,
        first: Some("2025-05-06T04:01:00.000Z".into()),
        last: Some("2025-05-06T04:01:59.000Z".into()),
        windows: vec!["2025-05-06T04:01:00.000Z".into()],
        detail: Some("40% of lines vs 2% before".into()),
        endpoints: vec![NameCount {
            name: "POST /pay".into(),
            count: 10,
        }],
        upstreams: Vec::new(),
        clients: Vec::new(),
        request_ids: vec!["req-1".into()],
        samples: vec![SampleLine {
            path: "logs/app.log".into(),
            line: 17,
            text: TERMINAL.into(),
        }],
        app_side: vec![AppSide {
            last_message: Some("calling bank".into()),
            requests: 3,
            late: None,
            ends_unlogged: false,
        }],
    }
}

fn incident() -> Incident {
    Incident {
        start: "2025-05-06T04:01:00.000Z".into(),
        end: "2025-05-06T04:02:00.000Z".into(),
        peak: "2025-05-06T04:01:00.000Z".into(),
        severity: Severity::Critical,
        flags: vec![IncidentFlag {
            rule: "error_rate".into(),
            severity: Severity::Critical,
            subject: None,
            count: 12,
        }],
        new_error_types: vec!["BankTimeout".into()],
        new_patterns: vec![format!("payment failed {MARKUP}")],
        summary: format!("errors at 40% on POST /pay ({TERMINAL})"),
    }
}

fn error_type() -> ErrorType {
    ErrorType {
        kind: format!("BankTimeout{MARKUP}"),
        source: Source::App,
        count: 12,
        first: Some("2025-05-06T04:01:02.000Z".into()),
        last: Some("2025-05-06T04:01:58.000Z".into()),
        http_status: Some(504),
        endpoints: vec![EndpointCount {
            endpoint: "POST /pay".into(),
            count: 12,
        }],
        request_ids: vec![TERMINAL.into(), "req-2".into()],
    }
}

fn latency() -> BySource<LatencySide> {
    BySource {
        app: LatencySide {
            overall: Some(summary(40, 900.0)),
            health: Some(summary(2, 3.0)),
            endpoints: vec![EndpointLatency {
                endpoint: format!("GET /search {MARKUP}"),
                health: false,
                summary: summary(20, 1200.0),
            }],
            unit_doubt: None,
        },
        nginx: LatencySide::default(),
    }
}

fn requests() -> RequestsReport {
    RequestsReport {
        total: 5,
        with_errors: 2,
        unfinished: Some(1),
        outcomes: Outcomes {
            ok: 3,
            error: 1,
            unfinished: 1,
            ..Outcomes::default()
        },
        slowest: vec![SlowRequest {
            id: TERMINAL.into(),
            endpoint: Some("POST /pay".into()),
            duration_ms: 2500.0,
            app_ms: Some(2499.5),
            nginx_ms: None,
            status: Some(504),
            outcome: RequestOutcome::Error,
            first: Some("2025-05-06T04:01:02.000Z".into()),
            lines: 4,
        }],
        stuck: vec![StuckRequest {
            id: format!("{MARKUP}\""),
            endpoint: Some("POST /pay".into()),
            outcome: RequestOutcome::Unfinished,
            status: None,
            first: Some("2025-05-06T04:01:03.000Z".into()),
            last: Some("2025-05-06T04:01:04.000Z".into()),
            lines: 2,
            last_words: Some(format!("calling {TERMINAL} <script>alert(1)</script>")),
        }],
    }
}

/// A report with something in every section, hostile text in the places log text reaches.
pub fn report() -> Report {
    let mut r = Report {
        version: SCHEMA_VERSION,
        headline: format!("1 incident: errors on POST /pay {TERMINAL}"),
        inputs: vec![input()],
        totals: Totals {
            lines: 45,
            parsed: 42,
            unparsed: 2,
            oversized: 1,
            blank: 1,
            ..Totals::default()
        },
        time_range: Some(TimeRange {
            start: "2025-05-06T04:00:00.000Z".into(),
            end: "2025-05-06T04:02:59.000Z".into(),
            seconds: 179.0,
        }),
        timezone_assumed: "UTC".into(),
        latency_unit_rule: LATENCY_RULE,
        window_seconds: 60,
        window_requested_seconds: None,
        max_fixed_windows: 20_000,
        primary_source: Source::App,
        levels: Levels {
            INFO: 30,
            WARN: 3,
            ERROR: 12,
            ..Levels::default()
        },
        status: BySource {
            app: strings(&[("200", 30), ("504", 2)]),
            nginx: BTreeMap::new(),
        },
        error_types: vec![error_type()],
        latency: latency(),
        sources: vec![SourceReport {
            source: format!("pod prod/{MARKUP}"),
            lines: 42,
            errors: 12,
            status_5xx: 2,
            p95: Some(900.0),
            latency: Some(summary(40, 900.0)),
        }],
        windows: vec![
            window("2025-05-06T04:00:00.000Z", 15, 0, Some(120.0), None),
            window("2025-05-06T04:01:00.000Z", 20, 12, Some(1800.0), Some(1)),
            window("2025-05-06T04:02:00.000Z", 10, 0, None, None),
        ],
        requests: requests(),
        incidents: vec![incident()],
        flags: vec![flag()],
        baseline_rule: "the 5 windows before",
        patterns: vec![Pattern {
            template: format!("payment failed for <*> {MARKUP}"),
            count: 12,
            first: Some("2025-05-06T04:01:02.000Z".into()),
            last: Some("2025-05-06T04:01:58.000Z".into()),
            levels: [("ERROR", 12)].into_iter().collect(),
            sample: Some(SampleLine {
                path: "logs/app.log".into(),
                line: 17,
                text: "payment failed for 42".into(),
            }),
        }],
        pattern_stats: PatternStats {
            lines: 42,
            templates: 5,
            error_templates: 1,
        },
        unparsed_samples: vec![UnparsedSample {
            path: "logs/app.log".into(),
            line: 3,
            text: format!("{TERMINAL} {MARKUP}"),
        }],
        brief: Default::default(),
    };
    r.brief = logtriage::report::front::brief(&r);
    r
}
