//! `Level`: the normalised severity and the spellings loggers write for it. Owns only the
//! names and numbers; which field holds a level is the readers' business.

use serde::Serialize;

/// Normalised severity. Order matters: comparisons mean "this level or worse".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    pub fn name(self) -> &'static str {
        ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"][self as usize]
    }

    /// Names used by Python logging, pino, zap, slog, logrus, tracing, syslog and nginx.
    pub fn from_name(s: &str) -> Option<Level> {
        // The spellings loggers actually write, before the general case-folding match.
        match s.as_bytes() {
            b"INFO" | b"info" => return Some(Level::Info),
            b"DEBUG" | b"debug" => return Some(Level::Debug),
            b"WARNING" | b"WARN" | b"warning" | b"warn" => return Some(Level::Warn),
            b"ERROR" | b"error" => return Some(Level::Error),
            _ => {}
        }
        let s = s.trim();
        if s.len() > 11 {
            return None;
        }
        let mut buf = [0u8; 11];
        let lower = &mut buf[..s.len()];
        lower.copy_from_slice(s.as_bytes());
        lower.make_ascii_lowercase();
        Some(match &*lower {
            b"trace" | b"trc" | b"verbose" => Level::Trace,
            b"debug" | b"dbg" | b"d" => Level::Debug,
            b"info" | b"information" | b"informational" | b"inf" | b"notice" | b"i" => Level::Info,
            b"warn" | b"warning" | b"wrn" | b"w" => Level::Warn,
            b"error" | b"err" | b"eror" | b"e" => Level::Error,
            b"fatal" | b"critical" | b"crit" | b"alert" | b"emerg" | b"emergency" | b"panic"
            | b"dpanic" | b"ftl" | b"f" => Level::Fatal,
            _ => return None,
        })
    }

    /// pino/bunyan scale: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    pub fn from_number(n: f64) -> Option<Level> {
        Some(match n as i64 {
            10..=19 => Level::Trace,
            20..=29 => Level::Debug,
            30..=39 => Level::Info,
            40..=49 => Level::Warn,
            50..=59 => Level::Error,
            60..=69 => Level::Fatal,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names() {
        assert_eq!(Level::from_name("WARNING"), Some(Level::Warn));
        assert_eq!(Level::from_name("critical"), Some(Level::Fatal));
        assert_eq!(Level::from_name("emerg"), Some(Level::Fatal));
        assert_eq!(Level::from_name("notice"), Some(Level::Info));
        assert_eq!(Level::from_name("Err"), Some(Level::Error));
        assert_eq!(Level::from_name("banana"), None);
        assert_eq!(Level::from_name("a very long level name"), None);
    }

    #[test]
    fn level_numbers() {
        assert_eq!(Level::from_number(30.0), Some(Level::Info));
        assert_eq!(Level::from_number(50.0), Some(Level::Error));
        assert_eq!(Level::from_number(60.0), Some(Level::Fatal));
        assert_eq!(Level::from_number(5.0), None);
    }
}
