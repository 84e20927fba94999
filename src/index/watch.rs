//! Watching a corpus folder and applying changes in batches as they arrive.
//!
//! File system events are debounced: a burst (copying a thousand files in) becomes a few
//! updates, not a thousand. Each update is an ordinary [`Index::update_with`] limited to the
//! files and folders the batch's events name ([`super::UpdateOptions::only`]), so its cost
//! follows the change, not the size of the corpus; the first batch, a batch after a failed one,
//! one whose events the system could not name (a queue overflow) and one that touches the
//! corpus's metadata look at the whole corpus. It takes the writer only while it applies one
//! batch: other processes can update the index between batches, and a batch that finds the
//! writer busy is retried.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::{Index, UpdateOptions, UpdateReport};
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
    let roots = Roots::of(corpus)?;
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
                batch.record(&event, &roots);
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
    let update = match batch.paths() {
        Some(paths) => UpdateOptions::new().only(paths),
        None => UpdateOptions::new(),
    };
    match index.update_with(corpus, &update) {
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
            // What failed may have been anything: the next batch looks at the whole corpus.
            batch.whole = true;
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
    /// The files and folders the events named, in the corpus folder's own spelling.
    paths: BTreeSet<PathBuf>,
    /// The whole corpus is to be looked at (the first batch, after a failure, an event
    /// without a path in the corpus, a change of the metadata).
    whole: bool,
}

/// The corpus folder as given and as the file system resolves it (events may name either),
/// and the metadata files, whose change makes a batch look at the whole corpus.
struct Roots {
    given: PathBuf,
    resolved: Option<PathBuf>,
    metadata: Vec<PathBuf>,
}

impl Roots {
    fn of(corpus: &Corpus) -> Result<Roots> {
        let metadata = corpus.metadata()?.map_or_else(Vec::new, |m| {
            std::iter::once(m.path())
                .chain(m.inputs())
                .map(Path::to_path_buf)
                .collect()
        });
        Ok(Roots {
            given: corpus.root().to_path_buf(),
            resolved: corpus.root().canonicalize().ok(),
            metadata: std::iter::once(corpus.root().join(crate::corpus::METADATA_FILE))
                .chain(metadata)
                .collect(),
        })
    }

    /// `path` under the corpus folder as given, if it is in the corpus folder.
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        if path.starts_with(&self.given) {
            return Some(path.to_path_buf());
        }
        let resolved = self.resolved.as_ref()?;
        let rel = path.strip_prefix(resolved).ok()?;
        Some(self.given.join(rel))
    }

    fn is_metadata(&self, path: &Path) -> bool {
        self.metadata.iter().any(|m| {
            m == path
                || m.canonicalize()
                    .ok()
                    .is_some_and(|m| path.canonicalize().ok() == Some(m))
        })
    }
}

impl Batch {
    /// The first batch waits from the start: it brings the index up to date.
    fn new(options: &WatchOptions) -> Batch {
        Batch {
            pending: 1,
            first_change: Some(Instant::now()),
            last_change: Instant::now() - options.debounce,
            first_batch: true,
            paths: BTreeSet::new(),
            whole: true,
        }
    }

    /// A relevant file system event arrived.
    fn record(&mut self, event: &notify::Event, roots: &Roots) {
        if event.need_rescan() || event.paths.is_empty() {
            self.whole = true;
        }
        for path in &event.paths {
            match roots.inside(path) {
                Some(path) if !roots.is_metadata(&path) => {
                    self.paths.insert(path);
                }
                _ => self.whole = true,
            }
        }
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

    /// The files and folders to look at (`None`: the whole corpus).
    fn paths(&self) -> Option<Vec<PathBuf>> {
        (!self.whole).then(|| self.paths.iter().cloned().collect())
    }

    /// The batch was applied (or failed): start afresh; returns its number of events.
    fn done(&mut self) -> usize {
        let events = if self.first_batch { 0 } else { self.pending };
        self.first_batch = false;
        self.paths.clear();
        self.whole = false;
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
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots::of(&Corpus::new(dir.path())).unwrap();
        let event = notify::Event::new(EventKind::Any).add_path(dir.path().join("a.txt"));
        // The first batch is due at once and reports no events.
        assert!(batch.due(&options));
        assert_eq!(batch.done(), 0);
        assert!(!batch.due(&options));
        // Two events: due only after a quiet debounce.
        batch.record(&event, &roots);
        batch.record(&event, &roots);
        assert!(!batch.due(&options));
        std::thread::sleep(Duration::from_millis(350));
        assert!(batch.due(&options));
        assert_eq!(batch.done(), 2);
        // Events that keep coming: due once the first is max_delay old.
        batch.record(&event, &roots);
        let start = Instant::now();
        while !batch.due(&options) {
            assert!(start.elapsed() < Duration::from_secs(5), "never due");
            batch.record(&event, &roots);
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(start.elapsed() >= Duration::from_millis(990));
        assert!(batch.done() > 2);
    }

    #[test]
    fn a_batch_names_its_paths_unless_it_must_look_at_the_whole_corpus() {
        let options = WatchOptions::default();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        std::fs::create_dir_all(root.join("2024")).unwrap();
        let roots = Roots::of(&Corpus::new(&root)).unwrap();
        let mut batch = Batch::new(&options);
        // The first batch brings the index up to date: the whole corpus.
        assert_eq!(batch.paths(), None);
        batch.done();
        let event = |path: PathBuf| notify::Event::new(EventKind::Any).add_path(path);
        batch.record(&event(root.join("2024/a.txt")), &roots);
        batch.record(&event(root.join("2024/a.txt")), &roots);
        // Named through the resolved folder: the same file, in the corpus's own spelling.
        let resolved = root.canonicalize().unwrap();
        batch.record(&event(resolved.join("b.md")), &roots);
        assert_eq!(
            batch.paths(),
            Some(vec![root.join("2024/a.txt"), root.join("b.md")])
        );
        batch.done();
        // The metadata file: every file's metadata may change.
        batch.record(&event(root.join("2024/c.txt")), &roots);
        batch.record(&event(root.join(crate::corpus::METADATA_FILE)), &roots);
        assert_eq!(batch.paths(), None);
        batch.done();
        // A queue overflow names no path.
        batch.record(
            &notify::Event::new(EventKind::Any).set_flag(notify::event::Flag::Rescan),
            &roots,
        );
        assert_eq!(batch.paths(), None);
        batch.done();
        batch.record(&event(root.join("d.txt")), &roots);
        assert_eq!(batch.paths(), Some(vec![root.join("d.txt")]));
    }
}
