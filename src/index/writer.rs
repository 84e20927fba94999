//! The writer: add, replace and remove articles, then commit them in one atomic step.

use std::collections::HashSet;
use std::ops::Range;

use tantivy::indexer::UserOperation;
use tantivy::schema::Term;
use tantivy::{IndexWriter, TantivyDocument};

use super::manifest::Delta;
use super::{Fields, Index, Payload, SCHEMA_VERSION, open_error};

use crate::corpus::{PassageConfig, split_passages_with};
use crate::domain::Facet;
use crate::{Article, Error, Result};

/// The memory a writer's indexing threads may use together before they flush their segments,
/// unless told otherwise ([`Index::writer_with_memory`], `UpdateOptions::memory`, the CLI's
/// `--memory`). Tantivy's default (128 MiB a thread) dominated the peak memory of a build. A
/// build merges its segments once, at the end, so a smaller budget costs it more segments to
/// merge, not a larger index: 96 MiB keeps the peak of a 191 MB build at about 240 MiB
/// (BENCHMARKS.md, "A build's memory under 256 MiB"). A larger machine may give more.
pub const DEFAULT_WRITER_MEMORY: usize = 96 << 20;
/// Each indexing thread gets at least this much (tantivy wants at least 15 MB): a smaller
/// budget means fewer threads.
const MIN_PER_THREAD: usize = 24 << 20;
/// At most this many indexing threads.
const MAX_THREADS: usize = 4;
/// At most this many exact-view texts (a passage has one, and one more for its article's title
/// and source and each quotation part) wait in tantivy's queue for its indexing threads: past
/// this, [`Writer::add`] waits. Tantivy's own bound is 10,000 batches (articles), which on a
/// fast reader held half a 20,000-article corpus, every passage's text twice.
const MAX_QUEUED_TEXTS: u64 = 8_192;
/// A writer stops waiting for the indexing threads when they analysed nothing for this long
/// (a batch that failed, say, would never be counted).
const STALL: std::time::Duration = std::time::Duration::from_secs(5);

/// Changes to an index, applied together by [`Writer::commit`].
///
/// There is one writer per index at a time, across processes: a second one fails with
/// [`Error::Locked`]. Nothing is visible to searches until `commit`; dropping a writer without
/// committing discards its changes.
///
/// # Example
/// ```
/// use communique::{Article, Index};
///
/// let index = Index::in_memory()?;
/// let mut writer = index.writer()?;
/// writer.add(&Article::new("a", "First statement."))?;
/// writer.add(&Article::new("b", "Second statement."))?;
/// writer.commit()?;
/// let mut writer = index.writer()?;
/// writer.replace(&Article::new("a", "First statement, corrected."))?;
/// assert!(writer.remove("b")?);
/// writer.commit()?;
/// assert!(index.contains("a")? && !index.contains("b")?);
/// # Ok::<(), communique::Error>(())
/// ```
pub struct Writer<'a> {
    index: &'a Index,
    inner: IndexWriter,
    /// What the commit changes in the manifest.
    delta: Delta,
    added: HashSet<String>,
    removed: HashSet<String>,
    dups: Duplicates,
    /// The sequence number this writer's commit will have, recorded on every passage it adds.
    seq: u64,
    /// The exact-view texts this writer queued, and [`crate::analysis::exact_texts_analysed`]
    /// when it was taken: together, how many still wait for the indexing threads.
    queued_texts: u64,
    analysed_before: u64,
    /// The passages this writer queued (for [`Writer::merge_after_bulk`]).
    queued_passages: u64,
}

/// Near-duplicate detection for the articles of one writer's batch: the queued articles with
/// each fingerprint (up to [`crate::domain::MAX_SHARED`]: beyond, it is boilerplate), and each queued
/// article's id, cluster key and fingerprint count. (Committed articles are found through the
/// index, by the same rule.)
///
/// A large build queues millions of fingerprints, most held by one article: each is kept in
/// 16 bytes (the fingerprint and one `u32`, see [`Holders`]), the lists of articles sharing one
/// aside.
#[derive(Default)]
struct Duplicates {
    holders: fnv::FnvHashMap<u64, u32>,
    /// The lists of the fingerprints that several queued articles hold.
    shared: Vec<Vec<u32>>,
    queued: Vec<(String, u64, u32)>,
}

