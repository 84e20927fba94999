//! Incremental updates: bring the index in line with a corpus folder, touching only what changed.
//!
//! The manifest of the last commit says, for every corpus file, its size, modification time,
//! content hash and the articles it gave (with their own content hashes). An update walks the
//! corpus and:
//!
//! * skips files whose size and modification time are unchanged, without reading them;
//! * hashes files that were touched, and skips them if the bytes are the same;
//! * parses changed and new files and compares each article with what the index holds, so one
//!   new line in a JSON Lines file adds one article;
//! * removes the articles of files that are gone (an article that moved to another file, same
//!   id and content, is left alone).
//!
//! All changes, and the new manifest, are committed together.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::manifest::{ArticleEntry, Delta, FileEntry, Manifest, mtime_nanos};
use super::{Index, Writer};
use crate::corpus::{self, Article, Corpus, CorpusFile, FileRead, Warning};
use crate::{Error, Result};

/// What happened to one article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// It is new.
    Added,
    /// Its content changed.
    Updated,
    /// It is gone from the corpus.
    Removed,
}

/// One article that an update added, changed or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// The article id.
    pub id: String,
    /// The corpus file it comes (or came) from.
    pub path: Option<String>,
}

/// What an update did (or, for a dry run, would do).
#[derive(Debug, Default)]
pub struct UpdateReport {
    /// Articles added.
    pub added: usize,
    /// Articles whose content changed.
    pub updated: usize,
    /// Articles removed.
    pub removed: usize,
    /// Articles left as they were.
    pub unchanged: usize,
    /// Files, records or entries skipped, each with why.
    pub skipped: Vec<Error>,
    /// Problems that did not stop an article from being indexed.
    pub warnings: Vec<Warning>,
    /// Every added, updated and removed article, in corpus order (removals last).
    pub changes: Vec<Change>,
    /// Corpus files found.
    pub files: usize,
    /// Files read and parsed (new or changed).
    pub files_parsed: usize,
    /// Files hashed only (touched, same bytes).
    pub files_hashed: usize,
    /// True when nothing was written (a dry run).
    pub dry_run: bool,
}

impl UpdateReport {
    /// Did the update change any article?
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }

    /// Counts one change and lists it.
    fn count(&mut self, kind: ChangeKind, id: &str, path: &str) {
        match kind {
            ChangeKind::Added => self.added += 1,
            ChangeKind::Updated => self.updated += 1,
            ChangeKind::Removed => self.removed += 1,
        }
        self.changes.push(Change {
            kind,
            id: id.to_string(),
            path: Some(path.to_string()),
        });
    }
}

/// Progress of an update, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateProgress {
    /// Files examined so far.
    pub files_done: usize,
    /// Files in the corpus.
    pub files_total: usize,
}

/// How to run an update.
#[derive(Default)]
pub struct UpdateOptions<'a> {
    pub(crate) dry_run: bool,
    /// The writer's memory budget in bytes (`None`: [`super::DEFAULT_WRITER_MEMORY`]).
    pub(crate) memory: Option<usize>,
    progress: Option<&'a (dyn Fn(UpdateProgress) + Sync)>,
    /// Only these files and folders (`None`: the whole corpus).
    only: Option<Vec<PathBuf>>,
}

impl<'a> UpdateOptions<'a> {
    /// Default options: apply the changes.
    pub fn new() -> Self {
        UpdateOptions::default()
    }

