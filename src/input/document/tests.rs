//! Unit tests of document streaming: the shapes of the store exports, cut records, errors.

use std::io::{self, Read};

use super::{Document, MAX_RECORD, sniff};

/// The lines a document reads as, and the error that ended it.
fn lines_of(doc: &[u8], piece: usize) -> (Vec<String>, Option<io::Error>) {
    let mut d = Document::new(Box::new(io::Cursor::new(doc.to_vec())));
    let mut out = Vec::new();
    let mut buf = vec![0; piece];
    let err = loop {
        match d.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => break Some(e),
        }
    };
    let text = String::from_utf8(out).unwrap();
    (text.lines().map(str::to_owned).collect(), err)
}

fn lines(doc: &str) -> Vec<String> {
    let (l, e) = lines_of(doc.as_bytes(), 7);
    assert!(e.is_none(), "{e:?}");
    l
}

#[test]
fn sniff_tells_documents_from_lines() {
    assert!(sniff(b"[\n  {\n    \"insertId\": \"x\""));
    assert!(sniff(b"[{\"a\":1}]"));
    assert!(sniff(b"\xEF\xBB\xBF[]"));
    assert!(sniff(b"{\n  \"took\" : 5,"));
    assert!(sniff(b"{\"took\":5,\"timed_out\":false"));
    assert!(sniff(b"{\"resourceLogs\":[{\"resource\":{}}]}\n"));
    assert!(sniff(
        b"{\"status\":\"success\",\"data\":{\"resultType\":\"streams\""
    ));
    assert!(sniff(b"{\"events\": [{\"logStreamName\": \"a\"}]}"));
    // Lines of logs stay lines.
    assert!(!sniff(
        b"{\"level\":\"info\",\"msg\":\"x\"}\n{\"level\":\"info\"}\n"
    ));
    assert!(!sniff(b"{\"status\":200,\"msg\":\"x\"}\n"));
    assert!(!sniff(b"{\"events\":3}\n"));
    assert!(!sniff(b"[pod/a/b] x\n"));
    assert!(!sniff(b"[2026-12-01 10:00:00 +0000] [1] [INFO] x\n"));
    assert!(!sniff(b"{\"_index\":\"a\",\"_id\":\"1\",\"_source\":{}}\n"));
    // A JSON line longer than the sniffed head is not taken for a document.
    let long = format!("{{\"msg\":\"{}", "x".repeat(5000));
    assert!(!sniff(&long.as_bytes()[..4096]));
}

#[test]
fn an_array_is_its_elements() {
    let doc = "[\n  {\n    \"a\": 1,\n    \"b\": [1, 2, {\"c\": \"x y\"}]\n  },\n  {\"d\": \"\\\"q\\\\\"}\n]\n";
    assert_eq!(
        lines(doc),
        [r#"{"a":1,"b":[1,2,{"c":"x y"}]}"#, r#"{"d":"\"q\\"}"#]
    );
    assert!(lines("[]").is_empty());
}

#[test]
fn a_search_response_is_its_hits() {
    let doc = r#"{
  "took" : 3,
  "timed_out" : false,
  "_shards" : {"total" : 1, "successful" : 1, "skipped" : 0, "failed" : 0},
  "hits" : {
    "total" : {"value" : 2, "relation" : "eq"},
    "max_score" : 1.0,
    "hits" : [
      {"_index" : "logs", "_id" : "1", "_score" : 1.0, "_source" : {"message" : "a"}},
      {"_index" : "logs", "_id" : "2", "_score" : 1.0, "_source" : {"message" : "b"}}
    ]
  }
}"#;
    assert_eq!(
        lines(doc),
        [
            r#"{"_index":"logs","_id":"1","_score":1.0,"_source":{"message":"a"}}"#,
            r#"{"_index":"logs","_id":"2","_score":1.0,"_source":{"message":"b"}}"#
        ]
    );
}

