//! Terminal colour for the renderers that print lines (`events`, `trace`): one switch, off
//! unless colour was asked for. Wraps text the caller has already escaped; must not escape.

/// Terminal styling; all of it off unless colour was asked for.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// `s` inside SGR `code` (`1` bold, `31` red, ...) and a reset, or `s` alone.
    pub fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}