/// What [`Duplicates::holders`] keeps for one fingerprint, packed in a `u32`.
enum Holders<'a> {
    /// One queued article (the value itself, below [`Holders::SHARED`]).
    One(u32),
    /// Several: `SHARED | i` points at `shared[i]`.
    Many(&'a [u32]),
    /// More than [`crate::domain::MAX_SHARED`] ([`Holders::BOILERPLATE`]): ignored.
    Boilerplate,
}

impl Holders<'_> {
    /// The bit that marks a list in [`Duplicates::shared`].
    const SHARED: u32 = 1 << 31;
    /// The value of a boilerplate fingerprint.
    const BOILERPLATE: u32 = u32::MAX;
}

impl Duplicates {
    /// Who holds `fingerprint` among the queued articles, if anyone.
    fn get(&self, fingerprint: u64) -> Option<Holders<'_>> {
        let &packed = self.holders.get(&fingerprint)?;
        Some(if packed == Holders::BOILERPLATE {
            Holders::Boilerplate
        } else if packed & Holders::SHARED != 0 {
            Holders::Many(&self.shared[(packed & !Holders::SHARED) as usize])
        } else {
            Holders::One(packed)
        })
    }

    /// Records that queued article `at` holds `fingerprint`.
    fn hold(&mut self, fingerprint: u64, at: u32) {
        let packed = self.holders.entry(fingerprint).or_insert(at);
        if *packed == at || *packed == Holders::BOILERPLATE {
            return;
        }
        if *packed & Holders::SHARED == 0 {
            self.shared.push(vec![*packed, at]);
            *packed = Holders::SHARED | (self.shared.len() - 1) as u32;
            return;
        }
        let list = &mut self.shared[(*packed & !Holders::SHARED) as usize];
        if list.len() < crate::domain::MAX_SHARED {
            list.push(at);
        } else {
            *list = Vec::new();
            *packed = Holders::BOILERPLATE;
        }
    }
}

/// Takes the index's writer (see [`Index::writer_with_memory`]), its indexing threads sharing
/// `memory` bytes (at least [`MIN_PER_THREAD`] each).
pub(crate) fn take(index: &Index, memory: usize) -> Result<Writer<'_>> {
    let (threads, memory) = threads_for(memory);
    let inner = index
        .inner
        .writer_with_num_threads(threads, memory)
        .map_err(|e| open_error(&index.display_path(), e))?;
    // Files left by an update that failed (a crash, a full disk) are garbage: free them
    // before writing anything new.
    let _ = inner.garbage_collect_files().wait();
    if index.reader.searcher().num_docs() == 0 {
        // A build: its segments are merged once, at the commit ([`Writer::merge_after_bulk`],
        // reading by `pread`). Tantivy's merge policy would merge them while the build runs,
        // through mappings whose pages stay resident (a 191 MB build with a 112 MiB budget
        // peaked at 428 MiB), and then hold segments that the final merge needs (it left three).
        inner.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    let seq = index.payload()?.seq + 1;
    Ok(Writer {
        index,
        inner,
        delta: Delta::default(),
        added: HashSet::new(),
        removed: HashSet::new(),
        dups: Duplicates::default(),
        seq,
        queued_texts: 0,
        analysed_before: crate::analysis::exact_texts_analysed(),
        queued_passages: 0,
    })
}

/// How many indexing threads a writer with a budget of `memory` bytes runs, and the budget
/// they share: one per core (at most [`MAX_THREADS`]) while each keeps [`MIN_PER_THREAD`].
fn threads_for(memory: usize) -> (usize, usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(MAX_THREADS).min(memory / MIN_PER_THREAD).max(1);
    (threads, memory.max(threads * MIN_PER_THREAD))
}

