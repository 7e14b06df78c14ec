//! The terminal layout through the real binary on testdata: every line of `report` and
//! `requests` fits the width it was drawn in (`--width`, `COLUMNS`), request ids are short
//! in tables and whole with `--wide`, and the first screen answers before the details.

mod common;

use std::process::Output;

use common::{logtriage, manifest, run_on_all, scenarios, with_all_logs};
use unicode_width::UnicodeWidthStr;

fn text(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Lines wider than `width` columns, with their widths.
fn too_wide(out: &str, width: usize) -> Vec<(usize, String)> {
    out.lines()
        .map(|l| (l.width(), l.to_string()))
        .filter(|(w, _)| *w > width)
        .collect()
}

/// Every input alone and all of them together, as `ARGS FILES...`.
fn inputs() -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = common::FILES
        .iter()
        .map(|f| vec![format!("testdata/{f}")])
        .collect();
    v.push(
        common::FILES
            .iter()
            .map(|f| format!("testdata/{f}"))
            .collect(),
    );
    v
}

#[test]
fn report_and_requests_fit_80_and_120_columns() {
    for width in ["80", "120"] {
        let w: usize = width.parse().unwrap();
        for files in inputs() {
            for (sub, extra) in [
                ("report", vec![]),
                ("report", vec!["--wide"]),
                ("requests", vec![]),
                ("requests", vec!["--outcome", "timeout,upstream_closed"]),
            ] {
                let o = logtriage(sub)
                    .args(["--tz", "Asia/Kolkata", "--color", "never", "--width", width])
                    .args(&extra)
                    .args(&files)
                    .output()
                    .unwrap();
                // `requests` exits 1 when no request matches (as grep does), as on logs
                // without request ids.
                if sub == "requests" && o.status.code() == Some(1) {
                    continue;
                }
                let out = text(&o);
                let over = too_wide(&out, w);
                assert!(
                    over.is_empty(),
                    "{sub} {extra:?} --width {width} on {files:?}: {} lines too wide, first {:?}",
                    over.len(),
                    over.first()
                );
            }
        }
    }
}

#[test]
fn the_report_fits_60_columns_too() {
    let out = text(&run_on_all("report", &["--width", "60"]));
    let over = too_wide(&out, 60);
    assert!(
        over.is_empty(),
        "{} too wide: {:?}",
        over.len(),
        over.first()
    );
}

#[test]
fn columns_sets_the_width_off_a_terminal_and_120_is_the_default() {
    let mut cmd = logtriage("report");
    cmd.env("COLUMNS", "90")
        .args(["--tz", "Asia/Kolkata", "--color", "never"]);
    let out = text(&with_all_logs(&mut cmd).output().unwrap());
    assert!(too_wide(&out, 90).is_empty());
    // Some line uses most of it: the layout follows the width, not a fixed one.
    assert!(out.lines().any(|l| l.width() > 80));

    let mut cmd = logtriage("report");
    cmd.env_remove("COLUMNS")
        .args(["--tz", "Asia/Kolkata", "--color", "never"]);
    let out = text(&with_all_logs(&mut cmd).output().unwrap());
    assert!(too_wide(&out, 120).is_empty());
    assert!(out.lines().any(|l| l.width() > 100));
}

#[test]
fn request_ids_are_short_in_tables_and_whole_with_wide() {
    let m = manifest();
    // The slowest requests of the run are the hung POSTs nginx cut at proxy_read_timeout.
    let hung: Vec<&str> = scenarios(&m)
        .iter()
        .filter(|(_, s)| s["nginx_status"] == 504)
        .flat_map(|(_, s)| s["request_ids"].as_array().unwrap())
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!hung.is_empty());
    let short = text(&run_on_all("report", &["--width", "120"]));
    let wide = text(&run_on_all("report", &["--width", "200", "--wide"]));
    let whole_in = |out: &str| hung.iter().filter(|id| out.contains(**id)).count();
    assert_eq!(whole_in(&short), 0, "no whole id in the default tables");
    assert!(
        whole_in(&wide) >= 10,
        "the slowest 10 are whole with --wide"
    );
    let prefixes = hung
        .iter()
        .filter(|id| short.contains(&format!("{}…", &id[..8])))
        .count();
    assert!(prefixes >= 10, "the slowest 10 as 8 characters and …");
    // JSON keeps them whole.
    let json = text(&run_on_all("report", &["-f", "json"]));
    assert!(whole_in(&json) >= 10);
}

