//! Search: the query language, ranking of passages, and highlighting of exactly what matched.
//!
//! A search runs in two steps. tantivy ranks passages by BM25 (plus the proximity and coverage
//! clauses of [`Ranking`]) and [`collect::TopArticles`] keeps the best passage of each of the
//! best articles, with block-max WAND pruning; then only the shown passages are fetched,
//! analysed again and highlighted.

mod article;
mod collect;
mod compile;
mod count;
mod facets;
mod highlight;
mod options;
mod query;

pub use article::ArticleView;
pub use compile::{MAX_EXPANSIONS, MIN_PREFIX_CHARS};
pub use facets::{Facets, Period};
pub use highlight::Excerpt;
pub use options::{MAX_PASSAGES, MAX_RESULTS, Ranking, SearchOptions};
pub use query::{MAX_QUERY_BYTES, MAX_QUERY_TERMS, Node, Occur, Query, Scope};

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Query as TantivyQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::index::Index;
use crate::{Error, Result};
use collect::{ArticleKey, Candidate, TopArticles};

/// The largest pool of candidates for a two-phase search; beyond, the full query runs alone.
const MAX_POOL: usize = 4000;
/// Collapsing near-duplicates looks at most this many articles for the results.
const MAX_COLLAPSE: usize = 40_000;

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
    /// How many other articles in the index are near-duplicates of this one (syndicated
    /// copies of the same statement); collapsed out of the results unless
    /// [`SearchOptions::collapse`] is off.
    pub duplicates: usize,
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
    /// The quotations in the passage (byte ranges in `text`), with their speakers where the
    /// text names them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<crate::Quotation>,
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
        let compile = |ranking: &Ranking, cheap: bool| {
            self.compile(&searcher, query, options, ranking, cheap)
        };
        // Inside quotations, titles and feedback do not apply: only what was said counts.
        let ranking = if options.quotes {
            Ranking {
                title_weight: 0.0,
                feedback_terms: 0,
                ..options.ranking.clone()
            }
        } else {
            options.ranking.clone()
        };
        // The full query, with the title, proximity and coverage clauses; and, when it has
        // them, a cheap one without: a flat union of terms that block-max WAND prunes well, to
        // find a pool of candidates that the full query then ranks. (Measured on Cranfield and
        // the diplomatic set: a pool of three times the results loses nothing.)
        let mut full = compile(&ranking, false)?;
        let mut cheap = if full.reranked || ranking.title_weight > 0.0 {
            let cheap_ranking = Ranking {
                proximity_weight: 0.0,
                coverage_weight: 0.0,
                title_weight: 0.0,
                ..ranking.clone()
            };
            Some(compile(&cheap_ranking, true)?)
        } else {
            None
        };
        if ranking.feedback_terms > 0 && query.bare_words() >= ranking.feedback_min_words {
            // The first search is the full one: its best passages are what feedback learns from.
            let words = self.feedback_words(&searcher, &full.query, &full.highlighter, &ranking)?;
            if !words.is_empty() {
                full.query = self.with_words(full.query, &words);
                if let Some(cheap) = cheap.as_mut() {
                    cheap.query = self.with_words(cheap.query.box_clone(), &words);
                }
            }
        }

        // Phase 1: candidate articles by their best passage for the cheap query, a pool three
        // times the results. Phase 2: the full query scores the candidates' passages only
        // (each scorer seeks from passage to passage): it ranks the articles, gives each its
        // best passages, and drops those the cheap query let in wrongly (a phrase whose words
        // are all there, but apart). If too few are left, the pool grows; at last the full
        // query runs alone.
        let mut columns = Columns::new(&self.columns);
        // Collapsing near-duplicates drops hits; copies are rare, so the search asks for what
        // is wanted and looks further only when collapsing left too few.
        let mut target = wanted;
        let (mut candidates, mut by_article, keys) = loop {
            let mut by_article: HashMap<ArticleKey, Vec<Candidate>> = HashMap::new();
            let mut pool = if cheap.is_some() {
                (target * 3).max(30).min(target + 1000)
            } else {
                target
            };
            let mut candidates = loop {
                let fallback = cheap.is_none() || pool > MAX_POOL;
                let (first, k) = match cheap.as_ref() {
                    Some(cheap) if !fallback => (&cheap.query, pool),
                    _ => (&full.query, target),
                };
                let mut candidates = searcher.search(first, &TopArticles { k })?;
                if (fallback && options.passages == 1) || candidates.is_empty() {
                    break candidates;
                }
                by_article = self.rescore(&searcher, &mut columns, &full.query, &candidates)?;
                for list in by_article.values_mut() {
                    list.sort_by(collect::rank_order);
                    list.truncate(options.passages);
                }
                let exhausted = candidates.len() < k;
                candidates.retain_mut(|candidate| {
                    match by_article
                        .get(&candidate.key())
                        .and_then(|list| list.first())
                    {
                        Some(best) => {
                            *candidate = best.clone();
                            true
                        }
                        None => false,
                    }
                });
                candidates.sort_by(collect::rank_order);
                if candidates.len() >= target || exhausted || fallback {
                    break candidates;
                }
                pool *= 4;
            };
            let mut keys = HashMap::new();
            for candidate in &candidates {
                if let Some(key) = self.cluster_key(&searcher, &mut columns, candidate)? {
                    keys.insert(candidate.key(), key);
                }
            }
            let found = candidates.len();
            if options.collapse {
                let mut seen = std::collections::HashSet::new();
                candidates.retain(|c| keys.get(&c.key()).is_none_or(|key| seen.insert(*key)));
            }
            // Copies crowded out other articles: look further, up to a bound.
            if candidates.len() < wanted && found >= target && target < MAX_COLLAPSE {
                target = target.saturating_mul(4).min(MAX_COLLAPSE);
                continue;
            }
            break (candidates, by_article, keys);
        };
        candidates.truncate(wanted);
        let candidates: Vec<Candidate> = candidates
            .into_iter()
            .skip(options.offset)
            .take(options.limit)
            .collect();

        let mut analyzer = crate::analysis::warm();
        let mut hits = Vec::with_capacity(candidates.len());
        for (i, candidate) in candidates.into_iter().enumerate() {
            let chosen = by_article
                .remove(&candidate.key())
                .unwrap_or_else(|| vec![candidate.clone()]);
            let mut passages = Vec::with_capacity(chosen.len());
            let mut head = None;
            for passage in &chosen {
                let (text, ordinal, start, quotes) =
                    self.passage_at(&searcher, &mut columns, passage.address)?;
                if head.is_none() {
                    head = Some(self.head_of(
                        &searcher,
                        &mut columns,
                        passage.address,
                        ordinal,
                        passage.id(),
                    )?);
                }
                let explanation = if options.explain {
                    let mut text: String = full
                        .expansions
                        .iter()
                        .map(|e| format!("alias: {e}\n"))
                        .collect();
                    text.push_str(&render_explanation(
                        &full.query.explain(&searcher, passage.address)?,
                    ));
                    Some(text)
                } else {
                    None
                };
                let mut highlights = full.highlighter.highlight(&mut analyzer, &text);
                if options.quotes {
                    highlights.retain(|h| {
                        quotes
                            .iter()
                            .any(|q| q.range.start <= h.start && h.end <= q.range.end)
                    });
                }
                passages.push(Passage {
                    highlights,
                    quotes,
                    end: start + text.len(),
                    text,
                    start,
                    score: passage.score,
                    ordinal,
                    explanation,
                });
            }
            let duplicates = match keys.get(&candidate.key()) {
                Some(&key) => {
                    let term = Term::from_field_u64(self.fields.dup, key);
                    let query = TermQuery::new(term, IndexRecordOption::Basic);
                    searcher
                        .search(&query, &tantivy::collector::Count)?
                        .saturating_sub(1)
                }
                None => 0,
            };
            hits.push(Hit {
                duplicates,
                rank: options.offset + i + 1,
                score: candidate.score,
                article: head.expect("an article has at least one passage"),
                passages,
            });
        }
        Ok(hits)
    }

    /// Compiles `query` for this index (with the options' filters and alias table).
    pub(crate) fn compile(
        &self,
        searcher: &Searcher,
        query: &Query,
        options: &SearchOptions,
        ranking: &Ranking,
        cheap: bool,
    ) -> Result<compile::Compiled> {
        let mut analyzer = crate::analysis::warm();
        // Inside quotations, the text views are the quotation views.
        let quoted = crate::index::Fields {
            stem: self.fields.quote_stem,
            exact: self.fields.quote_exact,
            ..self.fields
        };
        compile::Compiler {
            long_group: false,
            reranked: false,
            cheap,
            aliases: if options.use_aliases {
                Some(
                    options
                        .aliases
                        .as_deref()
                        .unwrap_or_else(|| crate::Aliases::builtin()),
                )
            } else {
                None
            },
            expansions: Vec::new(),
            fields: if options.quotes {
                &quoted
            } else {
                &self.fields
            },
            searcher,
            analyzer: &mut analyzer,
            ranking,
            query,
            highlighter: Default::default(),
        }
        .compile(options)
    }

    /// Pseudo-relevance feedback: the words that weigh most in the best passages of a first
    /// search with `first` (RM3-like: each passage's term frequencies, normalised by its
    /// length and weighted by its share of the scores, times the square root of the word's
    /// IDF), with their weights; the query's own words are left out.
    fn feedback_words(
        &self,
        searcher: &Searcher,
        first: &dyn TantivyQuery,
        highlighter: &highlight::Highlighter,
        ranking: &Ranking,
    ) -> Result<Vec<(String, f32)>> {
        let top = searcher.search(
            first,
            &TopArticles {
                k: ranking.feedback_passages,
            },
        )?;
        let total: f32 = top.iter().map(|c| c.score).sum();
        if top.is_empty() || total <= 0.0 {
            return Ok(Vec::new());
        }
        let mut analyzer = crate::analysis::warm();
        let mut columns = Columns::new(&self.columns);
        let mut weights: HashMap<String, f32> = HashMap::new();
        for candidate in &top {
            let (text, _, _, _) = self.passage_at(searcher, &mut columns, candidate.address)?;
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
            .filter(|(word, _)| !highlighter.stems.contains(word))
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
            return Ok(Vec::new());
        };
        Ok(scored
            .into_iter()
            .map(|(word, weight)| (word, ranking.feedback_weight * weight / top))
            .collect())
    }

    /// `query`, required, with `words` as optional boosted clauses (they rank, not filter).
    fn with_words(
        &self,
        query: Box<dyn TantivyQuery>,
        words: &[(String, f32)],
    ) -> Box<dyn TantivyQuery> {
        let mut clauses: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)> =
            vec![(tantivy::query::Occur::Must, query)];
        for (word, weight) in words {
            let term = TermQuery::new(
                Term::from_field_text(self.fields.stem, word),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                tantivy::query::Occur::Should,
                Box::new(tantivy::query::BoostQuery::new(Box::new(term), *weight)),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Scores every passage of the candidates' articles with `query`: the passages of an
    /// article are contiguous in its segment, from its head on.
    fn rescore(
        &self,
        searcher: &Searcher,
        columns: &mut Columns<'_>,
        query: &dyn TantivyQuery,
        candidates: &[Candidate],
    ) -> Result<HashMap<ArticleKey, Vec<Candidate>>> {
        let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(
            searcher,
        ))?;
        // (segment, doc, article) for every passage of every candidate.
        let mut docs: Vec<(u32, tantivy::DocId, usize)> = Vec::new();
        for (i, candidate) in candidates.iter().enumerate() {
            let segment = candidate.address.segment_ord;
            let max_doc = searcher.segment_reader(segment).max_doc();
            let columns = columns.of(searcher, segment)?;
            let Some(article) = columns.article.as_ref() else {
                continue;
            };
            let doc = candidate.address.doc_id;
            let ordinal = columns.ordinal.first(doc).unwrap_or(0) as u32;
            let ord = article.term_ords(doc).next();
            let mut current = doc.saturating_sub(ordinal);
            while current < max_doc && article.term_ords(current).next() == ord {
                docs.push((segment, current, i));
                current += 1;
            }
        }
        docs.sort_unstable();
        let mut out: HashMap<ArticleKey, Vec<Candidate>> = HashMap::new();
        let mut scorer: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
        for (segment, doc, i) in docs {
            if scorer.as_ref().is_none_or(|(s, _)| *s != segment) {
                let reader = searcher.segment_reader(segment);
                scorer = Some((segment, weight.scorer(reader, 1.0)?));
            }
            let (_, scorer) = scorer.as_mut().expect("just set");
            let reader = searcher.segment_reader(segment);
            if scorer.doc() < doc {
                scorer.seek(doc);
            }
            if scorer.doc() != doc || reader.alive_bitset().is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let candidate = &candidates[i];
            out.entry(candidate.key())
                .or_default()
                .push(candidate.with(scorer.score(), DocAddress::new(segment, doc)));
        }
        Ok(out)
    }

    /// The near-duplicate cluster of a candidate's article, read on its head (the passages of
    /// an article are contiguous in a segment); `None` if the head is not where it should be.
    fn cluster_key(
        &self,
        searcher: &Searcher,
        columns: &mut Columns<'_>,
        candidate: &Candidate,
    ) -> Result<Option<u64>> {
        let address = candidate.address;
        let segment = columns.of(searcher, address.segment_ord)?;
        let ordinal = segment.ordinal.first(address.doc_id).unwrap_or(0) as u32;
        let Some(head) = address.doc_id.checked_sub(ordinal) else {
            return Ok(None);
        };
        let same = segment.article.as_ref().is_some_and(|col| {
            let a = col.term_ords(head).next();
            a.is_some() && a == col.term_ords(address.doc_id).next()
        });
        Ok(if same { segment.dup.first(head) } else { None })
    }

    /// The stored text, ordinal, body offset and quotations of a passage.
    fn passage_at(
        &self,
        searcher: &Searcher,
        columns: &mut Columns<'_>,
        address: DocAddress,
    ) -> Result<(String, usize, usize, Vec<crate::Quotation>)> {
        let segment = columns.of(searcher, address.segment_ord)?;
        let ordinal = segment.ordinal.first(address.doc_id).unwrap_or(0);
        let start = segment.start.first(address.doc_id).unwrap_or(0);
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = stored_str(&doc, self.fields.text).unwrap_or_default();
        let quotes = stored_str(&doc, self.fields.quotes)
            .map(|json| parse_quotes(&json, &text))
            .unwrap_or_default();
        Ok((text, ordinal as usize, start as usize, quotes))
    }

    /// The article of a passage, read from its head (the passage with ordinal 0).
    fn head_of(
        &self,
        searcher: &Searcher,
        columns: &mut Columns<'_>,
        address: DocAddress,
        ordinal: usize,
        id: &str,
    ) -> Result<ArticleInfo> {
        // An article's passages are added in one batch, so they are contiguous in a segment:
        // the head is `ordinal` documents before. Check it, and search for it if not.
        let reader = searcher.segment_reader(address.segment_ord);
        let mut head = None;
        if let Some(doc_id) = address.doc_id.checked_sub(ordinal as u32) {
            let segment = columns.of(searcher, address.segment_ord)?;
            let same_article = segment.article.as_ref().is_some_and(|col| {
                let a = col.term_ords(doc_id).next();
                let b = col.term_ords(address.doc_id).next();
                a.is_some() && a == b
            });
            let alive = reader.alive_bitset().is_none_or(|a| a.is_alive(doc_id));
            if same_article && alive && segment.ordinal.first(doc_id) == Some(0) {
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

/// The fast-field columns a search reads, per segment of its searcher.
struct Columns<'a> {
    cache: &'a ColumnCache,
    segments: HashMap<u32, std::sync::Arc<SegmentColumns>>,
}

/// A segment's columns. Opening a column reads its metadata, so they are opened once per
/// segment and kept by the index ([`ColumnCache`]).
pub(crate) struct SegmentColumns {
    ordinal: tantivy::columnar::Column<u64>,
    start: tantivy::columnar::Column<u64>,
    article: Option<tantivy::columnar::StrColumn>,
    dup: tantivy::columnar::Column<u64>,
}

/// The columns of the segments that searches use, by segment id.
#[derive(Default)]
pub(crate) struct ColumnCache(
    std::sync::Mutex<HashMap<tantivy::index::SegmentId, std::sync::Arc<SegmentColumns>>>,
);

impl<'a> Columns<'a> {
    fn new(cache: &'a ColumnCache) -> Columns<'a> {
        Columns {
            cache,
            segments: HashMap::new(),
        }
    }

    fn of(&mut self, searcher: &Searcher, segment: u32) -> Result<&SegmentColumns> {
        if !self.segments.contains_key(&segment) {
            let reader = searcher.segment_reader(segment);
            let id = reader.segment_id();
            let mut cache = self.cache.0.lock().unwrap_or_else(|p| p.into_inner());
            let columns = match cache.get(&id) {
                Some(columns) => columns.clone(),
                None => {
                    // Forget the segments no longer searched (merged away).
                    let live: std::collections::HashSet<_> = searcher
                        .segment_readers()
                        .iter()
                        .map(|r| r.segment_id())
                        .collect();
                    cache.retain(|id, _| live.contains(id));
                    let fast = reader.fast_fields();
                    let opened = std::sync::Arc::new(SegmentColumns {
                        ordinal: fast.u64("ordinal")?,
                        start: fast.u64("start")?,
                        article: fast.str("article_id")?,
                        dup: fast.u64("dup")?,
                    });
                    cache.insert(id, opened.clone());
                    opened
                }
            };
            self.segments.insert(segment, columns);
        }
        Ok(&self.segments[&segment])
    }
}

/// The stored quotations of a passage, `[[start, end, speaker or null], …]`; a range that is
/// not on the passage's character boundaries (a damaged store) is left out.
fn parse_quotes(json: &str, text: &str) -> Vec<crate::Quotation> {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str(json) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let start = item.get(0)?.as_u64()? as usize;
            let end = item.get(1)?.as_u64()? as usize;
            text.get(start..end)?;
            Some(crate::Quotation {
                range: start..end,
                speaker: item.get(2).and_then(|s| s.as_str()).map(str::to_string),
            })
        })
        .collect()
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
