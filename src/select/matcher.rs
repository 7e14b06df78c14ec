//! The predicates of `filter` over one parsed line: level, time range, request ids, fields
//! (equal or regex, on canonical names or raw JSON paths) and a message regex. All must
//! hold. Pure: must not read input or print.

use std::borrow::Cow;

use crate::parse::endpoint;
use crate::parse::{Format, Level, LogEvent, Micros};
use crate::select::predicate::Predicate;

#[derive(Clone, Debug)]
pub struct Matcher {
    pub min_level: Option<Level>,
    pub since: Option<Micros>,
    pub until: Option<Micros>,
    pub request_ids: Vec<String>,
    pub predicates: Vec<Predicate>,
    pub grep: Option<regex::Regex>,
}

impl Matcher {
    /// No predicate at all: every line, parsed or not, is selected.
    pub fn selects_everything(&self) -> bool {
        self.min_level.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.request_ids.is_empty()
            && self.predicates.is_empty()
            && self.grep.is_none()
    }

    /// Whether a line no format matched is selected: only a `--grep` on its text can be.
    pub fn unparsed(&self, raw: &[u8]) -> bool {
        if self.selects_everything() {
            return true;
        }
        let only_grep = self.min_level.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.request_ids.is_empty()
            && self.predicates.is_empty();
        only_grep
            && self
                .grep
                .as_ref()
                .is_some_and(|g| g.is_match(&String::from_utf8_lossy(raw)))
    }

    /// Whether a parsed line is selected. Cheap tests first; JSON is re-read only for a
    /// predicate on a raw field path.
    pub fn matches(&self, ev: &LogEvent<'_>, raw: &[u8]) -> bool {
        if let Some(min) = self.min_level
            && ev.level.is_none_or(|l| l < min)
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(t) = ev.ts else { return false };
            if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u) {
                return false;
            }
        }
        if !self.request_ids.is_empty()
            && !ev
                .request_id
                .as_deref()
                .is_some_and(|r| self.request_ids.iter().any(|i| i == r))
        {
            return false;
        }
        if let Some(g) = &self.grep {
            let hit = match ev.msg.as_deref() {
                Some(m) => g.is_match(m),
                None => g.is_match(&String::from_utf8_lossy(raw)),
            };
            if !hit {
                return false;
            }
        }
        let mut doc: Option<Option<serde_json::Value>> = None;
        self.predicates
            .iter()
            .all(|p| match canonical(ev, p.key()) {
                Some(value) => value.as_deref().is_some_and(|v| p.test(v)),
                None => doc
                    .get_or_insert_with(|| json_doc(ev, raw))
                    .as_ref()
                    .and_then(|d| raw_field(d, p.key()))
                    .is_some_and(|v| p.test(&v)),
            })
    }
}

impl Predicate {
    pub fn key(&self) -> &str {
        match self {
            Predicate::Equals(k, _) | Predicate::Matches(k, _) => k,
        }
    }

    /// Levels compare without regard to case (`level=error` selects `ERROR`).
    pub fn test(&self, value: &str) -> bool {
        match self {
            Predicate::Equals(k, v) if k == "level" => value.eq_ignore_ascii_case(v),
            Predicate::Equals(_, v) => value == v,
            Predicate::Matches(_, re) => re.is_match(value),
        }
    }
}

/// The value of a canonical field: `Some(None)` when the field is canonical but absent,
/// `None` when `key` is not a canonical name.
fn canonical<'e>(ev: &'e LogEvent<'_>, key: &str) -> Option<Option<Cow<'e, str>>> {
    let s = |v: &'e Option<Cow<'_, str>>| v.as_deref().map(Cow::Borrowed);
    Some(match key {
        "level" => ev.level.map(|l| Cow::Borrowed(l.name())),
        "message" | "msg" => s(&ev.msg),
        "request_id" => s(&ev.request_id),
        "error_type" => s(&ev.error_type),
        "method" => s(&ev.method),
        "path" => s(&ev.path),
        "endpoint" => ev.path.as_deref().map(|p| {
            let mut out = String::new();
            endpoint::normalize(ev.method.as_deref(), p, &mut out);
            Cow::Owned(out)
        }),
        "status" => ev
            .status
            .or(ev.echoed_status)
            .map(|v| Cow::Owned(v.to_string())),
        "client" => s(&ev.client),
        "upstream" => s(&ev.upstream),
        "format" => ev.format.map(|f| Cow::Borrowed(f.name())),
        "stream" => ev.env.stream.map(|st| Cow::Borrowed(st.name())),
        "pod" => ev.env.pod().map(Cow::Borrowed),
        "container" => ev.env.container().map(Cow::Borrowed),
        "unit" => ev.env.unit().map(Cow::Borrowed),
        "host" => ev.env.host().map(Cow::Borrowed),
        "program" => ev.env.ident().map(Cow::Borrowed),
        "pid" => ev.env.pid.map(|p| Cow::Owned(p.to_string())),
        "log_stream" => ev.env.log_stream().map(Cow::Borrowed),
        k if k.starts_with("label.") => ev
            .env
            .names
            .as_deref()
            .and_then(|n| n.label_value(&k["label.".len()..]))
            .map(Cow::Borrowed),
        "envelope" => {
            let names: Vec<&str> = ev.env.kinds().map(|k| k.name()).collect();
            (!names.is_empty()).then(|| Cow::Owned(names.join(",")))
        }
        "latency_ms" => ev
            .latency_ms
            .map(|v| Cow::Owned(crate::model::round3(v).to_string())),
        _ => return None,
    })
}

