//! Unit tests of request grouping: the hex decoder, compact ids, and merges that must not
//! depend on order or on how partials nest.

use super::key::hex8;
use super::*;
use crate::aggregate::intern::NONE;

#[test]
fn hex8_matches_a_plain_decoder() {
    let plain = |c: &[u8]| -> Option<u32> {
        let s = std::str::from_utf8(c).ok()?;
        if !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        u32::from_str_radix(s, 16).ok()
    };
    let mut seed = 0x1234_5678_u64;
    let alphabet = b"0123456789abcdefABCDEFgxz/:@`G\x00\xff";
    for _ in 0..200_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut c = [0u8; 8];
        for (i, b) in c.iter_mut().enumerate() {
            // Mostly valid digits, sometimes anything from the alphabet.
            let r = (seed >> (i * 7)) as usize;
            *b = if r.is_multiple_of(5) {
                alphabet[r % alphabet.len()]
            } else {
                b"0123456789abcdef"[r % 16]
            };
        }
        assert_eq!(hex8(&c), plain(&c), "{:?}", String::from_utf8_lossy(&c));
    }
    assert_eq!(hex8(b"deadbeef"), Some(0xdead_beef));
    assert_eq!(hex8(b"00000000"), Some(0));
    assert_eq!(hex8(b"ffffffff"), Some(u32::MAX));
    for bad in [
        b"DEADBEEF",
        b"0000000g",
        b"/0000000",
        b":0000000",
        b"`0000000",
        b"G0000000",
    ] {
        assert_eq!(hex8(bad), None);
    }
}

#[test]
fn compact_ids_round_trip() {
    let mut r = Requests::default();
    r.entry("0123456789abcdef0123456789abcdef").lines = 1;
    r.entry("6f1c0b8e-9d2a-4c3b-8a7e-5f4d3c2b1a09").lines = 2;
    r.entry("ABCDEF0123456789ABCDEF0123456789").lines = 3;
    r.entry("req-1").lines = 4;
    r.finish(&Interner::default());
    let mut got: Vec<(String, u32)> = r.iter().map(|(k, v)| (k.render(), v.lines)).collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("0123456789abcdef0123456789abcdef".into(), 1),
            ("6f1c0b8e-9d2a-4c3b-8a7e-5f4d3c2b1a09".into(), 2),
            ("ABCDEF0123456789ABCDEF0123456789".into(), 3),
            ("req-1".into(), 4)
        ]
    );
}

/// One partial's worth: its own interner, and requests touched with its own ids.
fn partial(eps: &[&str], lines: &[(&str, usize)]) -> (Interner, Requests) {
    let mut names = Interner::default();
    let ids: Vec<u32> = eps.iter().map(|e| names.intern(e)).collect();
    let mut r = Requests::default();
    for &(id, ep) in lines {
        let t = Touch {
            ts: Some(1),
            nginx: false,
            latency_ms: None,
            status: None,
            endpoint: ids[ep],
            error_type: NONE,
            is_error: false,
            msg: NONE,
            pos: 0,
            format: 0,
            access_key: 0,
        };
        r.entry(id).touch(&t, &names);
    }
    r.seal();
    (names, r)
}

fn merged(mut a: (Interner, Requests), b: (Interner, Requests)) -> (Interner, Requests) {
    let map = a.0.absorb(&b.0);
    a.1.merge(b.1, &map);
    a
}

fn listing((names, mut r): (Interner, Requests)) -> Vec<(String, String, u32)> {
    r.finish(&names);
    let mut v: Vec<_> = r
        .iter()
        .map(|(k, a)| (k.render(), names.name(a.endpoint).to_string(), a.lines))
        .collect();
    v.sort();
    v
}

#[test]
fn pending_remaps_compose_across_nested_merges() {
    // Each partial interns the endpoints in another order, so ids disagree; requests span
    // partials. ((a + b) + c) and (a + (b + c)) must name the same endpoints.
    let hex = "0123456789abcdef0123456789abcdef";
    let a = || partial(&["GET /a", "GET /b"], &[(hex, 0), ("t-1", 1)]);
    let b = || partial(&["GET /c", "GET /b", "GET /a"], &[(hex, 2), ("t-2", 0)]);
    let c = || partial(&["GET /b", "GET /c"], &[("t-1", 0), ("t-2", 1), ("t-3", 1)]);
    let left = listing(merged(merged(a(), b()), c()));
    let right = listing(merged(a(), merged(b(), c())));
    assert_eq!(left, right);
    assert_eq!(
        left,
        vec![
            (hex.to_string(), "GET /a".to_string(), 2),
            ("t-1".to_string(), "GET /b".to_string(), 2),
            ("t-2".to_string(), "GET /c".to_string(), 2),
            ("t-3".to_string(), "GET /c".to_string(), 1),
        ]
    );
}

#[test]
fn merge_is_order_independent() {
    let mut names = Interner::default();
    let a_ep = names.intern("GET /a");
    let b_ep = names.intern("GET /b");
    let t1 = Touch {
        ts: Some(5),
        nginx: false,
        latency_ms: None,
        status: None,
        endpoint: b_ep,
        error_type: NONE,
        is_error: false,
        msg: NONE,
        pos: 0,
        format: 0,
        access_key: 0,
    };
    let t2 = Touch {
        ts: Some(9),
        nginx: true,
        latency_ms: Some(30.0),
        status: Some(504),
        endpoint: a_ep,
        error_type: NONE,
        is_error: false,
        msg: NONE,
        pos: 0,
        format: 0,
        access_key: 0,
    };
    let (mut x, mut y) = (ReqAgg::default(), ReqAgg::default());
    x.touch(&t1, &names);
    y.touch(&t2, &names);
    let mut xy = x;
    xy.merge_with(&y, &names);
    let mut yx = y;
    yx.merge_with(&x, &names);
    for r in [xy, yx] {
        assert_eq!(
            (r.first, r.last, r.lines, r.nginx_status, r.endpoint),
            (5, 9, 2, 504, a_ep)
        );
        assert_eq!(
            r.flags & (APP_SEEN | NGINX_SEEN | APP_DONE),
            APP_SEEN | NGINX_SEEN
        );
    }
}

