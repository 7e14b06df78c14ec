//! Snapshot tests of every renderer, one per format, over finished values built by hand
//! (`values.rs`): what a user sees, byte for byte, hostile log text included (ANSI and OSC
//! escapes, bidi controls, markdown and table syntax, spreadsheet formulas). Each snapshot is
//! reviewed by eye; a change to one is a change to the tool's output. Must not run the
//! pipeline: nothing here reads a log.

mod events;
mod report;
mod requests;
mod rules;
mod trace;
mod values;
mod watch;

use logtriage::render::Render;

/// What `renderer` writes for `value`, as text.
pub fn rendered<T: ?Sized>(renderer: &dyn Render<T>, value: &T) -> String {
    let mut out = Vec::new();
    renderer.render(value, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}
