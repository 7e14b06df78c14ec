//! `split_request_line`: the HTTP request line (`GET /path?q HTTP/1.1`) as nginx's
//! `$request`, gunicorn and JSON loggers write it, cut into method and target. Does not
//! judge the target: endpoints are named elsewhere.

/// Splits nginx's `$request` ("GET /path?q HTTP/1.1") into method and target.
pub fn split_request_line(r: &str) -> (Option<&str>, Option<&str>) {
    // Byte searches, not `splitn(3, ' ')`: this runs once per access line.
    let b = r.as_bytes();
    let (method, rest) = match memchr::memchr(b' ', b) {
        Some(i) => (&r[..i], Some(&r[i + 1..])),
        None => (r, None),
    };
    let method =
        Some(method).filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()));
    let target = rest
        .map(|t| memchr::memchr(b' ', t.as_bytes()).map_or(t, |j| &t[..j]))
        .filter(|t| !t.is_empty());
    match (method, target) {
        (Some(m), Some(t)) => (Some(m), Some(t)),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line() {
        assert_eq!(
            split_request_line("GET /a?b=1 HTTP/1.1"),
            (Some("GET"), Some("/a?b=1"))
        );
        assert_eq!(split_request_line("\\x16\\x03\\x01"), (None, None));
        assert_eq!(split_request_line("GET /a"), (Some("GET"), Some("/a")));
        assert_eq!(split_request_line("GET  /a HTTP/1.1"), (None, None));
        assert_eq!(split_request_line("GET"), (None, None));
        assert_eq!(split_request_line("get /a HTTP/1.1"), (None, None));
    }
}
