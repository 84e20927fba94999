//! The index: a tantivy index of passages on disk or in memory, its writer, and incremental
//! updates from a corpus.
//!
//! Search answers from the last commit only: the reader is reloaded by hand after each commit
//! of this handle (read-your-writes), never half-way through one.

mod directory;
mod kept_stats;
mod manifest;
mod manifest_log;
mod manifest_store;
mod rebuild;
mod schema;
mod snapshot;
mod statistics;
mod update;
mod watch;
mod writer;

pub use schema::SCHEMA_VERSION;
pub use update::{Change, ChangeKind, UpdateOptions, UpdateProgress, UpdateReport};
pub use watch::{WatchEvent, WatchOptions};
pub use writer::{DEFAULT_WRITER_MEMORY, Writer};

pub(crate) use schema::Fields;
pub(crate) use schema::fast;
pub(crate) use snapshot::{SegmentColumns, Snapshot, stored_str};
pub(crate) use statistics::ScriptStatistics;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use tantivy::collector::Count;
use tantivy::directory::error::OpenReadError;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexReader, ReloadPolicy, TantivyError, Term};

use crate::analysis;
use crate::corpus::{Corpus, PassageConfig};
use crate::{Error, Result};

/// The file name of tantivy's commit point: an index exists where it does.
const META_FILE: &str = "meta.json";

/// A communique index: open it, update it from a corpus, search it.
///
/// # Example
/// ```
/// use communique::{Article, Index, Query, SearchOptions};
///
/// let index = Index::in_memory()?;
/// let mut writer = index.writer()?;
/// writer.add(&Article::new("kursk", "North Korean troops fought in the Kursk region."))?;
/// writer.commit()?;
/// let query: Query = "Kursk".parse()?;
/// let hits = index.search(&query, &SearchOptions::new())?;
/// assert_eq!(hits[0].article.id, "kursk");
/// # Ok::<(), communique::Error>(())
/// ```
pub struct Index {
    pub(crate) inner: tantivy::Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) passages: PassageConfig,
    columns: std::sync::Arc<snapshot::ColumnCache>,
    storage: Storage,
    /// The commit a view ([`Index::view`]) keeps seeing; `None` for a handle that follows the
    /// last commit.
    pinned: Option<tantivy::Searcher>,
    /// The manifest as last read or committed through this handle, with the files it was
    /// read from: an update that follows another (as `watch` runs them) does not read it again.
    manifest: std::sync::Arc<Mutex<Option<CachedManifest>>>,
    /// Turns copied reads on in the index's directory (on disk) for a writer's merge.
    pub(crate) copied_reads: directory::CopiedReads,
}

/// A manifest in memory, known by the files of its chain.
type CachedManifest = (Vec<String>, std::sync::Arc<manifest::Manifest>);

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.storage {
            Storage::Disk(path) => write!(f, "Index({})", path.display()),
            Storage::Memory(_) => f.write_str("Index(in memory)"),
        }
    }
}

/// Where the index lives, and where its manifest is kept.
enum Storage {
    Disk(PathBuf),
    Memory(Mutex<Option<Vec<u8>>>),
}

/// What communique stores in each tantivy commit (the commit payload).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Payload {
    /// The schema version that wrote this commit.
    pub communique_schema: u32,
    /// The manifest log of this commit and its length then (every commit since the log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_log: Option<manifest_store::LogRef>,
    /// An index written before the log: its last whole JSON manifest, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// ...and the JSON manifest deltas written since it, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifest_deltas: Vec<String>,
    /// When this commit was made (RFC 3339).
    pub updated: Option<String>,
    /// This commit's sequence number: 1 for the first, one more for each commit after. Every
    /// passage records the sequence number of the commit that added it (`Fields::seq`).
    #[serde(default)]
    pub seq: u64,
}

