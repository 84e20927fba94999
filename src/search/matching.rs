//! Which articles match a query, without ranking or fetching: for saved searches, which only
//! need to know what a commit brought in.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, DocSetCollector};
use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, ConstScorer, EmptyScorer, EnableScoring, Explanation, Occur,
    Query as TantivyQuery, Scorer, Weight,
};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

use super::collect::ArticleKey;
use super::{Query, SearchOptions};
use crate::domain::own_key;
use crate::index::Snapshot;
use crate::{Index, Result};

/// An article that matches, with what saved searches need to know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Matched {
    /// Article id.
    pub id: String,
    /// Its near-duplicate cluster key (copies of one statement share it).
    pub cluster: u64,
    /// The sequence number of the commit that added or last changed it.
    pub seq: u64,
}

impl Index {
    /// Every article with a passage that matches `query` under the filters of `options`
    /// (limit, offset and ranking do not apply), in no particular order.
    pub(crate) fn matching_articles(
        &self,
        query: &Query,
        options: &SearchOptions,
    ) -> Result<Vec<Matched>> {
        self.evaluation(None)?.matching(query, options)
    }

    /// One snapshot of the index to evaluate saved searches on: all of it, or with `after`
    /// only what commits after that sequence number added or changed.
    pub(crate) fn evaluation(&self, after: Option<u64>) -> Result<Evaluation<'_>> {
        let snapshot = self.snapshot();
        let changed = match after {
            Some(seq) => Some(crate::index::guard(&self.display_path(), || {
                Changed::after(&snapshot, seq)
            })?),
            None => None,
        };
        Ok(Evaluation {
            index: self,
            snapshot,
            changed,
            articles: RefCell::default(),
        })
    }

    /// The highest commit sequence number among the articles this handle's reader sees (0 for
    /// an empty index).
    pub(crate) fn visible_seq(&self) -> Result<u64> {
        self.evaluation(None)?.top_seq()
    }
}

/// One snapshot of the index that saved searches are evaluated on, whole or restricted to the
/// passages that recent commits added or changed. A commit writes every passage of the
/// articles it adds or changes, so article-level logic (`AND NOT` over paragraphs) sees whole
/// articles either way, and the cost of an evaluation follows the size of the change.
pub(crate) struct Evaluation<'a> {
    index: &'a Index,
    snapshot: Snapshot<'a>,
    changed: Option<Changed>,
    /// The articles read so far, by key.
    articles: RefCell<HashMap<ArticleKey, Matched>>,
}

