//! A snapshot of the index for one search: the tantivy searcher, the fields, the typed
//! fast-field columns of each segment, and how the index lays out an article's passages.
//!
//! An article's passages are added in one batch, so in a segment they are adjacent documents in
//! order: the passage with ordinal `k` is `k` documents after its article's *head* (ordinal 0),
//! which alone stores the article's metadata and near-duplicate cluster key. This *block rule*
//! is worked out here only: [`Snapshot::head`], [`Snapshot::passages`] and
//! [`Snapshot::cluster`].

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::DocSetCollector;
use tantivy::columnar::column_index::Set;
use tantivy::columnar::{Column, ColumnIndex, StrColumn};
use tantivy::fastfield::FastFieldReaders;
use tantivy::index::SegmentId;
use tantivy::query::{BooleanQuery, Occur, Query as TantivyQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Searcher, SegmentOrdinal, TantivyDocument, Term};

use super::Index;
use super::ScriptStatistics;
use super::schema::{Fields, fast};
use crate::Result;
use crate::domain::Quotation;

/// A segment's columns, each opened on first use: opening a column reads its metadata (a
/// block-wise linear column's block table is read whole), and a search from the shell that
/// needs two of them should not pay for five. Kept by the index per segment ([`ColumnCache`]).
pub(crate) struct SegmentColumns {
    fast: FastFieldReaders,
    /// Passage ordinal within its article.
    ordinal: OnceLock<Column<u64>>,
    /// Article id; `None` in a segment without any.
    article: OnceLock<Option<StrColumn>>,
    /// Near-duplicate cluster key, on heads.
    dup: OnceLock<Column<u64>>,
    /// The sequence number of the commit that added the passage.
    seq: OnceLock<Column<u64>>,
    /// Heads looked up by rank so far (see [`SegmentColumns::head_at_or_before`]).
    lookups: AtomicU32,
}

/// Heads looked up by rank and select before the ordinal column is opened instead.
const RANK_LOOKUPS: u32 = 1024;

/// The column in `cell`, opened by `open` the first time. Two threads may both open it; one
/// copy is kept.
fn opened<T>(cell: &OnceLock<T>, open: impl FnOnce() -> tantivy::Result<T>) -> Result<&T> {
    if let Some(column) = cell.get() {
        return Ok(column);
    }
    let column = open()?;
    Ok(cell.get_or_init(|| column))
}

impl SegmentColumns {
    fn open(reader: &tantivy::SegmentReader) -> SegmentColumns {
        SegmentColumns {
            fast: reader.fast_fields().clone(),
            ordinal: OnceLock::new(),
            article: OnceLock::new(),
            dup: OnceLock::new(),
            seq: OnceLock::new(),
            lookups: AtomicU32::new(0),
        }
    }

    /// The passage-ordinal column.
    pub fn ordinals(&self) -> Result<&Column<u64>> {
        opened(&self.ordinal, || self.fast.u64(fast::ORDINAL))
    }

    /// The article-id column; `None` in a segment without any.
    pub fn article(&self) -> Result<&Option<StrColumn>> {
        opened(&self.article, || self.fast.str(fast::ARTICLE_ID))
    }

    /// The near-duplicate cluster key column.
    pub fn dup(&self) -> Result<&Column<u64>> {
        opened(&self.dup, || self.fast.u64(fast::DUP))
    }

    /// The commit sequence-number column.
    pub fn seq(&self) -> Result<&Column<u64>> {
        opened(&self.seq, || self.fast.u64(fast::SEQ))
    }

    /// The ordinal of the article id of `doc` in the segment's id column.
    fn article_ord(&self, doc: DocId) -> Result<Option<u64>> {
        Ok(self
            .article()?
            .as_ref()
            .and_then(|c| c.term_ords(doc).next()))
    }