/// Figures about an index, for `communique stats`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stats {
    /// Number of articles.
    pub articles: u64,
    /// Number of passages.
    pub passages: u64,
    /// Number of distinct terms of the exact view.
    pub distinct_terms: u64,
    /// Bytes used by the index (on disk: every file in its folder, but the figures `stats`
    /// keeps there).
    pub size_bytes: u64,
    /// Number of tantivy segments.
    pub segments: usize,
    /// When the index was last updated (RFC 3339), if known.
    pub updated: Option<String>,
    /// The earliest article date, if any article has one.
    pub first_date: Option<String>,
    /// The latest article date, if any article has one.
    pub last_date: Option<String>,
    /// Number of articles with no date.
    pub undated: u64,
    /// Sources with their number of articles, most frequent first.
    pub sources: Vec<(String, u64)>,
    /// Languages (codes; `und` when unknown) with their number of articles, most frequent
    /// first.
    pub languages: Vec<(String, u64)>,
    /// The schema version of the index.
    pub schema_version: u32,
}

impl Index {
    /// Opens the index in `path`; fails if there is none, or if it is damaged or incompatible.
    pub fn open(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        guard(path, || Index::open_unguarded(path))
    }

    fn open_unguarded(path: &Path) -> Result<Index> {
        if !path.join(META_FILE).is_file() {
            return Err(Error::IndexMissing {
                path: path.to_path_buf(),
            });
        }
        let copied_reads = directory::CopiedReads::default();
        let directory = directory::DiskDirectory::open(path, copied_reads.clone())
            .map_err(|e| open_error(path, e.into()))?;
        let inner = tantivy::Index::open(directory).map_err(|e| open_error(path, e))?;
        Index::from_tantivy(inner, Storage::Disk(path.to_path_buf()), copied_reads)
    }

    /// Creates an empty index in `path` (creating the folder); fails if one is already there.
    pub fn create(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        if path.join(META_FILE).exists() {
            return Err(Error::InvalidArgument(format!(
                "an index already exists in {}",
                path.display()
            )));
        }
        let (schema, _) = schema::build();
        let settings = index_settings();
        let copied_reads = directory::CopiedReads::default();
        let directory = directory::DiskDirectory::open(path, copied_reads.clone())
            .map_err(|e| open_error(path, e.into()))?;
        let inner =
            tantivy::Index::create(directory, schema, settings).map_err(|e| open_error(path, e))?;
        let index = Index::from_tantivy(inner, Storage::Disk(path.to_path_buf()), copied_reads)?;
        index.writer()?.commit()?;
        Ok(index)
    }