#[test]
fn the_first_screen_answers_and_brief_prints_it_alone() {
    let full = text(&run_on_all("report", &["--width", "120"]));
    let brief = text(&run_on_all("report", &["--width", "120", "--brief"]));
    assert!(
        full.starts_with(&brief),
        "--brief is the full report's first screen"
    );
    let lines: Vec<&str> = brief.lines().collect();
    assert!(
        lines.len() <= 34,
        "about 30 lines at 120 columns, got {}",
        lines.len()
    );
    // The order a reader needs: headline, incidents, timeline, flags, error types.
    let at = |h: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(h))
            .unwrap_or_else(|| panic!("{h} missing"))
    };
    assert!(
        lines[0].contains("requests"),
        "headline first: {}",
        lines[0]
    );
    assert!(at("INCIDENTS") < at("TIMELINE"));
    assert!(at("TIMELINE") < at("TOP FLAGS"));
    assert!(at("TOP FLAGS") < at("TOP ERROR TYPES"));
    // One incident: the script's incident phase (testdata/README.md), critical since health
    // checks failed; its second line names what was new, folded instead of a row per type.
    let inc = &lines[at("INCIDENTS") + 1..at("TIMELINE")];
    assert!(inc[0].starts_with("1 critical "), "{inc:?}");
    assert!(
        inc.iter().any(|l| l.contains("new: storage.DatabaseError")),
        "{inc:?}"
    );
    // The timeline marks the incident under the errors strip.
    let strip = &lines[at("TIMELINE") + 1..at("TOP FLAGS")];
    assert!(
        strip
            .iter()
            .any(|l| l.starts_with("incid.") && l.contains('1'))
    );
    // Top flags one line each, critical before warning, none a new_error_type row.
    let flags: Vec<&&str> = lines[at("TOP FLAGS") + 1..at("TOP ERROR TYPES")]
        .iter()
        .filter(|l| l.starts_with("critical") || l.starts_with("warning"))
        .collect();
    assert!(!flags.is_empty());
    let first_warning = flags.iter().position(|l| l.starts_with("warning"));
    let last_critical = flags.iter().rposition(|l| l.starts_with("critical"));
    assert!(last_critical < first_warning || first_warning.is_none());
    assert!(!brief.contains("new_error_type"));
    // The details: no new_error_type row per type in FLAGS, one line listing them.
    let flags_table: Vec<&str> = full
        .lines()
        .skip_while(|l| *l != "FLAGS")
        .take_while(|l| !l.starts_with("new_error_type: "))
        .collect();
    assert!(flags_table.len() > 3, "FLAGS section");
    let rows = flags_table
        .iter()
        .filter(|l| l.starts_with('│') && l.contains("new_error_type"))
        .count();
    assert_eq!(rows, 0, "no FLAGS row per new error type");
    assert_eq!(
        full.lines()
            .filter(|l| l.starts_with("new_error_type: "))
            .count(),
        1
    );
}

#[test]
fn markdown_opens_with_the_answer_and_aligns_only_numbers_right() {
    let md = text(&run_on_all("report", &["-f", "markdown"]));
    let what = md.find("### What broke").expect("What broke section");
    let flags = md.find("### Top flags").expect("Top flags");
    let details = md.find("### Incidents in full").expect("details");
    assert!(what < flags && flags < details);
    let brief = text(&run_on_all("report", &["-f", "markdown", "--brief"]));
    assert!(md.starts_with(&brief));
    assert!(!brief.contains("### Inputs"));
    // Flags: rule and evidence are text (left), count a number (right).
    assert!(md.contains(
        "| severity | rule | count | first | last | evidence |\n|---|---|---:|---|---|---|"
    ));
    assert!(md.contains("| pattern | levels | first | last | count |\n|---|---|---|---|---:|"));
}

#[test]
fn width_and_brief_are_checked() {
    let o = run_on_all("report", &["--width", "30"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--width") && err.lines().count() == 1, "{err}");
    let o = run_on_all("report", &["-f", "json", "--brief"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--brief"));
}
