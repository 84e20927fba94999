//! `communique stats` and `communique check`: figures about the index, and its health.

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

/// Verifies the index; exit 0 when healthy, 2 (with what is wrong) when not.
pub fn check(paths: &Paths, json: bool) -> anyhow::Result<ExitCode> {
    let report = Index::check_at(&paths.index)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else if report.ok() {
        println!(
            "ok: {} articles, {} corpus files in the manifest, every file matches its checksum",
            report.articles, report.manifest_files
        );
    }
    if report.ok() {
        return Ok(ExitCode::SUCCESS);
    }
    let mut problems: Vec<String> = report
        .damaged_files
        .iter()
        .map(|f| format!("{} does not match its checksum", f.display()))
        .collect();
    problems.extend(report.problems.iter().cloned());
    anyhow::bail!(
        "the index in `{}` is damaged: {}; run `communique index --rebuild`",
        paths.index.display(),
        problems.join("; ")
    )
}
