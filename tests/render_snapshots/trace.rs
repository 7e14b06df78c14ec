//! A traced request's summary: the text header and the JSON `request` line.

use logtriage::aggregate::outcome::RequestOutcome;
use logtriage::render::style::Style;
use logtriage::render::trace::{Json, Text};
use logtriage::trace::TraceSummary;
use logtriage::triage::flag::LateAnswer;

use crate::rendered;
use crate::values::{MARKUP, TERMINAL};

fn summary() -> TraceSummary {
    TraceSummary {
        id: TERMINAL.into(),
        endpoint: Some(format!("POST /pay {MARKUP}")),
        status: Some(504),
        app_ms: Some(61_000.0),
        nginx_ms: Some(60_000.0),
        outcome: RequestOutcome::Timeout,
        first: Some("2025-05-06T04:01:02.123Z".into()),
        last: Some("2025-05-06T04:02:03.123Z".into()),
        files: vec!["logs/app.log".into(), format!("logs/{TERMINAL}.log")],
        late: Some(LateAnswer {
            nginx_ms: Some(60_000.0),
            app_ms: Some(61_000.0),
            app_status: Some(200),
        }),
        lines: 3,
        correlated: 2,
        ambiguous: 1,
    }
}

#[test]
fn trace_text_header() {
    insta::assert_snapshot!(rendered(
        &Text {
            style: Style { color: false }
        },
        &summary()
    ));
}

#[test]
fn trace_text_header_without_times_or_durations() {
    let bare = TraceSummary {
        endpoint: None,
        status: None,
        app_ms: None,
        nginx_ms: None,
        outcome: RequestOutcome::Ok,
        first: None,
        last: None,
        late: None,
        lines: 1,
        correlated: 0,
        ambiguous: 0,
        ..summary()
    };
    insta::assert_snapshot!(rendered(
        &Text {
            style: Style { color: false }
        },
        &bare
    ));
}

#[test]
fn trace_json_request_line() {
    insta::assert_snapshot!(rendered(&Json, &summary()));
}
