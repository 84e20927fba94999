//! `--notify-url`: post each batch of saved-search news to a URL, queued on disk while it fails.
//!
//! News are appended to `communique-notify-queue.jsonl` in the index folder (synced) before
//! anything is sent, so a failing hook or a restart loses nothing. A thread of its own posts
//! what is queued as one JSON document, `{"matches": [...]}`, and removes it from the queue only
//! when the hook answers 2xx; on failure it waits 1 s, then 2 s, 4 s… up to 5 minutes, and tries
//! again. Indexing never waits for it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use communique::follow::NewMatch;

/// The queue's file name in the index folder.
pub const QUEUE_FILE: &str = "communique-notify-queue.jsonl";
/// The longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// At most this many matches in one post.
const MAX_BATCH: usize = 1000;

/// Posts news to a URL from a thread of its own.
pub struct Notifier {
    queue: Arc<Queue>,
    wake: mpsc::Sender<()>,
}

struct Queue {
    path: PathBuf,
    lock: Mutex<()>,
}

impl Notifier {
    /// Starts the thread that posts to `url` what is queued in `index_dir` (including what a
    /// previous run left there).
    pub fn start(index_dir: &Path, url: &str) -> anyhow::Result<Notifier> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            anyhow::bail!("--notify-url must be an http:// or https:// URL, not `{url}`");
        }
        let queue = Arc::new(Queue {
            path: index_dir.join(QUEUE_FILE),
            lock: Mutex::new(()),
        });
        let (wake, woken) = mpsc::channel();
        let url = url.to_string();
        let sender = Arc::clone(&queue);
        std::thread::Builder::new()
            .name("communique-notify".into())
            .spawn(move || send_loop(&sender, &url, &woken))?;
        // Whatever a previous run left queued goes first.
        let _ = wake.send(());
        Ok(Notifier { queue, wake })
    }

    /// Queues news (durably) and wakes the sender.
    pub fn push(&self, news: &[NewMatch]) -> anyhow::Result<()> {
        if news.is_empty() {
            return Ok(());
        }
        let _guard = self.queue.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.queue.path)?;
        let mut lines = Vec::new();
        for m in news {
            serde_json::to_writer(&mut lines, m)?;
            lines.push(b'\n');
        }
        file.write_all(&lines)?;
        file.sync_all()?;
        let _ = self.wake.send(());
        Ok(())
    }
}

fn send_loop(queue: &Queue, url: &str, woken: &mpsc::Receiver<()>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut backoff = Duration::from_secs(1);
    let mut wait = None;
    loop {
        let signal = match wait {
            None => woken.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(wait) => woken.recv_timeout(wait),
        };
        if signal == Err(RecvTimeoutError::Disconnected) {
            return; // the process is ending; the queue stays on disk for the next run
        }
        let batch = match queue.peek() {
            Ok(batch) if batch.is_empty() => {
                wait = None;
                continue;
            }
            Ok(batch) => batch,
            Err(e) => {
                eprintln!("communique: cannot read the notification queue: {e}");
                wait = Some(backoff);
                continue;
            }
        };
        let body = serde_json::json!({ "matches": batch });
        match agent.post(url).send_json(&body) {
            Ok(_) => {
                if let Err(e) = queue.drop_first(batch.len()) {
                    eprintln!("communique: cannot update the notification queue: {e}");
                }
                backoff = Duration::from_secs(1);
                // More may be queued: look again at once.
                wait = Some(Duration::ZERO);
            }
            Err(e) => {
                eprintln!(
                    "communique: notifying {url} failed ({e}); {} queued, retrying in {} s",
                    batch.len(),
                    backoff.as_secs()
                );
                wait = Some(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

impl Queue {
    /// The first matches queued, up to [`MAX_BATCH`].
    fn peek(&self) -> anyhow::Result<Vec<serde_json::Value>> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        Ok(text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .take(MAX_BATCH)
            .collect())
    }

    /// Removes the first `n` matches (sent), keeping what was queued since.
    fn drop_first(&self, n: usize) -> anyhow::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let text = std::fs::read_to_string(&self.path)?;
        let rest: String = text
            .lines()
            .filter(|line| serde_json::from_str::<serde_json::Value>(line).is_ok())
            .skip(n)
            .map(|line| format!("{line}\n"))
            .collect();
        let folder = self.path.parent().unwrap_or(Path::new("."));
        let mut temp = tempfile::NamedTempFile::new_in(folder)?;
        temp.write_all(rest.as_bytes())?;
        temp.as_file().sync_all()?;
        temp.persist(&self.path)?;
        Ok(())
    }
}