    /// The article id of `doc`, if it has one.
    pub fn article_id(&self, doc: DocId) -> Result<Option<String>> {
        let Some(column) = self.article()? else {
            return Ok(None);
        };
        let Some(ord) = column.term_ords(doc).next() else {
            return Ok(None);
        };
        let mut id = String::new();
        let found = column
            .ord_to_str(ord, &mut id)
            .map_err(|e| crate::Error::io("(index)", e))?;
        Ok(found.then_some(id))
    }

    /// The last head at or before `doc`. The heads are the documents with a cluster key, so
    /// the key column's index finds it by rank and select, without opening the ordinal
    /// column, whose block table costs a search from the shell a tenth of a millisecond. A
    /// rank is dearer than a read of the open column, though, so after
    /// [`RANK_LOOKUPS`] look-ups (a process that searches on) the column is opened and read.
    pub fn head_at_or_before(&self, doc: DocId) -> Result<Option<DocId>> {
        if self.ordinal.get().is_some() || self.lookups.fetch_add(1, Relaxed) >= RANK_LOOKUPS {
            let ordinals = self.ordinals()?;
            let head = u32::try_from(ordinals.first(doc).unwrap_or(0))
                .ok()
                .and_then(|ordinal| doc.checked_sub(ordinal));
            return Ok(head.filter(|&head| ordinals.first(head) == Some(0)));
        }
        Ok(match &self.dup()?.index {
            ColumnIndex::Full => Some(doc),
            ColumnIndex::Optional(heads) => heads
                .rank(doc.saturating_add(1))
                .checked_sub(1)
                .map(|rank| heads.select(rank)),
            ColumnIndex::Empty { .. } | ColumnIndex::Multivalued(_) => None,
        })
    }

    /// The passage ordinal of `doc` (0 if it has none).
    pub fn ordinal(&self, doc: DocId) -> Result<u64> {
        Ok(self.ordinals()?.first(doc).unwrap_or(0))
    }
}

/// The columns of the segments that searches use, by segment id: kept by the [`Index`] from
/// one search to the next, and pruned of merged-away segments.
#[derive(Default)]
pub(crate) struct ColumnCache(Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>);

/// What the index stores about one passage.
#[derive(Debug)]
pub(crate) struct StoredPassage {
    /// The passage text.
    pub text: String,
    /// Its ordinal in the article.
    pub ordinal: usize,
    /// Its byte offset in the article body.
    pub start: usize,
    /// Its quotations (byte ranges in `text`).
    pub quotes: Vec<Quotation>,
    /// Its article's language code, if stored.
    pub lang: Option<String>,
}

/// The index as one search sees it: a searcher on the last commit, the fields, and the columns
/// of its segments, opened on first use.
pub(crate) struct Snapshot<'a> {
    searcher: Searcher,
    fields: Fields,
    cache: &'a ColumnCache,
    open: RefCell<HashMap<SegmentOrdinal, Arc<SegmentColumns>>>,
    /// BM25's statistics, read on first use.
    statistics: OnceLock<Arc<ScriptStatistics>>,
}

impl Index {
    /// A snapshot of the last commit, for one search.
    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            searcher: self.searcher(),
            fields: self.fields,
            cache: &self.columns,
            open: RefCell::new(HashMap::new()),
            statistics: OnceLock::new(),
        }
    }
}

