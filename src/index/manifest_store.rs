//! Crate-internal plumbing: the manifest beside each commit, named by the commit payload.
//!
//! A commit names the manifest log ([`super::manifest_log`]) and its length at that commit
//! ([`LogRef`]). An index written before the log names a whole JSON manifest and the JSON
//! deltas after it instead: it is read that way, and its first commit that changes the
//! manifest writes a log of the whole manifest (the migration), after which the JSON files
//! are removed.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::manifest::{self, Delta, Manifest};
use super::{Index, Payload, Storage, manifest_log};
use crate::{Error, Result};

/// The manifest log of a commit: its file, its length then, and the length of the whole
/// manifest at its start (to know when to compact).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LogRef {
    /// The log's file name in the index folder.
    pub file: String,
    /// Bytes of the log that belong to the commit.
    pub len: u64,
    /// Bytes of the log's first record, the whole manifest.
    pub base: u64,
}

/// What a commit records of its manifest, and the manifest in memory when the commit has it.
#[derive(Debug, Default)]
pub(crate) struct StoredManifest {
    /// The log (every commit since the migration).
    pub log: Option<LogRef>,
    /// An index not yet migrated: its last whole JSON manifest.
    pub manifest: Option<String>,
    /// ...and the JSON deltas after it.
    pub deltas: Vec<String>,
    in_memory: Option<Arc<Manifest>>,
}

impl StoredManifest {
    /// The manifest files the commit uses (every other is stale).
    pub(crate) fn keep(&self) -> Vec<&str> {
        let log = self.log.iter().map(|l| l.file.as_str());
        log.chain(self.manifest.iter().chain(&self.deltas).map(String::as_str))
            .collect()
    }
}

/// What a manifest in memory is known by: the files (and log length) it was read from.
fn chain_of(log: Option<&LogRef>, manifest: Option<&String>, deltas: &[String]) -> Vec<String> {
    match log {
        Some(log) => vec![log.file.clone(), log.len.to_string()],
        None => manifest.iter().copied().chain(deltas).cloned().collect(),
    }
}

impl Index {
    /// The manifest of the last commit (read from its files, unless this handle holds it).
    pub(crate) fn load_manifest(&self) -> Result<Arc<Manifest>> {
        let payload = self.payload()?;
        let chain = chain_of(
            payload.manifest_log.as_ref(),
            payload.manifest.as_ref(),
            &payload.manifest_deltas,
        );
        if let Ok(cached) = self.manifest.lock()
            && let Some((names, manifest)) = cached.as_ref()
            && *names == chain
        {
            return Ok(Arc::clone(manifest));
        }
        let whole = match &payload.manifest_log {
            Some(log) => self.read_log(log)?,
            None => self.read_legacy(&payload)?,
        };
        let whole = Arc::new(whole);
        self.remember_manifest(chain, Arc::clone(&whole));
        Ok(whole)
    }

    /// Reads the manifest from the first `log.len` bytes of its log.
    fn read_log(&self, log: &LogRef) -> Result<Manifest> {
        let bytes = self.manifest_bytes(&log.file)?;
        manifest_log::read(&bytes, log.len).map_err(|manifest_log::Bad(e)| Error::Corrupt {
            path: self.display_path(),
            detail: format!("its manifest log {} {e}", log.file),
        })
    }

    /// Reads the manifest of an index written before the log: a whole JSON manifest, then
    /// each JSON delta since.
    fn read_legacy(&self, payload: &Payload) -> Result<Manifest> {
        let mut whole = match &payload.manifest {
            None => Manifest::default(),
            Some(name) => self.read_json(name)?,
        };
        for name in &payload.manifest_deltas {
            let delta: Delta = self.read_json(name)?;
            delta.apply(&mut whole);
        }
        Ok(whole)
    }

    fn read_json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T> {
        serde_json::from_slice(&self.manifest_bytes(name)?).map_err(|e| Error::Corrupt {
            path: self.display_path(),
            detail: format!("its manifest {name} cannot be read: {e}"),
        })
    }

