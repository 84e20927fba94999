//! Counting: how many articles match a query, for "N articles match" above a page of hits.

use std::collections::HashSet;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::{Query, SearchOptions};
use crate::{Index, Result};

impl Index {
    /// How many articles have at least one passage that matches `query` with the filters of
    /// `options` (near-duplicate copies count one each: this is the number before collapsing).
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    ///
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "Troops in Kursk.\n\nMore troops in Kursk."))?;
    /// writer.add(&Article::new("b", "Kursk again."))?;
    /// writer.add(&Article::new("c", "Nothing to see."))?;
    /// writer.commit()?;
    /// assert_eq!(index.count(&Query::parse("Kursk")?, &SearchOptions::new())?, 2);
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn count(&self, query: &Query, options: &SearchOptions) -> Result<u64> {
        crate::index::guard(&self.display_path(), || {
            let searcher = self.reader.searcher();
            let compiled = self.compile(&searcher, query, options, &options.ranking, false)?;
            Ok(searcher.search(&compiled.query, &ArticleCount)?)
        })
    }
}

/// Counts the distinct articles of the matching passages: an article's passages are
/// contiguous in one segment, so its head (`doc - ordinal`) names it.
struct ArticleCount;

struct ArticleCountSegment {
    ordinal: tantivy::columnar::Column<u64>,
    heads: HashSet<DocId>,
}

impl SegmentCollector for ArticleCountSegment {
    type Fruit = u64;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let ordinal = self.ordinal.first(doc).unwrap_or(0) as DocId;
        self.heads.insert(doc.saturating_sub(ordinal));
    }

    fn harvest(self) -> u64 {
        self.heads.len() as u64
    }
}

impl Collector for ArticleCount {
    type Fruit = u64;
    type Child = ArticleCountSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ArticleCountSegment> {
        Ok(ArticleCountSegment {
            ordinal: reader.fast_fields().u64("ordinal")?,
            heads: HashSet::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<u64>) -> tantivy::Result<u64> {
        Ok(fruits.into_iter().sum())
    }
}