impl<'a> Snapshot<'a> {
    /// Another snapshot of the same commit, for another thread.
    pub(crate) fn fork(&self) -> Snapshot<'a> {
        Snapshot {
            searcher: self.searcher.clone(),
            fields: self.fields,
            cache: self.cache,
            open: RefCell::new(self.open.borrow().clone()),
            statistics: self.statistics.clone(),
        }
    }

    /// The tantivy searcher.
    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// The schema's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The statistics that BM25 scores a query with: a word's rarity among the passages of
    /// its script (see [`ScriptStatistics`]).
    pub fn statistics(&self) -> Result<&ScriptStatistics> {
        if let Some(statistics) = self.statistics.get() {
            return Ok(statistics);
        }
        let statistics = Arc::new(ScriptStatistics::new(&self.searcher, &self.fields)?);
        Ok(self.statistics.get_or_init(|| statistics))
    }

    /// Scoring a query with [`Snapshot::statistics`].
    pub fn scoring(&self) -> Result<tantivy::query::EnableScoring<'_>> {
        Ok(
            tantivy::query::EnableScoring::enabled_from_statistics_provider(
                self.statistics()?,
                &self.searcher,
            ),
        )
    }

    /// `searcher.search`, scored with [`Snapshot::statistics`].
    pub fn search<C: tantivy::collector::Collector>(
        &self,
        query: &dyn tantivy::query::Query,
        collector: &C,
    ) -> Result<C::Fruit> {
        Ok(self
            .searcher
            .search_with_statistics_provider(query, collector, self.statistics()?)?)
    }

    /// The columns of a segment of the searcher.
    pub fn columns(&self, segment: SegmentOrdinal) -> Result<Arc<SegmentColumns>> {
        if let Some(columns) = self.open.borrow().get(&segment) {
            return Ok(columns.clone());
        }
        let reader = self.searcher.segment_reader(segment);
        let id = reader.segment_id();
        let mut cache = self.cache.0.lock().unwrap_or_else(|p| p.into_inner());
        let columns = match cache.get(&id) {
            Some(columns) => columns.clone(),
            None => {
                // Forget the segments no longer searched (merged away).
                let live: HashSet<SegmentId> = self
                    .searcher
                    .segment_readers()
                    .iter()
                    .map(|r| r.segment_id())
                    .collect();
                cache.retain(|id, _| live.contains(id));
                let opened = Arc::new(SegmentColumns::open(reader));
                cache.insert(id, opened.clone());
                opened
            }
        };
        self.open.borrow_mut().insert(segment, columns.clone());
        Ok(columns)
    }

    /// Each segment's article-id column (`None` in a segment without any), for collectors.
    pub fn article_columns(&self) -> Result<Vec<Option<StrColumn>>> {
        (0..self.searcher.segment_readers().len())
            .map(|segment| Ok(self.columns(segment as SegmentOrdinal)?.article()?.clone()))
            .collect()
    }

    /// The head of the article of the passage at `address`, by the block rule: the last head
    /// at or before it (a document with a cluster key), of the same article, alive. An
    /// article's passages are added in one batch, which tantivy keeps together, so this head
    /// is `ordinal` documents before the passage. `None` if it is not there (a damaged layout:
    /// [`Snapshot::find_head`] looks it up by id instead).
    pub fn head(&self, address: DocAddress) -> Result<Option<DocAddress>> {
        let columns = self.columns(address.segment_ord)?;
        Ok(self
            .head_in(&columns, address)?
            .map(|doc| DocAddress::new(address.segment_ord, doc)))
    }

    fn head_in(&self, columns: &SegmentColumns, address: DocAddress) -> Result<Option<DocId>> {
        let doc = address.doc_id;
        let Some(head) = columns.head_at_or_before(doc)? else {
            return Ok(None);
        };
        let Some(article) = columns.article_ord(doc)? else {
            return Ok(None);
        };
        let alive = self
            .searcher
            .segment_reader(address.segment_ord)
            .alive_bitset()
            .is_none_or(|a| a.is_alive(head));
        Ok((alive && columns.article_ord(head)? == Some(article)).then_some(head))
    }

    /// The documents of the article of the passage at `address` in its segment: from its head
    /// to its last passage (deleted ones included: check liveness when reading them). Only
    /// the passage itself when its head is not where the block rule puts it.
    pub fn passages(&self, address: DocAddress) -> Result<Range<DocId>> {
        let columns = self.columns(address.segment_ord)?;
        let Some(head) = self.head_in(&columns, address)? else {
            return Ok(address.doc_id..address.doc_id + 1);
        };
        let max_doc = self.searcher.segment_reader(address.segment_ord).max_doc();
        let article = columns.article_ord(head)?;
        let mut end = address.doc_id + 1;
        while end < max_doc && columns.article_ord(end)? == article {
            end += 1;
        }
        Ok(head..end)
    }

    /// The near-duplicate cluster key of the article of the passage at `address`, read on its
    /// head; `None` if the head is not where it should be or has no key.
    pub fn cluster(&self, address: DocAddress) -> Result<Option<u64>> {
        let columns = self.columns(address.segment_ord)?;
        let Some(head) = self.head_in(&columns, address)? else {
            return Ok(None);
        };
        Ok(columns.dup()?.first(head))
    }

    /// The head of article `id`, looked up in the index (the first, if several).
    pub fn find_head(&self, id: &str) -> Result<Option<DocAddress>> {
        let term = |term: Term| -> Box<dyn TantivyQuery> {
            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
        };
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                term(Term::from_field_text(self.fields.article_id, id)),
            ),
            (
                Occur::Must,
                term(Term::from_field_u64(self.fields.ordinal, 0)),
            ),
        ]);
        Ok(self
            .searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .min())
    }

    /// How many articles have the near-duplicate cluster key `key`.
    pub fn cluster_size(&self, key: u64) -> Result<usize> {
        let term = Term::from_field_u64(self.fields.dup, key);
        // Without deletions a term's document frequency is the count, read from the term
        // dictionary without walking the postings.
        if self
            .searcher
            .segment_readers()
            .iter()
            .all(|r| !r.has_deletes())
        {
            return Ok(self.searcher.doc_freq(&term)? as usize);
        }
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        Ok(self.searcher.search(&query, &tantivy::collector::Count)?)
    }

    /// The stored document at `address`.
    pub fn doc(&self, address: DocAddress) -> Result<TantivyDocument> {
        Ok(self.searcher.doc(address)?)
    }

    /// The stored text, ordinal, body offset and quotations of the passage at `address`.
    pub fn passage(&self, address: DocAddress) -> Result<StoredPassage> {
        let columns = self.columns(address.segment_ord)?;
        // The block rule gives the ordinal; the column only when the layout is damaged.
        let ordinal = match self.head_in(&columns, address)? {
            Some(head) => (address.doc_id - head) as usize,
            None => columns.ordinal(address.doc_id)? as usize,
        };
        let doc = self.doc(address)?;
        let start = doc
            .get_first(self.fields.start)
            .and_then(|v| v.as_u64())
            .unwrap_or(0) as usize;
        let text = stored_str(&doc, self.fields.text).unwrap_or_default();
        let quotes = stored_str(&doc, self.fields.quotes)
            .map(|json| parse_quotes(&json, &text))
            .unwrap_or_default();
        Ok(StoredPassage {
            lang: stored_str(&doc, self.fields.lang),
            text,
            ordinal,
            start,
            quotes,
        })
    }
}