impl<'a> Evaluation<'a> {
    /// Another evaluation of the same commit and restriction, for another thread.
    pub(crate) fn fork(&self) -> Evaluation<'a> {
        Evaluation {
            index: self.index,
            snapshot: self.snapshot.fork(),
            changed: self.changed.clone(),
            articles: RefCell::new(self.articles.borrow().clone()),
        }
    }

    /// The highest commit sequence number in the snapshot (0 for an empty index).
    pub(crate) fn top_seq(&self) -> Result<u64> {
        let mut top = 0;
        let segments = self.snapshot.searcher().segment_readers();
        for (segment, reader) in segments.iter().enumerate() {
            if reader.num_docs() > 0 {
                top = top.max(self.snapshot.columns(segment as u32)?.seq()?.max_value());
            }
        }
        Ok(top)
    }

    /// Whether the restriction leaves nothing to evaluate.
    pub(crate) fn is_empty(&self) -> bool {
        self.changed.as_ref().is_some_and(Changed::is_empty)
    }

    /// Every article with a passage that matches `query` under the filters of `options`
    /// (limit, offset and ranking do not apply), within the restriction, in no particular
    /// order.
    pub(crate) fn matching(&self, query: &Query, options: &SearchOptions) -> Result<Vec<Matched>> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        crate::index::guard(&self.index.display_path(), || {
            self.matching_unguarded(query, options)
        })
    }

    fn matching_unguarded(&self, query: &Query, options: &SearchOptions) -> Result<Vec<Matched>> {
        let snapshot = &self.snapshot;
        let searcher = snapshot.searcher();
        let within = self.changed.as_ref();
        // With article-level logic (required or excluded clauses, proximities), the article
        // filter decides, as in a search; the passage query then only applies the options'
        // filters.
        let (compiled, members) = if super::compile::needs_articles(query.root()) {
            let (compiled, filter) = super::compile::compile_articles(
                searcher,
                snapshot.fields(),
                query,
                options,
                &options.ranking,
            )?;
            let members = super::articles::members_within(snapshot, &filter, within)?;
            (compiled, Some(members))
        } else {
            let compiled = self
                .index
                .compile(searcher, query, options, &options.ranking, false)?;
            (compiled, None)
        };
        let mut docs: Vec<DocAddress> = match within {
            Some(changed) => changed.search(searcher, &*compiled.query, &DocSetCollector)?,
            None => searcher.search(&*compiled.query, &DocSetCollector)?,
        }
        .into_iter()
        .collect();
        if let Some(members) = members {
            let mut kept = Vec::with_capacity(docs.len());
            for address in docs {
                let key = super::articles::key_of(snapshot, address)?;
                if key.is_some_and(|key| members.articles.contains(key)) {
                    kept.push(address);
                }
            }
            docs = kept;
        }
        docs.sort_unstable();
        let mut out: HashMap<String, Matched> = HashMap::new();
        let mut last = None;
        for address in docs {
            // An article's passages are adjacent: look at each article once.
            let key = super::articles::key_of(snapshot, address)?;
            if key.is_some() && key == last {
                continue;
            }
            last = key;
            let Some(matched) = self.article(key, address)? else {
                continue;
            };
            out.entry(matched.id.clone()).or_insert(matched);
        }
        Ok(out.into_values().collect())
    }
}

impl Evaluation<'_> {
    /// The article of the passage at `address` (whose article key is `key`), read once per
    /// evaluation: saved searches mostly match the same few new articles, and reading an id
    /// from the dictionary column is the costly part.
    fn article(&self, key: Option<ArticleKey>, address: DocAddress) -> Result<Option<Matched>> {
        if let Some(key) = key
            && let Some(known) = self.articles.borrow().get(&key)
        {
            return Ok(Some(known.clone()));
        }
        let snapshot = &self.snapshot;
        let columns = snapshot.columns(address.segment_ord)?;
        let Some(id) = columns.article_id(address.doc_id)? else {
            return Ok(None);
        };
        let cluster = match snapshot.cluster(address)? {
            Some(cluster) => cluster,
            // A damaged layout: read the head wherever it is.
            None => match snapshot.find_head(&id)? {
                Some(head) => snapshot.cluster(head)?.unwrap_or_else(|| own_key(&id)),
                None => own_key(&id),
            },
        };
        let seq = columns.seq()?.first(address.doc_id).unwrap_or(0);
        let matched = Matched { id, cluster, seq };
        if let Some(key) = key {
            self.articles.borrow_mut().insert(key, matched.clone());
        }
        Ok(Some(matched))
    }
}

/// The passages that commits after a sequence number added or changed, per segment: a tantivy
/// query that matches exactly them, to intersect with a saved search.
#[derive(Clone, Debug, Default)]
pub(crate) struct Changed {
    docs: Arc<HashMap<SegmentId, Arc<[DocId]>>>,
}

impl Changed {
    /// The passages of `snapshot` with a commit sequence number above `seq`.
    fn after(snapshot: &Snapshot<'_>, seq: u64) -> Result<Changed> {
        let mut docs = HashMap::new();
        let segments = snapshot.searcher().segment_readers();
        for (segment, reader) in segments.iter().enumerate() {
            let columns = snapshot.columns(segment as u32)?;
            if reader.num_docs() == 0 || columns.seq()?.max_value() <= seq {
                continue;
            }
            let mut found = Vec::new();
            columns.seq()?.get_docids_for_value_range(
                seq + 1..=u64::MAX,
                0..reader.max_doc(),
                &mut found,
            );
            found.dedup();
            if !found.is_empty() {
                docs.insert(reader.segment_id(), Arc::from(found));
            }
        }
        Ok(Changed {
            docs: Arc::new(docs),
        })
    }

    fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// What `collector` collects of `query` within these passages, visiting only the segments
    /// that hold some (the others would still open every term's postings). Scores play no
    /// part: only which passages match.
    pub(crate) fn search<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn TantivyQuery,
        collector: &C,
    ) -> Result<C::Fruit> {
        let query = self.within(query.box_clone());
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut fruits = Vec::with_capacity(self.docs.len());
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            if self.docs.contains_key(&reader.segment_id()) {
                fruits.push(collector.collect_segment(&*weight, ord as u32, reader)?);
            }
        }
        Ok(collector.merge_fruits(fruits)?)
    }

    /// `query`, only where it meets these passages.
    pub(crate) fn within(&self, query: Box<dyn TantivyQuery>) -> Box<dyn TantivyQuery> {
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, Box::new(self.clone())),
        ]))
    }
}

impl TantivyQuery for Changed {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for Changed {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.docs.get(&reader.segment_id()) {
            Some(docs) => Box::new(ConstScorer::new(
                Listed {
                    docs: docs.clone(),
                    cursor: 0,
                },
                boost,
            )),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let changed = self
            .docs
            .get(&reader.segment_id())
            .is_some_and(|docs| docs.binary_search(&doc).is_ok());
        if changed {
            Ok(Explanation::new("changed by a recent commit", 1.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "passage {doc} was not changed by a recent commit"
            )))
        }
    }
}

/// A sorted list of passages of one segment, as a tantivy doc set.
struct Listed {
    docs: Arc<[DocId]>,
    cursor: usize,
}

impl DocSet for Listed {
    fn advance(&mut self) -> DocId {
        self.cursor = (self.cursor + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = &self.docs[self.cursor..];
        self.cursor += rest.partition_point(|&doc| doc < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.cursor).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.cursor) as u32
    }
}

#[cfg(test)]
mod article_logic_tests {
    use crate::{Article, Index, Query, SearchOptions};

    /// Two paragraphs of the joint statement on North Korean troops in Kursk: Kursk in the
    /// first, missiles only in the second.
    const FIRST: &str = "The foreign ministers of Australia, Canada, France, Germany, Italy, Japan, \
        the Republic of Korea, New Zealand, the United Kingdom and the United States, joined by \
        the High Representative of the European Union, issued a joint statement on 16 December \
        2024 condemning the deployment of North Korean soldiers to Russia. The text, released \
        in Washington by the State Department, said those troops were now engaged in combat \
        against Ukrainian forces in Russia's Kursk region.";
    const SECOND: &str = "The signatories described North Korea's direct part in the fighting \
        as a dangerous widening of the war, with serious consequences for security in Europe \
        and in the Indo-Pacific alike. They recalled that Russia had already used North Korean \
        ballistic missiles and artillery shells against Ukraine, and said the transfers of \
        ballistic missiles breached UN Security Council resolutions that Moscow itself had \
        supported as a permanent member of the Security Council.";

    fn ids(index: &Index, query: &str) -> Vec<String> {
        let query = Query::parse(query).unwrap();
        let mut ids: Vec<String> = index
            .matching_articles(&query, &SearchOptions::new())
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn saved_searches_match_boolean_queries_per_article_as_search_does() {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer
            .add(&Article::new("both", format!("{FIRST}\n\n{SECOND}")))
            .unwrap();
        writer.add(&Article::new("kursk", FIRST)).unwrap();
        writer.commit().unwrap();
        assert_eq!(ids(&index, "kursk AND NOT missiles"), ["kursk"]);
        assert_eq!(ids(&index, "kursk AND missiles"), ["both"]);
        assert_eq!(ids(&index, "deployment NEAR/3 soldiers"), ["both", "kursk"]);
        assert!(ids(&index, "deployment NEAR/2 soldiers").is_empty());
    }
}