    /// Opens the index in `path`, or creates an empty one if there is none.
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        if path.join(META_FILE).is_file() {
            Index::open(path)
        } else {
            Index::create(path)
        }
    }

    /// An empty index in memory, for tests, doctests and short-lived programs.
    pub fn in_memory() -> Result<Index> {
        Index::in_memory_with_passages(PassageConfig::default())
    }

    /// An empty index in memory that cuts articles into passages with other sizes, for
    /// experiments such as `communique eval --passage-words`. (An index on disk always uses
    /// the default sizes, so that every update cuts articles the same way.)
    pub fn in_memory_with_passages(passages: PassageConfig) -> Result<Index> {
        let (schema, _) = schema::build();
        let inner = tantivy::Index::builder()
            .schema(schema)
            .settings(index_settings())
            .create_in_ram()
            .map_err(|e| open_error(Path::new("(memory)"), e))?;
        let mut index = Index::from_tantivy(
            inner,
            Storage::Memory(Mutex::new(None)),
            directory::CopiedReads::default(),
        )?;
        index.passages = passages;
        index.writer()?.commit()?;
        Ok(index)
    }

    fn from_tantivy(
        inner: tantivy::Index,
        storage: Storage,
        copied_reads: directory::CopiedReads,
    ) -> Result<Index> {
        let path = match &storage {
            Storage::Disk(path) => path.clone(),
            Storage::Memory(_) => PathBuf::from("(memory)"),
        };
        let fields =
            schema::resolve(&inner.schema()).map_err(|detail| Error::IncompatibleIndex {
                path: path.clone(),
                found: format!("a different schema: {detail}"),
                expected: SCHEMA_VERSION,
            })?;
        analysis::register(inner.tokenizers());
        // An index that has been committed by communique carries our payload; a brand new one
        // (being created right now) has no commit yet.
        let metas = commit_of(&inner).map_err(|e| open_error(&path, e))?;
        if metas.opstamp > 0 || metas.payload.is_some() {
            let payload = metas.payload.as_deref().unwrap_or("");
            match serde_json::from_str::<Payload>(payload) {
                Ok(p) if p.communique_schema == SCHEMA_VERSION => {}
                Ok(p) => {
                    return Err(Error::IncompatibleIndex {
                        path,
                        found: format!("schema version {}", p.communique_schema),
                        expected: SCHEMA_VERSION,
                    });
                }
                Err(_) => {
                    return Err(Error::IncompatibleIndex {
                        path,
                        found: "no communique version recorded".into(),
                        expected: SCHEMA_VERSION,
                    });
                }
            }
        }
        let reader = inner
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| open_error(&path, e))?;
        Ok(Index {
            inner,
            reader,
            fields,
            passages: PassageConfig::default(),
            columns: Default::default(),
            storage,
            pinned: None,
            manifest: Default::default(),
            copied_reads,
        })
    }

    /// The folder of an on-disk index; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        match &self.storage {
            Storage::Disk(path) => Some(path),
            Storage::Memory(_) => None,
        }
    }

    pub(crate) fn display_path(&self) -> PathBuf {
        self.path()
            .map_or_else(|| PathBuf::from("(memory)"), Path::to_path_buf)
    }

    /// The payload of the last commit.
    pub(crate) fn payload(&self) -> Result<Payload> {
        let metas = self
            .inner
            .load_metas()
            .map_err(|e| open_error(&self.display_path(), e))?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default())
    }

    /// The sequence number of the last commit: 1 for the first commit of an index, one more for
    /// each commit after it. Every article records the number of the commit that added or last
    /// changed it, so [`SearchOptions::changed_after`](crate::SearchOptions::changed_after) finds
    /// what is new since a given commit.
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    /// let index = Index::in_memory()?;
    /// let before = index.commit_seq()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "The grain corridor reopened."))?;
    /// writer.commit()?;
    /// assert_eq!(index.commit_seq()?, before + 1);
    /// let new = SearchOptions::new().changed_after(before);
    /// assert_eq!(index.search(&Query::parse("grain")?, &new)?.len(), 1);
    /// let none = SearchOptions::new().changed_after(before + 1);
    /// assert!(index.search(&Query::parse("grain")?, &none)?.is_empty());
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn commit_seq(&self) -> Result<u64> {
        Ok(self.payload()?.seq)
    }

    /// Which commit this handle's searches see: a number that changes whenever the handle sees
    /// another one (after [`Index::reload`]), so answers kept under it are never served from
    /// an older one. A [`view`](Index::view) keeps its number.
    ///
    /// ```
    /// # use communique::{Article, Index};
    /// let index = Index::in_memory()?;
    /// let before = index.generation();
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "The grain corridor reopened."))?;
    /// writer.commit()?;
    /// assert_ne!(index.generation(), before);
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn generation(&self) -> u64 {
        self.searcher().generation().generation_id()
    }

    /// A view of the index as this handle sees it now. Searches through the view keep seeing
    /// this commit while the handle moves on to later ones, until the view is dropped (the
    /// files of its segments stay on disk meanwhile). A server answers from a view, so that it
    /// can prepare the next one (compute the answers asked most often) before it publishes it.
    /// Writing through a view writes to the index, as through its handle; [`Index::reload`]
    /// does not move a view.
    ///
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    /// let index = Index::in_memory()?;
    /// let view = index.view();
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "The grain corridor reopened."))?;
    /// writer.commit()?;
    /// let grain = Query::parse("grain")?;
    /// assert_eq!(index.search(&grain, &SearchOptions::new())?.len(), 1);
    /// assert!(view.search(&grain, &SearchOptions::new())?.is_empty());
    /// assert_ne!(view.generation(), index.generation());
    /// assert_eq!(index.view().generation(), index.generation());
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn view(&self) -> Index {
        let storage = match &self.storage {
            Storage::Disk(path) => Storage::Disk(path.clone()),
            Storage::Memory(slot) => Storage::Memory(Mutex::new(
                slot.lock().map(|b| b.clone()).unwrap_or_default(),
            )),
        };
        Index {
            inner: self.inner.clone(),
            reader: self.reader.clone(),
            fields: self.fields,
            passages: self.passages.clone(),
            columns: self.columns.clone(),
            storage,
            pinned: Some(self.searcher()),
            manifest: Default::default(),
            copied_reads: self.copied_reads.clone(),
        }
    }

    /// The searcher reads go through: the view's commit, or the last one reloaded.
    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        match &self.pinned {
            Some(searcher) => searcher.clone(),
            None => self.reader.searcher(),
        }
    }

    /// Sees the last commit (of any process). Called after each commit of this handle.
    pub fn reload(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(|e| open_error(&self.display_path(), e))
    }

    /// Does an article with this id exist in the last commit?
    pub fn contains(&self, id: &str) -> Result<bool> {
        let term = Term::from_field_text(self.fields.article_id, id);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        Ok(self.searcher().search(&query, &Count)? > 0)
    }

    /// Figures about the index: articles, passages, terms, size, dates, sources.
    pub fn stats(&self) -> Result<Stats> {
        guard(&self.display_path(), || self.stats_unguarded())
    }

    fn stats_unguarded(&self) -> Result<Stats> {
        let searcher = self.searcher();
        let Storage::Disk(folder) = &self.storage else {
            return self.count_stats(&searcher, &mut kept_stats::Kept::default());
        };
        // The large segments' figures as counted before: only what changed since is counted.
        let before = kept_stats::read(folder);
        let mut kept = before.clone();
        let stats = self.count_stats(&searcher, &mut kept)?;
        if kept != before {
            kept_stats::write(folder, &kept);
        }
        Ok(stats)
    }

    /// Counts the figures of `stats` on the segments `searcher` sees, taking what it can from
    /// `kept` and keeping there what it counted.
    fn count_stats(
        &self,
        searcher: &tantivy::Searcher,
        kept: &mut kept_stats::Kept,
    ) -> Result<Stats> {
        let path = self.display_path();
        let heads = kept_stats::heads(searcher, self.fields.ordinal, &path, kept)?;
        let size_bytes = match &self.storage {
            Storage::Disk(path) => folder_size(path),
            Storage::Memory(_) => searcher
                .space_usage()
                .map(|usage| usage.total().get_bytes())
                .unwrap_or(0),
        };
        let format = |(nanos, _): (i64, u64)| {
            jiff::Timestamp::from_second(
                tantivy::DateTime::from_timestamp_nanos(nanos).into_timestamp_secs(),
            )
            .map(|t| t.to_string())
            .unwrap_or_default()
        };
        Ok(Stats {
            articles: heads.articles,
            passages: searcher.num_docs(),
            distinct_terms: kept_stats::distinct_terms(searcher, self.fields.exact, kept)?,
            size_bytes,
            segments: searcher.segment_readers().len(),
            updated: self.payload()?.updated,
            first_date: heads.first.map(format),
            last_date: heads.last.map(format),
            undated: heads.undated,
            sources: crate::domain::facet::by_count(heads.sources),
            languages: crate::domain::facet::by_count(heads.languages),
            schema_version: SCHEMA_VERSION,
        })
    }

    /// Verifies the index in `path`, even one too damaged to open: first every file against
    /// its checksum, then (if it opens) the manifest and the articles it lists.
    pub fn check_at(path: impl AsRef<Path>) -> Result<CheckReport> {
        let path = path.as_ref();
        if !path.join(META_FILE).is_file() {
            return Err(Error::IndexMissing {
                path: path.to_path_buf(),
            });
        }
        let mut report = CheckReport::default();
        let directory = directory::DiskDirectory::open(path, directory::CopiedReads::default())
            .map_err(|e| open_error(path, e.into()))?;
        let managed = tantivy::directory::ManagedDirectory::wrap(Box::new(directory))
            .map_err(|e| open_error(path, e))?;
        let files = committed_files(path, &managed);
        for file in files {
            if !path.join(&file).exists() {
                report
                    .problems
                    .push(format!("file {} is missing", file.display()));
                continue;
            }
            let valid = guard(path, || {
                managed
                    .validate_checksum(&file)
                    .map_err(|e| open_error(path, e.into()))
            });
            if !matches!(valid, Ok(true)) {
                report.damaged_files.push(file);
            }
        }
        match Index::open(path) {
            Ok(index) => {
                let logical = index.check()?;
                report.problems.extend(logical.problems);
                report.articles = logical.articles;
                report.manifest_files = logical.manifest_files;
                for file in logical.damaged_files {
                    if !report.damaged_files.contains(&file) {
                        report.damaged_files.push(file);
                    }
                }
            }
            Err(e) => report.problems.push(e.to_string()),
        }
        Ok(report)
    }

    /// Verifies the index: every file against its checksum (reading all of it), the manifest,
    /// and that every article the manifest lists is in the index.
    pub fn check(&self) -> Result<CheckReport> {
        let path = self.display_path();
        let mut report = CheckReport::default();
        let damaged = guard(&path, || {
            self.inner
                .validate_checksum()
                .map_err(|e| open_error(&path, e))
        })?;
        report.damaged_files = damaged.into_iter().collect();
        report.damaged_files.sort();
        match self.load_manifest() {
            Ok(manifest) => {
                report.manifest_files = manifest.files.len();
                // Reading a damaged file can panic inside tantivy: `guard` turns that into an
                // error, which is reported as a problem rather than ending the check.
                let missing = guard(&path, || {
                    Ok(manifest
                        .files
                        .values()
                        .flat_map(|f| f.articles.iter().map(|a| a.id.as_str()))
                        .filter(|id| !self.contains(id).unwrap_or(false))
                        .take(5)
                        .collect::<Vec<&str>>())
                });
                let missing = match missing {
                    Ok(missing) => missing,
                    Err(e) => {
                        report.problems.push(e.to_string());
                        Vec::new()
                    }
                };
                if !missing.is_empty() {
                    report.problems.push(format!(
                        "articles listed in the manifest are missing from the index (e.g. {})",
                        missing.join(", ")
                    ));
                }
            }
            Err(e) => report.problems.push(e.to_string()),
        }
        if report.damaged_files.is_empty() {
            report.articles = self.stats().map(|s| s.articles).unwrap_or(0);
        }
        Ok(report)
    }

    // Writing: the writer, updates from a corpus, watching, rebuilding.

    /// Takes the index's writer (failing at once with [`Error::Locked`] if another holds it).
    pub fn writer(&self) -> Result<Writer<'_>> {
        writer::take(self, writer::DEFAULT_WRITER_MEMORY)
    }

    /// [`Index::writer`] whose indexing threads may use `bytes` of memory together before
    /// they write a segment (default [`DEFAULT_WRITER_MEMORY`]). More memory means fewer,
    /// larger segments and less merging on a large build; at least 24 MiB per thread is used.
    pub fn writer_with_memory(&self, bytes: usize) -> Result<Writer<'_>> {
        writer::take(self, bytes)
    }

    /// Brings the index in line with `corpus`, applying only what changed, in one commit.
    ///
    /// # Example
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), "North Korean troops in the Kursk region.")?;
    /// let index = communique::Index::in_memory()?;
    /// let corpus = communique::Corpus::new(dir.path());
    /// let report = index.update(&corpus)?;
    /// assert_eq!((report.added, report.unchanged), (1, 0));
    /// let report = index.update(&corpus)?;
    /// assert_eq!((report.added, report.unchanged), (0, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn update(&self, corpus: &Corpus) -> Result<UpdateReport> {
        self.update_with(corpus, &UpdateOptions::new())
    }

    /// [`Index::update`] with options (dry run, progress).
    ///
    /// The update runs in four stages, each file going through the first three before the next
    /// file is read: *scan* (stat and hash against the manifest), *diff* (which articles are
    /// new, changed or unchanged), *apply* (queue them on the writer); then the removals that
    /// the diff found are applied and *commit* makes it all visible at once.
    pub fn update_with(
        &self,
        corpus: &Corpus,
        options: &UpdateOptions<'_>,
    ) -> Result<UpdateReport> {
        update::run(self, corpus, options)
    }

    /// Watches `corpus` and keeps the index up to date until `stop` becomes true, reporting
    /// every batch to `on_event`. A batch in progress when `stop` is set is completed first.
    pub fn watch(
        &self,
        corpus: &Corpus,
        options: &WatchOptions,
        stop: &AtomicBool,
        on_event: impl FnMut(WatchEvent),
    ) -> Result<()> {
        watch::run(self, corpus, options, stop, on_event)
    }

    /// Builds a fresh index of `corpus` in a folder beside `path`, then swaps it in.
    ///
    /// Searches keep answering from the old index until the swap, which is one atomic
    /// `rename` exchange on Linux. The old index's writer lock is held throughout, so no other
    /// update can slip in and be lost. This works whatever state the old index is in (missing,
    /// damaged, or written by an incompatible version). A dry run builds nothing.
    pub fn rebuild(
        path: impl AsRef<Path>,
        corpus: &Corpus,
        options: &UpdateOptions<'_>,
    ) -> Result<(Index, UpdateReport)> {
        rebuild::run(path, corpus, options)
    }
}