    /// Only work out what would change; write nothing.
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }

    /// Lets the writer's indexing threads use `bytes` of memory together (see
    /// [`Index::writer_with_memory`]).
    pub fn memory(mut self, bytes: usize) -> Self {
        self.memory = Some(bytes);
        self
    }

    /// Looks only at these files and folders of the corpus (paths under its folder, as the
    /// file system names them; those that are gone count as removed, with everything under
    /// them), and takes everything else as it was: what [`Index::watch`] does with the paths a
    /// batch of file system events names, so that its cost follows the change and not the size
    /// of the corpus. A path outside the corpus folder is ignored.
    ///
    /// # Example
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    /// std::fs::write(&a, "North Korean troops in the Kursk region.")?;
    /// std::fs::write(&b, "The grain corridor reopened.")?;
    /// let index = communique::Index::in_memory()?;
    /// let corpus = communique::Corpus::new(dir.path());
    /// index.update(&corpus)?;
    /// std::fs::remove_file(&b)?;
    /// std::fs::write(&a, "North Korean troops left the Kursk region.")?;
    /// let only_a = communique::index::UpdateOptions::new().only(vec![a]);
    /// let report = index.update_with(&corpus, &only_a)?;
    /// assert_eq!((report.updated, report.removed), (1, 0)); // b.txt was not looked at
    /// assert_eq!(index.update(&corpus)?.removed, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn only(mut self, paths: Vec<PathBuf>) -> Self {
        self.only = Some(paths);
        self
    }

    /// Calls `callback` as files are examined.
    pub fn progress(mut self, callback: &'a (dyn Fn(UpdateProgress) + Sync)) -> Self {
        self.progress = Some(callback);
        self
    }
}

impl std::fmt::Debug for UpdateOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateOptions")
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

/// Runs an update (see [`Index::update_with`]).
pub(crate) fn run(
    index: &Index,
    corpus: &Corpus,
    options: &UpdateOptions<'_>,
) -> Result<UpdateReport> {
    let (files, walk_errors) = match &options.only {
        Some(paths) => corpus.files_under(paths)?,
        None => corpus.files()?,
    };
    // Take the writer first: it is the lock that keeps two updates apart.
    let mut writer = if options.dry_run {
        None
    } else {
        Some(index.writer_with_memory(options.memory.unwrap_or(super::DEFAULT_WRITER_MEMORY))?)
    };
    let old = index.load_manifest()?;
    let mut diff = Diff::new(&old, &files, walk_errors, options.dry_run);
    if let Some(paths) = &options.only {
        diff.within(scope(corpus.root(), paths));
    }
    let path = index.display_path();
    for (done, file) in files.iter().enumerate() {
        if let Some(progress) = options.progress {
            progress(UpdateProgress {
                files_done: done,
                files_total: files.len(),
            });
        }
        let scanned = scan(file, old.files.get(&file.rel));
        let puts = diff.file(file, scanned);
        apply(writer.as_mut(), puts, &[], &path)?;
    }
    let (delta, report, gone) = diff.finish();
    apply(writer.as_mut(), Vec::new(), &gone, &path)?;
    // The commit changes the manifest in memory in place: let it be its only holder.
    drop(old);
    commit(writer, delta, &report)?;
    Ok(report)
}

/// What stage 1 (scan) found about one corpus file, compared with its last manifest entry.
#[derive(Debug)]
pub(crate) enum Scanned {
    /// The size and modification time are as recorded: the file was not read.
    Unchanged,
    /// Touched, but the same bytes: the recorded entry with the new size and time.
    SameBytes(FileEntry),
    /// New or changed: read and parsed.
    Changed(FileRead),
    /// It cannot be read now: why.
    Unreadable(Error),
}

/// Whether `file` has the size and modification time its manifest entry records (and the
/// entry a hash: an entry without one is to be read again).
fn same_stat(file: &CorpusFile, entry: &FileEntry) -> bool {
    entry.size == file.size
        && entry.mtime.is_some()
        && entry.mtime == mtime_nanos(file.modified)
        && !entry.hash.is_empty()
}

/// Stage 1: compares a corpus file with its manifest entry (`previous`), reading it only if
/// its size or modification time changed, and parsing it only if its bytes did.
pub(crate) fn scan(file: &CorpusFile, previous: Option<&FileEntry>) -> Scanned {
    if previous.is_some_and(|entry| same_stat(file, entry)) {
        return Scanned::Unchanged;
    }
    match corpus::read_file(file) {
        Ok(read) => match previous {
            Some(entry) if entry.hash == read.hash => Scanned::SameBytes(FileEntry {
                size: file.size,
                mtime: mtime_nanos(file.modified),
                ..entry.clone()
            }),
            _ => Scanned::Changed(read),
        },
        Err(e) => Scanned::Unreadable(e),
    }
}

