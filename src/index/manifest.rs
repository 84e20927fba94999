//! The manifest: which corpus file gave which articles, so an update reads only what changed.
//!
//! It is written to its own file (`communique-manifest-<opstamp>.json`, made durable before the
//! tantivy commit that names it in its payload), so the manifest and the index always change
//! together: a crash before the commit leaves the previous commit and its manifest in force.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Manifest files start with this.
pub(crate) const FILE_PREFIX: &str = "communique-manifest-";

/// Every corpus file the index holds articles from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// By corpus-relative path.
    pub files: BTreeMap<String, FileEntry>,
}

/// One corpus file as last indexed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct FileEntry {
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch, if known.
    pub mtime: Option<i128>,
    /// blake3 of the bytes, hex.
    pub hash: String,
    /// The articles it gave, in order.
    pub articles: Vec<ArticleEntry>,
}

/// One article of a file, with the hash of its content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ArticleEntry {
    /// Article id.
    pub id: String,
    /// Hash of everything the index stores about it.
    pub hash: String,
}

/// Nanoseconds since the epoch, the way the manifest records modification times.
pub(crate) fn mtime_nanos(time: Option<SystemTime>) -> Option<i128> {
    let time = time?;
    Some(match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    })
}

impl Manifest {
    /// Marks the file that gave article `id` as changed, so the next update reads it again.
    pub(crate) fn invalidate_article(&mut self, id: &str) {
        for entry in self.files.values_mut() {
            if entry.articles.iter().any(|a| a.id == id) {
                entry.hash.clear();
                entry.mtime = None;
            }
        }
    }
}

/// Writes `bytes` to `path` durably: a temporary file in the same folder, synced, renamed over
/// `path`, then the folder synced.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".communique-tmp-")
        .tempfile_in(folder)
        .map_err(|e| Error::io(folder, e))?;
    temp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    if let Ok(dir) = std::fs::File::open(folder) {
        // Best effort: not every platform can sync a folder.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Deletes manifest files other than `keep` in the index folder.
pub(crate) fn remove_stale(folder: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale_manifest = name.starts_with(FILE_PREFIX) && name != keep;
        let stale_temp = name.starts_with(".communique-tmp-");
        if stale_manifest || stale_temp {
            // A file we cannot remove is only garbage: the payload names the live manifest.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
