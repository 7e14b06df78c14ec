//! `split_request_line`: the HTTP request line (`GET /path?q HTTP/1.1`) as nginx's
//! `$request`, gunicorn and JSON loggers write it, cut into method and target. Does not
//! judge the target: endpoints are named elsewhere.

/// Splits nginx's `$request` ("GET /path?q HTTP/1.1") into method and target.
pub fn split_request_line(r: &str) -> (Option<&str>, Option<&str>) {
    let mut it = r.splitn(3, ' ');
    let method = it
        .next()
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()));
    let target = it.next().filter(|t| !t.is_empty());
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
    }
}
