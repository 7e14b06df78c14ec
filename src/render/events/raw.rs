//! `--format raw` of `trace` and `filter`: the original line, unchanged, and a newline. The
//! one renderer that does not escape: asking for raw is asking for the bytes as logged.

use std::io::{self, Write};

use crate::render::Render;
use crate::select::event::Event;

pub struct Raw;

impl Render<Event> for Raw {
    fn render(&self, e: &Event, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&e.raw)?;
        out.write_all(b"\n")
    }
}
