//! The manifest: which corpus file gave which articles, so an update reads only what changed.
//!
//! It is kept in a log of its own ([`super::manifest_log`]), made durable before the tantivy
//! commit that names it (and its length) in its payload, so the manifest and the index always
//! change together: a crash before the commit leaves the previous commit and its manifest in
//! force. A commit appends only what it changed, as a [`Delta`]: one that adds one article to
//! an index of 190,000 appends a few hundred bytes, not the whole manifest.
//!
//! In memory a manifest also knows, once asked, which files list each article id
//! ([`Manifest::places`]), and a [`Delta`] keeps that up to date as it applies: an update finds
//! an article's earlier file without going through the 190,000 others.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Manifest files start with this.
pub(crate) const FILE_PREFIX: &str = "communique-manifest-";

/// Every corpus file the index holds articles from.
///
/// Change `files` of a manifest whose [`Manifest::places`] were asked for only through
/// [`Delta::apply`], which keeps them in step.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// By corpus-relative path.
    pub files: BTreeMap<String, FileEntry>,
    /// Article id -> where it is listed, made on first use.
    #[serde(skip)]
    ids: OnceLock<Ids>,
}

impl PartialEq for Manifest {
    fn eq(&self, other: &Manifest) -> bool {
        self.files == other.files
    }
}

/// Where an article is listed: its file, and its position in the file's entry.
#[derive(Clone, Debug)]
struct Place {
    file: Arc<str>,
    pos: u32,
}

/// The places of one id: one, unless two files list it (an update skips the second copy of
/// an id, but a manifest written by an earlier version may hold both).
#[derive(Clone, Debug)]
enum Places {
    One(Place),
    Many(Vec<Place>),
}

impl Places {
    fn as_slice(&self) -> &[Place] {
        match self {
            Places::One(place) => std::slice::from_ref(place),
            Places::Many(places) => places,
        }
    }
}

/// Article id -> its places.
#[derive(Clone, Debug, Default)]
struct Ids(fnv::FnvHashMap<Box<str>, Places>);

impl Ids {
    fn of(files: &BTreeMap<String, FileEntry>) -> Ids {
        let mut ids = Ids::default();
        ids.0
            .reserve(files.values().map(|e| e.articles.len()).sum());
        for (rel, entry) in files {
            ids.record(rel, entry);
        }
        ids
    }

    /// Lists the articles of `entry`, the entry of file `rel`.
    fn record(&mut self, rel: &str, entry: &FileEntry) {
        let file: Arc<str> = Arc::from(rel);
        for (pos, article) in entry.articles.iter().enumerate() {
            let place = Place {
                file: Arc::clone(&file),
                pos: pos as u32,
            };
            match self.0.get_mut(article.id.as_str()) {
                None => {
                    self.0
                        .insert(article.id.as_str().into(), Places::One(place));
                }
                Some(Places::Many(places)) => places.push(place),
                Some(places) => {
                    let Places::One(first) = places.clone() else {
                        unreachable!("matched above");
                    };
                    *places = Places::Many(vec![first, place]);
                }
            }
        }
    }

    /// Unlists the articles of `entry`, the entry of file `rel`.
    fn forget(&mut self, rel: &str, entry: &FileEntry) {
        for article in &entry.articles {
            let Some(places) = self.0.get_mut(article.id.as_str()) else {
                continue;
            };
            let empty = match places {
                Places::One(place) => &*place.file == rel,
                Places::Many(many) => {
                    many.retain(|p| &*p.file != rel);
                    many.is_empty()
                }
            };
            if empty {
                self.0.remove(article.id.as_str());
            }
        }
    }
}

impl Manifest {
    /// Every file that lists the article `id`, with its entry there (usually one).
    pub(crate) fn places(&self, id: &str) -> Vec<(&str, &ArticleEntry)> {
        let ids = self.ids.get_or_init(|| Ids::of(&self.files));
        let Some(places) = ids.0.get(id) else {
            return Vec::new();
        };
        places
            .as_slice()
            .iter()
            .filter_map(|place| {
                let (rel, entry) = self.files.get_key_value(&*place.file)?;
                Some((rel.as_str(), entry.articles.get(place.pos as usize)?))
            })
            .collect()
    }
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

/// What one commit changed in the manifest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Delta {
    /// Files recorded anew, by corpus-relative path.
    #[serde(default)]
    pub put: BTreeMap<String, FileEntry>,
    /// Files no longer in the corpus.
    #[serde(default)]
    pub removed: Vec<String>,
    /// Articles added, replaced or removed through a [`crate::index::Writer`]: the next update reads
    /// the files that gave them again.
    #[serde(default)]
    pub invalidated: Vec<String>,
}

