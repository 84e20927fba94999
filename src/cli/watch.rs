//! `communique watch`: keep the index up to date as the corpus changes, until Ctrl-C.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use communique::Index;
use communique::index::{WatchEvent, WatchOptions};

use super::{Paths, output};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Quiet time, in milliseconds, after the last change before a batch is applied.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    debounce: u64,
    /// Apply a batch at the latest this many milliseconds after its first change.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    max_delay: u64,
    /// Post each batch of saved-search news to this URL as JSON (retried, queued on disk).
    #[arg(long, value_name = "URL")]
    notify_url: Option<String>,
}

pub fn run(paths: &Paths, args: WatchArgs) -> anyhow::Result<ExitCode> {
    let corpus = paths.open_corpus();
    corpus.files()?;
    let index = Index::open_or_create(&paths.index)?;
    let notifier = args
        .notify_url
        .as_deref()
        .map(|url| super::notify::Notifier::start(&paths.index, url))
        .transpose()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            // A second Ctrl-C: stop now. Commits are atomic, so nothing half-done remains.
            std::process::exit(130);
        }
        eprintln!("communique: stopping after the current batch (Ctrl-C again to stop now)");
    })?;
    eprintln!(
        "communique: watching {} for changes to {} (Ctrl-C stops)",
        paths.corpus.display(),
        paths.index.display()
    );
    let options = WatchOptions {
        debounce: Duration::from_millis(args.debounce),
        max_delay: Duration::from_millis(args.max_delay),
        ..WatchOptions::default()
    };
    index.watch(&corpus, &options, &stop, |event| {
        let now = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or(jiff::Timestamp::now());
        match event {
            WatchEvent::Batch {
                report,
                events,
                took,
            } => {
                let _ = output::print_skipped(&report);
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", output::batch_line(now, events, &report, took));
                let _ = out.flush();
                drop(out);
                // After every batch, changed or not: it also finishes the evaluation of a
                // commit that an interrupted process made.
                match super::follow::catch_up(&index) {
                    Ok(news) => {
                        if let Some(notifier) = &notifier
                            && let Err(e) = notifier.push(&news)
                        {
                            eprintln!("[{now}] news not queued for --notify-url: {e}");
                        }
                    }
                    Err(e) => eprintln!(
                        "[{now}] saved searches not evaluated (the next batch retries): {e}"
                    ),
                }
            }
            WatchEvent::Busy => {
                eprintln!("[{now}] the index is being updated by another process; retrying");
            }
            WatchEvent::Failed(e) => eprintln!("[{now}] update failed: {e}"),
            _ => {}
        }
    })?;
    eprintln!("communique: stopped");
    Ok(ExitCode::SUCCESS)
}