#[test]
fn last_message_is_the_latest_line_by_time_then_position() {
    let mut names = Interner::default();
    let started = names.intern("request started");
    let calling = names.intern("calling payment provider");
    let line = |ts: Option<i64>, nginx: bool, msg: u32, pos: u64| Touch {
        ts,
        nginx,
        latency_ms: None,
        status: None,
        endpoint: NONE,
        error_type: NONE,
        is_error: false,
        msg,
        pos,
        format: 0,
        access_key: 0,
    };
    // Same millisecond: the later position wins, whichever partial saw which line.
    let a = line(Some(7), false, started, position(0, 100));
    let b = line(Some(7), false, calling, position(0, 180));
    // nginx lines never speak for the app, however late.
    let n = line(Some(9), true, started, position(1, 0));
    let (mut x, mut y, mut z) = (ReqAgg::default(), ReqAgg::default(), ReqAgg::default());
    x.touch(&a, &names);
    y.touch(&b, &names);
    z.touch(&n, &names);
    for order in [[x, y, z], [z, y, x], [y, x, z]] {
        let mut m = ReqAgg::default();
        for r in order {
            m.merge_with(&r, &names);
        }
        assert_eq!(m.last_msg, calling);
    }
    // A timed line is later than an untimed one.
    let mut r = ReqAgg::default();
    r.touch(&line(Some(1), false, started, position(0, 0)), &names);
    r.touch(&line(None, false, calling, position(0, 50)), &names);
    assert_eq!(r.last_msg, started);
}

#[test]
fn finishing_again_after_more_lines_equals_finishing_once() {
    // A watch finishes its requests, then more lines come (new ids and ones already
    // finished) and it finishes again: the finished rows stay in place and only the new ones
    // are sorted before a merge. That must give what one finish over every line gives.
    let names = Interner::default();
    let id = |i: u64| format!("{:032x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let touch = |r: &mut Requests, i: u64| {
        let t = Touch {
            ts: Some(i as i64),
            nginx: false,
            latency_ms: Some(i as f64),
            status: None,
            endpoint: NONE,
            error_type: NONE,
            is_error: false,
            msg: NONE,
            pos: i,
            format: 0,
            access_key: 0,
        };
        r.entry(&id(i)).touch(&t, &names);
    };
    let rows = |r: &Requests| -> Vec<(String, u32, i64)> {
        r.iter()
            .map(|(k, a)| (k.render(), a.lines, a.last))
            .collect()
    };
    let (first, second): (Vec<u64>, Vec<u64>) = ((0..20_000).collect(), (15_000..30_000).collect());
    let mut twice = Requests::default();
    first.iter().for_each(|&i| touch(&mut twice, i));
    twice.seal();
    twice.finish(&names);
    second.iter().for_each(|&i| touch(&mut twice, i));
    twice.seal();
    twice.finish(&names);
    let mut once = Requests::default();
    first
        .iter()
        .chain(&second)
        .for_each(|&i| touch(&mut once, i));
    once.seal();
    once.finish(&names);
    assert_eq!(twice.len(), 30_000);
    assert_eq!(rows(&twice), rows(&once));
    assert!(rows(&twice).iter().filter(|r| r.1 == 2).count() == 5_000);
}

#[test]
fn many_flushes_finish_to_exact_unique_rows_in_key_order() {
    // Enough distinct ids for several flushes and full segments in every partition, each
    // id touched twice, a flush apart, so its two rows sit in different segments.
    let n = OPEN_LIMIT * 20;
    let id = |i: usize| {
        format!(
            "{:032x}",
            (i as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C)
        )
    };
    let mut r = Requests::default();
    for pass in 0..2 {
        for i in 0..n {
            r.entry(&id(i)).lines += 1 + pass;
            r.maybe_flush();
        }
    }
    r.finish(&Interner::default());
    assert_eq!(r.len(), n);
    let rows: Vec<RowRef<'_>> = r.rows().collect();
    assert_eq!(rows.len(), n);
    assert!(rows.iter().all(|row| row.agg().lines == 3));
    for part in &r.hex.parts {
        assert!(part.len() <= 1);
        for seg in part {
            assert!(seg.rows.is_sorted_by(|a, b| a.0 < b.0));
            assert_eq!(seg.rows.len(), seg.rows.capacity(), "no slack kept");
        }
    }
}

#[test]
fn row_refs_order_as_their_keys() {
    let mut r = Requests::default();
    for id in [
        "req-b",
        "ffffffffffffffffffffffffffffffff",
        "00000000-0000-0000-0000-000000000001",
        "00000000000000000000000000000002",
        "req-a",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ] {
        r.entry(id).lines = 1;
    }
    r.finish(&Interner::default());
    let rows: Vec<RowRef<'_>> = r.rows().collect();
    for a in &rows {
        for b in &rows {
            assert_eq!(
                a.cmp_key(*b),
                a.key().cmp(&b.key()),
                "{:?} {:?}",
                a.key(),
                b.key()
            );
        }
    }
    let keys: Vec<ReqKey> = rows.iter().map(|r| r.key()).collect();
    let owned: Vec<ReqKey> = r.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, owned, "rows() walks as iter() does");
}