/// How a new index stores passages: zstd (level 3) in 32 KiB blocks. It takes about two thirds
/// of the room LZ4 (tantivy's default) takes on diplomatic text, builds as fast, and a search
/// decompresses only the blocks of the passages it shows. 32 KiB blocks store 6.5 % less than
/// 16 KiB (29.1 against 31.1 MB at 20,000 articles) for about 15 µs more to decompress a block
/// a search shows that is not cached; 64 KiB would store 5 % less again for 60 µs more a
/// block. Level 9 stores 4 % less and level 19 13 % less, but they take 12 % and twice the
/// build's CPU time (BENCHMARKS.md, r8-build and round 9).
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 32 * 1024,
        ..tantivy::IndexSettings::default()
    }
}

/// The opstamp and payload of an index's last commit.
#[derive(Deserialize)]
struct Commit {
    opstamp: u64,
    payload: Option<String>,
}

/// Reads the last commit's opstamp and payload from `meta.json` without its schema and
/// segments: tantivy parses the whole file twice more while opening an index and its reader,
/// and a search from the shell paid for a third (BENCHMARKS.md, "Start-up, round 11").
fn commit_of(inner: &tantivy::Index) -> tantivy::Result<Commit> {
    let path = Path::new(META_FILE);
    let bytes = tantivy::Directory::atomic_read(inner.directory(), path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        TantivyError::DataCorruption(tantivy::error::DataCorruption::new(
            path.to_path_buf(),
            format!("cannot read {META_FILE}: {e}"),
        ))
    })
}