impl Writer<'_> {
    /// Adds a new article; fails if one with the same id exists (use [`Writer::replace`]).
    pub fn add(&mut self, article: &Article) -> Result<()> {
        if self.exists(&article.id)? {
            return Err(Error::InvalidArgument(format!(
                "article `{}` is already in the index; use replace to change it",
                article.id
            )));
        }
        self.put(article, false)
    }

    /// Adds an article, replacing the one with the same id if there is one.
    pub fn replace(&mut self, article: &Article) -> Result<()> {
        self.delta.invalidated.push(article.id.clone());
        self.put(article, true)
    }

    /// Removes the article with this id; returns whether there was one.
    pub fn remove(&mut self, id: &str) -> Result<bool> {
        let existed = self.exists(id)?;
        self.inner.delete_term(self.id_term(id));
        self.added.remove(id);
        self.removed.insert(id.to_string());
        self.delta.invalidated.push(id.to_string());
        Ok(existed)
    }

    /// Makes every change since the writer was taken durable and visible, in one atomic step.
    ///
    /// If it fails (a full disk, say), nothing of it is visible: the index stays at its last
    /// commit, and the error says so.
    pub fn commit(self) -> Result<()> {
        let path = self.index.display_path();
        self.commit_unchecked().map_err(|e| not_applied(&path, e))
    }

    fn commit_unchecked(mut self) -> Result<()> {
        let path = self.index.display_path();
        let mut prepared = self
            .inner
            .prepare_commit()
            .map_err(|e| open_error(&path, e))?;
        let opstamp = prepared.opstamp();
        let delta = std::mem::take(&mut self.delta);
        let mut stored = self.index.store_manifest(opstamp, delta)?;
        let payload = Payload {
            communique_schema: SCHEMA_VERSION,
            manifest_log: stored.log.clone(),
            manifest: stored.manifest.clone(),
            manifest_deltas: stored.deltas.clone(),
            updated: Some(jiff::Timestamp::now().to_string()),
            seq: self.seq,
        };
        let payload =
            serde_json::to_string(&payload).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| open_error(&path, e))?;
        // The manifest was changed in memory too: the next update need not read it.
        self.index.manifest_committed(&mut stored);
        self.index.reload()?;
        self.merge_after_bulk();
        self.inner
            .wait_merging_threads()
            .map_err(|e| open_error(&path, e))?;
        self.index.remove_stale_manifests(&stored.keep());
        // Merges may have replaced segments: let searches see the merged ones.
        self.index.reload()
    }

    /// After a commit that wrote at least half of the index's passages (a build, or a large
    /// addition), merges all its segments into one. A build ends with one segment per writer
    /// budget (six at 1.4 M passages), which tantivy's log merge policy leaves apart (it merges
    /// from eight of a size), and every search pays for each segment: at 1.4 M passages, the
    /// queries of `benches/search.rs` ran 1.3 to 2.5 times faster on one segment than on those
    /// six, for about 6 % more CPU on the build, and the index is 7 % smaller (BENCHMARKS.md).
    /// Small updates are left to the merge policy. The commit is durable before this starts:
    /// if the merge cannot run (a merge of the policy's already holds a segment) or fails, the
    /// segments stay as committed, and the index is whole.
    fn merge_after_bulk(&mut self) {
        let searcher = self.index.reader.searcher();
        let segments = searcher.segment_readers();
        let passages = searcher.num_docs();
        if segments.len() < 2 || self.queued_passages.saturating_mul(2) < passages {
            return;
        }
        let ids: Vec<_> = segments.iter().map(|s| s.segment_id()).collect();
        // The merge reads every segment: through buffers, not mappings, whose pages would stay
        // resident (see `directory`). The guard ends before the merged segment is opened.
        let _copied = self.index.copied_reads.during();
        // Best effort, as said above: a merge that does not happen loses nothing.
        let _ = self.inner.merge(&ids).wait();
    }

    /// Sets the change to the last commit's manifest that the commit will record (used by
    /// corpus updates: what they record replaces what the writer's own changes would).
    pub(crate) fn set_manifest(&mut self, delta: Delta) {
        self.delta = delta;
    }

    fn exists(&self, id: &str) -> Result<bool> {
        if self.added.contains(id) {
            return Ok(true);
        }
        if self.removed.contains(id) {
            return Ok(false);
        }
        self.index.contains(id)
    }

    fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.index.fields.article_id, id)
    }

    /// Queues an article's passages as one batch (so they land contiguously in one segment),
    /// after a delete of its id when `delete_first` and an article with that id exists (committed,
    /// or queued by this writer).
    pub(crate) fn put(&mut self, article: &Article, delete_first: bool) -> Result<()> {
        if article.id.is_empty() {
            return Err(Error::InvalidArgument(
                "an article needs a non-empty id".into(),
            ));
        }
        // The exact view of the body, analysed once for entities and fingerprints.
        let tokens = crate::analysis::warm().exact(&article.body);
        let fingerprints = crate::domain::fingerprints_of(&tokens);
        let key = self.cluster_of(&article.id, &fingerprints)?;
        let mut docs = passage_docs(&self.index.fields, &self.index.passages, article, &tokens);
        for doc in &mut docs {
            doc.add_u64(self.index.fields.seq, self.seq);
        }
        if let Some(head) = docs.first_mut() {
            let fields = &self.index.fields;
            head.add_u64(fields.dup, key);
            head.add_u64(fields.fingerprint_count, fingerprints.len() as u64);
            for &fingerprint in &fingerprints {
                head.add_u64(fields.fingerprints, fingerprint);
            }
        }
        if docs.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "article `{}` has no text to index",
                article.id
            )));
        }
        let mut ops = Vec::with_capacity(docs.len() + 1);
        // A delete waits in tantivy's queue until the commit (about 1.2 KB each, a scoring
        // cache included): queue one only when there is something to delete.
        if delete_first && self.exists(&article.id)? {
            ops.push(UserOperation::Delete(self.id_term(&article.id)));
        }
        let fields = &self.index.fields;
        let exact_views = [
            fields.exact,
            fields.title_exact,
            fields.source,
            fields.quote_exact,
        ];
        let texts: usize = docs
            .iter()
            .map(|doc| {
                exact_views
                    .iter()
                    .map(|&f| doc.get_all(f).count())
                    .sum::<usize>()
            })
            .sum();
        self.queued_passages += docs.len() as u64;
        ops.extend(docs.into_iter().map(UserOperation::Add));
        self.inner
            .run(ops)
            .map_err(|e| open_error(&self.index.display_path(), e))?;
        self.queued_texts += texts as u64;
        self.wait_for_indexing();
        self.removed.remove(&article.id);
        self.added.insert(article.id.clone());
        Ok(())
    }

    /// Waits while more than [`MAX_QUEUED_TEXTS`] of the texts this writer queued wait for the
    /// indexing threads (counted by the exact analyzer they run on each), unless they stall.
    fn wait_for_indexing(&self) {
        let mut analysed = crate::analysis::exact_texts_analysed();
        let mut progress = std::time::Instant::now();
        while self
            .queued_texts
            .saturating_sub(analysed.wrapping_sub(self.analysed_before))
            > MAX_QUEUED_TEXTS
        {
            std::thread::sleep(std::time::Duration::from_micros(500));
            let now = crate::analysis::exact_texts_analysed();
            if now != analysed {
                analysed = now;
                progress = std::time::Instant::now();
            } else if progress.elapsed() > STALL {
                return;
            }
        }
    }

    /// The near-duplicate cluster of an article: the cluster of the article, queued or else
    /// committed, that shares the most fingerprints with it, if it contains most of this one's
    /// or is mostly contained in it; else its own.
    fn cluster_of(&mut self, id: &str, fingerprints: &[u64]) -> Result<u64> {
        let own = crate::domain::own_key(id);
        if fingerprints.len() < crate::domain::MIN_FINGERPRINTS {
            return Ok(own);
        }
        let n = fingerprints.len();
        let mut found = None;
        // Queued in this batch.
        let mut shared: fnv::FnvHashMap<u32, usize> = fnv::FnvHashMap::default();
        for &fingerprint in fingerprints {
            match self.dups.get(fingerprint) {
                Some(Holders::One(i)) => *shared.entry(i).or_default() += 1,
                Some(Holders::Many(list)) => {
                    for i in list {
                        *shared.entry(*i).or_default() += 1;
                    }
                }
                Some(Holders::Boilerplate) | None => {}
            }
        }
        // The most shared first (ties: the earliest queued).
        let mut best: Vec<(u32, usize)> = shared.into_iter().collect();
        best.sort_unstable_by_key(|&(i, count)| (std::cmp::Reverse(count), i));
        for (i, count) in best {
            let (other, key, their) = &self.dups.queued[i as usize];
            if other != id && crate::domain::near_duplicates(n, *their as usize, count) {
                found = Some(*key);
                break;
            }
        }
        // Committed.
        if found.is_none() {
            found = self.committed_cluster(id, fingerprints)?;
        }
        let key = found.unwrap_or(own);
        let at = self.dups.queued.len() as u32;
        self.dups.queued.push((id.to_string(), key, n as u32));
        for &fingerprint in fingerprints {
            self.dups.hold(fingerprint, at);
        }
        Ok(key)
    }

    /// The cluster of a committed article (not `id` itself) that is a near-duplicate of a
    /// text with these fingerprints.
    fn committed_cluster(&self, id: &str, fingerprints: &[u64]) -> Result<Option<u64>> {
        use tantivy::DocSet;
        let fields = &self.index.fields;
        let searcher = self.index.reader.searcher();
        let path = self.index.display_path();
        let n = fingerprints.len();
        for reader in searcher.segment_readers() {
            let inverted = reader
                .inverted_index(fields.fingerprints)
                .map_err(|e| open_error(&path, e))?;
            let mut shared: fnv::FnvHashMap<tantivy::DocId, usize> = fnv::FnvHashMap::default();
            for &fingerprint in fingerprints {
                let term = Term::from_field_u64(fields.fingerprints, fingerprint);
                let Some(mut postings) = inverted
                    .read_postings(&term, tantivy::schema::IndexRecordOption::Basic)
                    .map_err(|e| Error::Io {
                        path: path.clone(),
                        source: e,
                    })?
                else {
                    continue;
                };
                if postings.doc_freq() as usize > crate::domain::MAX_SHARED {
                    continue;
                }
                let mut doc = postings.doc();
                while doc != tantivy::TERMINATED {
                    if reader.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                        *shared.entry(doc).or_default() += 1;
                    }
                    doc = postings.advance();
                }
            }
            if shared.is_empty() {
                continue;
            }
            let fast = reader.fast_fields();
            let counts = fast
                .u64("fingerprint_count")
                .map_err(|e| open_error(&path, e))?;
            let keys = fast
                .u64(super::fast::DUP)
                .map_err(|e| open_error(&path, e))?;
            let ids = fast
                .str(super::fast::ARTICLE_ID)
                .map_err(|e| open_error(&path, e))?;
            let mut best: Vec<(tantivy::DocId, usize)> = shared.into_iter().collect();
            best.sort_unstable_by_key(|&(doc, count)| (std::cmp::Reverse(count), doc));
            for (doc, count) in best {
                let their = counts.first(doc).unwrap_or(0) as usize;
                if !crate::domain::near_duplicates(n, their, count) {
                    continue;
                }
                let mut other = String::new();
                if let Some(ids) = &ids
                    && let Some(ord) = ids.term_ords(doc).next()
                {
                    let _ = ids.ord_to_str(ord, &mut other);
                }
                if other == id {
                    continue;
                }
                if let Some(key) = keys.first(doc) {
                    return Ok(Some(key));
                }
            }
        }
        Ok(None)
    }

    /// Queues the delete of an article by id without checking that it exists.
    pub(crate) fn delete(&mut self, id: &str) {
        self.inner.delete_term(self.id_term(id));
        self.added.remove(id);
        self.removed.insert(id.to_string());
    }
}

