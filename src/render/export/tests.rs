//! Unit tests of the export formats over rows built from hostile lines: every format must
//! give the values back exactly (quotes, commas, newlines, escape sequences, NUL, bidi
//! controls), in column order, whatever the grouping.

use std::io::Write;

use super::*;
use crate::parse::{FieldSpec, ParseCache, Parsed, Parser, Zone};
use crate::select::row::{COLUMNS, Row, RowBuilder, Text};

/// Messages no format may break on: the JSON escapes decode into the raw characters.
const HOSTILE: &[&str] = &[
    r#"plain"#,
    r#"comma, \"quoted\" and 'single'"#,
    r#"two\nlines\r\nand a CR\r"#,
    r#"ESC \u001b[31mred\u001b[0m BEL \u0007 NUL \u0000 DEL \u007f C1 \u009b"#,
    r#"bidi \u202eevil\u202c zero-width \u200b"#,
    r#"=HYPERLINK(\"http://x\")"#,
    r#"tab\tand backslash \\ and unicode é 日本 😀"#,
    r#""#,
];

fn rows() -> Vec<Row> {
    let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
    let builder = RowBuilder::default();
    HOSTILE
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let line = format!(
                r#"{{"time":"2025-05-06T04:00:0{i}.123456Z","level":"warn","msg":"{m}","request_id":"id,\"{i}\"\n","path":"/a/{i}?q=\",x","status":200,"latency_ms":{i}.25}}"#
            );
            let mut buf = Vec::new();
            match parser.parse(0, line.as_bytes(), &mut ParseCache::default(), &mut buf) {
                Parsed::Event(ev) => {
                    let mut r = builder.build(0, &ev, &mut String::new());
                    r.line = i as u64 + 1;
                    r
                }
                _ => panic!("not parsed: {line}"),
            }
        })
        .collect()
}

fn paths() -> Vec<String> {
    vec!["logs/a,b \"c\".log".to_string()]
}

/// All rows through `format`, in groups of `group` rows.
fn export<E: Export>(mut format: E, rows: &[Row], group: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for g in rows.chunks(group) {
        let piece = format.encode(g).unwrap();
        format.write(piece, &mut out).unwrap();
    }
    format.finish(&mut out).unwrap();
    out
}

#[test]
fn hostile_messages_survive_parsing_unchanged() {
    let rows = rows();
    assert_eq!(
        rows[3].text(Text::Message),
        Some("ESC \u{1b}[31mred\u{1b}[0m BEL \u{7} NUL \u{0} DEL \u{7f} C1 \u{9b}")
    );
    assert_eq!(
        rows[2].text(Text::Message),
        Some("two\nlines\r\nand a CR\r")
    );
    assert_eq!(rows[0].text(Text::RequestId), Some("id,\"0\"\n"));
}

#[test]
fn jsonl_gives_every_value_back_and_no_raw_control() {
    let rows = rows();
    let paths = paths();
    let out = export(Jsonl { paths: &paths }, &rows, 3);
    let text = String::from_utf8(out).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && crate::render::escape::is_control(c)),
        "a raw control character in {text:?}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), rows.len());
    for (line, r) in lines.iter().zip(&rows) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["message"].as_str(), r.text(Text::Message));
        assert_eq!(v["request_id"].as_str(), r.text(Text::RequestId));
        assert_eq!(v["path"].as_str(), r.text(Text::Path));
        assert_eq!(v["file"], "logs/a,b \"c\".log");
        assert_eq!(v["line"].as_u64(), Some(r.line));
        assert_eq!(v["latency_ms"].as_f64(), r.latency_ms);
        assert_eq!(v["method"], serde_json::Value::Null);
    }
    // Keys in column order.
    let first = lines[0];
    let positions: Vec<usize> = COLUMNS
        .iter()
        .map(|c| first.find(&format!("\"{c}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert!(first.starts_with(r#"{"ts":"2025-05-06T04:00:00.123456Z","#));
}

#[test]
fn csv_gives_every_value_back_in_one_row_each() {
    let rows = rows();
    let paths = paths();
    let out = export(Csv::new(&paths), &rows, 2);
    let mut rd = ::csv::ReaderBuilder::new().from_reader(&out[..]);
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, COLUMNS);
    let records: Vec<::csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len());
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    for (rec, r) in records.iter().zip(&rows) {
        // A null is an empty cell.
        assert_eq!(
            rec.get(col("message")),
            Some(r.text(Text::Message).unwrap_or(""))
        );
        assert_eq!(rec.get(col("request_id")), r.text(Text::RequestId));
        assert_eq!(rec.get(col("file")), Some("logs/a,b \"c\".log"));
        assert_eq!(rec.get(col("ts")).unwrap().len(), 27);
        assert_eq!(rec.get(col("method")), Some(""));
        assert_eq!(
            rec.get(col("latency_ms")).unwrap().parse::<f64>().ok(),
            r.latency_ms
        );
    }
}

#[test]
fn an_export_without_rows_is_still_a_valid_file() {
    let paths = paths();
    let csv = export(Csv::new(&paths), &[], 10);
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        format!("{}\n", COLUMNS.join(","))
    );
    assert!(export(Jsonl { paths: &paths }, &[], 10).is_empty());
    let pq = export(Parquet::new(&paths).unwrap(), &[], 10);
    assert!(pq.starts_with(b"PAR1") && pq.ends_with(b"PAR1"));
    assert_eq!(read_parquet(&pq).len(), 0);
}