/// Turns tantivy's open errors into ours, naming the index.
pub(crate) fn open_error(path: &Path, error: TantivyError) -> Error {
    let path = path.to_path_buf();
    match error {
        TantivyError::LockFailure(tantivy::directory::error::LockError::IoError(error), _) => {
            let read_only = matches!(
                error.kind(),
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
            );
            let message = if read_only {
                format!("cannot update the index, its folder is read-only ({error})")
            } else {
                format!("cannot lock the index: {error}")
            };
            Error::Io {
                path,
                source: std::io::Error::new(error.kind(), message),
            }
        }
        TantivyError::LockFailure(..) => Error::Locked { path },
        TantivyError::IncompatibleIndex(incompatibility) => Error::IncompatibleIndex {
            path,
            found: format!("{incompatibility:?}"),
            expected: SCHEMA_VERSION,
        },
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(file)) => Error::Corrupt {
            path,
            detail: format!("file {} is missing", file.display()),
        },
        TantivyError::DataCorruption(corruption) => Error::Corrupt {
            path,
            detail: format!("{corruption:?}"),
        },
        // A footer or header that does not parse: the file is truncated or overwritten.
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath })
            if is_damage(io_error.kind()) =>
        {
            Error::Corrupt {
                path,
                detail: format!(
                    "file {} cannot be read: {}",
                    filepath.display(),
                    first_sentence(&io_error.to_string())
                ),
            }
        }
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => Error::Io {
            path: filepath,
            source: std::io::Error::new(io_error.kind(), io_error.to_string()),
        },
        // Data that does not decode: a damaged file.
        TantivyError::IoError(io_error) if is_damage(io_error.kind()) => Error::Corrupt {
            path,
            detail: first_sentence(&io_error.to_string()).to_string(),
        },
        TantivyError::IoError(io_error) => Error::Io {
            path,
            source: std::io::Error::new(io_error.kind(), io_error.to_string()),
        },
        other => Error::Index(other),
    }
}