/// Says that a failed commit left the index at its last commit.
pub(crate) fn not_applied(path: &std::path::Path, error: Error) -> Error {
    let kind = match &error {
        Error::Io { source, .. } => source.kind(),
        _ => std::io::ErrorKind::Other,
    };
    let full =
        kind == std::io::ErrorKind::StorageFull || error.to_string().contains("No space left");
    let what = if full {
        "no space left on the device".to_string()
    } else {
        error.to_string()
    };
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            if full {
                std::io::ErrorKind::StorageFull
            } else {
                kind
            },
            format!("{what}: the update was not applied; the index is still at its last commit"),
        ),
    }
}

/// The tantivy documents of an article (whose body's exact-view tokens are `tokens`): one per
/// passage, metadata stored on the first.
pub(crate) fn passage_docs(
    fields: &Fields,
    config: &PassageConfig,
    article: &Article,
    tokens: &[crate::analysis::AnalyzedToken],
) -> Vec<TantivyDocument> {
    let found = Found::in_article(article, tokens);
    split_passages_with(&article.body, config)
        .into_iter()
        .enumerate()
        .map(|(ordinal, range)| {
            let mut doc = passage_doc(fields, article, &found, ordinal, range);
            if ordinal == 0 {
                add_article_fields(fields, article, &mut doc);
            }
            doc
        })
        .collect()
}

