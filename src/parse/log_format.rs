//! A user's nginx `log_format`, compiled into an exact parser of the lines it writes: from
//! `--nginx-log-format 'FORMAT'`, or from the `log_format` directives of an nginx.conf.
//! Literal text must match where the format puts it and every variable the report reads must
//! parse, or the line is not of this format. Knows nothing about counting.

use std::borrow::Cow;

use super::event::LogEvent;
use super::format::Format;
use super::request_line::split_request_line;
use super::time::{self, Zone, ZoneCache};

/// The nginx variables whose values the report reads; the others are matched and skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    RemoteAddr,
    /// `$proxy_add_x_forwarded_for`: a chain whose last hop is `$remote_addr`.
    ForwardedChain,
    TimeLocal,
    TimeIso,
    Msec,
    Request,
    Method,
    Uri,
    Status,
    RequestTime,
    UpstreamAddr,
    /// Request ids, best first: the client's `X-Request-ID`, ingress's `$req_id`, nginx's own.
    RequestId(u8),
    /// Values nginx writes as `a, b` lists when it retried (`$upstream_*`).
    List,
    Other,
}

impl Var {
    /// Variables whose value is one token: a space in one means the line is of another
    /// layout.
    fn is_token(self) -> bool {
        matches!(
            self,
            Var::RemoteAddr
                | Var::Status
                | Var::RequestTime
                | Var::Msec
                | Var::TimeIso
                | Var::Method
                | Var::Uri
                | Var::RequestId(_)
        )
    }

    fn of(name: &str) -> Var {
        match name {
            "remote_addr" | "realip_remote_addr" => Var::RemoteAddr,
            "proxy_add_x_forwarded_for" => Var::ForwardedChain,
            "time_local" => Var::TimeLocal,
            "time_iso8601" => Var::TimeIso,
            "msec" => Var::Msec,
            "request" => Var::Request,
            "request_method" => Var::Method,
            "request_uri" | "uri" | "document_uri" => Var::Uri,
            "status" => Var::Status,
            "request_time" => Var::RequestTime,
            "upstream_addr" => Var::UpstreamAddr,
            "http_x_request_id" => Var::RequestId(0),
            "req_id" => Var::RequestId(1),
            "request_id" => Var::RequestId(2),
            n if n.starts_with("upstream_") => Var::List,
            _ => Var::Other,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(Var, String),
}

/// One compiled `log_format`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFormat {
    pub name: String,
    parts: Vec<Part>,
}

impl LogFormat {
    /// Compiles a format string as nginx reads it (`$name` or `${name}`); `Err` says what is
    /// wrong with it.
    pub fn compile(name: &str, fmt: &str) -> Result<LogFormat, String> {
        let mut parts: Vec<Part> = Vec::new();
        let mut lit = String::new();
        let b = fmt.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'$' {
                let c = fmt[i..].chars().next().expect("in bounds");
                lit.push(c);
                i += c.len_utf8();
                continue;
            }
            let (var, next) = if b.get(i + 1) == Some(&b'{') {
                let close = fmt[i..].find('}').ok_or("an unclosed ${")? + i;
                (&fmt[i + 2..close], close + 1)
            } else {
                let n = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                (&fmt[i + 1..i + 1 + n], i + 1 + n)
            };
            if var.is_empty() {
                return Err(format!("a '$' without a variable name at byte {i}"));
            }
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            } else if matches!(parts.last(), Some(Part::Var(..))) {
                return Err(format!(
                    "${var} follows another variable with no text between them: lines could not be split"
                ));
            }
            parts.push(Part::Var(Var::of(var), var.to_owned()));
            i = next;
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        let reads = |v: Var| {
            parts
                .iter()
                .any(|p| matches!(p, Part::Var(x, _) if *x == v))
        };
        if !reads(Var::Status) {
            return Err("it has no $status".into());
        }
        if !(reads(Var::TimeLocal) || reads(Var::TimeIso) || reads(Var::Msec)) {
            return Err("it has no time ($time_local, $time_iso8601 or $msec)".into());
        }
        Ok(LogFormat {
            name: name.to_owned(),
            parts,
        })
    }

    /// Reads `line` as this format wrote it; false (the event untouched) when it does not fit.
    pub fn parse_into<'a>(
        &self,
        line: &'a str,
        zone: &Zone,
        cache: &mut ZoneCache,
        ev: &mut LogEvent<'a>,
    ) -> bool {
        match self
            .cut(line)
            .and_then(|values| event_of(values, zone, cache))
        {
            Some(out) => {
                *ev = out;
                true
            }
            None => false,
        }
    }

    /// The value of each variable of `line`, cut at this format's literals; `None` when a
    /// literal is missing or text is left over.
    fn cut<'a>(&self, line: &'a str) -> Option<Vec<(Var, &'a str)>> {
        let mut values: Vec<(Var, &'a str)> = Vec::with_capacity(self.parts.len());
        let mut pos = 0;
        for (k, part) in self.parts.iter().enumerate() {
            match part {
                Part::Lit(l) => {
                    if !line[pos..].starts_with(l.as_str()) {
                        return None;
                    }
                    pos += l.len();
                }
                Part::Var(v, _) => {
                    let end = match self.parts.get(k + 1) {
                        Some(Part::Lit(l)) => pos + value_end(&line[pos..], l, *v)?,
                        _ => line.len(),
                    };
                    values.push((*v, &line[pos..end]));
                    pos = end;
                }
            }
        }
        (pos == line.len()).then_some(values)
    }
}

