//! More like this: the articles most similar to one article, by its most distinctive words.
//!
//! The article's passages and title are analysed again (in the article's language, through the
//! stemmed view); each stem weighs its frequency in the article times its BM25 inverse document
//! frequency over the index's passages; the [`SIMILAR_TERMS`] heaviest become a ranked query of
//! optional words (as Lucene's `MoreLikeThis`, without per-word boosts), searched without the
//! alias table, spelling tolerance, proximity, coverage or feedback clauses. The article itself
//! and its near-duplicates (its cluster) are left out of the results.

use std::collections::{HashMap, HashSet};

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::{Query, Ranking, Results, SearchOptions};
use crate::analysis::{Analyzer, Language};
use crate::index::{Index, Snapshot, stored_str};
use crate::{Error, Result};

/// How many of an article's most distinctive words a "more like this" query searches.
pub const SIMILAR_TERMS: usize = 25;

/// What a "more like this" search leaves out of its results: the article and its copies.
pub(crate) struct Exclude {
    /// The article's id.
    pub id: String,
    /// Its near-duplicate cluster, if it has copies.
    pub cluster: Option<u64>,
    /// How many articles that is (the article and its copies).
    pub articles: usize,
}

impl Index {
    /// The articles most similar to the article `id`, best first: a ranked search for its
    /// [`SIMILAR_TERMS`] most distinctive words ([`Index::like_query`]), with the article
    /// itself and its near-duplicates left out. `options` give the page, the passages shown
    /// and the filters; the alias table, spelling tolerance and the proximity, coverage and
    /// feedback clauses do not apply. An unknown id is [`Error::UnknownArticle`].
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, SearchOptions};
    ///
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "The grain corridor reopened; grain ships left Odesa."))?;
    /// writer.add(&Article::new("b", "Grain ships from Odesa reached the Bosphorus."))?;
    /// writer.add(&Article::new("c", "The Security Council met on Monday."))?;
    /// writer.commit()?;
    ///
    /// let results = index.similar("a", &SearchOptions::new())?;
    /// assert_eq!(results.hits[0].article.id, "b");
    /// assert!(results.hits.iter().all(|h| h.article.id != "a"));
    /// assert!(index.similar("nowhere", &SearchOptions::new()).is_err());
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn similar(&self, id: &str, options: &SearchOptions) -> Result<Results> {
        crate::index::guard(&self.display_path(), || {
            let snapshot = self.snapshot();
            let (query, exclude) = like(&snapshot, id)?;
            let options = like_options(options);
            self.search_excluding(&query, &options, true, Some(&exclude))
        })
    }

    /// The query [`Index::similar`] searches for the article `id`: its most distinctive words,
    /// most distinctive first, as optional bare words. An unknown id is
    /// [`Error::UnknownArticle`].
    pub fn like_query(&self, id: &str) -> Result<Query> {
        crate::index::guard(&self.display_path(), || Ok(like(&self.snapshot(), id)?.0))
    }
}

/// `options` for a "more like this" search: no aliases, no corrections, and a ranking of the
/// words alone (title matches still count).
fn like_options(options: &SearchOptions) -> SearchOptions {
    let ranking = Ranking {
        proximity_weight: 0.0,
        coverage_weight: 0.0,
        feedback_terms: 0,
        query_stop_words: false,
        ..options.ranking.clone()
    };
    options.clone().aliases(false).exact(true).ranking(ranking)
}

/// The query of the article `id`'s most distinctive words, and what to leave out.
fn like(snapshot: &Snapshot<'_>, id: &str) -> Result<(Query, Exclude)> {
    let found = snapshot.searcher().search(
        &TermQuery::new(
            Term::from_field_text(snapshot.fields().article_id, id),
            IndexRecordOption::Basic,
        ),
        &DocSetCollector,
    )?;
    let Some(&first) = found.iter().min() else {
        return Err(Error::UnknownArticle { id: id.to_string() });
    };
    let head = snapshot.head(first)?.unwrap_or(first);
    let counts = Counts::of_article(snapshot, &found, head)?;
    let words = top_words(counts.scored(snapshot));
    if words.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "article `{id}` has no word that another article holds: nothing is like it"
        )));
    }
    let query = Query::words(&words.join(" "))?;
    let cluster = snapshot.cluster(head)?;
    let articles = match cluster {
        Some(key) => snapshot.cluster_size(key)?.max(1),
        None => 1,
    };
    Ok((
        query,
        Exclude {
            id: id.to_string(),
            cluster,
            articles,
        },
    ))
}

