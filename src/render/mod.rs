//! Output: finished values to bytes, behind one trait (`Render<T>`), one small renderer type
//! per format and value: the `Report` (`table`, `json`, `markdown`, and `html`: the report
//! with the timelines of its slowest and stuck requests as one page), the `requests` listing
//! (`requests/`: table, json, csv), selected events (`events/`: text, json, raw), a trace's
//! summary (`trace/`: text, json), the rule list (`rules`), `watch`'s output (`watch/`: JSON
//! lines, the live view) and `export`'s rows (`export/`: parquet, jsonl, csv, behind their
//! own `Export` trait, since rows come in groups encoded in parallel). A renderer reads only
//! the value it is given (and the settings it was made with: colour, file names, column
//! layout); it must not read a partial or a latency store, compute figures, or call another
//! renderer. What several renderers share
//! lives in helper files: `escape` (log text made safe per medium), `safe_json` (the one JSON
//! writer), `style` (terminal colour), `notes` (the report's notes and strips) and the
//! format-free helpers below.

pub mod escape;
pub mod events;
pub mod export;
pub mod fit;
pub mod html;
pub mod json;
pub mod markdown;
pub mod notes;
pub mod requests;
pub mod rules;
pub mod safe_json;
pub mod style;
pub mod table;
pub mod trace;
pub mod watch;

use std::io::{self, Write};

/// Writes a finished `T` in one format. Implementors hold only settings (colour, file names,
/// layout); everything printed comes from `value`.
pub trait Render<T: ?Sized> {
    fn render(&self, value: &T, out: &mut dyn Write) -> io::Result<()>;
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Unicode sparkline scaled to the largest value; `·` marks zero or missing.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let max = values.iter().flatten().cloned().fold(0.0_f64, f64::max);
    values
        .iter()
        .map(|v| match v {
            Some(x) if *x > 0.0 && max > 0.0 => {
                let i = ((x / max) * (SPARKS.len() - 1) as f64).round() as usize;
                SPARKS[i.min(SPARKS.len() - 1)]
            }
            _ => '·',
        })
        .collect()
}

/// `2025-05-06T04:00:08.000Z` -> `2025-05-06 04:00:08`.
pub fn short_time(t: &str) -> String {
    t.get(..19).unwrap_or(t).replace('T', " ")
}

/// Milliseconds with as many decimals as matter at their size: `1234`, `12.3`, `1.23`.
pub fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales() {
        assert_eq!(sparkline(&[Some(0.0), Some(1.0), Some(7.0), None]), "·▂█·");
        assert_eq!(sparkline(&[]), "");
    }
}