/// The rows of a Parquet file, each as (message, request_id, ts, line, status).
type Back = (
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
    Option<i32>,
);

fn read_parquet(bytes: &[u8]) -> Vec<Back> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int32Type, Int64Type, TimestampMicrosecondType};
    use arrow_array::{Array, RecordBatch};
    let mut f = tempfile::tempfile().unwrap();
    f.write_all(bytes).unwrap();
    let reader = ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let mut out = Vec::new();
    for batch in reader {
        let b: RecordBatch = batch.unwrap();
        let names: Vec<&str> = b
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, COLUMNS);
        let s = |name: &str, i: usize| {
            let a = b.column_by_name(name).unwrap().as_string::<i32>();
            (!a.is_null(i)).then(|| a.value(i).to_string())
        };
        let ts = b
            .column_by_name("ts")
            .unwrap()
            .as_primitive::<TimestampMicrosecondType>();
        let line = b
            .column_by_name("line")
            .unwrap()
            .as_primitive::<Int64Type>();
        let status = b
            .column_by_name("status")
            .unwrap()
            .as_primitive::<Int32Type>();
        for i in 0..b.num_rows() {
            out.push((
                s("message", i),
                s("request_id", i),
                (!ts.is_null(i)).then(|| ts.value(i)),
                line.value(i),
                (!status.is_null(i)).then(|| status.value(i)),
            ));
        }
    }
    out
}

#[test]
fn parquet_gives_every_value_back_with_its_type() {
    let rows = rows();
    let paths = paths();
    let pq = export(Parquet::new(&paths).unwrap(), &rows, 3);
    let back = read_parquet(&pq);
    assert_eq!(back.len(), rows.len());
    for (b, r) in back.iter().zip(&rows) {
        assert_eq!(b.0.as_deref(), r.text(Text::Message));
        assert_eq!(b.1.as_deref(), r.text(Text::RequestId));
        assert_eq!(b.2, r.ts);
        assert_eq!(b.3 as u64, r.line);
        assert_eq!(b.4, r.status.map(i32::from));
    }
    let mut f = tempfile::tempfile().unwrap();
    f.write_all(&pq).unwrap();
    let groups = ::parquet::file::serialized_reader::SerializedFileReader::new(f)
        .map(|r| ::parquet::file::reader::FileReader::metadata(&r).num_row_groups());
    assert_eq!(
        groups.ok(),
        Some(3),
        "groups of 3 rows: 8 rows in 3 row groups"
    );
}

#[test]
fn the_same_rows_give_the_same_bytes_in_any_order_of_encoding() {
    // `cmd/export.rs` encodes the groups of a round on several threads: the pieces must not
    // depend on which group was encoded first.
    let rows = rows();
    let paths = paths();
    let straight = export(Parquet::new(&paths).unwrap(), &rows, 3);
    let mut p = Parquet::new(&paths).unwrap();
    let groups: Vec<&[Row]> = rows.chunks(3).collect();
    let mut pieces: Vec<_> = groups.iter().rev().map(|g| p.encode(g).unwrap()).collect();
    pieces.reverse();
    let mut out = Vec::new();
    for piece in pieces {
        p.write(piece, &mut out).unwrap();
    }
    p.finish(&mut out).unwrap();
    assert_eq!(straight, out);
}

#[test]
fn stamps_carry_microseconds() {
    assert_eq!(Stamp::of(0).as_str(), "1970-01-01T00:00:00.000000Z");
    assert_eq!(
        Stamp::of(1_746_504_008_123_456).as_str(),
        "2025-05-06T04:00:08.123456Z"
    );
    assert_eq!(Stamp::of(-1).as_str(), "1969-12-31T23:59:59.999999Z");
}
