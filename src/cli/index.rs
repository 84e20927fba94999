//! `communique index`: bring the index up to date with the corpus.

use std::process::ExitCode;

use clap::Args;
use communique::index::{UpdateOptions, UpdateReport};
use communique::{Corpus, Index};

use super::{Paths, output};

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Build a fresh index beside the current one and swap it in atomically (searches keep
    /// answering from the old one until the swap). Needed after an upgrade that changes the
    /// index format, or to repair a damaged index.
    #[arg(long)]
    rebuild: bool,
    /// List what would change, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Memory the indexing threads may use together before they write a segment, in MiB
    /// (default 96). More writes fewer, larger segments, at that cost in memory.
    #[arg(long, value_name = "MiB", value_parser = clap::value_parser!(u32).range(24..=65536))]
    memory: Option<u32>,
}

pub fn run(paths: &Paths, args: IndexArgs) -> anyhow::Result<ExitCode> {
    let corpus = paths.open_corpus();
    // Check the corpus before creating anything (without walking it: the update does).
    corpus.check()?;
    let memory = args.memory.map(|mib| mib as usize * 1024 * 1024);
    let report = with_progress(args.dry_run, memory, |options| {
        if args.rebuild {
            Index::rebuild(&paths.index, &corpus, options).map(|(_, report)| report)
        } else if args.dry_run && !paths.index.join("meta.json").exists() {
            Index::in_memory()?.update_with(&corpus, options)
        } else {
            Index::open_or_create(&paths.index)?.update_with(&corpus, options)
        }
    })?;
    output::print_update_report(&report, args.json)?;
    if !args.dry_run {
        // Also after a run with no change: it completes the evaluation of a commit that an
        // interrupted run made but did not get to evaluate.
        super::follow::catch_up(&Index::open(&paths.index)?)?;
    }
    Ok(exit_code(&report))
}

/// Runs an update with a progress bar on stderr (hidden when stderr is not a terminal).
pub fn update_with_progress(
    index: &Index,
    corpus: &Corpus,
    dry_run: bool,
) -> anyhow::Result<UpdateReport> {
    with_progress(dry_run, None, |options| index.update_with(corpus, options))
}

fn with_progress(
    dry_run: bool,
    memory: Option<usize>,
    run: impl FnOnce(&UpdateOptions<'_>) -> communique::Result<UpdateReport>,
) -> anyhow::Result<UpdateReport> {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reading {pos}/{len} files {wide_bar} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |p: communique::index::UpdateProgress| {
        bar.set_length(p.files_total as u64);
        bar.set_position(p.files_done as u64);
    };
    let mut options = UpdateOptions::new().dry_run(dry_run).progress(&progress);
    if let Some(bytes) = memory {
        options = options.memory(bytes);
    }
    let report = run(&options);
    bar.finish_and_clear();
    Ok(report?)
}

/// 0 when every file was read, 1 when something was skipped.
pub fn exit_code(report: &UpdateReport) -> ExitCode {
    if report.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
