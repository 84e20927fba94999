//! Command-line arguments and the dispatch to one module per subcommand.

mod eval;
mod facets;
mod follow;
mod index;
mod notify;
pub mod output;
mod search;
mod serve;
mod stats;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Full-text search for diplomatic statements: ranked passages, exact highlights.
#[derive(Debug, Parser)]
#[command(name = "communique", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
struct Global {
    /// Folder of articles (.txt, .md, .json, .jsonl), read recursively.
    #[arg(
        long,
        global = true,
        env = "COMMUNIQUE_CORPUS",
        default_value = "corpus",
        value_name = "DIR"
    )]
    corpus: PathBuf,
    /// Folder of the index.
    #[arg(
        long,
        global = true,
        env = "COMMUNIQUE_INDEX",
        default_value = "index",
        value_name = "DIR"
    )]
    index: PathBuf,
    /// How to read the corpus files' metadata from their paths and a table beside them
    /// (default: `communique.toml` in the corpus folder, if there is one).
    #[arg(long, global = true, env = "COMMUNIQUE_METADATA", value_name = "FILE")]
    metadata: Option<PathBuf>,
    /// When to colour the output (NO_COLOR is honoured in `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build or bring the index up to date from the corpus (only what changed is read).
    Index(index::IndexArgs),
    /// Search: the best passage of each matching article, best first.
    Search(search::SearchArgs),
    /// Counts by country, organisation, signatory, source, year and language of the matching
    /// articles.
    Facets(facets::FacetsArgs),
    /// How many passages match per month or year, as a bar chart (or JSON).
    Timeline(facets::TimelineArgs),
    /// Figures about the index: articles, passages, terms, size, dates, sources.
    Stats(stats::StatsArgs),
    /// Serve the index over HTTP: a search page at / and a JSON API under /api (Ctrl-C stops).
    Serve(serve::ServeArgs),
    /// Watch the corpus folder and keep the index up to date as articles arrive (Ctrl-C stops).
    Watch(watch::WatchArgs),
    /// Saved searches: follow a query as statements arrive (add, list, remove, news).
    Follow(follow::FollowArgs),
    /// Measure ranking quality on a query set with judgments (nDCG@10, MAP@100, MRR@10…).
    Eval(eval::EvalArgs),
    /// Verify the index: every file's checksum, the manifest, the articles it lists.
    Check {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print shell completions.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Runs the command; the exit code follows grep: 0 success, 1 nothing found or something
/// skipped, 2 error (returned as `Err`).
impl Cli {
    /// Whether the command writes the index as its main work (a build, or a process that
    /// keeps it current): what its peak memory is measured on.
    pub fn writes_index(&self) -> bool {
        matches!(
            self.command,
            Command::Index(_) | Command::Watch(_) | Command::Serve(_)
        )
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let choice = match cli.global.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let paths = Paths {
        corpus: cli.global.corpus,
        index: cli.global.index,
        metadata: cli.global.metadata,
    };
    match cli.command {
        Command::Index(args) => index::run(&paths, args),
        Command::Search(args) => search::run(&paths, args),
        Command::Facets(args) => facets::facets(&paths, args),
        Command::Timeline(args) => facets::timeline(&paths, args),
        Command::Stats(args) => stats::run(&paths, args),
        Command::Watch(args) => watch::run(&paths, args),
        Command::Serve(args) => serve::run(&paths, args),
        Command::Eval(args) => eval::run(&paths, args),
        Command::Follow(args) => follow::run(&paths, args),
        Command::Check { json } => stats::check(&paths, json),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut command, "communique", &mut out);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Where the corpus and the index are.
pub struct Paths {
    pub corpus: PathBuf,
    pub index: PathBuf,
    /// `--metadata FILE`, when given.
    pub metadata: Option<PathBuf>,
}

impl Paths {
    /// The corpus, with the metadata file given on the command line.
    pub fn open_corpus(&self) -> communique::Corpus {
        let corpus = communique::Corpus::new(&self.corpus);
        match &self.metadata {
            Some(file) => corpus.with_metadata(file),
            None => corpus,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
