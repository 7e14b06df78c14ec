//! `logtriage requests`: aggregate every input in parallel with last words tracked, list the
//! selected requests and where the stuck ones stopped, in the chosen format. Must not select
//! or order requests (`listing.rs` does) or format them (`render/requests`).

use std::io::Write;

use anyhow::Result;

use crate::aggregate::AggOptions;
use crate::cli::RequestsFormat;
use crate::config::RequestsConfig;
use crate::engine;
use crate::error::RunOutcome;
use crate::listing::Listing;
use crate::render::Render;
use crate::render::requests as render;

pub fn run(cfg: &RequestsConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    let ic = &cfg.input;
    let opts = AggOptions {
        last_words: true,
        max_endpoints: Some(cfg.max_endpoints),
        ..AggOptions::default()
    };
    let (matched, outcome) = super::aggregate_and_finish(ic, opts, diag, |partial, inputs| {
        let listing = engine::install(ic.threads, || {
            Listing::build(
                &partial,
                &cfg.query,
                &inputs.paths,
                &inputs.errors,
                &ic.zone_name,
                &inputs.zones,
            )
        });
        match cfg.format {
            RequestsFormat::Table => render::Table {
                color: ic.color,
                width: cfg.width,
                wide: cfg.wide,
            }
            .render(&listing, out)?,
            RequestsFormat::Json => render::Json.render(&listing, out)?,
            RequestsFormat::Csv => csv(&listing, ic.threads, out)?,
        }
        out.flush()?;
        anyhow::Ok(listing.matched)
    })?;
    // A failed write ends the run, whatever the inputs did.
    let matched = matched?;
    Ok(if outcome == RunOutcome::Success && matched == 0 {
        RunOutcome::NoMatch
    } else {
        outcome
    })
}

/// Rows per piece of a parallel CSV listing, and pieces formatted per round: a round holds
/// about 8 x 16,384 rows of text (~20 MB) before it is written.
const PIECE_ROWS: usize = 16_384;
const PIECES_PER_ROUND: usize = 8;

/// The CSV listing, formatted in pieces in parallel and written in order: formatting a row
/// (its id, times, escaped cells) costs about as much as reading its lines, and a listing
/// of millions of ids would otherwise spend as long again on one core after the parallel
/// read. Short listings are written directly.
fn csv(listing: &Listing<'_>, threads: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let n = listing.len();
    if n <= PIECE_ROWS || threads <= 1 {
        return render::Csv.render(listing, out);
    }
    let starts: Vec<usize> = (0..n).step_by(PIECE_ROWS).collect();
    engine::rounds(
        threads,
        starts,
        PIECES_PER_ROUND,
        |start| render::csv::piece(listing, start..start + PIECE_ROWS, start == 0),
        |piece| out.write_all(&piece?),
    )
}
