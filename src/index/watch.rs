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

/// Watches a corpus (see [`Index::watch`]).
pub(crate) fn run(
    index: &Index,
    corpus: &Corpus,
    options: &WatchOptions,
    stop: &AtomicBool,
    mut on_event: impl FnMut(WatchEvent),
) -> Result<()> {
    corpus.files()?;
    let (sender, receiver) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // The receiver is gone only when watching has ended.
        let _ = sender.send(event);
    })
    .map_err(|e| watch_error(corpus, e))?;
    watcher
        .watch(corpus.root(), RecursiveMode::Recursive)
        .map_err(|e| watch_error(corpus, e))?;
    let own = index.path().and_then(|p| p.canonicalize().ok());
    let relevant = |event: &notify::Event| {
        !matches!(event.kind, EventKind::Access(_))
            && event
                .paths
                .iter()
                .any(|p| own.as_ref().is_none_or(|own| !p.starts_with(own)))
    };
    let mut batch = Batch::new(options);
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        match receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(Ok(event)) if relevant(&event) => {
                batch.record();
                continue;
            }
            Ok(Ok(_)) => continue,
            Ok(Err(e)) => on_event(WatchEvent::Failed(watch_error(corpus, e))),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(watch_error(corpus, "the file watcher stopped"));
            }
        }
        if batch.due(options) {
            apply_batch(index, corpus, options, stop, &mut batch, &mut on_event);
        }
    }
}

/// Applies one batch as an ordinary update and reports it; a busy writer is retried after
/// a pause (still honouring `stop`).
fn apply_batch(
    index: &Index,
    corpus: &Corpus,
    options: &WatchOptions,
    stop: &AtomicBool,
    batch: &mut Batch,
    on_event: &mut impl FnMut(WatchEvent),
) {
    let started = Instant::now();
    match index.update(corpus) {
        Ok(report) => {
            let events = batch.done();
            on_event(WatchEvent::Batch {
                report,
                events,
                took: started.elapsed(),
            });
        }
        Err(Error::Locked { .. }) => {
            on_event(WatchEvent::Busy);
            let until = Instant::now() + options.retry;
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Err(e) => {
            batch.done();
            on_event(WatchEvent::Failed(e));
        }
    }
}

/// The changes waiting to be applied: how many events, and when the first and last came.
struct Batch {
    /// File system events since the last batch.
    pending: usize,
    /// When the first change of this batch came; `None` when nothing waits.
    first_change: Option<Instant>,
    last_change: Instant,
    /// The first batch (bringing the index up to date at start) reports no events.
    first_batch: bool,
}

impl Batch {
    /// The first batch waits from the start: it brings the index up to date.
    fn new(options: &WatchOptions) -> Batch {
        Batch {
            pending: 1,
            first_change: Some(Instant::now()),
            last_change: Instant::now() - options.debounce,
            first_batch: true,
        }
    }

    /// A relevant file system event arrived.
    fn record(&mut self) {
        self.pending += 1;
        self.last_change = Instant::now();
        self.first_change.get_or_insert(self.last_change);
    }

    /// Is a batch waiting, and quiet for the debounce time or waiting for too long?
    fn due(&self, options: &WatchOptions) -> bool {
        self.first_change.is_some_and(|first| {
            self.last_change.elapsed() >= options.debounce || first.elapsed() >= options.max_delay
        })
    }

    /// The batch was applied (or failed): start afresh; returns its number of events.
    fn done(&mut self) -> usize {
        let events = if self.first_batch { 0 } else { self.pending };
        self.first_batch = false;
        self.pending = 0;
        self.first_change = None;
        events
    }
}

fn watch_error(corpus: &Corpus, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: PathBuf::from(corpus.root()),
        source: std::io::Error::other(format!("cannot watch: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_wait_for_quiet_or_for_the_longest_delay() {
        let options = WatchOptions {
            debounce: Duration::from_millis(300),
            max_delay: Duration::from_millis(1000),
            retry: Duration::ZERO,
        };
        let mut batch = Batch::new(&options);
        // The first batch is due at once and reports no events.
        assert!(batch.due(&options));
        assert_eq!(batch.done(), 0);
        assert!(!batch.due(&options));
        // Two events: due only after a quiet debounce.
        batch.record();
        batch.record();
        assert!(!batch.due(&options));
        std::thread::sleep(Duration::from_millis(350));
        assert!(batch.due(&options));
        assert_eq!(batch.done(), 2);
        // Events that keep coming: due once the first is max_delay old.
        batch.record();
        let start = Instant::now();
        while !batch.due(&options) {
            assert!(start.elapsed() < Duration::from_secs(5), "never due");
            batch.record();
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(start.elapsed() >= Duration::from_millis(990));
        assert!(batch.done() > 2);
    }
}
