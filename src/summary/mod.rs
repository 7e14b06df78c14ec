//! Summaries that travel: what `report --save-summary` writes (`Summary`, the settings it
//! was made with, its inputs and their mergeable partial) and the checks before summaries
//! join a run. The byte format is `format.rs`. Must not read logs or decide where a
//! summary's inputs go among a run's (`cmd/` does).

pub mod format;

use serde::{Deserialize, Serialize};

use crate::aggregate::saved::SavedPartial;
use crate::aggregate::zones::{HOWS, Reading};

/// One summary: the settings that shaped it, its inputs in order, and what they counted.
#[derive(Debug, Serialize, Deserialize)]
pub struct Summary {
    pub settings: Settings,
    pub inputs: Vec<SavedInput>,
    pub partial: SavedPartial,
}

/// An input of a summary, as the report names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedInput {
    /// The path as it was given where the summary was made.
    pub path: String,
    /// What stopped reading it, if anything (the lines before still count).
    pub error: Option<String>,
    /// How its naive stamps were read.
    pub zone: Option<SavedReading>,
}

/// A `Reading` as saved: its `how` as text, read back only as one of `zones::HOWS`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedReading {
    zone: String,
    how: String,
    request_ids: u64,
    ids_agreeing: u64,
    matched_error_lines: u64,
    conflicting: std::collections::BTreeMap<String, u64>,
    note: String,
}

impl From<&Reading> for SavedReading {
    fn from(r: &Reading) -> SavedReading {
        SavedReading {
            zone: r.zone.clone(),
            how: r.how.to_string(),
            request_ids: r.request_ids,
            ids_agreeing: r.ids_agreeing,
            matched_error_lines: r.matched_error_lines,
            conflicting: r.conflicting.clone(),
            note: r.note.clone(),
        }
    }
}

impl SavedReading {
    /// The reading again; `Err` names a `how` no logtriage writes.
    pub fn reading(&self) -> Result<Reading, String> {
        let how = HOWS
            .into_iter()
            .find(|h| *h == self.how)
            .ok_or_else(|| format!("corrupt: unknown zone reading {:?}", self.how))?;
        Ok(Reading {
            zone: self.zone.clone(),
            how,
            request_ids: self.request_ids,
            ids_agreeing: self.ids_agreeing,
            matched_error_lines: self.matched_error_lines,
            conflicting: self.conflicting.clone(),
            note: self.note.clone(),
            reread: None,
        })
    }
}

/// The options that change what is counted, as `(option, value shown, fingerprint)`: two
/// runs count alike when every fingerprint matches. The value is what a person compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings(pub Vec<Setting>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub option: String,
    pub shown: String,
    pub fingerprint: String,
}

impl Setting {
    /// A setting compared by the value shown.
    pub fn plain(option: &str, shown: impl Into<String>) -> Setting {
        let shown = shown.into();
        Setting {
            option: option.to_string(),
            fingerprint: shown.clone(),
            shown,
        }
    }

    /// A setting compared by a digest of `what` (a rule set, compiled formats), shown as
    /// `shown`.
    pub fn digest(option: &str, shown: impl Into<String>, what: &str) -> Setting {
        Setting {
            option: option.to_string(),
            shown: shown.into(),
            fingerprint: format!("{:08x}", crc32fast::hash(what.as_bytes())),
        }
    }
}

impl Settings {
    /// The first of `here`'s options (this run's) these settings disagree on, as a sentence.
    /// Options only these settings record are not compared: a run that does not count by
    /// them (`requests` has no rules) takes the summary as it is.
    pub fn difference(&self, here: &Settings) -> Option<String> {
        for h in &here.0 {
            let saved = self.0.iter().find(|s| s.option == h.option);
            match saved {
                Some(s) if s.fingerprint == h.fingerprint => continue,
                Some(s) if s.shown == h.shown => {
                    return Some(format!(
                        "it was made with a different {} ({}; the rules or formats themselves differ)",
                        h.option, s.shown
                    ));
                }
                Some(s) => {
                    return Some(format!(
                        "it was made with {} {}, this run has {} {}",
                        s.option, s.shown, h.option, h.shown
                    ));
                }
                None => {
                    return Some(format!("it does not record {}", h.option));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(window: &str, rules: &str) -> Settings {
        Settings(vec![
            Setting::plain("--window", window),
            Setting::digest("--rules", "built-in", rules),
        ])
    }

    #[test]
    fn equal_settings_have_no_difference() {
        assert_eq!(
            settings("auto", "a").difference(&settings("auto", "a")),
            None
        );
    }

    #[test]
    fn a_difference_names_the_option_and_both_values() {
        let d = settings("1m", "a")
            .difference(&settings("auto", "a"))
            .unwrap();
        assert_eq!(
            d,
            "it was made with --window 1m, this run has --window auto"
        );
        let d = settings("auto", "a")
            .difference(&settings("auto", "b"))
            .unwrap();
        assert!(d.contains("different --rules"), "{d}");
    }

    #[test]
    fn only_the_options_of_this_run_are_compared() {
        let mut more = settings("auto", "a");
        more.0.push(Setting::plain("--tz", "UTC"));
        assert!(
            settings("auto", "a")
                .difference(&more)
                .unwrap()
                .contains("--tz")
        );
        assert_eq!(more.difference(&settings("auto", "a")), None);
    }
}