fn json_doc(ev: &LogEvent<'_>, raw: &[u8]) -> Option<serde_json::Value> {
    matches!(ev.format, Some(Format::Json | Format::NginxJson))
        .then(|| serde_json::from_slice(ev.inner.unwrap_or(raw)).ok())
        .flatten()
}

/// A key of the object, a literal dotted key, or a dotted path into nested objects; as text
/// (strings as they are, anything else as compact JSON).
fn raw_field(doc: &serde_json::Value, key: &str) -> Option<String> {
    let v = doc
        .get(key)
        .or_else(|| key.split('.').try_fold(doc, |node, part| node.get(part)))?;
    Some(match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{FieldSpec, ParseCache, Parsed, Parser, Zone};

    fn matcher() -> Matcher {
        Matcher {
            min_level: None,
            since: None,
            until: None,
            request_ids: Vec::new(),
            predicates: Vec::new(),
            grep: None,
        }
    }

    fn check(m: &Matcher, line: &str) -> bool {
        let p = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
        match p.parse(
            0,
            line.as_bytes(),
            &mut ParseCache::default(),
            &mut Vec::new(),
        ) {
            Parsed::Event(ev) => m.matches(&ev, line.as_bytes()),
            _ => m.unparsed(line.as_bytes()),
        }
    }

    const LINE: &str = r#"{"time":"2025-05-06T04:00:08Z","level":"warn","msg":"slow query","request_id":"r1","req":{"url":"/a/7?x=1","method":"GET"},"res":{"statusCode":503},"n":3}"#;

    #[test]
    fn each_predicate() {
        let mut m = matcher();
        m.min_level = Some(Level::Warn);
        assert!(check(&m, LINE));
        m.min_level = Some(Level::Error);
        assert!(!check(&m, LINE));

        let mut m = matcher();
        m.since = Some(1_746_504_008_000_000);
        assert!(check(&m, LINE));
        m.until = Some(1_746_504_008_000_000);
        assert!(!check(&m, LINE));

        let mut m = matcher();
        m.request_ids = vec!["r2".into(), "r1".into()];
        assert!(check(&m, LINE));
        m.request_ids = vec!["r".into()];
        assert!(!check(&m, LINE));

        let eq = |k: &str, v: &str| Predicate::Equals(k.into(), v.into());
        let re = |k: &str, v: &str| Predicate::Matches(k.into(), regex::Regex::new(v).unwrap());
        for (p, want) in [
            (eq("status", "503"), true),
            (eq("status", "500"), false),
            (eq("level", "WARN"), true),
            (eq("endpoint", "GET /a/:id"), true),
            (re("path", "^/a/"), true),
            (eq("req.url", "/a/7?x=1"), true),
            (eq("n", "3"), true),
            (re("req.method", "^P"), false),
            (eq("missing.key", "x"), false),
            (eq("error_type", "x"), false),
        ] {
            let mut m = matcher();
            let shown = format!("{p:?}");
            m.predicates = vec![p];
            assert_eq!(check(&m, LINE), want, "{shown}");
        }

        let mut m = matcher();
        m.grep = Some(regex::Regex::new("slow").unwrap());
        assert!(check(&m, LINE));
        assert!(check(&m, "plain slow text"));
        m.grep = Some(regex::Regex::new("^query").unwrap());
        assert!(!check(&m, LINE));
        // A line no format reads is selected only by a bare --grep.
        m.min_level = Some(Level::Info);
        assert!(!check(&m, "plain slow text"));
        assert!(check(&matcher(), "plain slow text"));
    }
}
