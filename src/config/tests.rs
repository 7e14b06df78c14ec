//! Unit tests of the option values `config/` resolves (durations, time bounds).

use super::input::{Bound, bound};
use super::values::duration;
use crate::parse::time::Zone;

#[test]
fn durations() {
    assert_eq!(duration("10s", "--window").unwrap(), 10_000_000);
    assert_eq!(duration("1h30m", "--window").unwrap(), 5_400_000_000);
    assert!(
        duration("ten", "--window")
            .unwrap_err()
            .0
            .contains("--window")
    );
    assert!(duration("0s", "--window").is_err());
}

#[test]
fn bounds() {
    let z = Zone::parse("UTC").unwrap();
    assert_eq!(
        bound("30m", "--since", &z).unwrap(),
        Bound::BeforeNewest(1_800_000_000)
    );
    assert_eq!(
        bound("2025-05-06 04:00", "--since", &z).unwrap(),
        Bound::At(1_746_504_000_000_000)
    );
    assert_eq!(
        bound("2025-05-06", "--since", &z).unwrap(),
        Bound::At(1_746_489_600_000_000)
    );
    assert!(
        bound("yesterday", "--since", &z)
            .unwrap_err()
            .0
            .starts_with("--since")
    );
}
