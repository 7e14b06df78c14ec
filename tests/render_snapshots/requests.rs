//! The `requests` listing: table, JSON, CSV, over a hand-made `Listing`.

use std::collections::BTreeMap;

use logtriage::aggregate::outcome::RequestOutcome;
use logtriage::listing::{DurationFrom, InputLines, LastWords, Listing, Row};
use logtriage::render::requests::{Csv, Json, Table};
use logtriage::report::EndpointCount;

use crate::rendered;
use crate::values::{FORMULA, MARKUP, TERMINAL};

fn row(id: &str, outcome: RequestOutcome) -> Row<'static> {
    Row {
        id: id.to_string(),
        first: Some("2025-05-06T04:01:02.123Z".into()),
        last: Some("2025-05-06T04:01:04.623Z".into()),
        endpoint: Some("POST /pay"),
        status: Some(200),
        app_status: Some(200),
        nginx_status: None,
        duration_ms: Some(2500.0),
        duration_from: Some(DurationFrom::Logged),
        app_ms: Some(2500.0),
        nginx_ms: None,
        lines: 4,
        errors: 0,
        error_type: None,
        outcome,
        last_message: Some("payment accepted"),
    }
}

/// An ordinary row, a hostile one (terminal escapes, a formula, markup), one whose duration
/// is only the span of its lines, and the last words of the stuck ones.
fn listing() -> Listing<'static> {
    let hostile = Row {
        endpoint: Some(MARKUP),
        status: Some(504),
        errors: 2,
        error_type: Some(FORMULA),
        last_message: Some(TERMINAL),
        ..row(FORMULA, RequestOutcome::Timeout)
    };
    let spanned = Row {
        endpoint: None,
        status: None,
        app_status: None,
        duration_ms: Some(12.5),
        duration_from: Some(DurationFrom::Span),
        app_ms: None,
        last_message: None,
        ..row("req-3", RequestOutcome::Unfinished)
    };
    let mut l = Listing::of_rows(vec![row("req-1", RequestOutcome::Ok), hostile, spanned]);
    l.total = 10;
    l.timezone = "UTC".into();
    l.inputs = vec![InputLines {
        path: "logs/app.log".into(),
        lines: 20,
        parsed: 20,
        continuation: 0,
        unparsed: 0,
        blank: 0,
        error: None,
        timezone: None,
    }];
    l.last_words = vec![
        LastWords {
            message: Some(format!("calling bank {TERMINAL}")),
            late: None,
            count: 1,
            outcomes: BTreeMap::from([("timeout", 1)]),
            endpoints: vec![EndpointCount {
                endpoint: MARKUP.into(),
                count: 1,
            }],
            request_ids: vec![FORMULA.into()],
            first: Some("2025-05-06T04:01:02.123Z".into()),
            last: Some("2025-05-06T04:01:04.623Z".into()),
        },
        LastWords {
            message: None,
            late: None,
            count: 1,
            outcomes: BTreeMap::from([("unfinished", 1)]),
            endpoints: Vec::new(),
            request_ids: vec!["req-3".into()],
            first: None,
            last: None,
        },
    ];
    l
}

#[test]
fn requests_table() {
    insta::assert_snapshot!(rendered(
        &Table {
            color: false,
            width: 200,
            wide: true,
        },
        &listing()
    ));
}

#[test]
fn requests_json() {
    insta::assert_snapshot!(rendered(&Json, &listing()));
}

#[test]
fn requests_csv() {
    insta::assert_snapshot!(rendered(&Csv, &listing()));
}

#[test]
fn requests_csv_of_no_rows_still_has_its_header() {
    insta::assert_snapshot!(rendered(&Csv, &Listing::of_rows(Vec::new())));
}
