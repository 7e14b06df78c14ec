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

/// Appends `path` to a memo key with every id-like segment (`is_id`: numbers, UUIDs, hex
/// runs) as one 0xFD byte (never in UTF-8): `normalize` names every such segment `:id`
/// whatever it holds, and reads every other byte as it is, so paths with the same key have
/// the same name. Returns whether a segment was masked.
pub fn memo_key(path: &[u8], key: &mut Vec<u8>) -> bool {
    let mut masked = false;
    for (i, seg) in path.split(|&c| c == b'/').enumerate() {
        if i > 0 {
            key.push(b'/');
        }
        // Whole segments at a time: this runs on every memo miss of the raw path.
        if id_bytes(seg) {
            key.push(0xFD);
            masked = true;
        } else {
            key.extend_from_slice(seg);
        }
    }
    masked
}

/// Numbers, UUIDs, and hex runs of 8+ characters with at least one digit.
fn is_id(seg: &str) -> bool {
    id_bytes(seg.as_bytes())
}

/// `is_id` of a segment's bytes.
fn id_bytes(b: &[u8]) -> bool {
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

/// Raw endpoint keys up to this many bytes are memoised.
const MEMO_KEY: usize = 62;
const MEMO_SLOTS: usize = 1024;

/// A direct-mapped memo from raw `METHOD path` keys to interned endpoint ids: lines of one
/// request repeat their path, and most services have few routes. Fixed size and no
/// allocation per entry, so paths full of ids only overwrite slots. Ids are those of the
/// owning partial's interner.
#[derive(Clone)]
pub struct Memo {
    slots: Box<[MemoSlot]>,
}

#[derive(Clone, Copy)]
struct MemoSlot {
    len: u8,
    id: u32,
    key: [u8; MEMO_KEY],
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            slots: vec![
                MemoSlot {
                    len: u8::MAX,
                    id: 0,
                    key: [0; MEMO_KEY]
                };
                MEMO_SLOTS
            ]
            .into_boxed_slice(),
        }
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Memo {
    fn slot(key: &[u8]) -> usize {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let h = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(key);
        (h >> 54) as usize % MEMO_SLOTS
    }

    /// The id remembered for `key`, if any.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        if key.len() > MEMO_KEY {
            return None;
        }
        let s = &self.slots[Self::slot(key)];
        (s.len as usize == key.len() && &s.key[..key.len()] == key).then_some(s.id)
    }

    /// Remembers `key` (if short enough), replacing whatever shared its slot.
    #[inline]
    pub fn put(&mut self, key: &[u8], id: u32) {
        if key.len() > MEMO_KEY {
            return;
        }
        let s = &mut self.slots[Self::slot(key)];
        s.len = key.len() as u8;
        s.id = id;
        s.key[..key.len()].copy_from_slice(key);
    }
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

    #[test]
    fn memo_keys_mask_exactly_the_segments_normalize_names_id() {
        let key = |p: &str| {
            let mut k = Vec::new();
            let masked = memo_key(p.as_bytes(), &mut k);
            (k, masked)
        };
        assert_eq!(
            key("/api/v1/users/123/orders").0,
            b"/api/v1/users/\xFD/orders"
        );
        assert!(key("/users/7").1);
        assert!(!key("/api/v1/search").1);
        // Digits inside a segment stay: normalize keeps `v1` and `v2` apart.
        assert_ne!(key("/v1/x").0, key("/v2/x").0);
        assert_eq!(key("//1/").0, b"//\xFD/");
        // Hex words without a digit are words, as normalize keeps them.
        assert_ne!(key("/x/deadbeef").0, key("/x/cafebabe").0);
        // Paths with one key have one name.
        let pairs = [
            ("/u/1/o/22", "/u/333/o/4"),
            ("/a/0", "/a/99999999999999999999"),
            ("http://h/1", "http://h/2"),
            (
                "/users/5564a2e9-47ed-4732-8d4a-a77536875275/orders",
                "/users/119d412d-ef09-4b01-8f2c-40d3b3fa5e88/orders",
            ),
            ("/blob/deadbeef01/raw", "/blob/0123abcd/raw"),
        ];
        for (a, b) in pairs {
            assert_eq!(key(a).0, key(b).0);
            assert_eq!(n(Some("GET"), a), n(Some("GET"), b), "{a} {b}");
        }
    }

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
    fn memo_remembers_only_what_it_can_hold() {
        let mut m = Memo::default();
        assert_eq!(m.get(b"GET\xff/a"), None);
        m.put(b"GET\xff/a", 7);
        assert_eq!(m.get(b"GET\xff/a"), Some(7));
        assert_eq!(m.get(b"GET\xff/b"), None);
        let long = [b'x'; MEMO_KEY + 1];
        m.put(&long, 9);
        assert_eq!(m.get(&long), None);
        // Every slot overwritten by other keys: the old key is forgotten, never misread.
        let key = |i: u32| format!("GET /k{i}").into_bytes();
        for i in 0..(MEMO_SLOTS * 8) as u32 {
            m.put(&key(i), i);
            assert_eq!(m.get(&key(i)), Some(i));
        }
        assert!(m.get(b"GET\xff/a").is_none_or(|id| id == 7));
        for i in 0..(MEMO_SLOTS * 8) as u32 {
            assert!(m.get(&key(i)).is_none_or(|id| id == i));
        }
    }

    #[test]
    fn health_checks() {
        assert!(is_health("GET /health"));
        assert!(is_health("GET /api/healthz/"));
        assert!(is_health("/ping"));
        assert!(!is_health("GET /healthcare"));
    }
}
