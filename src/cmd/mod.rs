//! One module per subcommand, each with the same `run(&Config, out) -> Result<Outcome>` shape.

pub mod generate;
pub mod report;
