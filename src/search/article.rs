//! The article view: one article as a whole (its text, the byte ranges of its passages) with the
//! highlights of a query, for a reader that shows the article a hit came from.

use std::ops::Range;

use serde::Serialize;
use tantivy::Term;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;

use super::{ArticleInfo, Query, SearchOptions, ranges_as_pairs};
use crate::{Index, Result};

/// A whole article, as stored in the index, with what a query matched in it.
#[derive(Clone, Debug, Serialize)]
pub struct ArticleView {
    /// The article's metadata.
    pub article: ArticleInfo,
    /// The article body (its passages end to end).
    pub text: String,
    /// The byte ranges of its passages in `text`, in order (as `[start, end]` pairs in JSON).
    #[serde(serialize_with = "ranges_as_pairs")]
    pub passages: Vec<Range<usize>>,
    /// What the query matched, as byte ranges in `text` (sorted, not overlapping; empty
    /// without a query).
    #[serde(serialize_with = "ranges_as_pairs")]
    pub highlights: Vec<Range<usize>>,
}

impl Index {
    /// The article with this id as a whole, with the highlights of `query` (compiled with the
    /// alias table and quotation scope of `options`); `None` when there is no such article.
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    ///
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new(
    ///     "kursk",
    ///     "Troops arrived in the Kursk region.\n\nThe Security Council met on Monday.",
    /// ))?;
    /// writer.commit()?;
    ///
    /// let query = Query::parse("\"Security Council\"")?;
    /// let view = index.article("kursk", Some(&query), &SearchOptions::new())?.unwrap();
    /// // The passages cover the text end to end (these two short paragraphs share one).
    /// assert_eq!(view.passages.first().unwrap().start, 0);
    /// assert_eq!(view.passages.last().unwrap().end, view.text.len());
    /// assert_eq!(&view.text[view.highlights[0].clone()], "Security Council");
    /// assert!(index.article("nowhere", None, &SearchOptions::new())?.is_none());
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn article(
        &self,
        id: &str,
        query: Option<&Query>,
        options: &SearchOptions,
    ) -> Result<Option<ArticleView>> {
        crate::index::guard(&self.display_path(), || {
            self.article_unguarded(id, query, options)
        })
    }

    fn article_unguarded(
        &self,
        id: &str,
        query: Option<&Query>,
        options: &SearchOptions,
    ) -> Result<Option<ArticleView>> {
        let snapshot = self.snapshot();
        let searcher = snapshot.searcher();
        let term = Term::from_field_text(self.fields.article_id, id);
        let found = searcher.search(
            &TermQuery::new(term, IndexRecordOption::Basic),
            &DocSetCollector,
        )?;
        if found.is_empty() {
            return Ok(None);
        }
        let mut parts = Vec::with_capacity(found.len());
        for address in found {
            parts.push((address, snapshot.passage(address)?));
        }
        parts.sort_by_key(|(address, stored)| (stored.start, *address));
        let highlighter = match query {
            Some(query) => {
                let compiled = self.compile(searcher, query, options, &options.ranking, false)?;
                Some(compiled.highlighter)
            }
            None => None,
        };
        let mut analyzer = crate::analysis::warm();
        let mut text = String::new();
        let mut passages = Vec::with_capacity(parts.len());
        let mut highlights = Vec::new();
        let head_address = parts[0].0;
        for (_, stored) in &parts {
            let (start, passage, quotes) = (&stored.start, &stored.text, &stored.quotes);
            // Passages cover the body end to end; should one ever leave a gap, keep every
            // passage at its offset.
            if *start > text.len() {
                text.push_str(&" ".repeat(start - text.len()));
            }
            let at = text.len();
            text.push_str(passage);
            passages.push(at..text.len());
            if let Some(highlighter) = &highlighter {
                let language = crate::analysis::Language::analysing(stored.lang.as_deref());
                let mut ranges = highlighter.highlight(&mut analyzer, language, passage);
                if options.quotes {
                    // Inside quotations only, as in the search results.
                    ranges.retain(|h| quotes.iter().any(|q| q.holds(h)));
                }
                highlights.extend(ranges.into_iter().map(|r| r.start + at..r.end + at));
            }
        }
        let article =
            super::pipeline::article_info(&snapshot, head_address, id, &self.display_path())?;
        Ok(Some(ArticleView {
            article,
            text,
            passages,
            highlights,
        }))
    }
}
