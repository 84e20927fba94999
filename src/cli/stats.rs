//! `communique stats`: figures about the index.

use std::process::ExitCode;

use clap::Args;
use communique::Index;

use super::{Paths, output};

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(paths: &Paths, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open(&paths.index)?;
    let stats = index.stats()?;
    output::print_stats(&stats, args.json)?;
    Ok(ExitCode::SUCCESS)
}