    /// The bytes of one manifest file (in memory there is only the last log written).
    fn manifest_bytes(&self, name: &str) -> Result<Vec<u8>> {
        match &self.storage {
            Storage::Disk(path) => {
                let file = path.join(name);
                std::fs::read(&file).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Error::Corrupt {
                        path: path.clone(),
                        detail: format!("its manifest {name} is missing"),
                    },
                    _ => Error::io(file, e),
                })
            }
            Storage::Memory(bytes) => Ok(bytes
                .lock()
                .map(|b| b.clone())
                .unwrap_or_default()
                .unwrap_or_default()),
        }
    }

    /// Keeps `manifest`, read from or written to the files `chain`, for the next update.
    pub(crate) fn remember_manifest(&self, chain: Vec<String>, manifest: Arc<Manifest>) {
        if let Ok(mut cached) = self.manifest.lock() {
            *cached = Some((chain, manifest));
        }
    }

    /// Takes this handle's manifest in memory out of it, if it is the last commit's (`chain`):
    /// a commit changes it in place, and puts it back once the commit is made.
    fn take_manifest(&self, chain: &[String]) -> Option<Arc<Manifest>> {
        let mut cached = self.manifest.lock().ok()?;
        match cached.take() {
            Some((names, manifest)) if names == chain => Some(manifest),
            _ => None,
        }
    }

    /// Records the manifest of the commit with this opstamp: the last commit's, changed by
    /// `delta`, appended to the last commit's log; or written whole in a new log when there
    /// is none yet (a new or migrated index), the log is due for compaction, or the index is
    /// in memory. Durable when it returns, before the commit that names it.
    pub(crate) fn store_manifest(&self, opstamp: u64, delta: Delta) -> Result<StoredManifest> {
        let payload = self.payload()?;
        let chain = chain_of(
            payload.manifest_log.as_ref(),
            payload.manifest.as_ref(),
            &payload.manifest_deltas,
        );
        if delta.is_empty() {
            return Ok(StoredManifest {
                log: payload.manifest_log,
                manifest: payload.manifest,
                deltas: payload.manifest_deltas,
                in_memory: None,
            });
        }
        let memory = matches!(self.storage, Storage::Memory(_));
        let append = payload
            .manifest_log
            .filter(|log| !memory && !manifest_log::due(log.base, log.len));
        let mut current = self.take_manifest(&chain);
        if current.is_none() && append.is_none() {
            current = Some(self.load_manifest()?);
            self.take_manifest(&chain);
        }
        let log = match append {
            Some(log) => {
                let record = manifest_log::delta_record(&delta, current.as_deref());
                if let Some(current) = current.as_mut() {
                    delta.apply(Arc::make_mut(current));
                }
                let Storage::Disk(folder) = &self.storage else {
                    unreachable!("an index in memory writes its log whole");
                };
                let len = manifest_log::append(&folder.join(&log.file), log.len, &record)?;
                LogRef { len, ..log }
            }
            None => {
                let whole = current.as_mut().expect("read above");
                delta.apply(Arc::make_mut(whole));
                let file = format!("{}{opstamp}.log", manifest::FILE_PREFIX);
                self.write_whole(file, whole)?
            }
        };
        Ok(StoredManifest {
            log: Some(log),
            manifest: None,
            deltas: Vec::new(),
            in_memory: current,
        })
    }

    /// Writes a new log, `file`, of `manifest` whole, durably.
    fn write_whole(&self, file: String, manifest: &Manifest) -> Result<LogRef> {
        let (bytes, base) = manifest_log::whole(manifest);
        let len = bytes.len() as u64;
        match &self.storage {
            Storage::Disk(path) => manifest::atomic_write(&path.join(&file), &bytes)?,
            Storage::Memory(slot) => {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(bytes);
                }
            }
        }
        Ok(LogRef { file, len, base })
    }

    /// Once the commit that names `stored` is made: keeps its manifest in memory, if the
    /// commit had it, for the next update.
    pub(crate) fn manifest_committed(&self, stored: &mut StoredManifest) {
        if let Some(in_memory) = stored.in_memory.take() {
            let chain = chain_of(
                stored.log.as_ref(),
                stored.manifest.as_ref(),
                &stored.deltas,
            );
            self.remember_manifest(chain, in_memory);
        }
    }

    /// Removes manifest files other than `keep` (left by earlier commits or by a crash).
    pub(crate) fn remove_stale_manifests(&self, keep: &[&str]) {
        if let Storage::Disk(path) = &self.storage {
            manifest::remove_stale(path, keep);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SCHEMA_VERSION;
    use super::*;
    use crate::Corpus;

    const KURSK: &str = "North Korean troops fought in the Kursk region.";

    fn manifest_files(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(manifest::FILE_PREFIX))
            .collect();
        names.sort();
        names
    }

    /// Gives the last commit of the index at `dir` the payload an index written before the
    /// log had: the manifest as a whole JSON file.
    fn make_legacy(dir: &std::path::Path, manifest: &Manifest) {
        let name = format!("{}7.json", manifest::FILE_PREFIX);
        std::fs::write(dir.join(&name), serde_json::to_vec(manifest).unwrap()).unwrap();
        let inner = tantivy::Index::open_in_dir(dir).unwrap();
        let mut writer: tantivy::IndexWriter =
            inner.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        let payload = Payload {
            communique_schema: SCHEMA_VERSION,
            manifest: Some(name.clone()),
            seq: 2,
            ..Payload::default()
        };
        prepared.set_payload(&serde_json::to_string(&payload).unwrap());
        prepared.commit().unwrap();
        for file in manifest_files(dir) {
            if file != name {
                std::fs::remove_file(dir.join(file)).unwrap();
            }
        }
    }

    /// A corpus of one article and its index on disk.
    fn kursk_indexed() -> (tempfile::TempDir, tempfile::TempDir, Index) {
        let corpus = tempfile::tempdir().unwrap();
        std::fs::write(corpus.path().join("kursk.md"), KURSK).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        index.update(&Corpus::new(corpus.path())).unwrap();
        (corpus, dir, index)
    }

    #[test]
    fn an_index_written_before_the_log_is_read_and_migrated_at_its_next_commit() {
        let (corpus, dir, index) = kursk_indexed();
        let recorded = index.load_manifest().unwrap();
        drop(index);
        make_legacy(dir.path(), &recorded);
        assert_eq!(manifest_files(dir.path()), ["communique-manifest-7.json"]);
        let old = Index::open(dir.path()).unwrap();
        assert_eq!(old.load_manifest().unwrap(), recorded);
        // Nothing changed: nothing written.
        assert!(!old.update(&Corpus::new(corpus.path())).unwrap().changed());
        assert_eq!(manifest_files(dir.path()), ["communique-manifest-7.json"]);
        // A change migrates the manifest to a log, and the JSON file goes.
        std::fs::write(
            corpus.path().join("odesa.md"),
            "Grain left the port of Odesa.",
        )
        .unwrap();
        assert_eq!(old.update(&Corpus::new(corpus.path())).unwrap().added, 1);
        let files = manifest_files(dir.path());
        assert_eq!(files.len(), 1);
        assert!(files[0].ends_with(".log"), "{files:?}");
        let again = Index::open(dir.path()).unwrap().load_manifest().unwrap();
        assert_eq!(again.files.len(), 2);
        assert_eq!(again.files["kursk.md"], recorded.files["kursk.md"]);
    }

    #[test]
    fn bytes_a_crashed_commit_appended_are_ignored_then_cut_off() {
        let (corpus, dir, index) = kursk_indexed();
        let recorded = index.load_manifest().unwrap();
        let log = index.payload().unwrap().manifest_log.unwrap();
        drop(index);
        // A commit appended its delta, then the process died before the tantivy commit.
        let path = dir.path().join(&log.file);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"\x30\x00\x00\x00half a record");
        std::fs::write(&path, &bytes).unwrap();
        let index = Index::open(dir.path()).unwrap();
        assert_eq!(index.load_manifest().unwrap(), recorded);
        // The next commit appends after the last commit's bytes, not after the partial ones.
        std::fs::write(
            corpus.path().join("odesa.md"),
            "Grain left the port of Odesa.",
        )
        .unwrap();
        assert_eq!(index.update(&Corpus::new(corpus.path())).unwrap().added, 1);
        let now = index.payload().unwrap().manifest_log.unwrap();
        assert_eq!(now.file, log.file);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), now.len);
        let fresh = Index::open(dir.path()).unwrap().load_manifest().unwrap();
        assert_eq!(fresh.files.len(), 2);
        assert_eq!(fresh, index.load_manifest().unwrap());
    }

    #[test]
    fn a_truncated_or_damaged_log_is_an_error_naming_it() {
        let corpus = tempfile::tempdir().unwrap();
        std::fs::write(corpus.path().join("kursk.md"), KURSK).unwrap();
        let dir = tempfile::tempdir().unwrap();
        Index::create(dir.path())
            .unwrap()
            .update(&Corpus::new(corpus.path()))
            .unwrap();
        let log = dir.path().join(&manifest_files(dir.path())[0]);
        let bytes = std::fs::read(&log).unwrap();
        std::fs::write(&log, &bytes[..bytes.len() - 5]).unwrap();
        let message = Index::open(dir.path())
            .unwrap()
            .load_manifest()
            .unwrap_err()
            .to_string();
        let name = log.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            message.contains(&name) && message.contains("truncated") && message.contains("rebuild"),
            "{message}"
        );
        let mut damaged = bytes.clone();
        damaged[20] ^= 0xff;
        std::fs::write(&log, &damaged).unwrap();
        let message = Index::open(dir.path())
            .unwrap()
            .update(&Corpus::new(corpus.path()))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(&name) && message.contains("damaged record"),
            "{message}"
        );
    }

    #[test]
    fn a_log_grown_past_its_fraction_is_compacted_into_a_new_one() {
        let corpus = tempfile::tempdir().unwrap();
        let write = |word: &str| {
            let lines: Vec<String> = (0..2000)
                .map(|i| {
                    serde_json::json!({"id": format!("c{i}"), "text": format!("{word} {i}")})
                        .to_string()
                })
                .collect();
            std::fs::write(corpus.path().join("cables.jsonl"), lines.join("\n")).unwrap();
        };
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        let corpus_at = Corpus::new(corpus.path());
        write("Kursk");
        index.update(&corpus_at).unwrap();
        let first = manifest_files(dir.path());
        // Every article changes: the delta is as large as the manifest, and appended once.
        write("Odesa");
        assert_eq!(index.update(&corpus_at).unwrap().updated, 2000);
        assert_eq!(manifest_files(dir.path()), first);
        let log = index.payload().unwrap().manifest_log.unwrap();
        assert!(manifest_log::due(log.base, log.len), "{log:?}");
        // The next commit writes the manifest whole in a new log, and the old one goes.
        write("Kyiv");
        assert_eq!(index.update(&corpus_at).unwrap().updated, 2000);
        let second = manifest_files(dir.path());
        assert_eq!(second.len(), 1);
        assert_ne!(second, first);
        let log = index.payload().unwrap().manifest_log.unwrap();
        assert_eq!(log.len, log.base + manifest_log::MAGIC.len() as u64);
        let fresh = Index::open(dir.path()).unwrap().load_manifest().unwrap();
        assert_eq!(fresh, index.load_manifest().unwrap());
        assert_eq!(fresh.files["cables.jsonl"].articles.len(), 2000);
    }
}