impl Delta {
    /// The change from `old` to `new`.
    #[cfg(test)]
    pub(crate) fn between(old: &Manifest, new: &Manifest) -> Delta {
        let put = new
            .files
            .iter()
            .filter(|(path, entry)| old.files.get(*path) != Some(*entry))
            .map(|(path, entry)| (path.clone(), entry.clone()))
            .collect();
        let removed = old
            .files
            .keys()
            .filter(|path| !new.files.contains_key(*path))
            .cloned()
            .collect();
        Delta {
            put,
            removed,
            invalidated: Vec::new(),
        }
    }

    /// Whether it changes nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.put.is_empty() && self.removed.is_empty() && self.invalidated.is_empty()
    }

    /// Applies the change to `manifest`, in time proportional to the change (once the
    /// manifest's places are known).
    pub(crate) fn apply(self, manifest: &mut Manifest) {
        let mut ids = manifest.ids.get_mut();
        for path in &self.removed {
            if let Some(old) = manifest.files.remove(path)
                && let Some(ids) = ids.as_deref_mut()
            {
                ids.forget(path, &old);
            }
        }
        for (path, entry) in self.put {
            if let Some(ids) = ids.as_deref_mut() {
                if let Some(old) = manifest.files.get(&path) {
                    ids.forget(&path, old);
                }
                ids.record(&path, &entry);
            }
            manifest.files.insert(path, entry);
        }
        let mut files: Vec<String> = self
            .invalidated
            .iter()
            .flat_map(|id| manifest.places(id))
            .map(|(rel, _)| rel.to_string())
            .collect();
        files.dedup();
        for rel in files {
            if let Some(entry) = manifest.files.get_mut(&rel) {
                // The file is read again by the next update.
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

/// Deletes manifest files other than those of `keep` in the index folder.
pub(crate) fn remove_stale(folder: &Path, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale_manifest = name.starts_with(FILE_PREFIX) && !keep.contains(&name.as_ref());
        let stale_temp = name.starts_with(".communique-tmp-");
        if stale_manifest || stale_temp {
            // A file we cannot remove is only garbage: the payload names the live manifest.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Article, Corpus, Index};

    fn entry(ids: &[&str]) -> FileEntry {
        FileEntry {
            size: 10,
            mtime: Some(1),
            hash: "h".into(),
            articles: ids
                .iter()
                .map(|id| ArticleEntry {
                    id: id.to_string(),
                    hash: format!("{id}-hash"),
                })
                .collect(),
        }
    }

    #[test]
    fn a_delta_between_two_manifests_turns_one_into_the_other() {
        let mut old = Manifest::default();
        old.files.insert("a.md".into(), entry(&["a"]));
        old.files.insert("b.md".into(), entry(&["b"]));
        let mut new = old.clone();
        new.files.remove("a.md");
        new.files.insert("c.md".into(), entry(&["c"]));
        new.files.insert("b.md".into(), entry(&["b", "b2"]));
        let delta = Delta::between(&old, &new);
        assert_eq!(delta.removed, ["a.md"]);
        assert_eq!(delta.put.len(), 2);
        let mut applied = old.clone();
        delta.apply(&mut applied);
        assert_eq!(applied, new);
        assert!(Delta::between(&new, &new).is_empty());
        // Invalidating an article makes its file be read again, and only its file.
        let mut invalidated = new.clone();
        Delta {
            invalidated: vec!["b2".into()],
            ..Delta::default()
        }
        .apply(&mut invalidated);
        assert_eq!(invalidated.files["b.md"].hash, "");
        assert_eq!(invalidated.files["b.md"].mtime, None);
        assert_eq!(invalidated.files["c.md"], new.files["c.md"]);
    }

    #[test]
    fn places_follow_the_deltas_applied() {
        let mut manifest = Manifest::default();
        manifest
            .files
            .insert("a.md".into(), entry(&["a", "shared"]));
        manifest.files.insert("b.md".into(), entry(&["b"]));
        let files = |manifest: &Manifest, id: &str| -> Vec<String> {
            manifest
                .places(id)
                .iter()
                .map(|(f, _)| f.to_string())
                .collect()
        };
        assert_eq!(files(&manifest, "shared"), ["a.md"]);
        assert_eq!(manifest.places("a")[0].1.hash, "a-hash");
        assert!(files(&manifest, "c").is_empty());
        // `shared` moves from a.md to b.md; c.md is new.
        Delta {
            put: [
                ("b.md".to_string(), entry(&["b", "shared"])),
                ("a.md".to_string(), entry(&["a"])),
                ("c.md".to_string(), entry(&["c"])),
            ]
            .into(),
            ..Delta::default()
        }
        .apply(&mut manifest);
        assert_eq!(files(&manifest, "shared"), ["b.md"]);
        assert_eq!(files(&manifest, "c"), ["c.md"]);
        // A manifest changed by hand makes its places anew.
        let mut other = manifest.clone();
        other.files.insert("d.md".into(), entry(&["d"]));
        other.ids = OnceLock::new();
        assert_eq!(
            files(&other, "d"),
            ["d.md"],
            "places made anew see every file"
        );
        Delta {
            put: [("e.md".to_string(), entry(&["shared"]))].into(),
            removed: vec!["b.md".into()],
            ..Delta::default()
        }
        .apply(&mut other);
        assert_eq!(files(&other, "shared"), ["e.md"]);
        assert!(files(&other, "b").is_empty());
        // Two files list one id: both are places, and losing one leaves the other.
        Delta {
            put: [("f.md".to_string(), entry(&["shared"]))].into(),
            ..Delta::default()
        }
        .apply(&mut other);
        assert_eq!(files(&other, "shared"), ["e.md", "f.md"]);
        Delta {
            removed: vec!["e.md".into()],
            ..Delta::default()
        }
        .apply(&mut other);
        assert_eq!(files(&other, "shared"), ["f.md"]);
        // Invalidating an id makes its file be read again.
        Delta {
            invalidated: vec!["shared".into()],
            ..Delta::default()
        }
        .apply(&mut other);
        assert_eq!(other.files["f.md"].hash, "");
        assert_eq!(other.files["c.md"].hash, "h");
    }

    /// The manifest files in the index folder.
    fn manifest_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(FILE_PREFIX))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commits_append_their_deltas_to_one_log() {
        let corpus = tempfile::tempdir().unwrap();
        std::fs::write(
            corpus.path().join("kursk.md"),
            "North Korean troops fought in the Kursk region.",
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        index.update(&Corpus::new(corpus.path())).unwrap();
        let recorded = index.load_manifest().unwrap();
        assert_eq!(recorded.files.len(), 1);
        let log = manifest_files(dir.path());
        assert_eq!(log.len(), 1);
        assert!(log[0].ends_with(".log"), "{log:?}");
        let log_size = || std::fs::metadata(dir.path().join(&log[0])).unwrap().len();
        let id = recorded.files["kursk.md"].articles[0].id.clone();
        let replace = |text: &str| {
            let mut writer = index.writer().unwrap();
            writer.replace(&Article::new(id.as_str(), text)).unwrap();
            writer.commit().unwrap();
        };
        // Each commit that replaces the article appends a few bytes to the same log.
        for _ in 0..40 {
            let before = log_size();
            replace("Fighting in the Kursk region went on.");
            assert_eq!(manifest_files(dir.path()), log);
            let grown = log_size() - before;
            assert!(grown > 0 && grown < 64, "{grown} bytes appended");
        }
        let now = index.load_manifest().unwrap();
        assert_eq!(
            now.files["kursk.md"].hash, "",
            "the file will be read again"
        );
        // A writer that adds an article changes no corpus file: the log is not written.
        let before = log_size();
        let mut writer = index.writer().unwrap();
        writer
            .add(&Article::new("added", "Grain left the port of Odesa."))
            .unwrap();
        writer.commit().unwrap();
        assert_eq!(log_size(), before);
        // Another process reads the log as this handle has it in memory.
        assert_eq!(
            Index::open(dir.path()).unwrap().load_manifest().unwrap(),
            now
        );
        // The next update reads the file again and records it as it is.
        index.update(&Corpus::new(corpus.path())).unwrap();
        assert_eq!(index.load_manifest().unwrap(), recorded);
        // Another handle (another process) commits: this handle's manifest in memory is not
        // used any more, the log is read again.
        let other = Index::open(dir.path()).unwrap();
        let mut writer = other.writer().unwrap();
        writer.remove(&id).unwrap();
        writer.commit().unwrap();
        assert_eq!(index.load_manifest().unwrap().files["kursk.md"].hash, "");
    }
}