#[test]
fn a_loki_response_is_its_values_with_their_labels() {
    let doc = r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{"pod":"a"},"values":[["1","x"],["2","y"]]},{"stream":{"pod":"b"},"values":[["3","z"]]}],"stats":{"summary":{}}}}"#;
    assert_eq!(
        lines(doc),
        [
            r#"{"stream":{"pod":"a"},"values":[["1","x"]]}"#,
            r#"{"stream":{"pod":"a"},"values":[["2","y"]]}"#,
            r#"{"stream":{"pod":"b"},"values":[["3","z"]]}"#
        ]
    );
}

#[test]
fn otlp_exports_are_their_records_with_resource_and_scope() {
    let doc = concat!(
        r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"v"}}]},"scopeLogs":[{"scope":{"name":"s"},"logRecords":[{"body":{"stringValue":"a"}},{"body":{"stringValue":"b"}}]}]}]}"#,
        "\n",
        r#"{"resourceLogs":[{"resource":{},"scopeLogs":[{"scope":{},"logRecords":[{"body":{"stringValue":"c"}}]}]}]}"#,
        "\n"
    );
    let l = lines(doc);
    assert_eq!(l.len(), 3);
    assert_eq!(
        l[1],
        r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"v"}}]},"scopeLogs":[{"scope":{"name":"s"},"logRecords":[{"body":{"stringValue":"b"}}]}]}]}"#
    );
    assert!(l[2].contains(r#""resource":{},"scopeLogs":[{"scope":{},"#));
}

#[test]
fn cloudwatch_events_and_concatenated_objects() {
    let doc = "{\n    \"events\": [\n        {\"logStreamName\": \"s\", \"timestamp\": 1, \"message\": \"m\\n\"}\n    ],\n    \"searchedLogStreams\": [],\n    \"nextToken\": \"t\"\n}\n";
    assert_eq!(
        lines(doc),
        [r#"{"logStreamName":"s","timestamp":1,"message":"m\n"}"#]
    );
    // Pretty-printed records one after another (`jq .` of a JSON-lines log).
    let jq = "{\n  \"msg\": \"a\",\n  \"events\": 3\n}\n{\n  \"msg\": \"b\"\n}\n";
    assert_eq!(lines(jq), [r#"{"msg":"a","events":3}"#, r#"{"msg":"b"}"#]);
}

#[test]
fn cut_and_corrupt_documents_end_in_an_error_after_their_records() {
    let (l, e) = lines_of(b"[{\"a\":1},{\"a\":2},{\"a\":", 4096);
    assert_eq!(l, [r#"{"a":1}"#, r#"{"a":2}"#]);
    let e = e.expect("an error");
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    assert!(
        e.to_string().contains("the 2 records before are read"),
        "{e}"
    );
    let (l, e) = lines_of(b"[{\"a\":1} {\"a\":2}]", 4096);
    assert_eq!(l, [r#"{"a":1}"#]);
    assert!(
        e.unwrap()
            .to_string()
            .contains("expected ',' or a closing bracket at byte 9")
    );
    let (l, e) = lines_of(b"[{\"a\":1}] garbage", 4096);
    assert_eq!(l.len(), 1);
    assert_eq!(e.unwrap().kind(), io::ErrorKind::InvalidData);
    // Raw newlines inside a string never split a record.
    assert_eq!(lines("[{\"a\":\"x\ny\"}]"), [r#"{"a":"x\ny"}"#]);
}

#[test]
fn a_record_past_the_cap_is_cut_and_counted() {
    let big = format!(
        "[{{\"a\":\"{}\"}},{{\"b\":1}}]",
        "x".repeat(MAX_RECORD + 10)
    );
    let mut d = Document::new(Box::new(io::Cursor::new(big.into_bytes())));
    let mut out = Vec::new();
    d.read_to_end(&mut out).unwrap();
    let l: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
    assert_eq!(l[0].len(), MAX_RECORD + 1);
    assert_eq!(l[1], br#"{"b":1}"#);
    assert_eq!((d.records, d.cut), (2, 1));
}