/// The manifest of the 190,000-article bench index read, encoded and written both ways
/// (`cargo test --release --lib manifest_at_scale -- --ignored --nocapture`; needs
/// `bench-data/index-190000-1`, copied to a temporary folder first). A measurement, not a
/// check: `.ci/run` skips it by name, since a clean clone has no `bench-data/`.
#[cfg(test)]
mod at_scale {
    use std::time::Instant;

    use super::*;

    #[test]
    #[ignore = "needs bench-data/index-190000-1"]
    fn manifest_at_scale() {
        let source =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data/index-190000-1");
        let index = Index::open(&source).unwrap();
        let start = Instant::now();
        let manifest = index.load_manifest().unwrap();
        let json_read = start.elapsed();
        let start = Instant::now();
        let json = serde_json::to_vec(&*manifest).unwrap();
        let json_encode = start.elapsed();
        let start = Instant::now();
        let (log, _) = manifest_log::whole(&manifest);
        let log_encode = start.elapsed();
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        manifest::atomic_write(&dir.path().join("whole.log"), &log).unwrap();
        let log_write = start.elapsed();
        let start = Instant::now();
        manifest::atomic_write(&dir.path().join("whole.json"), &json).unwrap();
        let json_write = start.elapsed();
        let start = Instant::now();
        let bytes = std::fs::read(dir.path().join("whole.log")).unwrap();
        let back = manifest_log::read(&bytes, bytes.len() as u64).unwrap();
        let log_read = start.elapsed();
        assert_eq!(back, *manifest);
        eprintln!(
            "{} files, {} articles; JSON {} bytes: read {json_read:.1?}, encode {json_encode:.1?}, \
             write+sync {json_write:.1?}; log {} bytes: read {log_read:.1?}, encode {log_encode:.1?}, \
             write+sync {log_write:.1?}",
            manifest.files.len(),
            manifest
                .files
                .values()
                .map(|e| e.articles.len())
                .sum::<usize>(),
            json.len(),
            log.len()
        );
    }
}