/// Stage 2: compares the articles of each scanned file with what the last manifest says the
/// index holds, building the change to the manifest and the report as it goes.
///
/// Its work is in proportion to the files read, not to the articles of the index: the
/// articles of a file whose size and time are unchanged are not looked at, and an article of
/// a file that is read is found in the last manifest by its id ([`Manifest::places`]).
pub(crate) struct Diff<'a> {
    old: &'a Manifest,
    /// Every corpus file found.
    walked: fnv::FnvHashSet<&'a str>,
    /// Files found that are (or will be) read, unless found to be kept after all: their
    /// recorded articles are not known to be present.
    reading: fnv::FnvHashSet<&'a str>,
    /// Articles given by the files read so far: id -> file.
    claimed: HashMap<String, &'a str>,
    /// The change to the manifest.
    delta: Delta,
    report: UpdateReport,
    /// The corpus-relative paths (files or folders) looked at (`None`: all); the recorded
    /// files outside them are kept as they are.
    scope: Option<Vec<String>>,
}

impl<'a> Diff<'a> {
    /// A diff against `old`, for the corpus `files` whose walk hit `walk_errors`.
    pub(crate) fn new(
        old: &'a Manifest,
        files: &'a [CorpusFile],
        walk_errors: Vec<Error>,
        dry_run: bool,
    ) -> Diff<'a> {
        let walked = files.iter().map(|f| f.rel.as_str()).collect();
        let reading = files
            .iter()
            .filter(|f| !old.files.get(&f.rel).is_some_and(|e| same_stat(f, e)))
            .map(|f| f.rel.as_str())
            .collect();
        Diff {
            old,
            walked,
            reading,
            claimed: HashMap::new(),
            delta: Delta::default(),
            report: UpdateReport {
                skipped: walk_errors,
                files: files.len(),
                dry_run,
                ..UpdateReport::default()
            },
            scope: None,
        }
    }

    /// Limits the diff to the files at or under these corpus-relative paths.
    pub(crate) fn within(&mut self, scope: Vec<String>) {
        self.scope = Some(scope);
    }

    /// The recorded files that were looked at, in path order: all of them, or those at or
    /// under the scope's paths (found by range in the manifest's ordered map).
    fn recorded_in_scope(&self) -> Vec<(&'a String, &'a FileEntry)> {
        let files = &self.old.files;
        let Some(scope) = &self.scope else {
            return files.iter().collect();
        };
        let mut found: Vec<(&'a String, &'a FileEntry)> = Vec::new();
        for path in scope {
            if path.is_empty() {
                return files.iter().collect();
            }
            found.extend(files.get_key_value(path));
            // `0` follows `/`: the range holds exactly the paths below the folder `path`.
            found.extend(files.range(format!("{path}/")..format!("{path}0")));
        }
        found.sort_unstable_by(|a, b| a.0.cmp(b.0));
        found.dedup_by(|a, b| a.0 == b.0);
        found
    }

    /// Whether the file `rel` was looked at.
    fn in_scope(&self, rel: &str) -> bool {
        self.scope.as_ref().is_none_or(|scope| {
            scope.iter().any(|s| {
                s.is_empty()
                    || rel
                        .strip_prefix(s.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
        })
    }

    /// Whether the recorded articles of `rel` are in the corpus as recorded: it is still
    /// there, and carried over without being parsed.
    fn kept(&self, rel: &str) -> bool {
        !self.in_scope(rel) || (self.walked.contains(rel) && !self.reading.contains(rel))
    }

    /// Takes in one scanned file; returns its articles that are new or changed.
    pub(crate) fn file(&mut self, file: &'a CorpusFile, scanned: Scanned) -> Vec<Article> {
        let previous = self.old.files.get(&file.rel);
        let recorded = previous.map_or(0, |e| e.articles.len());
        let read = match scanned {
            Scanned::Unchanged => {
                self.report.unchanged += recorded;
                return Vec::new();
            }
            Scanned::SameBytes(entry) => {
                self.report.files_hashed += 1;
                self.keep(&file.rel, recorded);
                self.delta.put.insert(file.rel.clone(), entry);
                return Vec::new();
            }
            Scanned::Unreadable(e) => {
                // Unreadable now: keep what the index has from it, and say so.
                self.report.skipped.push(e);
                if previous.is_some() {
                    self.keep(&file.rel, recorded);
                }
                return Vec::new();
            }
            Scanned::Changed(read) => read,
        };
        self.report.files_parsed += 1;
        self.report.warnings.extend(read.warnings);
        let whole_file_failed = read.articles.is_empty() && !read.errors.is_empty();
        self.report.skipped.extend(read.errors);
        if whole_file_failed && previous.is_some() {
            // A file that no longer parses at all keeps its old articles until it is fixed;
            // its old entry (old size and time) makes the next update read it again.
            self.keep(&file.rel, recorded);
            return Vec::new();
        }
        let mut entry = FileEntry {
            size: file.size,
            mtime: mtime_nanos(file.modified),
            hash: read.hash,
            articles: Vec::with_capacity(read.articles.len()),
        };
        let mut puts = Vec::new();
        for article in read.articles {
            let hash = article.content_hash();
            let Some(kind) = self.classify(&file.path, &file.rel, &article.id, &hash) else {
                continue;
            };
            self.claimed.insert(article.id.clone(), &file.rel);
            entry.articles.push(ArticleEntry {
                id: article.id.clone(),
                hash,
            });
            match kind {
                Some(kind) => {
                    self.report.count(kind, &article.id, &file.rel);
                    puts.push(article);
                }
                None => self.report.unchanged += 1,
            }
        }
        if previous != Some(&entry) {
            self.delta.put.insert(file.rel.clone(), entry);
        }
        puts
    }

    /// What happened to the article `id` with content `hash` read from file `rel` (`path`):
    /// `None` when it is a second copy of an id (skipped, and said so), else its change
    /// (`Some(None)`: unchanged).
    fn classify(
        &mut self,
        path: &Path,
        rel: &str,
        id: &str,
        hash: &str,
    ) -> Option<Option<ChangeKind>> {
        let old = self.old;
        let places = old.places(id);
        let first = self.claimed.get(id).copied().or_else(|| {
            places
                .iter()
                .map(|(file, _)| *file)
                .find(|file| *file != rel && self.kept(file))
        });
        if let Some(first) = first {
            self.report.skipped.push(Error::parse(
                path,
                None,
                format!(
                    "duplicate article id `{id}` (already given by {first}); this copy is skipped"
                ),
            ));
            return None;
        }
        // The copy this file listed, if it did; else the one another file listed.
        let recorded = places
            .iter()
            .find(|(file, _)| *file == rel)
            .or(places.first())
            .map(|(_, article)| article.hash.as_str());
        Some(match recorded {
            None => Some(ChangeKind::Added),
            Some(old) if old != hash => Some(ChangeKind::Updated),
            Some(_) => None,
        })
    }

    /// Carries a file's recorded entry over as it is: its articles are present and unchanged.
    fn keep(&mut self, rel: &str, recorded: usize) {
        self.reading.remove(rel);
        self.report.unchanged += recorded;
    }

    /// Ends the diff: the change to the manifest, the report, and the ids of the articles
    /// whose file is gone or no longer gives them (counted as removed), in id order.
    pub(crate) fn finish(mut self) -> (Delta, UpdateReport, Vec<String>) {
        let old = self.old;
        let recorded = self.recorded_in_scope();
        self.delta.removed = recorded
            .iter()
            .map(|(rel, _)| *rel)
            .filter(|rel| !self.walked.contains(rel.as_str()))
            .cloned()
            .collect();
        // Only the files read or gone can have lost articles.
        let mut gone: Vec<(&str, &str)> = recorded
            .into_iter()
            .filter(|(rel, _)| !self.kept(rel))
            .flat_map(|(rel, entry)| entry.articles.iter().map(move |a| (a.id.as_str(), rel)))
            .filter(|(id, _)| !self.claimed.contains_key(*id))
            .filter(|(id, _)| !old.places(id).iter().any(|(file, _)| self.kept(file)))
            .map(|(id, rel)| (id, rel.as_str()))
            .collect();
        gone.sort_unstable();
        gone.dedup_by_key(|(id, _)| *id);
        for &(id, rel) in &gone {
            self.report.count(ChangeKind::Removed, id, rel);
        }
        let gone = gone.into_iter().map(|(id, _)| id.to_string()).collect();
        (self.delta, self.report, gone)
    }
}

/// The corpus-relative forms of `paths` under `root` (the others are dropped).
fn scope(root: &Path, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter(|path| path.starts_with(root))
        .map(|path| corpus::relative(root, path))
        .collect()
}

/// Stage 3: queues the new and changed articles (`puts`) and the deletes (`gone`) on the
/// writer; without one (a dry run) it does nothing. A failure names the index and says the
/// update was not applied.
pub(crate) fn apply(
    writer: Option<&mut Writer<'_>>,
    puts: Vec<Article>,
    gone: &[String],
    path: &Path,
) -> Result<()> {
    let Some(writer) = writer else {
        return Ok(());
    };
    for article in &puts {
        // Delete first: an article added by hand can have the id of a new one.
        writer
            .put(article, true)
            .map_err(|e| super::writer::not_applied(path, e))?;
    }
    for id in gone {
        writer.delete(id);
    }
    Ok(())
}

/// Stage 4: commits the queued changes with the change to the manifest, if anything changed
/// (a dry run has no writer and commits nothing).
pub(crate) fn commit(
    writer: Option<Writer<'_>>,
    delta: Delta,
    report: &UpdateReport,
) -> Result<()> {
    if let Some(mut writer) = writer
        && (report.changed() || !delta.is_empty())
    {
        writer.set_manifest(delta);
        writer.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KURSK: &str = "North Korean troops were killed or wounded in the Kursk region.";
    const GRAIN: &str = "The grain corridor in the Black Sea reopened after talks in Istanbul.";

    /// The corpus files of `dir` (there must be exactly `n`).
    fn files(dir: &Path, n: usize) -> Vec<CorpusFile> {
        let (files, errors) = Corpus::new(dir).files().unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(files.len(), n);
        files
    }

    /// The manifest entry that a first update records for `file`.
    fn recorded(file: &CorpusFile) -> FileEntry {
        let Scanned::Changed(read) = scan(file, None) else {
            panic!("a new file is read");
        };
        FileEntry {
            size: file.size,
            mtime: mtime_nanos(file.modified),
            hash: read.hash,
            articles: read
                .articles
                .iter()
                .map(|a| ArticleEntry {
                    id: a.id.clone(),
                    hash: a.content_hash(),
                })
                .collect(),
        }
    }

    #[test]
    fn scan_reads_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), KURSK).unwrap();
        let file = &files(dir.path(), 1)[0];
        let entry = recorded(file);
        assert_eq!(entry.articles.len(), 1);
        // Same size and time: not read.
        assert!(matches!(scan(file, Some(&entry)), Scanned::Unchanged));
        // Another time, same bytes: hashed, and the entry takes the new time.
        let touched = FileEntry {
            mtime: Some(1),
            ..entry.clone()
        };
        match scan(file, Some(&touched)) {
            Scanned::SameBytes(e) => assert_eq!(e, entry),
            other => panic!("expected the same bytes, got {other:?}"),
        }
        // Other bytes: parsed.
        let other = FileEntry {
            mtime: None,
            hash: "0".repeat(64),
            ..entry.clone()
        };
        match scan(file, Some(&other)) {
            Scanned::Changed(read) => assert_eq!(read.articles[0].body, KURSK),
            other => panic!("expected a changed file, got {other:?}"),
        }
        // Gone since the walk: unreadable, naming the file.
        std::fs::remove_file(&file.path).unwrap();
        match scan(file, Some(&other)) {
            Scanned::Unreadable(e) => assert!(e.to_string().contains("a.txt"), "{e}"),
            other => panic!("expected an unreadable file, got {other:?}"),
        }
    }

    /// Writes a corpus of a.txt (as the last update saw it), b.txt (new) and c.txt (changed
    /// since) in `dir`; returns the manifest of that last update, which also saw gone.txt.
    fn last_update(dir: &Path) -> Manifest {
        std::fs::write(dir.join("a.txt"), KURSK).unwrap();
        std::fs::write(dir.join("b.txt"), GRAIN).unwrap();
        std::fs::write(dir.join("c.txt"), GRAIN).unwrap();
        let before = files(dir, 3);
        let mut old = Manifest::default();
        old.files.insert("a.txt".into(), recorded(&before[0]));
        let mut c = recorded(&before[2]);
        c.mtime = None;
        c.hash = "0".repeat(64);
        c.articles[0].hash = "changed".into();
        old.files.insert("c.txt".into(), c);
        old.files.insert(
            "gone.txt".into(),
            FileEntry {
                size: 1,
                mtime: None,
                hash: "1".repeat(64),
                articles: vec![ArticleEntry {
                    id: "gone".into(),
                    hash: "h".into(),
                }],
            },
        );
        old
    }

    /// Diffs the `n` corpus files of `dir` against `old`: the articles to put, then the new
    /// manifest, the report and the ids gone.
    fn diff_all(
        dir: &Path,
        n: usize,
        old: &Manifest,
    ) -> (Vec<Article>, Manifest, UpdateReport, Vec<String>) {
        let files = files(dir, n);
        let mut diff = Diff::new(old, &files, Vec::new(), false);
        let puts = files
            .iter()
            .flat_map(|file| diff.file(file, scan(file, old.files.get(&file.rel))))
            .collect();
        let (delta, report, gone) = diff.finish();
        let mut manifest = old.clone();
        delta.apply(&mut manifest);
        (puts, manifest, report, gone)
    }

    #[test]
    fn diff_finds_added_updated_unchanged_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = last_update(dir.path());
        let (puts, manifest, report, gone) = diff_all(dir.path(), 3, &old);
        let ids: Vec<&str> = puts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["b.txt", "c.txt"]);
        let kinds: Vec<(&str, ChangeKind)> = report
            .changes
            .iter()
            .map(|c| (c.id.as_str(), c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("b.txt", ChangeKind::Added),
                ("c.txt", ChangeKind::Updated),
                ("gone", ChangeKind::Removed)
            ]
        );
        assert_eq!(gone, ["gone"]);
        assert_eq!(
            (
                report.added,
                report.updated,
                report.unchanged,
                report.removed
            ),
            (1, 1, 1, 1)
        );
        assert_eq!((report.files_parsed, report.files_hashed), (2, 0));
        assert_eq!(
            manifest.files.keys().collect::<Vec<_>>(),
            ["a.txt", "b.txt", "c.txt"]
        );
        assert_eq!(
            report.changes.last().unwrap().path.as_deref(),
            Some("gone.txt")
        );
    }

    #[test]
    fn diff_skips_a_second_file_giving_an_id_already_given_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let old = last_update(dir.path());
        let (_, manifest, _, _) = diff_all(dir.path(), 3, &old);
        std::fs::write(
            dir.path().join("d.md"),
            format!("---\nid: a.txt\n---\n{GRAIN}"),
        )
        .unwrap();
        let (puts, _, report, gone) = diff_all(dir.path(), 4, &manifest);
        assert!(puts.is_empty(), "{puts:?}");
        assert!(gone.is_empty());
        let message = report.skipped[0].to_string();
        assert!(
            message.contains("d.md")
                && message.contains("duplicate article id `a.txt`")
                && message.contains("given by a.txt"),
            "{message}"
        );
    }

    #[test]
    fn apply_and_commit_write_one_commit_only_when_something_changed() {
        let index = Index::in_memory().unwrap();
        let opstamp = || index.inner.load_metas().unwrap().opstamp;
        let old = Manifest::default();
        let mut diff = Diff::new(&old, &[], Vec::new(), false);
        diff.report.added = 1;
        let (_, report, _) = diff.finish();
        let mut manifest = Manifest::default();
        manifest.files.insert(
            "a.txt".into(),
            FileEntry {
                size: 1,
                mtime: None,
                hash: "h".into(),
                articles: vec![ArticleEntry {
                    id: "a".into(),
                    hash: "h".into(),
                }],
            },
        );
        let mut writer = index.writer().unwrap();
        let put = Article::new("a", KURSK);
        apply(Some(&mut writer), vec![put], &[], Path::new("(memory)")).unwrap();
        let first = opstamp();
        commit(Some(writer), Delta::between(&old, &manifest), &report).unwrap();
        assert!(opstamp() > first);
        assert!(index.contains("a").unwrap());
        assert_eq!(*index.load_manifest().unwrap(), manifest);

        // Nothing changed: no commit.
        let unchanged = UpdateReport::default();
        let before = opstamp();
        commit(Some(index.writer().unwrap()), Delta::default(), &unchanged).unwrap();
        assert_eq!(opstamp(), before);

        // A removal is applied and committed; a dry run (no writer) does nothing.
        apply(None, Vec::new(), &["a".to_string()], Path::new("(memory)")).unwrap();
        assert!(index.contains("a").unwrap());
        let mut writer = index.writer().unwrap();
        apply(
            Some(&mut writer),
            Vec::new(),
            &["a".to_string()],
            Path::new("(memory)"),
        )
        .unwrap();
        let removed = UpdateReport {
            removed: 1,
            ..UpdateReport::default()
        };
        commit(
            Some(writer),
            Delta::between(&manifest, &Manifest::default()),
            &removed,
        )
        .unwrap();
        assert!(!index.contains("a").unwrap());
    }

    #[test]
    fn an_update_limited_to_paths_looks_only_at_them_and_agrees_with_a_whole_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("sub-x")).unwrap();
        std::fs::write(root.join("sub-x/d.txt"), "Envoys met in Doha.").unwrap();
        std::fs::write(root.join("a.txt"), KURSK).unwrap();
        std::fs::write(root.join("sub/b.txt"), GRAIN).unwrap();
        std::fs::write(
            root.join("sub/c.txt"),
            "Talks on the Black Sea resumed in Ankara.",
        )
        .unwrap();
        let index = Index::in_memory().unwrap();
        let corpus = Corpus::new(root);
        assert_eq!(index.update(&corpus).unwrap().added, 4);
        let only = |paths: &[&str]| {
            let paths = paths.iter().map(|p| root.join(p)).collect();
            index
                .update_with(&corpus, &UpdateOptions::new().only(paths))
                .unwrap()
        };
        std::fs::write(root.join("a.txt"), format!("{KURSK} Seoul protested.")).unwrap();
        std::fs::remove_file(root.join("sub/b.txt")).unwrap();
        std::fs::write(root.join("sub/c.txt"), "Talks resumed in Ankara on Monday.").unwrap();
        // Only a.txt is looked at: the changes under sub/ wait.
        let report = only(&["a.txt", "elsewhere/../../outside.txt"]);
        assert_eq!((report.updated, report.removed, report.files), (1, 0, 1));
        assert!(index.contains("sub/b.txt").unwrap());
        let hits = index
            .search(
                &crate::Query::parse("Seoul").unwrap(),
                &crate::SearchOptions::new(),
            )
            .unwrap();
        assert_eq!(hits[0].article.id, "a.txt");
        // The folder: its file gone and its file changed; `sub-x`, beside it, is not in it.
        std::fs::remove_file(root.join("sub-x/d.txt")).unwrap();
        let report = only(&["sub"]);
        assert_eq!((report.updated, report.removed, report.added), (1, 1, 0));
        assert!(!index.contains("sub/b.txt").unwrap());
        assert!(index.contains("sub-x/d.txt").unwrap());
        // A whole update finds only what was outside the paths given.
        assert_eq!(index.update(&corpus).unwrap().removed, 1);
        assert!(!index.update(&corpus).unwrap().changed());
        // A folder that is gone takes its articles with it; an unchanged file costs no read.
        std::fs::remove_dir_all(root.join("sub")).unwrap();
        let report = only(&["sub", "a.txt"]);
        assert_eq!(
            (report.removed, report.unchanged, report.files_parsed),
            (1, 1, 0)
        );
        assert!(!index.contains("sub/c.txt").unwrap());
        assert!(!index.update(&corpus).unwrap().changed());
    }
}
