//! `communique facets` and `communique timeline`: what the matching articles mention, and when.

use std::io::Write;
use std::process::ExitCode;

use anstyle::Style;
use clap::{Args, ValueEnum};
use communique::search::Period;
use communique::{Error, Query};

use super::Paths;
use super::search::{Filters, open_or_build};

#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// The query (as for `search`).
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    #[command(flatten)]
    filters: Filters,
    /// How many values to show per facet.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Print the counts as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// The query (as for `search`).
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    #[command(flatten)]
    filters: Filters,
    /// Count by month or by year.
    #[arg(long, value_enum, default_value_t = By::Month)]
    by: By,
    /// Print the counts as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum By {
    Month,
    Year,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

pub fn facets(paths: &Paths, args: FacetsArgs) -> anyhow::Result<ExitCode> {
    let query: Query = args.query.join(" ").parse().map_err(Error::from)?;
    let options = args.filters.options()?;
    let index = open_or_build(paths)?;
    let facets = index.facets(&query, &options)?;
    let mut out = anstream::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &facets)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{BOLD}{} articles match{BOLD:#}", facets.articles)?;
        for (name, list) in [
            ("countries", &facets.countries),
            ("organisations", &facets.orgs),
            ("signatories", &facets.signatories),
            ("sources", &facets.sources),
            ("years", &facets.years),
            ("languages", &facets.languages),
        ] {
            if list.is_empty() {
                continue;
            }
            writeln!(out, "\n{BOLD}{name}{BOLD:#}")?;
            for (value, count) in list.iter().take(args.top) {
                writeln!(out, "  {count:>7}  {value}")?;
            }
            if list.len() > args.top {
                writeln!(out, "  {DIM}… {} more{DIM:#}", list.len() - args.top)?;
            }
        }
    }
    Ok(if facets.articles == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn timeline(paths: &Paths, args: TimelineArgs) -> anyhow::Result<ExitCode> {
    let query: Query = args.query.join(" ").parse().map_err(Error::from)?;
    let options = args.filters.options()?;
    let period = match args.by {
        By::Month => Period::Month,
        By::Year => Period::Year,
    };
    let index = open_or_build(paths)?;
    let counts = index.timeline(&query, &options, period)?;
    let mut out = anstream::stdout().lock();
    if args.json {
        let periods: Vec<serde_json::Value> = counts
            .iter()
            .map(|(period, count)| serde_json::json!({ "period": period, "passages": count }))
            .collect();
        serde_json::to_writer(&mut out, &periods)?;
        writeln!(out)?;
    } else {
        let max = counts.iter().map(|c| c.1).max().unwrap_or(0).max(1);
        const WIDTH: u64 = 50;
        for (period, count) in &counts {
            let cells = (count * WIDTH).div_ceil(max) as usize;
            writeln!(
                out,
                "{period:>7} {count:>6} {BOLD}{}{BOLD:#}",
                "█".repeat(cells)
            )?;
        }
    }
    Ok(if counts.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