/// What the domain finds in an article's body, once for all its passages.
struct Found {
    aliases: &'static crate::domain::Aliases,
    /// Entity mentions, in text order.
    mentions: Vec<crate::domain::Mention>,
    /// The article's entity facets (with its signatories).
    entities: std::collections::BTreeSet<Facet>,
    /// Quotations, in text order.
    quotes: Vec<crate::domain::Quotation>,
    date: Option<tantivy::DateTime>,
    /// The language its stemmed views are read in (see `analysis::tag`), and its code.
    language: crate::analysis::Language,
    lang: String,
}

impl Found {
    fn in_article(article: &Article, tokens: &[crate::analysis::AnalyzedToken]) -> Found {
        let aliases = crate::domain::Aliases::builtin();
        let mut analyzer = crate::analysis::warm();
        let mentions = crate::domain::mentions_in(aliases, &article.body, tokens);
        let entities =
            crate::domain::article_facets_of(aliases, &mut analyzer, &article.body, &mentions);
        let lang = article.language();
        Found {
            language: crate::analysis::Language::analysing(lang.as_deref()),
            lang: lang.unwrap_or_else(|| crate::analysis::UNKNOWN_LANGUAGE.to_string()),
            aliases,
            mentions,
            entities,
            quotes: crate::domain::quotations(&article.body),
            date: article
                .timestamp()
                .map(|t| tantivy::DateTime::from_timestamp_secs(t.as_second())),
        }
    }
}

