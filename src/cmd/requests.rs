//! `logtriage requests`: aggregate every input in parallel with last words tracked, list the
//! selected requests and where the stuck ones stopped, in the chosen format.

use std::io::Write;

use anyhow::Result;

use crate::aggregate::AggOptions;
use crate::cli::RequestsFormat;
use crate::config::RequestsConfig;
use crate::engine;
use crate::error::Outcome;
use crate::parse::Parser;
use crate::render::requests as render;
use crate::requests::Listing;

pub fn run(cfg: &RequestsConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<Outcome> {
    let ic = &cfg.input;
    let (mut opened, mut errors) = super::open_inputs(ic, diag)?;
    let parser = Parser::new(ic.fields.clone(), ic.zone.clone());
    let tune = super::tuning(ic);
    let (since, until) = super::time_bounds(ic, &mut opened, &mut errors, &parser, diag)?;
    let opts = AggOptions {
        window: None,
        since,
        until,
        last_words: true,
        rules: None,
        window_cap: None,
    };
    let partial = super::aggregate(ic, &mut opened, &mut errors, &parser, &opts, diag)?;
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let listing = engine::install(tune.threads, || {
        Listing::build(&partial, &cfg.query, &paths, &errors, &ic.zone_name)
    });
    match cfg.format {
        RequestsFormat::Table => render::table(&listing, ic.color, out)?,
        RequestsFormat::Json => render::json(&listing, out)?,
        RequestsFormat::Csv => render::csv(&listing, out)?,
    }
    out.flush()?;
    Ok(if errors.iter().any(Option::is_some) {
        Outcome::InputErrors
    } else if listing.matched == 0 {
        Outcome::NoMatch
    } else {
        Outcome::Success
    })
}