/// Runs `read`, turning a panic (which tantivy can raise on damaged index data) into
/// [`Error::Corrupt`], so that a damaged index is an error, not a crash.
pub(crate) fn guard<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        // While reading, data that does not decode (whatever tantivy calls it) is damage.
        Ok(Err(Error::Index(TantivyError::IoError(error)))) => Err(Error::Corrupt {
            path: path.to_path_buf(),
            detail: first_sentence(&error.to_string()).to_string(),
        }),
        // Every column the schema declares is written in every segment: one that tantivy
        // cannot find while reading means a damaged `.fast` file, not a wrong schema.
        Ok(Err(Error::Index(
            TantivyError::SchemaError(message) | TantivyError::FieldNotFound(message),
        ))) => Err(Error::Corrupt {
            path: path.to_path_buf(),
            detail: format!("a column cannot be read ({message})"),
        }),
        // The document store asked for a passage its block index does not hold: every address
        // a search reads comes from the index itself, so the store's `.store` file is damaged.
        Ok(Err(Error::Index(TantivyError::InvalidArgument(message))))
            if message.starts_with("Failed to lookup Doc") =>
        {
            Err(Error::Corrupt {
                path: path.to_path_buf(),
                detail: format!("the document store cannot be read ({message})"),
            })
        }
        // tantivy's other errors about the index's files name what is damaged.
        Ok(Err(Error::Index(error))) => Err(open_error(path, error)),
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".into());
            Err(Error::Corrupt {
                path: path.to_path_buf(),
                detail: format!(
                    "reading it failed: {message}; `communique check` lists damaged files"
                ),
            })
        }
    }
}

