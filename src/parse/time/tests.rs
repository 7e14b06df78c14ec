//! Unit tests of stamp parsing and zone handling in `time.rs`.

use super::*;

#[test]
fn format_utc_matches_strftime() {
    let slow = |t: Micros| {
        chrono::DateTime::from_timestamp_micros(t)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    for t in [
        0,
        1_746_504_008_000_000,
        1_746_504_008_999_999,
        -1,
        -86_400_000_001,
        253_402_300_799_999_999,
        951_782_400_123_456,
    ] {
        assert_eq!(format_utc(t), slow(t), "{t}");
    }
}

fn utc() -> Zone {
    Zone::parse("UTC").unwrap()
}

fn p(s: &str, z: &Zone) -> Option<Micros> {
    parse_ts(s, z, &mut ZoneCache::default())
}

const T0: i64 = 1_746_504_008_000_000; // 2025-05-06T04:00:08Z

#[test]
fn rfc3339_forms() {
    let z = utc();
    assert_eq!(p("2025-05-06T04:00:08Z", &z), Some(T0));
    assert_eq!(p("2025-05-06T04:00:08.123Z", &z), Some(T0 + 123_000));
    assert_eq!(p("2025-05-06T04:00:08.123456789Z", &z), Some(T0 + 123_456));
    assert_eq!(p("2025-05-06T12:00:08+08:00", &z), Some(T0));
    assert_eq!(p("2025-05-06T12:00:08.5+0800", &z), Some(T0 + 500_000));
    assert_eq!(p("2025-05-05T23:00:08-05:00", &z), Some(T0));
    assert_eq!(p("2025-05-06 04:00:08 UTC", &z), Some(T0));
}

#[test]
fn python_asctime_uses_zone() {
    let kolkata = Zone::parse("Asia/Kolkata").unwrap();
    assert_eq!(p("2025-05-06 09:30:08,250", &kolkata), Some(T0 + 250_000));
    let plus8 = Zone::parse("+08:00").unwrap();
    assert_eq!(p("2025-05-06 12:00:08", &plus8), Some(T0));
}

#[test]
fn nginx_forms() {
    let z = Zone::parse("Europe/Berlin").unwrap();
    let mut c = ZoneCache::default();
    // Berlin is UTC+2 in May.
    assert_eq!(
        parse_nginx_error_ts(b"2025/05/06 06:00:08 [error]", &z, &mut c),
        Some(T0)
    );
    assert_eq!(p("06/May/2025:04:00:08 +0000", &z), Some(T0));
    assert_eq!(p("06/May/2025:09:30:08 +0530", &z), Some(T0));
}

#[test]
fn epochs_by_magnitude() {
    let z = utc();
    assert_eq!(epoch_f64(1_746_504_008.0), Some(T0));
    assert_eq!(epoch_f64(1_746_504_008_000.0), Some(T0));
    assert_eq!(epoch_i64(1_746_504_008_000), Some(T0));
    assert_eq!(epoch_i64(1_746_504_008_000_000_000), Some(T0));
    assert_eq!(p("1746504008.5", &z), Some(T0 + 500_000));
    assert_eq!(epoch_f64(42.0), None);
}

#[test]
fn rejects_garbage() {
    let z = utc();
    for s in [
        "",
        "hello",
        "2025-13-06T04:00:08Z",
        "2025-05-06T25:00:08Z",
        "2025-05-06T04:00",
    ] {
        assert_eq!(p(s, &z), None, "{s}");
    }
}

#[test]
fn dst_gap_and_fold_do_not_fail() {
    let z = Zone::parse("Europe/Berlin").unwrap();
    // 02:30 does not exist on 2025-03-30 in Berlin; 02:30 exists twice on 2025-10-26.
    assert!(p("2025-03-30 02:30:00", &z).is_some());
    assert_eq!(p("2025-10-26 02:30:00", &z), Some(1_761_438_600_000_000));
}

#[test]
fn minute_memo_never_changes_results() {
    // One cache across a sequence, as a worker uses it, against a fresh cache per stamp:
    // same minute with other offsets and separators, a leap second, the DST fold.
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let stamps = [
        "2025-10-26 02:30:00,100",
        "2025-10-26 02:30:59,999",
        "2025-10-26 02:30:60",
        "2025-10-26 02:30:01+01:00",
        "2025-10-26 02:30:01+02:00",
        "2025-10-26T02:30:01Z",
        "2025-10-26 02:30:01 UTC",
        "2025-10-26 02:30:02",
        "2025-10-26 02:31:02",
        "2025/10/26 02:31:03",
        "2025-10-26 02:31:0x",
        "2025-10-26 02:31:04",
    ];
    let mut shared = ZoneCache::default();
    for _ in 0..2 {
        for s in stamps {
            assert_eq!(parse_ts(s, &berlin, &mut shared), p(s, &berlin), "{s}");
        }
    }
}

#[test]
fn a_switch_inside_a_local_hour_does_not_depend_on_stamp_order() {
    // Found by the `time` fuzz target: the hour memo gave every stamp of a local hour the
    // offset of the first one read. Lord Howe moves from +10:30 to +11 at 02:00 (02:00
    // to 02:29 do not exist); Goose Bay left daylight time at 00:01 in 2010.
    let cases = [
        (
            "Australia/Lord_Howe",
            [
                "2026-10-04 02:15:00",
                "2026-10-04 02:45:00",
                "2026-10-04 02:15:30",
            ],
        ),
        (
            "America/Goose_Bay",
            [
                "2010-11-07 00:00:30",
                "2010-11-07 00:30:00",
                "2010-11-07 00:00:40",
            ],
        ),
    ];
    for (zone, stamps) in cases {
        let z = Zone::parse(zone).unwrap();
        let mut shared = ZoneCache::default();
        for s in stamps {
            let fresh = p(s, &z);
            assert_eq!(parse_ts(s, &z, &mut shared), fresh, "{zone} {s}");
        }
    }
    let lh = Zone::parse("Australia/Lord_Howe").unwrap();
    assert_eq!(
        p("2026-10-04 02:45:00", &lh),
        p("2026-10-03T15:45:00Z", &lh),
        "02:45 reads at +11"
    );
}

#[test]
fn the_minute_memo_knows_the_zone() {
    // One worker reads inputs in different zones: the same stamp, another instant.
    let mut c = ZoneCache::default();
    let plus1 = Zone::parse("+01:00").unwrap();
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let tokyo = Zone::parse("Asia/Tokyo").unwrap();
    let s = "2026-12-01 09:08:10,515";
    let t = parse_ts(s, &utc(), &mut c).unwrap();
    assert_eq!(parse_ts(s, &plus1, &mut c), Some(t - 3600 * 1_000_000));
    assert_eq!(parse_ts(s, &berlin, &mut c), Some(t - 3600 * 1_000_000));
    assert_eq!(parse_ts(s, &tokyo, &mut c), Some(t - 9 * 3600 * 1_000_000));
    assert_eq!(parse_ts(s, &utc(), &mut c), Some(t));
}

#[test]
fn offsets_parse() {
    assert!(Zone::parse("+08:00").is_some());
    assert!(Zone::parse("-0530").is_some());
    assert!(Zone::parse("America/New_York").is_some());
    assert!(Zone::parse("Mars/Base").is_none());
}

#[test]
fn a_repeated_zone_suffix_reads_as_the_first_did() {
    // The minute memo reuses the suffix's offset when its bytes repeat: stamps of one minute
    // with other suffixes must still read their own.
    let z = utc();
    let mut cache = ZoneCache::default();
    let mut at = |s: &str| parse_ts(s, &z, &mut cache);
    let base = at("2025-05-06T00:00:00.006+00:00").unwrap();
    assert_eq!(at("2025-05-06T00:00:01.006+00:00"), Some(base + 1_000_000));
    assert_eq!(
        at("2025-05-06T00:00:01.006+02:00"),
        Some(base + 1_000_000 - 7_200_000_000)
    );
    assert_eq!(at("2025-05-06T00:00:01.006Z"), Some(base + 1_000_000));
    assert_eq!(at("2025-05-06T00:00:01.006"), Some(base + 1_000_000));
    assert_eq!(at("2025-05-06T00:00:02.006+00:00"), Some(base + 2_000_000));
    assert_eq!(
        at("2025-05-06T00:00:02.006 +0530"),
        Some(base + 2_000_000 - 19_800_000_000)
    );
    // A suffix too long to pack is read every time.
    assert_eq!(at("2025-05-06T00:00:03+00:00:00"), None);
    // Spaces around the stamp are still trimmed.
    assert_eq!(
        at(" 2025-05-06T00:00:03.006+00:00 "),
        Some(base + 3_000_000)
    );
}

#[test]
fn nginx_stamps_of_one_minute_read_as_each_alone() {
    let z = Zone::parse("Europe/Berlin").unwrap();
    let mut cache = ZoneCache::default();
    for s in [
        "06/May/2025:04:00:08 +0000",
        "06/May/2025:04:00:09 +0000",
        "06/May/2025:04:00:09 +0200",
        "06/May/2025:04:00:59",
        "06/May/2025:04:00:10",
        "06/May/2025:04:01:10 +0000",
        "06/May/2025:04:00:60 +0000",
        "07/May/2025:04:00:10 +0000",
        "06/May/2025:04:00:1x +0000",
    ] {
        let memo = parse_ts(s, &z, &mut cache);
        let memo_local = cache.naive_local;
        let mut fresh = ZoneCache::default();
        assert_eq!(memo, parse_ts(s, &z, &mut fresh), "{s}");
        assert_eq!(memo_local, fresh.naive_local, "{s}");
    }
}