/// The access event one line's values make; `None` when a value cannot be what its variable
/// holds (a status out of range, a time that does not parse, a space inside one token).
fn event_of<'a>(
    values: Vec<(Var, &'a str)>,
    zone: &Zone,
    cache: &mut ZoneCache,
) -> Option<LogEvent<'a>> {
    let mut out = LogEvent::default();
    let mut id_rank = u8::MAX;
    for (v, s) in values {
        // One token each: a space means the line is of another layout.
        if v.is_token() && s.contains(' ') {
            return None;
        }
        let set = (s != "-" && !s.is_empty()).then_some(s);
        match v {
            Var::Status => match s.parse::<u16>() {
                Ok(st) if (100..=599).contains(&st) => out.status = Some(st),
                _ => return None,
            },
            Var::TimeLocal | Var::TimeIso | Var::Msec => {
                out.ts = Some(time::parse_ts(s, zone, cache)?);
            }
            Var::RemoteAddr => out.client = set.map(Cow::Borrowed),
            Var::ForwardedChain => {
                out.client = set
                    .and_then(|c| c.rsplit(", ").next())
                    .filter(|c| *c != "-")
                    .map(Cow::Borrowed)
            }
            Var::Request => {
                let (m, t) = split_request_line(s);
                out.method = out.method.or(m.map(Cow::Borrowed));
                out.path = out.path.or(t.map(Cow::Borrowed));
            }
            Var::Method => out.method = set.map(Cow::Borrowed),
            Var::Uri => out.path = set.map(Cow::Borrowed),
            Var::RequestTime => match set.map(str::parse::<f64>) {
                Some(Ok(secs)) => out.latency_ms = Some(secs * 1e3),
                Some(Err(_)) => return None,
                None => {}
            },
            Var::UpstreamAddr => {
                out.upstream = set.and_then(|u| u.rsplit(", ").next()).map(Cow::Borrowed)
            }
            Var::RequestId(r) => {
                if let Some(id) = set
                    && r < id_rank
                {
                    out.request_id = Some(Cow::Borrowed(id));
                    id_rank = r;
                }
            }
            Var::List | Var::Other => {}
        }
    }
    out.format = Some(Format::NginxAccess);
    Some(out)
}

/// Where a variable's value ends in `rest`: before the literal that follows it. Lists
/// (`a, b` when nginx retried) run on past a `, `; a quoted value (its literal opens with
/// `"`) ends at the first `"` nginx did not escape, which is every one inside it.
fn value_end(rest: &str, lit: &str, v: Var) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = from + rest[from..].find(lit)?;
        let list = matches!(v, Var::List | Var::UpstreamAddr | Var::ForwardedChain);
        if list && rest[..at].ends_with(',') {
            from = at + 1;
            continue;
        }
        return Some(at);
    }
}

/// The `log_format` directives of an nginx configuration: `log_format NAME [escape=...]
/// 'part' "part" ...;`, strings concatenated as nginx does. Formats with `escape=json` are
/// JSON lines and need none (they are read as JSON). `Err` names what is wrong.
pub fn from_conf(text: &str) -> Result<Vec<LogFormat>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = find_directive(rest) {
        let body_start = at + "log_format".len();
        let (args, after) = directive_args(&rest[body_start..])
            .ok_or_else(|| "a log_format directive without its closing ';'".to_owned())?;
        rest = &rest[body_start + after..];
        let mut it = args.into_iter();
        let name = it.next().ok_or("a log_format without a name")?;
        let mut json = false;
        let mut fmt = String::new();
        for a in it {
            match a.strip_prefix("escape=") {
                Some(e) if fmt.is_empty() => json = e == "json",
                _ => fmt.push_str(&a),
            }
        }
        if json {
            continue;
        }
        out.push(LogFormat::compile(&name, &fmt).map_err(|e| format!("log_format {name}: {e}"))?);
    }
    Ok(out)
}

/// The next `log_format` directive outside comments: its byte offset.
fn find_directive(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("log_format") {
        let at = from + i;
        let line_start = s[..at].rfind('\n').map_or(0, |p| p + 1);
        let before = &s[line_start..at];
        let boundary_ok = s[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == ';' || c == '{');
        let after_ok = s[at + 10..].starts_with(|c: char| c.is_whitespace());
        if !before.contains('#') && boundary_ok && after_ok {
            return Some(at);
        }
        from = at + 10;
    }
    None
}

/// A directive's arguments up to its `;`: bare words and quoted strings (quotes removed,
/// `\"` and `\'` unescaped), and the offset after the `;`.
fn directive_args(s: &str) -> Option<(Vec<String>, usize)> {
    let b = s.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b';' => return Some((args, i + 1)),
            b'#' => i = s[i..].find('\n').map_or(b.len(), |p| i + p),
            c if c.is_ascii_whitespace() => i += 1,
            q @ (b'\'' | b'"') => {
                let mut v = String::new();
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && i + 1 < b.len() && matches!(b[i + 1], b'"' | b'\'' | b'\\')
                    {
                        i += 1;
                    }
                    let c = s[i..].chars().next()?;
                    v.push(c);
                    i += c.len_utf8();
                }
                i += 1;
                args.push(v);
            }
            _ => {
                let n = b[i..]
                    .iter()
                    .take_while(|c| !c.is_ascii_whitespace() && **c != b';')
                    .count();
                args.push(s[i..i + n].to_owned());
                i += n;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
