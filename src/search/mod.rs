//! Search: the query language, ranking of passages, and highlighting of exactly what matched.
//!
//! A search runs in two steps. tantivy ranks passages by BM25 (plus the proximity and coverage
//! clauses of [`Ranking`]) and [`collect::TopArticles`] keeps the best passage of each of the
//! best articles, with block-max WAND pruning; then only the shown passages are fetched,
//! analysed again and highlighted.

mod collect;
mod compile;
mod highlight;
mod options;
mod query;

pub use compile::{MAX_EXPANSIONS, MIN_PREFIX_CHARS};
pub use highlight::Excerpt;
pub use options::{MAX_PASSAGES, MAX_RESULTS, Ranking, SearchOptions};
pub use query::{MAX_QUERY_BYTES, MAX_QUERY_TERMS, Node, Occur, Query, Scope};

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Query as TantivyQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::index::Index;
use crate::{Error, Result};
use collect::{AllPassages, Candidate, TopArticles};

/// One article in the results, with its best passages.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// 1-based rank, counting the offset.
    pub rank: usize,
    /// The article's score: its best passage's score.
    pub score: f32,
    /// The article.
    pub article: ArticleInfo,
    /// Its best passages, best first (one unless more were asked for).
    pub passages: Vec<Passage>,
}

/// What the index stores about an article.
#[derive(Clone, Debug, Serialize)]
pub struct ArticleInfo {
    /// Article id.
    pub id: String,
    /// Title, if any.
    pub title: Option<String>,
    /// Date as written, if any.
    pub date: Option<String>,
    /// Source, if any.
    pub source: Option<String>,
    /// URL, if any.
    pub url: Option<String>,
    /// Corpus-relative path of its file, if any.
    pub path: Option<String>,
    /// The first words of the article, for listings when there is no title.
    #[serde(skip)]
    pub lead: String,
}

impl ArticleInfo {
    /// The title, or the first words of the lead when there is none.
    pub fn display_title(&self) -> &str {
        match self.title.as_deref() {
            Some(title) if !title.trim().is_empty() => title,
            _ => &self.lead,
        }
    }
}

/// A passage of an article, with its highlights.
#[derive(Clone, Debug, Serialize)]
pub struct Passage {
    /// The passage text.
    pub text: String,
    /// Byte offset of the passage in the article body.
    pub start: usize,
    /// Byte offset just past the passage in the article body.
    pub end: usize,
    /// The passage's score.
    pub score: f32,
    /// What matched, as byte ranges in `text` (sorted, not overlapping).
    #[serde(serialize_with = "ranges_as_pairs")]
    pub highlights: Vec<Range<usize>>,
    /// The passage's ordinal in its article (0 is the first).
    #[serde(skip)]
    pub ordinal: usize,
    /// Why it scored what it did, when asked for ([`SearchOptions::explain`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Passage {
    /// At most `max_chars` characters of the passage around its highlights, cut at word
    /// boundaries, with the highlights moved into it.
    pub fn excerpt(&self, max_chars: usize) -> Excerpt {
        highlight::excerpt(&self.text, &self.highlights, max_chars)
    }
}

fn ranges_as_pairs<S: serde::Serializer>(
    ranges: &[Range<usize>],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = serializer.serialize_seq(Some(ranges.len()))?;
    for range in ranges {
        seq.serialize_element(&[range.start, range.end])?;
    }
    seq.end()
}

