//! Search: the query language, ranking of passages, and highlighting of exactly what matched.
//!
//! A search compiles the query into a plan (`compile`: the full query, a cheap one for a
//! first phase, and what to highlight), then runs the stages of `pipeline` on a
//! `Snapshot` of the index: tantivy ranks passages by BM25 (plus the proximity and coverage
//! clauses of [`Ranking`]) and `collect::TopArticles` keeps the best passage of each of the
//! best articles, with block-max WAND pruning (candidates); the full query scores the
//! candidates' passages, and each article's score is made from its best ones ([`ArticleScore`])
//! (rescore); near-duplicates leave (collapse); the page asked for is
//! taken (page); only its passages are fetched, analysed again and highlighted (materialise).
//! A query with required or excluded clauses or a proximity is first decided per article
//! (`articles`: its Boolean structure over each article's title and passages); only the
//! articles it lets in are ranked, by their passages.

mod article;
mod articles;
mod collect;
mod compile;
mod correct;
mod explain;
mod facets;
mod feedback;
mod highlight;
mod matching;
mod mentions;
mod names;
mod near;
mod options;
mod pipeline;
mod query;
mod restrict;
mod similar;

pub use article::ArticleView;
pub use compile::{MAX_EXPANSIONS, MIN_PREFIX_CHARS};
pub use correct::{Correction, CorrectionKind};
pub use explain::{ClauseKind, ClauseScore, Explanation, View};
pub use facets::{Facets, Period};
pub use highlight::Excerpt;
pub use options::{ArticleScore, MAX_PASSAGES, MAX_RESULTS, Ranking, SearchOptions};
pub use query::{
    MAX_NEAR_DISTANCE, MAX_QUERY_BYTES, MAX_QUERY_TERMS, Node, Occur, Proximity, Query, Scope,
};
pub use similar::SIMILAR_TERMS;

use std::ops::Range;

use serde::Serialize;
use tantivy::Searcher;

use crate::index::{Index, Snapshot};
use crate::{Error, Result};
pub(crate) use correct::memoized;
pub(crate) use matching::{Evaluation, Matched};

/// A page of hits and the number of articles that match ([`Index::search_with_total`]).
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    /// The articles that match, near-duplicate copies counted one each (the number before
    /// collapsing, and before paging).
    pub total: u64,
    /// The page of hits asked for.
    pub hits: Vec<Hit>,
}

