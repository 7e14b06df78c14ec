//! Endpoint naming: `METHOD /path` with the query dropped and id-like segments collapsed to
//! `:id`; health-check detection. Pure string work, shared by every aggregate.

/// Writes the endpoint name into `out` (cleared first).
pub fn normalize(method: Option<&str>, target: &str, out: &mut String) {
    out.clear();
    if let Some(m) = method {
        out.push_str(m);
        out.push(' ');
    }
    let mut path = target;
    // Absolute-form targets (`http://host/path`) keep only the path.
    if path.as_bytes().first() != Some(&b'/')
        && let Some(i) = path.find("://")
    {
        let after = &path[i + 3..];
        path = after.find('/').map_or("/", |j| &after[j..]);
    }
    let end = memchr::memchr2(b'?', b'#', path.as_bytes()).unwrap_or(path.len());
    let path = &path[..end];
    if path.is_empty() {
        out.push('/');
        return;
    }
    let mut rest = path;
    loop {
        let (seg, more) = match memchr::memchr(b'/', rest.as_bytes()) {
            Some(k) => (&rest[..k], Some(&rest[k + 1..])),
            None => (rest, None),
        };
        out.push_str(if is_id(seg) { ":id" } else { seg });
        match more {
            Some(m) => {
                out.push('/');
                rest = m;
            }
            None => break,
        }
    }
}

/// Numbers, UUIDs, and hex runs of 8+ characters with at least one digit.
fn is_id(seg: &str) -> bool {
    let b = seg.as_bytes();
    if b.is_empty() {
        return false;
    }
    if b.iter().all(u8::is_ascii_digit) {
        return true;
    }
    if b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-') {
        return b
            .iter()
            .enumerate()
            .all(|(i, c)| [8, 13, 18, 23].contains(&i) || c.is_ascii_hexdigit());
    }
    b.len() >= 8 && b.iter().all(u8::is_ascii_hexdigit) && b.iter().any(u8::is_ascii_digit)
}

const HEALTH: [&str; 5] = ["health", "healthz", "readyz", "livez", "ping"];

/// Whether an endpoint name (`GET /api/healthz`) is a health check, judged by its last segment.
pub fn is_health(endpoint: &str) -> bool {
    let path = endpoint.rsplit(' ').next().unwrap_or(endpoint);
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    HEALTH.contains(&last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(m: Option<&str>, p: &str) -> String {
        let mut s = String::new();
        normalize(m, p, &mut s);
        s
    }

    #[test]
    fn collapses_ids_and_drops_query() {
        assert_eq!(n(Some("GET"), "/api/items/1234?x=1"), "GET /api/items/:id");
        assert_eq!(
            n(
                Some("GET"),
                "/users/6f1c0b8e-9d2a-4c3b-8a7e-5f4d3c2b1a09/orders"
            ),
            "GET /users/:id/orders"
        );
        assert_eq!(n(Some("GET"), "/blob/5f3a9c2e11"), "GET /blob/:id");
        assert_eq!(n(Some("GET"), "/api/facade"), "GET /api/facade");
        assert_eq!(n(Some("POST"), "http://10.0.0.7:30016/a/7"), "POST /a/:id");
        assert_eq!(n(None, "/x"), "/x");
        assert_eq!(n(Some("GET"), "?q"), "GET /");
    }

    #[test]
    fn health_checks() {
        assert!(is_health("GET /health"));
        assert!(is_health("GET /api/healthz/"));
        assert!(is_health("/ping"));
        assert!(!is_health("GET /healthcare"));
    }
}