/// Whether an I/O error of this kind from tantivy means damaged bytes: tantivy's decoders
/// (sstable versions, codecs) report bad bytes as `Other`; the operating system's own failures
/// have kinds of their own.
fn is_damage(kind: std::io::ErrorKind) -> bool {
    matches!(
        kind,
        std::io::ErrorKind::InvalidData
            | std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::Other
    )
}

/// The first sentence of a message (tantivy's can run on).
fn first_sentence(message: &str) -> &str {
    message.split(". ").next().unwrap_or(message)
}

/// What `Index::check` found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckReport {
    /// Index files whose checksum does not match their content.
    pub damaged_files: Vec<PathBuf>,
    /// Other problems: a missing or unreadable manifest, articles missing from the index.
    pub problems: Vec<String>,
    /// Articles in the index.
    pub articles: u64,
    /// Corpus files recorded in the manifest.
    pub manifest_files: usize,
}

impl CheckReport {
    /// Is the index healthy?
    pub fn ok(&self) -> bool {
        self.damaged_files.is_empty() && self.problems.is_empty()
    }
}

/// The checksummed files of the committed segments of the index in `path`, sorted.
fn committed_files(path: &Path, managed: &tantivy::directory::ManagedDirectory) -> Vec<PathBuf> {
    // The files of the committed segments (those of an update that failed before its commit
    // are garbage, not damage: the next update removes them). Segment files carry a
    // checksum in their footer; meta.json does not.
    let committed: Option<std::collections::HashSet<String>> = std::fs::read(path.join(META_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|meta| {
            meta["segments"].as_array().map(|segments| {
                segments
                    .iter()
                    .filter_map(|s| s["segment_id"].as_str())
                    .map(|id| id.replace('-', ""))
                    .collect()
            })
        });
    let mut files: Vec<PathBuf> = managed
        .list_managed_files()
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e != "json"))
        .filter(|f| {
            let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned());
            match (&committed, stem) {
                (Some(segments), Some(stem)) => segments.contains(&stem),
                _ => true,
            }
        })
        .collect();
    files.sort();
    files
}