/// The document of one passage (`body[range]`, the `ordinal`-th of the article).
fn passage_doc(
    fields: &Fields,
    article: &Article,
    found: &Found,
    ordinal: usize,
    range: Range<usize>,
) -> TantivyDocument {
    let text = &article.body[range.clone()];
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.article_id, &article.id);
    doc.add_u64(fields.ordinal, ordinal as u64);
    doc.add_u64(fields.start, range.start as u64);
    // One value is both the stored text and the exact view (`fields.text == fields.exact`).
    doc.add_text(fields.exact, text);
    doc.add_text(fields.stem, crate::analysis::tagged(found.language, text));
    doc.add_text(fields.lang, &found.lang);
    for entity in &found.entities {
        doc.add_text(fields.entities, entity.to_string());
    }
    add_mentions(fields, found, &range, &mut doc);
    add_quotes(fields, &article.body, found, &range, &mut doc);
    if let Some(title) = &article.title {
        doc.add_text(
            fields.title_stem,
            crate::analysis::tagged(found.language, title),
        );
        doc.add_text(fields.title_exact, title);
    }
    if let Some(source) = &article.source {
        doc.add_text(fields.source, source);
    }
    if let Some(date) = found.date {
        doc.add_date(fields.date, date);
    }
    doc
}

/// The facets of the entities mentioned inside the passage at `range`, once each.
fn add_mentions(fields: &Fields, found: &Found, range: &Range<usize>, doc: &mut TantivyDocument) {
    let mut seen = std::collections::BTreeSet::new();
    // Mentions are in text order: find this passage's first one by bisection.
    let first = found
        .mentions
        .partition_point(|m| m.range.start < range.start);
    for mention in found.mentions[first..]
        .iter()
        .take_while(|m| m.range.start < range.end)
        .filter(|m| m.range.end <= range.end)
    {
        if seen.insert(mention.group)
            && let Some(facet) = found
                .aliases
                .group_at(mention.group)
                .and_then(Facet::of_group)
        {
            doc.add_text(fields.mentions, facet.to_string());
        }
    }
}

