//! The figures of `stats`, kept beside the index for the segments they were counted on.
//!
//! Counting them reads every article's head and merges every segment's term dictionary
//! (about 30 ms of CPU at 1.4 million passages). The figures depend only on the segments and
//! on which of their passages are deleted, so [`Index::stats`](super::Index::stats) keeps
//! them in [`FILE`] with the segments' ids and delete counts, and reads them back while both
//! are the same: after a commit or a merge the next `stats` counts again. The file is a
//! cache: a missing, unreadable or stale one is counted anew, and one that cannot be written
//! (a read-only index) is not.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Stats;

/// The file in the index folder (hidden: a rebuild does not carry it over).
pub(crate) const FILE: &str = ".communique-stats.json";

/// Each segment's id and number of deleted passages: what the figures were counted on.
pub(crate) type Key = Vec<(String, u32)>;

#[derive(Serialize, Deserialize)]
struct Kept {
    segments: Key,
    stats: Stats,
}

/// The key of the segments a searcher sees.
pub(crate) fn key(searcher: &tantivy::Searcher) -> Key {
    searcher
        .segment_readers()
        .iter()
        .map(|r| (r.segment_id().uuid_string(), r.num_deleted_docs()))
        .collect()
}

/// The figures kept in `folder` for `key`, if there are.
pub(crate) fn read(folder: &Path, key: &Key) -> Option<Stats> {
    let bytes = std::fs::read(folder.join(FILE)).ok()?;
    let kept: Kept = serde_json::from_slice(&bytes).ok()?;
    (kept.segments == *key).then_some(kept.stats)
}

/// Keeps `stats`, counted for `key`, in `folder` (best effort: a temporary file renamed over
/// the last; not synced, since a damaged file is only counted again).
pub(crate) fn write(folder: &Path, key: &Key, stats: &Stats) {
    let kept = Kept {
        segments: key.clone(),
        stats: stats.clone(),
    };
    let Ok(bytes) = serde_json::to_vec(&kept) else {
        return;
    };
    let Ok(mut temp) = tempfile::Builder::new()
        .prefix(".communique-tmp-")
        .tempfile_in(folder)
    else {
        return;
    };
    if std::io::Write::write_all(&mut temp, &bytes).is_ok() {
        let _ = temp.persist(folder.join(FILE));
    }
}