fn folder_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != kept_stats::FILE)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_terms_counts_a_term_of_several_segments_once() {
        let index = Index::in_memory().unwrap();
        let texts = [
            "North Korean troops fought in the Kursk region.",
            "Grain left the port of Odesa for the Black Sea.",
            "Troops from North Korea left the Kursk region by the Black Sea.",
        ];
        for (i, text) in texts.iter().enumerate() {
            let mut writer = index.writer().unwrap();
            writer
                .add(&crate::Article::new(format!("a{i}"), *text))
                .unwrap();
            // The first commit is the larger part of the index, so that the others stay
            // segments of their own (a commit of half the index merges them all).
            for n in 0..(if i == 0 { 4 } else { 0 }) {
                let filler = format!("The ministers met on day {n}.");
                writer
                    .add(&crate::Article::new(format!("f{n}"), &filler))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let mut every = std::collections::BTreeSet::new();
        let mut per_segment = 0;
        for reader in searcher.segment_readers() {
            let inverted = reader.inverted_index(index.fields.exact).unwrap();
            let mut stream = inverted.terms().stream().unwrap();
            while stream.advance() {
                every.insert(stream.key().to_vec());
                per_segment += 1;
            }
        }
        assert!(per_segment > every.len(), "the segments share terms");
        let stats = index.stats().unwrap();
        assert_eq!(stats.distinct_terms, every.len() as u64);
    }

    #[test]
    fn stats_kept_beside_the_index_are_counted_again_after_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        let add = |id: &str, text: &str| {
            let mut writer = index.writer().unwrap();
            writer.add(&crate::Article::new(id, text)).unwrap();
            writer.commit().unwrap();
        };
        add("kursk", "North Korean troops fought in the Kursk region.");
        let kept = dir.path().join(kept_stats::FILE);
        assert!(!kept.exists());
        let first = index.stats().unwrap();
        assert!(kept.exists(), "the figures are kept");
        let again = index.stats().unwrap();
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            serde_json::to_string(&again).unwrap()
        );
        // A commit makes another segment: the figures are counted again.
        add("odesa", "Grain left the port of Odesa.");
        let after = index.stats().unwrap();
        assert_eq!((first.articles, after.articles), (1, 2));
        assert!(after.distinct_terms > first.distinct_terms);
        // So does a deletion (same segments, one passage more deleted).
        let mut writer = index.writer().unwrap();
        assert!(writer.remove("odesa").unwrap());
        writer.commit().unwrap();
        assert_eq!(index.stats().unwrap().articles, 1);
        // A damaged file is counted anew, and replaced.
        std::fs::write(&kept, "{").unwrap();
        assert_eq!(index.stats().unwrap().articles, 1);
        assert!(std::fs::read_to_string(&kept).unwrap().len() > 1);
    }
}