impl Index {
    /// Ranks articles by their best passages for `query`.
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    ///
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "The Security Council met on Monday."))?;
    /// writer.add(&Article::new("b", "Security was tight; the council met later."))?;
    /// writer.commit()?;
    ///
    /// let hits = index.search(&Query::parse("\"Security Council\"")?, &SearchOptions::new())?;
    /// assert_eq!(hits.len(), 1);
    /// let passage = &hits[0].passages[0];
    /// assert_eq!(&passage.text[passage.highlights[0].clone()], "Security Council");
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn search(&self, query: &Query, options: &SearchOptions) -> Result<Vec<Hit>> {
        crate::index::guard(&self.display_path(), || {
            self.search_unguarded(query, options)
        })
    }

    fn search_unguarded(&self, query: &Query, options: &SearchOptions) -> Result<Vec<Hit>> {
        if options.limit == 0 {
            return Err(Error::InvalidArgument(
                "the limit must be at least 1".into(),
            ));
        }
        let wanted = options.offset.saturating_add(options.limit);
        if wanted > MAX_RESULTS {
            return Err(Error::InvalidArgument(format!(
                "offset + limit is {wanted}; results can be paged up to {MAX_RESULTS}"
            )));
        }
        let searcher = self.reader.searcher();
        let compiled = compile::Compiler {
            long_group: false,
            fields: &self.fields,
            searcher: &searcher,
            analyzer: Analyzer::new(),
            ranking: &options.ranking,
            query,
            highlighter: Default::default(),
        }
        .compile(options)?;
        let compiled = if options.ranking.feedback_terms > 0
            && query.bare_words() >= options.ranking.feedback_min_words
        {
            self.with_feedback(&searcher, compiled, &options.ranking)?
        } else {
            compiled
        };
        let candidates = searcher.search(&compiled.query, &TopArticles { k: wanted })?;
        let candidates: Vec<Candidate> = candidates.into_iter().skip(options.offset).collect();
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_article: HashMap<String, Vec<Candidate>> = HashMap::new();
        if options.passages > 1 {
            let ids = candidates
                .iter()
                .map(|c| Term::from_field_text(self.fields.article_id, &c.id));
            let restricted = BooleanQuery::new(vec![
                (tantivy::query::Occur::Must, compiled.query.box_clone()),
                (
                    tantivy::query::Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(TermSetQuery::new(ids)), 0.0)),
                ),
            ]);
            for passage in searcher.search(&restricted, &AllPassages)? {
                let list = by_article.entry(passage.id.clone()).or_default();
                if list.len() < options.passages {
                    list.push(passage);
                }
            }
        }
        let mut analyzer = Analyzer::new();
        let mut hits = Vec::with_capacity(candidates.len());
        for (i, candidate) in candidates.into_iter().enumerate() {
            let chosen = by_article
                .remove(&candidate.id)
                .unwrap_or_else(|| vec![candidate.clone()]);
            let mut passages = Vec::with_capacity(chosen.len());
            let mut head = None;
            for passage in &chosen {
                let (text, ordinal, start) = self.passage_at(&searcher, passage.address)?;
                if head.is_none() {
                    head = Some(self.head_of(&searcher, passage.address, ordinal, &passage.id)?);
                }
                let explanation = if options.explain {
                    Some(render_explanation(
                        &compiled.query.explain(&searcher, passage.address)?,
                    ))
                } else {
                    None
                };
                passages.push(Passage {
                    highlights: compiled.highlighter.highlight(&mut analyzer, &text),
                    end: start + text.len(),
                    text,
                    start,
                    score: passage.score,
                    ordinal,
                    explanation,
                });
            }
            hits.push(Hit {
                rank: options.offset + i + 1,
                score: candidate.score,
                article: head.expect("an article has at least one passage"),
                passages,
            });
        }
        Ok(hits)
    }

    /// Pseudo-relevance feedback: the query, required, plus the words that weigh most in the
    /// best passages of a first search (RM3-like: each passage's term frequencies, normalised
    /// by its length and weighted by its share of the scores, times the square root of the
    /// word's IDF).
    fn with_feedback(
        &self,
        searcher: &Searcher,
        compiled: compile::Compiled,
        ranking: &Ranking,
    ) -> Result<compile::Compiled> {
        let first = searcher.search(
            &compiled.query,
            &TopArticles {
                k: ranking.feedback_passages,
            },
        )?;
        let total: f32 = first.iter().map(|c| c.score).sum();
        if first.is_empty() || total <= 0.0 {
            return Ok(compiled);
        }
        let mut analyzer = Analyzer::new();
        let mut weights: HashMap<String, f32> = HashMap::new();
        for candidate in &first {
            let (text, _, _) = self.passage_at(searcher, candidate.address)?;
            let tokens = analyzer.stemmed(&text);
            let length = tokens.len().max(1) as f32;
            let share = candidate.score / total;
            for token in tokens {
                if token.text.chars().any(|c| c.is_ascii_digit())
                    || token.text.chars().count() < 3
                    || crate::analysis::is_query_stop_word(&token.text)
                {
                    continue;
                }
                *weights.entry(token.text).or_default() += share / length;
            }
        }
        let docs = searcher.num_docs().max(1) as f32;
        let mut scored: Vec<(String, f32)> = weights
            .into_iter()
            .filter(|(word, _)| !compiled.highlighter.stems.contains(word))
            .map(|(word, weight)| {
                let term = Term::from_field_text(self.fields.stem, &word);
                let df = searcher.doc_freq(&term).unwrap_or(0) as f32;
                let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
                // A dampened IDF: rare words of the feedback passages count, without letting a
                // one-off name outweigh the topic's common vocabulary.
                (word, weight * idf.sqrt())
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(ranking.feedback_terms);
        let Some(top) = scored.first().map(|s| s.1) else {
            return Ok(compiled);
        };
        let mut clauses: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)> =
            vec![(tantivy::query::Occur::Must, compiled.query)];
        for (word, weight) in scored {
            let term = TermQuery::new(
                Term::from_field_text(self.fields.stem, &word),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                tantivy::query::Occur::Should,
                Box::new(tantivy::query::BoostQuery::new(
                    Box::new(term),
                    ranking.feedback_weight * weight / top,
                )),
            ));
        }
        Ok(compile::Compiled {
            query: Box::new(BooleanQuery::new(clauses)),
            highlighter: compiled.highlighter,
        })
    }

    /// The stored text, ordinal and body offset of a passage.
    fn passage_at(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<(String, usize, usize)> {
        let reader = searcher.segment_reader(address.segment_ord);
        let ordinal = reader
            .fast_fields()
            .u64("ordinal")?
            .first(address.doc_id)
            .unwrap_or(0);
        let start = reader
            .fast_fields()
            .u64("start")?
            .first(address.doc_id)
            .unwrap_or(0);
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = stored_str(&doc, self.fields.text).unwrap_or_default();
        Ok((text, ordinal as usize, start as usize))
    }

    /// The article of a passage, read from its head (the passage with ordinal 0).
    fn head_of(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        ordinal: usize,
        id: &str,
    ) -> Result<ArticleInfo> {
        // An article's passages are added in one batch, so they are contiguous in a segment:
        // the head is `ordinal` documents before. Check it, and search for it if not.
        let reader = searcher.segment_reader(address.segment_ord);
        let mut head = None;
        if let Some(doc_id) = address.doc_id.checked_sub(ordinal as u32) {
            let ordinals = reader.fast_fields().u64("ordinal")?;
            let ids = reader.fast_fields().str("article_id")?;
            let same_article = ids.is_some_and(|col| {
                let a = col.term_ords(doc_id).next();
                let b = col.term_ords(address.doc_id).next();
                a.is_some() && a == b
            });
            let alive = reader.alive_bitset().is_none_or(|a| a.is_alive(doc_id));
            if same_article && alive && ordinals.first(doc_id) == Some(0) {
                head = Some(DocAddress::new(address.segment_ord, doc_id));
            }
        }
        let head = match head {
            Some(head) => head,
            None => {
                let query = BooleanQuery::new(vec![
                    (
                        tantivy::query::Occur::Must,
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.article_id, id),
                            IndexRecordOption::Basic,
                        )) as Box<dyn TantivyQuery>,
                    ),
                    (
                        tantivy::query::Occur::Must,
                        Box::new(TermQuery::new(
                            Term::from_field_u64(self.fields.ordinal, 0),
                            IndexRecordOption::Basic,
                        )),
                    ),
                ]);
                let found = searcher.search(&query, &DocSetCollector)?;
                found.into_iter().min().ok_or_else(|| Error::Corrupt {
                    path: self.display_path(),
                    detail: format!("article `{id}` has no first passage"),
                })?
            }
        };
        let doc: TantivyDocument = searcher.doc(head)?;
        let lead_text = stored_str(&doc, self.fields.text).unwrap_or_default();
        Ok(ArticleInfo {
            id: id.to_string(),
            title: stored_str(&doc, self.fields.title),
            date: stored_str(&doc, self.fields.date_text),
            source: stored_str(&doc, self.fields.source_text),
            url: stored_str(&doc, self.fields.url),
            path: stored_str(&doc, self.fields.path),
            lead: crate::corpus::lead(&lead_text, 12),
        })
    }
}

fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Renders tantivy's score explanation as indented lines: `value  description`.
fn render_explanation(explanation: &tantivy::query::Explanation) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&explanation.to_pretty_json()).unwrap_or_default();
    let mut out = String::new();
    render_node(&json, 0, &mut out);
    out
}

fn render_node(node: &serde_json::Value, depth: usize, out: &mut String) {
    let value = node
        .get("value")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0);
    let description = node
        .get("description")
        .and_then(|d| d.as_str())
        .unwrap_or("");
    out.push_str(&format!(
        "{}{value:.4}  {description}\n",
        "  ".repeat(depth)
    ));
    if let Some(context) = node.get("context").and_then(|c| c.as_array()) {
        for line in context.iter().filter_map(|c| c.as_str()) {
            out.push_str(&format!("{}  ({line})\n", "  ".repeat(depth)));
        }
    }
    if let Some(details) = node.get("details").and_then(|d| d.as_array()) {
        for detail in details {
            render_node(detail, depth + 1, out);
        }
    }
}
