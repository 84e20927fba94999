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

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::Index;
use super::manifest::{ArticleEntry, FileEntry, Manifest, mtime_nanos};
use crate::corpus::{self, Corpus, Warning};
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
    progress: Option<&'a (dyn Fn(UpdateProgress) + Sync)>,
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

impl Index {
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
    pub fn update_with(
        &self,
        corpus: &Corpus,
        options: &UpdateOptions<'_>,
    ) -> Result<UpdateReport> {
        let (files, walk_errors) = corpus.files()?;
        // Take the writer first: it is the lock that keeps two updates apart.
        let mut writer = if options.dry_run {
            None
        } else {
            Some(self.writer()?)
        };
        let old = self.load_manifest()?;
        let mut report = UpdateReport {
            skipped: walk_errors,
            files: files.len(),
            dry_run: options.dry_run,
            ..UpdateReport::default()
        };

        // Every article the index got from the corpus: id -> (content hash, file).
        let mut old_articles: HashMap<&str, (&str, &str)> = HashMap::new();
        for (rel, entry) in &old.files {
            for article in &entry.articles {
                old_articles.insert(&article.id, (&article.hash, rel));
            }
        }

        let mut manifest = Manifest::default();
        let mut present: HashMap<String, String> = HashMap::new(); // id -> file
        let mut seen_files: HashSet<&str> = HashSet::new();
        for (done, file) in files.iter().enumerate() {
            if let Some(progress) = options.progress {
                progress(UpdateProgress {
                    files_done: done,
                    files_total: files.len(),
                });
            }
            seen_files.insert(&file.rel);
            let mtime = mtime_nanos(file.modified);
            let previous = old.files.get(&file.rel);
            if let Some(entry) = previous
                && entry.size == file.size
                && entry.mtime.is_some()
                && entry.mtime == mtime
                && !entry.hash.is_empty()
            {
                keep_entry(
                    &file.rel,
                    entry.clone(),
                    &mut manifest,
                    &mut present,
                    &mut report,
                );
                continue;
            }
            let read = match corpus::read_file(file) {
                Ok(read) => read,
                Err(e) => {
                    // Unreadable now: keep what the index has from it, and say so.
                    report.skipped.push(e);
                    if let Some(entry) = previous {
                        keep_entry(
                            &file.rel,
                            entry.clone(),
                            &mut manifest,
                            &mut present,
                            &mut report,
                        );
                    }
                    continue;
                }
            };
            if let Some(entry) = previous
                && entry.hash == read.hash
            {
                report.files_hashed += 1;
                let entry = FileEntry {
                    size: file.size,
                    mtime,
                    ..entry.clone()
                };
                keep_entry(&file.rel, entry, &mut manifest, &mut present, &mut report);
                continue;
            }
            report.files_parsed += 1;
            report.warnings.extend(read.warnings);
            let whole_file_failed = read.articles.is_empty() && !read.errors.is_empty();
            report.skipped.extend(read.errors);
            if whole_file_failed && let Some(entry) = previous {
                // A file that no longer parses at all keeps its old articles until it is fixed;
                // its old entry (old size and time) makes the next update read it again.
                keep_entry(
                    &file.rel,
                    entry.clone(),
                    &mut manifest,
                    &mut present,
                    &mut report,
                );
                continue;
            }
            let mut entry = FileEntry {
                size: file.size,
                mtime,
                hash: read.hash,
                articles: Vec::with_capacity(read.articles.len()),
            };
            for article in read.articles {
                if let Some(first) = present.get(&article.id) {
                    report.skipped.push(Error::parse(
                        &file.path,
                        None,
                        format!(
                            "duplicate article id `{}` (already given by {first}); this copy is skipped",
                            article.id
                        ),
                    ));
                    continue;
                }
                let hash = article.content_hash();
                let kind = match old_articles.get(article.id.as_str()) {
                    None => Some(super::ChangeKind::Added),
                    Some((old_hash, _)) if *old_hash != hash => Some(super::ChangeKind::Updated),
                    Some(_) => None,
                };
                match kind {
                    Some(kind) => {
                        if let Some(writer) = writer.as_mut() {
                            writer
                                .put(&article, true)
                                .map_err(|e| super::writer::not_applied(&self.display_path(), e))?;
                        }
                        count(&mut report, kind, &article.id, Some(&file.rel));
                    }
                    None => report.unchanged += 1,
                }
                present.insert(article.id.clone(), file.rel.clone());
                entry.articles.push(ArticleEntry {
                    id: article.id,
                    hash,
                });
            }
            manifest.files.insert(file.rel.clone(), entry);
        }

        // Articles whose file is gone or no longer gives them.
        let mut gone: Vec<(&str, &str)> = old_articles
            .iter()
            .filter(|(id, _)| !present.contains_key(**id))
            .map(|(id, (_, rel))| (*id, *rel))
            .collect();
        gone.sort_unstable();
        for (id, rel) in gone {
            if let Some(writer) = writer.as_mut() {
                writer.delete(id);
            }
            count(&mut report, super::ChangeKind::Removed, id, Some(rel));
        }

        if let Some(mut writer) = writer
            && (report.changed() || manifest != old)
        {
            writer.set_manifest(manifest);
            writer.commit()?;
        }
        Ok(report)
    }
}

/// Carries a file's entry over unchanged: its articles are present and unchanged.
fn keep_entry(
    rel: &str,
    entry: FileEntry,
    manifest: &mut Manifest,
    present: &mut HashMap<String, String>,
    report: &mut UpdateReport,
) {
    for article in &entry.articles {
        present.insert(article.id.clone(), rel.to_string());
    }
    report.unchanged += entry.articles.len();
    manifest.files.insert(rel.to_string(), entry);
}

fn count(report: &mut UpdateReport, kind: super::ChangeKind, id: &str, path: Option<&str>) {
    match kind {
        super::ChangeKind::Added => report.added += 1,
        super::ChangeKind::Updated => report.updated += 1,
        super::ChangeKind::Removed => report.removed += 1,
    }
    report.changes.push(super::Change {
        kind,
        id: id.to_string(),
        path: path.map(str::to_string),
    });
}
