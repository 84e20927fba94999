//! Pseudo-relevance feedback: words drawn from the best passages of a first search, added to a
//! verbose query as optional, boosted clauses.

use std::collections::HashMap;

use tantivy::Term;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::query::{BooleanQuery, Occur, Query as TantivyQuery, TermQuery};

use super::restrict::Boosted;
use tantivy::schema::IndexRecordOption;

use super::collect::TopArticles;
use super::highlight::Highlighter;
use super::options::Ranking;
use crate::Result;
use crate::index::Snapshot;

/// The words that weigh most in the best passages of a first search with `first` (RM3-like:
/// each passage's term frequencies, normalised by its length and weighted by its share of the
/// scores, times the square root of the word's IDF), with their weights; the query's own words
/// (those `highlighter` marks) are left out.
pub(crate) fn words(
    snapshot: &Snapshot<'_>,
    first: &dyn TantivyQuery,
    highlighter: &Highlighter,
    ranking: &Ranking,
) -> Result<Vec<(String, f32)>> {
    let top = snapshot.search(
        first,
        &TopArticles::new(snapshot, ranking.feedback_passages)?,
    )?;
    let total: f32 = top.iter().map(|c| c.score).sum();
    if top.is_empty() || total <= 0.0 {
        return Ok(Vec::new());
    }
    let mut analyzer = crate::analysis::warm();
    let mut weights: HashMap<String, f32> = HashMap::new();
    for candidate in &top {
        let text = snapshot.passage(candidate.address)?.text;
        // A compound's joined word repeats its parts: counted once, by its parts.
        let tokens = crate::analysis::without_joined(analyzer.stemmed(&text));
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
    // The word's rarity as BM25 reads it: among the passages of its script.
    let statistics = snapshot.statistics()?;
    let docs = statistics.total_num_docs()?.max(1) as f32;
    let mut scored: Vec<(String, f32)> = weights
        .into_iter()
        .filter(|(word, _)| !highlighter.stems.contains(word))
        .map(|(word, weight)| {
            let term = Term::from_field_text(snapshot.fields().stem, &word);
            let df = statistics.doc_freq(&term).unwrap_or(0) as f32;
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

/// `query`, required, with `words` (stemmed-view terms) as optional boosted clauses: they
/// rank, not filter.
pub(crate) fn with_words(
    snapshot: &Snapshot<'_>,
    query: Box<dyn TantivyQuery>,
    words: &[(String, f32)],
) -> Box<dyn TantivyQuery> {
    let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(Occur::Must, query)];
    for (word, weight) in words {
        let term = TermQuery::new(
            Term::from_field_text(snapshot.fields().stem, word),
            IndexRecordOption::WithFreqs,
        );
        clauses.push((
            Occur::Should,
            Box::new(Boosted::new(Box::new(term), *weight)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}