/// One article in the results, with its best passages.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// 1-based rank, counting the offset.
    pub rank: usize,
    /// The article's score: its best passage's score, plus a share of its next best passages'
    /// by default ([`ArticleScore`]).
    pub score: f32,
    /// The article.
    pub article: ArticleInfo,
    /// Its best passages, best first (one unless more were asked for).
    pub passages: Vec<Passage>,
    /// How many other articles in the index are near-duplicates of this one (syndicated
    /// copies of the same statement); collapsed out of the results unless
    /// [`SearchOptions::collapse`] is off.
    pub duplicates: usize,
    /// The words of the query searched under other spellings (the same for every hit of a
    /// search; empty when every word was searched as typed).
    pub corrections: Vec<Correction>,
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
    /// Its language code (`en`, `ru`, …), declared or detected; `und` when unknown.
    pub lang: Option<String>,
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
    pub explanation: Option<Explanation>,
    /// The quotations in the passage (byte ranges in `text`), with their speakers where the
    /// text names them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<crate::domain::Quotation>,
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
            Ok(self.search_excluding(query, options, false, None)?.hits)
        })
    }

    /// The hits of [`Index::search`] and the number of articles that match (as
    /// [`Index::count`]), from one view of the index and one compilation of the query: what a
    /// page of results with "N articles match" above it needs: the count is one pass over the
    /// matching passages (for a query with article-level logic, those of the articles its
    /// filter let in, decided once for both).
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    ///
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// for id in ["a", "b", "c"] {
    ///     writer.add(&Article::new(id, format!("Statement {id} on the grain corridor.")))?;
    /// }
    /// writer.commit()?;
    /// let results = index.search_with_total(&Query::parse("grain")?, &SearchOptions::new().limit(2))?;
    /// assert_eq!((results.hits.len(), results.total), (2, 3));
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn search_with_total(&self, query: &Query, options: &SearchOptions) -> Result<Results> {
        crate::index::guard(&self.display_path(), || {
            self.search_excluding(query, options, true, None)
        })
    }

    /// The hits, and the total if `count` (0 otherwise); without the articles of `exclude`
    /// (a "more like this" search leaves out its article and its copies).
    fn search_excluding(
        &self,
        query: &Query,
        options: &SearchOptions,
        count: bool,
        exclude: Option<&similar::Exclude>,
    ) -> Result<Results> {
        let wanted = checked_page(options)?;
        let snapshot = self.snapshot();
        let plan = self.plan(&snapshot, query, options)?;
        // Room for the excluded articles: one slot when copies are collapsed, all otherwise.
        let room = match exclude {
            Some(_) if options.collapse => 1,
            Some(exclude) => exclude.articles,
            None => 0,
        };
        let mut ranked = pipeline::rank_collapsed(&snapshot, &plan, options, wanted + room)?;
        if let Some(exclude) = exclude {
            let clusters = &ranked.clusters;
            ranked.articles.retain(|c| {
                c.id() != exclude.id
                    && (exclude.cluster.is_none()
                        || clusters.get(&c.key()).copied() != exclude.cluster)
            });
        }
        let excluded = exclude.map_or(0, |e| e.articles as u64);
        let total = if count {
            facets::count_articles(
                snapshot.searcher(),
                plan.matching.as_deref().unwrap_or(&*plan.full.query),
                pipeline::allowed(&snapshot, &plan, &mut ranked)?,
            )?
        } else {
            0
        }
        .saturating_sub(excluded);
        let page = pipeline::page(
            std::mem::take(&mut ranked.articles),
            options.offset,
            options.limit,
        );
        let mut materialiser =
            pipeline::Materialiser::new(&snapshot, &plan.full, options, self.display_path());
        let hits = page
            .iter()
            .enumerate()
            .map(|(i, article)| {
                let key = article.key();
                let mut hit = materialiser.hit(
                    options.offset + i + 1,
                    article,
                    ranked.passages.remove(&key),
                    ranked.clusters.get(&key).copied(),
                )?;
                hit.corrections = plan.full.corrections.clone();
                Ok(hit)
            })
            .collect::<Result<Vec<Hit>>>()?;
        Ok(Results { hits, total })
    }

    /// The words of `query` that a search with `options` would search under other spellings
    /// (none with [`SearchOptions::exact`]): what to tell the user even when nothing matched.
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    ///
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "North Korean troops fought in the Kursk region."))?;
    /// writer.commit()?;
    ///
    /// let query = Query::parse("Kursc")?;
    /// let corrections = index.corrections(&query, &SearchOptions::new())?;
    /// assert_eq!(corrections[0].searched, ["kursk"]);
    /// assert!(index.corrections(&query, &SearchOptions::new().exact(true))?.is_empty());
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn corrections(&self, query: &Query, options: &SearchOptions) -> Result<Vec<Correction>> {
        if options.exact {
            return Ok(Vec::new());
        }
        crate::index::guard(&self.display_path(), || {
            let snapshot = self.snapshot();
            let aliases = options.use_aliases.then(|| {
                options
                    .aliases
                    .as_deref()
                    .unwrap_or_else(|| crate::domain::Aliases::builtin())
            });
            let mut analyzer = crate::analysis::warm();
            let languages =
                compile::correction_languages(snapshot.searcher(), snapshot.fields(), options)?;
            let (_, found) = correct::correct(
                snapshot.searcher(),
                snapshot.fields(),
                query,
                aliases,
                &mut analyzer,
                &languages,
                options.quotes,
            )?;
            Ok(found)
        })
    }

    /// The queries of a search: the full one (with feedback words for a verbose query) and,
    /// when it has clauses worth a second phase, a cheap one to find candidates.
    fn plan(
        &self,
        snapshot: &Snapshot<'_>,
        query: &Query,
        options: &SearchOptions,
    ) -> Result<pipeline::Plan> {
        let searcher = snapshot.searcher();
        let ranking = effective_ranking(options);
        // The full query, with the title, proximity and coverage clauses; and, when it has
        // them, a cheap one without: a flat union of terms that block-max WAND prunes well.
        let compile = |ranking: &Ranking, cheap: bool| {
            let fields = snapshot.fields();
            compile::compile(searcher, fields, query, options, ranking, cheap)
        };
        if compile::needs_articles(query.root()) {
            // Boolean logic over whole articles: the filter decides which match, the passage
            // query ranks and highlights their passages.
            let (full, articles) =
                compile::compile_articles(searcher, snapshot.fields(), query, options, &ranking)?;
            return Ok(pipeline::Plan {
                full,
                cheap: None,
                articles: Some(articles),
                matching: None,
            });
        }
        let mut full = compile(&ranking, false)?;
        let mut cheap = if full.reranked || ranking.title_weight > 0.0 {
            let cheap_ranking = Ranking {
                proximity_weight: 0.0,
                coverage_weight: 0.0,
                title_weight: 0.0,
                ..ranking.clone()
            };
            Some(compile(&cheap_ranking, true)?.query)
        } else {
            None
        };
        let mut matching = None;
        if ranking.feedback_terms > 0 && query.bare_words() >= ranking.feedback_min_words {
            // The first search is the full one: its best passages are what feedback learns from.
            let words = feedback::words(snapshot, &*full.query, &full.highlighter, &ranking)?;
            if !words.is_empty() {
                // Feedback words rank; they do not make more passages match.
                matching = Some(full.query.box_clone());
                full.query = feedback::with_words(snapshot, full.query, &words);
                cheap = cheap.map(|cheap| feedback::with_words(snapshot, cheap, &words));
            }
        }
        Ok(pipeline::Plan {
            full,
            cheap,
            articles: None,
            matching,
        })
    }

    /// Compiles `query` for this index (with the options' filters and alias table), on
    /// `searcher`.
    pub(crate) fn compile(
        &self,
        searcher: &Searcher,
        query: &Query,
        options: &SearchOptions,
        ranking: &Ranking,
        cheap: bool,
    ) -> Result<compile::Compiled> {
        compile::compile(searcher, &self.fields, query, options, ranking, cheap)
    }
}

/// The ranking a search uses: the options', except that inside quotations titles and feedback
/// do not apply (only what was said counts).
fn effective_ranking(options: &SearchOptions) -> Ranking {
    if options.quotes {
        Ranking {
            title_weight: 0.0,
            feedback_terms: 0,
            ..options.ranking.clone()
        }
    } else {
        options.ranking.clone()
    }
}

/// The number of articles a search must rank (`offset + limit`), checked.
fn checked_page(options: &SearchOptions) -> Result<usize> {
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
    Ok(wanted)
}