/// The first stored string of `field` in `doc`.
pub(crate) fn stored_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The stored quotations of a passage, `[[start, end, speaker or null], …]`; a range that is
/// not on the passage's character boundaries (a damaged store) is left out.
fn parse_quotes(json: &str, text: &str) -> Vec<Quotation> {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str(json) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let start = item.get(0)?.as_u64()? as usize;
            let end = item.get(1)?.as_u64()? as usize;
            text.get(start..end)?;
            Some(Quotation {
                range: start..end,
                speaker: item.get(2).and_then(|s| s.as_str()).map(str::to_string),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Article;

    /// An index of two articles of several passages each, in one segment.
    fn index() -> Index {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        let long = |first: &str| {
            format!(
                "{first} {}\n\nThe Council also discussed humanitarian access to the region.\n\n\
                 Members called for restraint and the protection of civilians.",
                "The Security Council met on Monday to discuss the situation. ".repeat(20)
            )
        };
        writer
            .add(&Article::new("a", long("Sanctions were debated.")))
            .unwrap();
        writer
            .add(&Article::new("b", long("Talks resumed in Geneva.")))
            .unwrap();
        writer.commit().unwrap();
        index
    }

    fn addresses(snapshot: &Snapshot<'_>, id: &str) -> Vec<DocAddress> {
        let query = TermQuery::new(
            Term::from_field_text(snapshot.fields().article_id, id),
            IndexRecordOption::Basic,
        );
        let mut found: Vec<DocAddress> = snapshot
            .searcher()
            .search(&query, &DocSetCollector)
            .unwrap()
            .into_iter()
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_passage_finds_its_head_and_block() {
        let index = index();
        let snapshot = index.snapshot();
        for id in ["a", "b"] {
            let docs = addresses(&snapshot, id);
            assert!(docs.len() >= 2, "{id}: {} passages", docs.len());
            let head = snapshot.find_head(id).unwrap().unwrap();
            assert_eq!(head, docs[0]);
            for &doc in &docs {
                assert_eq!(snapshot.head(doc).unwrap(), Some(head));
                let block = snapshot.passages(doc).unwrap();
                assert_eq!(block, docs[0].doc_id..docs[docs.len() - 1].doc_id + 1);
                let passage = snapshot.passage(doc).unwrap();
                assert_eq!(passage.ordinal as u32, doc.doc_id - head.doc_id);
            }
            let first = snapshot.passage(head).unwrap();
            assert_eq!(first.start, 0);
            assert!(
                first
                    .text
                    .starts_with(if id == "a" { "Sanctions" } else { "Talks" })
            );
        }
    }

    #[test]
    fn heads_by_rank_and_by_the_ordinal_column_agree() {
        let index = index();
        let snapshot = index.snapshot();
        let docs: Vec<DocAddress> = ["a", "b"]
            .iter()
            .flat_map(|id| addresses(&snapshot, id))
            .collect();
        let by_rank: Vec<_> = docs.iter().map(|&d| snapshot.head(d).unwrap()).collect();
        // Enough look-ups to switch to the ordinal column, then the same heads again.
        for _ in 0..=RANK_LOOKUPS as usize / docs.len() {
            for &doc in &docs {
                snapshot.head(doc).unwrap();
            }
        }
        let columns = snapshot.columns(docs[0].segment_ord).unwrap();
        assert!(
            columns.ordinal.get().is_some(),
            "the ordinal column is open"
        );
        let by_column: Vec<_> = docs.iter().map(|&d| snapshot.head(d).unwrap()).collect();
        assert_eq!(by_rank, by_column);
        assert!(by_rank.iter().all(Option::is_some));
    }

    #[test]
    fn copies_share_a_cluster_and_distinct_articles_do_not() {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        let text = "We, the foreign ministers of the countries listed below, condemn in the \
            strongest terms the deployment of troops to the Kursk region. The transfer of ballistic \
            missiles and munitions violates several resolutions of the Security Council.\n\n\
            We call on all states to stop such transfers and to respect the resolutions in full, \
            and we will continue to support the people of the country under attack for as long \
            as it takes. We also welcome the work of the panel and the monitoring team.";
        writer.add(&Article::new("copy-1", text)).unwrap();
        writer.add(&Article::new("copy-2", text)).unwrap();
        writer
            .add(&Article::new(
                "other",
                "Humanitarian aid reached the besieged city after weeks of negotiations.",
            ))
            .unwrap();
        writer.commit().unwrap();
        let snapshot = index.snapshot();
        let key = |id: &str| snapshot.cluster(addresses(&snapshot, id)[0]).unwrap();
        let copy = key("copy-1").expect("a copy has a cluster key");
        assert_eq!(key("copy-2"), Some(copy));
        assert_ne!(key("other"), Some(copy));
        assert_eq!(snapshot.cluster_size(copy).unwrap(), 2);
        // A deleted copy no longer counts, though its term stays in the dictionary until a
        // merge: the size is then counted over live documents.
        let mut writer = index.writer().unwrap();
        writer.remove("copy-2").unwrap();
        writer.commit().unwrap();
        let snapshot = index.snapshot();
        assert_eq!(snapshot.cluster_size(copy).unwrap(), 1);
    }
}
