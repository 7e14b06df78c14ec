//! The report: table, JSON, markdown, HTML, over one hand-built `Report`.

use logtriage::render::html::{Html, Page};
use logtriage::render::json::Json;
use logtriage::render::markdown::Markdown;
use logtriage::render::table::TableRender;

use crate::rendered;
use crate::values::report;

#[test]
fn report_table() {
    insta::assert_snapshot!(rendered(
        &TableRender {
            color: false,
            width: 100,
            wide: false,
            brief: false,
        },
        &report()
    ));
}

#[test]
fn report_json() {
    insta::assert_snapshot!(rendered(&Json, &report()));
}

#[test]
fn report_markdown() {
    insta::assert_snapshot!(rendered(&Markdown { brief: false }, &report()));
}

#[test]
fn report_html() {
    let r = report();
    let page = Page {
        report: &r,
        traces: &[],
        paths: &[],
        trace_note: None,
    };
    insta::assert_snapshot!(rendered(&Html, &page));
}