/// A stem of the article: how often it occurs, and the word as written most often.
#[derive(Default)]
struct Counted {
    tf: u32,
    surfaces: HashMap<String, u32>,
}

/// The stems of one article, counted.
#[derive(Default)]
struct Counts {
    /// Each stem's frequency in the article and the ways it is written.
    stems: HashMap<String, Counted>,
    /// How many of the article's own passages hold each stem: its document frequency outside
    /// the article is what is left.
    own: HashMap<String, u64>,
}

impl Counts {
    /// The stems of the passages `found` and of the title (on `head`) of one article, read in
    /// the language of its passages.
    fn of_article(
        snapshot: &Snapshot<'_>,
        found: &HashSet<DocAddress>,
        head: DocAddress,
    ) -> Result<Counts> {
        let mut analyzer = crate::analysis::warm();
        let mut counts = Counts::default();
        let mut lang = None;
        for &address in found {
            let stored = snapshot.passage(address)?;
            let language = Language::analysing(stored.lang.as_deref());
            counts.add(&mut analyzer, language, &stored.text, 1, true);
            lang = lang.or(Some(language));
        }
        let language = lang.unwrap_or(Language::English);
        if let Some(title) = stored_str(&snapshot.doc(head)?, snapshot.fields().title) {
            // A title's words count twice: they say what the article is about. They are not
            // in the passages' field, so they do not count in `own`.
            counts.add(&mut analyzer, language, &title, 2, false);
        }
        Ok(counts)
    }

    /// Counts the stems of `text` (short ones, numbers and query stop words aside), each
    /// occurrence `times`; those of a `passage` also count once in `own`.
    fn add(
        &mut self,
        analyzer: &mut Analyzer,
        language: Language,
        text: &str,
        times: u32,
        passage: bool,
    ) {
        let mut seen = HashSet::new();
        for token in analyzer.stemmed_in(language, text) {
            let stem = token.text;
            if stem.chars().count() < 3
                || stem.chars().any(|c| c.is_ascii_digit())
                || crate::analysis::is_query_stop_word(&stem)
            {
                continue;
            }
            let surface = text[token.start..token.end].to_lowercase();
            let entry = self.stems.entry(stem.clone()).or_default();
            entry.tf += times;
            *entry.surfaces.entry(surface).or_default() += 1;
            if passage && seen.insert(stem.clone()) {
                *self.own.entry(stem).or_default() += 1;
            }
        }
    }

    /// Each stem that another passage holds, as its most frequent written form, weighed by
    /// its frequency times its BM25 inverse document frequency; heaviest first.
    fn scored(self, snapshot: &Snapshot<'_>) -> Vec<(String, f64)> {
        let searcher = snapshot.searcher();
        let stem_field = snapshot.fields().stem;
        let docs = searcher.num_docs().max(1) as f64;
        let own = self.own;
        let mut scored: Vec<(String, f64)> = self
            .stems
            .into_iter()
            .filter_map(|(stem, counted)| {
                let df = searcher
                    .doc_freq(&Term::from_field_text(stem_field, &stem))
                    .unwrap_or(0);
                // A word no other passage holds finds nothing else.
                if df <= own.get(&stem).copied().unwrap_or(0) {
                    return None;
                }
                let df = df as f64;
                let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
                let surface = counted
                    .surfaces
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map(|(word, _)| word)?;
                Some((surface, f64::from(counted.tf) * idf))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored
    }
}

/// The first [`SIMILAR_TERMS`] distinct words of `scored` that are one bare word each.
fn top_words(scored: Vec<(String, f64)>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (word, _) in scored {
        // A word of several tokens (`korea’s`) or with syntax would not be one bare word.
        if word.chars().any(|c| c.is_whitespace()) || words.contains(&word) {
            continue;
        }
        words.push(word);
        if words.len() == SIMILAR_TERMS {
            break;
        }
    }
    words
}
