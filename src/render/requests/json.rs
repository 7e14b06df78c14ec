//! `requests --format json`: the listing as one compact JSON document
//! (docs/requests-schema.md), rows serialised as they are built, through `safe_json`.

use std::io::{self, Write};

use crate::listing::Listing;
use crate::render::Render;
use crate::render::safe_json::write_line;

/// One document; pipe through `jq` to read it.
pub struct Json;

impl Render<Listing<'_>> for Json {
    fn render(&self, l: &Listing<'_>, out: &mut dyn Write) -> io::Result<()> {
        write_line(out, l)
    }
}
