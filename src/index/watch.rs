//! Watching a corpus folder and applying changes in batches as they arrive.
//!
//! File system events are debounced: a burst (copying a thousand files in) becomes a few
//! updates, not a thousand. Each update is an ordinary [`Index::update`], so it takes the
//! writer only while it applies one batch: other processes can update the index between
//! batches, and a batch that finds the writer busy is retried.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::{Index, UpdateReport};
use crate::{Corpus, Error, Result};

/// How to watch.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// Quiet time after the last change before a batch is applied.
    pub debounce: Duration,
    /// A batch is applied at the latest this long after its first change, even if changes keep
    /// coming.
    pub max_delay: Duration,
    /// How long to wait before retrying when another process holds the writer.
    pub retry: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            retry: Duration::from_secs(1),
        }
    }
}

/// What happened while watching, reported as it happens.
#[derive(Debug)]
#[non_exhaustive]
pub enum WatchEvent {
    /// A batch was applied (the first one brings the index up to date at start).
    Batch {
        /// What the update did.
        report: UpdateReport,
        /// File system events in the batch (0 for the first).
        events: usize,
        /// How long the update took.
        took: Duration,
    },
    /// Another process holds the writer: the batch will be retried.
    Busy,
    /// An update failed; watching goes on.
    Failed(Error),
}

impl Index {
    /// Watches `corpus` and keeps the index up to date until `stop` becomes true, reporting
    /// every batch to `on_event`. A batch in progress when `stop` is set is completed first.
    pub fn watch(
        &self,
        corpus: &Corpus,
        options: &WatchOptions,
        stop: &AtomicBool,
        mut on_event: impl FnMut(WatchEvent),
    ) -> Result<()> {
        corpus.files()?;
        let (sender, receiver) = mpsc::channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                // The receiver is gone only when watching has ended.
                let _ = sender.send(event);
            })
            .map_err(|e| watch_error(corpus, e))?;
        watcher
            .watch(corpus.root(), RecursiveMode::Recursive)
            .map_err(|e| watch_error(corpus, e))?;
        let own = self.path().and_then(|p| p.canonicalize().ok());
        let relevant = |event: &notify::Event| {
            !matches!(event.kind, EventKind::Access(_))
                && event
                    .paths
                    .iter()
                    .any(|p| own.as_ref().is_none_or(|own| !p.starts_with(own)))
        };

        let mut pending = 1usize; // the first batch brings the index up to date
        let mut first_change = Some(Instant::now());
        let mut last_change = Instant::now() - options.debounce;
        let mut first_batch = true;
        loop {
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            match receiver.recv_timeout(Duration::from_millis(50)) {
                Ok(Ok(event)) if relevant(&event) => {
                    pending += 1;
                    last_change = Instant::now();
                    first_change.get_or_insert(last_change);
                    continue;
                }
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => on_event(WatchEvent::Failed(watch_error(corpus, e))),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(watch_error(corpus, "the file watcher stopped"));
                }
            }
            let Some(first) = first_change else {
                continue;
            };
            let quiet = last_change.elapsed() >= options.debounce;
            let overdue = first.elapsed() >= options.max_delay;
            if !(quiet || overdue) {
                continue;
            }
            let started = Instant::now();
            match self.update(corpus) {
                Ok(report) => {
                    let events = if first_batch { 0 } else { pending };
                    first_batch = false;
                    pending = 0;
                    first_change = None;
                    on_event(WatchEvent::Batch {
                        report,
                        events,
                        took: started.elapsed(),
                    });
                }
                Err(Error::Locked { .. }) => {
                    on_event(WatchEvent::Busy);
                    // Retry after a pause, still honouring `stop`.
                    let until = Instant::now() + options.retry;
                    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
                Err(e) => {
                    pending = 0;
                    first_change = None;
                    on_event(WatchEvent::Failed(e));
                }
            }
        }
    }
}

fn watch_error(corpus: &Corpus, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: PathBuf::from(corpus.root()),
        source: std::io::Error::other(format!("cannot watch: {e}")),
    }
}