/// The parts of quotations inside the passage at `range`: indexed for quotation search, and
/// stored with their speakers as `[start, end, speaker]` relative to the passage.
fn add_quotes(
    fields: &Fields,
    body: &str,
    found: &Found,
    range: &Range<usize>,
    doc: &mut TantivyDocument,
) {
    let first = found.quotes.partition_point(|q| q.range.end <= range.start);
    let mut stored = Vec::new();
    for quote in found.quotes[first..]
        .iter()
        .take_while(|q| q.range.start < range.end)
    {
        let start = quote.range.start.max(range.start);
        let end = quote.range.end.min(range.end);
        doc.add_text(
            fields.quote_stem,
            crate::analysis::tagged(found.language, &body[start..end]),
        );
        doc.add_text(fields.quote_exact, &body[start..end]);
        stored.push(serde_json::json!([
            start - range.start,
            end - range.start,
            quote.speaker
        ]));
    }
    if !stored.is_empty() {
        doc.add_text(fields.quotes, serde_json::Value::Array(stored).to_string());
    }
}

/// The article's metadata, stored on its first passage only.
fn add_article_fields(fields: &Fields, article: &Article, doc: &mut TantivyDocument) {
    if let Some(title) = &article.title {
        doc.add_text(fields.title, title);
    }
    if let Some(date) = &article.date {
        doc.add_text(fields.date_text, date);
    }
    if let Some(source) = &article.source {
        doc.add_text(fields.source_text, source);
    }
    if let Some(url) = &article.url {
        doc.add_text(fields.url, url);
    }
    if let Some(path) = &article.path {
        doc.add_text(fields.path, path);
    }
    if !article.metadata.is_empty() {
        let json = serde_json::Value::Object(article.metadata.clone()).to_string();
        doc.add_text(fields.metadata, json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adds articles `a{i}` for `i` in `ids` (two paragraphs each) to `index`, in one commit.
    fn commit_statements(index: &Index, ids: std::ops::Range<usize>) {
        let mut writer = index.writer().unwrap();
        for i in ids {
            let body = format!("Statement {i} on the Kursk region.\n\nA second paragraph.");
            writer.add(&Article::new(format!("a{i}"), &body)).unwrap();
        }
        writer.commit().unwrap();
    }

    #[test]
    fn a_commit_of_most_of_the_index_merges_its_segments_and_a_small_one_does_not() {
        let index = Index::in_memory().unwrap();
        let segments = || index.reader.searcher().segment_readers().len();
        let commit = |from: usize, to: usize| commit_statements(&index, from..to);
        commit(0, 10);
        assert_eq!(segments(), 1);
        // 10 articles more than double the index: one segment again, every passage there.
        commit(10, 20);
        assert_eq!(segments(), 1);
        assert_eq!(index.reader.searcher().num_docs(), 20);
        // One article of 21: its own segment, left to the merge policy.
        commit(20, 21);
        assert_eq!(segments(), 2);
        let hits = index
            .search(
                &"Kursk".parse().unwrap(),
                &crate::SearchOptions::new().limit(30),
            )
            .unwrap();
        assert_eq!(hits.len(), 21);
    }

    #[test]
    fn a_bulk_merge_on_disk_reads_its_segments_by_copy_and_searches_map_the_result() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path().join("index")).unwrap();
        let commit = |from: usize, to: usize| commit_statements(&index, from..to);
        let segments = || index.reader.searcher().segment_readers().len();
        // The second commit writes half of the passages next to the first commit's segment: the
        // bulk merge reads both by copy.
        commit(0, 5);
        commit(5, 10);
        assert_eq!(segments(), 1);
        let copied = index.copied_reads.files_opened();
        assert!(copied > 0, "the merge opened no file by copy");
        let kursk = "Kursk".parse().unwrap();
        let options = crate::SearchOptions::new().limit(30);
        let hits = index.search(&kursk, &options).unwrap();
        assert_eq!(hits.len(), 10);
        assert!(hits[0].passages[0].text.contains("Kursk"), "{:?}", hits[0]);
        // Searches after the merge read the merged segment through its mapping, and a small
        // commit (no bulk merge) opens nothing by copy.
        commit(10, 11);
        assert_eq!(segments(), 2);
        assert_eq!(index.search(&kursk, &options).unwrap().len(), 11);
        assert_eq!(index.copied_reads.files_opened(), copied);
    }

    fn holders(dups: &Duplicates, fingerprint: u64) -> Option<Vec<u32>> {
        match dups.get(fingerprint)? {
            Holders::One(i) => Some(vec![i]),
            Holders::Many(list) => Some(list.to_vec()),
            Holders::Boilerplate => Some(Vec::new()),
        }
    }

    #[test]
    fn the_indexing_threads_count_every_exact_text_a_writer_queues() {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        let before = crate::analysis::exact_texts_analysed();
        let mut article = Article::new(
            "a",
            "The Council adopted the resolution.\n\nThe delegation of Kenya said \"we agree\".",
        );
        article.title = Some("Council adopts resolution".into());
        writer.add(&article).unwrap();
        // The passage text and the title, at least (other tests count here too).
        let queued = writer.queued_texts;
        assert!(queued >= 2, "{queued}");
        writer.commit().unwrap();
        let analysed = crate::analysis::exact_texts_analysed() - before;
        assert!(analysed >= queued, "{analysed} < {queued}");
    }

    #[test]
    fn duplicates_keep_every_holder_until_a_fingerprint_is_boilerplate() {
        let mut dups = Duplicates::default();
        dups.hold(7, 0);
        assert_eq!(holders(&dups, 7), Some(vec![0]));
        assert_eq!(holders(&dups, 8), None);
        dups.hold(7, 1);
        dups.hold(8, 1);
        dups.hold(7, 2);
        assert_eq!(holders(&dups, 7), Some(vec![0, 1, 2]));
        assert_eq!(holders(&dups, 8), Some(vec![1]));
        // Up to MAX_SHARED holders are listed; one more makes the fingerprint boilerplate.
        for at in 3..crate::domain::MAX_SHARED as u32 {
            dups.hold(7, at);
        }
        assert_eq!(
            holders(&dups, 7).map(|list| list.len()),
            Some(crate::domain::MAX_SHARED)
        );
        dups.hold(7, crate::domain::MAX_SHARED as u32);
        assert_eq!(holders(&dups, 7), Some(Vec::new()));
        dups.hold(7, crate::domain::MAX_SHARED as u32 + 1);
        assert_eq!(holders(&dups, 7), Some(Vec::new()));
        assert_eq!(holders(&dups, 8), Some(vec![1]));
    }
}
