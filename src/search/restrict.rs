//! A query evaluated only at given passages: the second phase of a search scores the
//! candidates' passages, a few hundred among millions, without visiting the others.
//!
//! Seeking a tantivy union to a passage far from the last one refills a window of 4,096
//! documents from every clause, and a phrase or proximity clause checks positions in each
//! document of that window; a phrase scorer also looks for its first match when it is made.
//! [`restrict`] rebuilds a query with every leaf wrapped in [`Only`], which visits just the
//! given documents (asking each leaf with `seek_danger`, made near the first one with
//! `scorer_danger`), so the unions above it only see those. Scores and matches at the given
//! documents are the same as the query's own. The query's Boolean structure must be visible
//! for this: the compiler builds boosts and disjunctions with [`Boosted`] and [`DisMax`].

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, BoostWeight, DisjunctionMaxQuery, EmptyScorer, EnableScoring, Explanation, Query,
    Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::names::{Name, OnlyNames};

/// The documents a restricted query may match, sorted, by segment.
pub(crate) type Docs = Arc<HashMap<SegmentId, Vec<DocId>>>;

/// `query` evaluated only at `docs`: the same scores there, nothing elsewhere.
pub(crate) fn restrict(query: &dyn Query, docs: &Docs) -> Box<dyn Query> {
    if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        let clauses = boolean
            .clauses()
            .iter()
            .map(|(occur, clause)| (*occur, restrict(clause.as_ref(), docs)))
            .collect();
        let mut rebuilt = BooleanQuery::new(clauses);
        rebuilt.set_minimum_number_should_match(boolean.get_minimum_number_should_match());
        return Box::new(rebuilt);
    }
    if let Some(boosted) = query.downcast_ref::<Boosted>() {
        return Box::new(Boosted::new(
            restrict(boosted.query.as_ref(), docs),
            boosted.boost,
        ));
    }
    if let Some(max) = query.downcast_ref::<DisMax>() {
        if let Some(names) = &max.names {
            return Box::new(OnlyNames {
                names: names.clone(),
                tie_breaker: max.tie_breaker,
                docs: docs.clone(),
                query: query.box_clone(),
            });
        }
        let disjuncts = max
            .disjuncts
            .iter()
            .map(|d| restrict(d.as_ref(), docs))
            .collect();
        return Box::new(DisMax::new(disjuncts, max.tie_breaker));
    }
    Box::new(Only {
        query: query.box_clone(),
        docs: docs.clone(),
    })
}

/// A query with its score multiplied by `boost` (tantivy's
/// [`BoostQuery`](tantivy::query::BoostQuery), with its parts visible to [`restrict`]).
#[derive(Debug)]
pub(crate) struct Boosted {
    query: Box<dyn Query>,
    boost: Score,
}

impl Clone for Boosted {
    fn clone(&self) -> Boosted {
        Boosted::new(self.query.box_clone(), self.boost)
    }
}

impl Boosted {
    /// `query`, its score multiplied by `boost`.
    pub(crate) fn new(query: Box<dyn Query>, boost: Score) -> Boosted {
        Boosted { query, boost }
    }
}

impl Query for Boosted {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // What `BoostQuery` does, without a copy of the query.
        let weight = self.query.weight(scoring)?;
        Ok(if scoring.is_scoring_enabled() {
            Box::new(BoostWeight::new(weight, self.boost))
        } else {
            weight
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

/// The best of several queries, with `tie_breaker` times the others added (tantivy's
/// [`DisjunctionMaxQuery`], with its parts visible to [`restrict`]).
#[derive(Debug)]
pub(crate) struct DisMax {
    disjuncts: Vec<Box<dyn Query>>,
    tie_breaker: Score,
    /// When the disjuncts are an alias's names, each a term or an exact phrase: what they
    /// are, for [`OnlyNames`] (which reads each distinct word's postings once).
    names: Option<Vec<Name>>,
}

impl Clone for DisMax {
    fn clone(&self) -> DisMax {
        DisMax {
            disjuncts: boxed(&self.disjuncts),
            tie_breaker: self.tie_breaker,
            names: self.names.clone(),
        }
    }
}

/// Copies of `queries`.
fn boxed(queries: &[Box<dyn Query>]) -> Vec<Box<dyn Query>> {
    queries.iter().map(|q| q.box_clone()).collect()
}

impl DisMax {
    /// The best of `disjuncts`, with `tie_breaker` times the others.
    pub(crate) fn new(disjuncts: Vec<Box<dyn Query>>, tie_breaker: Score) -> DisMax {
        DisMax {
            disjuncts,
            tie_breaker,
            names: None,
        }
    }

    /// The best of an alias's names (`disjuncts`, the query of each of `names` in order), with
    /// `tie_breaker` times the others.
    pub(crate) fn of_names(
        disjuncts: Vec<Box<dyn Query>>,
        names: Vec<Name>,
        tie_breaker: Score,
    ) -> DisMax {
        debug_assert_eq!(disjuncts.len(), names.len());
        DisMax {
            disjuncts,
            tie_breaker,
            names: Some(names),
        }
    }
}

impl Query for DisMax {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        DisjunctionMaxQuery::with_tie_breaker(boxed(&self.disjuncts), self.tie_breaker)
            .weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for disjunct in &self.disjuncts {
            disjunct.query_terms(visitor);
        }
    }
}

/// Where any of a few queries matches, for an article filter (which never scores): the
/// documents of each, merged without tantivy's buffered union. That union refills a window of
/// 4,096 documents from every clause at each far seek; a filter that judges the articles it is
/// offered (`collect::Excluding`) seeks far each time, and `Either` then only seeks each query.
#[derive(Debug)]
pub(crate) struct Either {
    queries: Vec<Box<dyn Query>>,
}

impl Clone for Either {
    fn clone(&self) -> Either {
        Either::new(boxed(&self.queries))
    }
}

impl Either {
    /// Matches where any of `queries` does.
    pub(crate) fn new(queries: Vec<Box<dyn Query>>) -> Either {
        Either { queries }
    }

    /// Its queries: those of the passages' text, and those of their articles' titles
    /// ([`Titled`]).
    pub(crate) fn split(&self) -> (Vec<Box<dyn Query>>, Vec<Name>) {
        let (mut text, mut titles) = (Vec::new(), Vec::new());
        for query in &self.queries {
            match query.downcast_ref::<Titled>() {
                Some(titled) => titles.extend(titled.names.iter().cloned()),
                None => text.push(query.box_clone()),
            }
        }
        (text, titles)
    }
}

/// A query of the title views (on every passage of an article): any of some names, each a
/// term or an exact phrase, marked so that a search that judges articles one by one can ask
/// them about its few best articles alone (see [`Either::split`] and [`OnlyNames`]).
#[derive(Debug)]
pub(crate) struct Titled {
    /// Any of the names.
    pub query: Box<dyn Query>,
    /// The names.
    pub names: Vec<Name>,
}

impl Clone for Titled {
    fn clone(&self) -> Titled {
        Titled {
            query: self.query.box_clone(),
            names: self.names.clone(),
        }
    }
}

impl Query for Titled {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.query.weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

impl Query for Either {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .queries
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(EitherWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.queries {
            query.query_terms(visitor);
        }
    }
}

struct EitherWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for EitherWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorers = self
            .weights
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let doc = scorers.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
        Ok(Box::new(EitherScorer { scorers, doc }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut explanation = Explanation::new("any of", 0.0);
        for weight in &self.weights {
            if let Ok(inner) = weight.explain(reader, doc) {
                explanation.add_detail(inner);
            }
        }
        Ok(explanation)
    }
}

/// The smallest document of its scorers.
struct EitherScorer {
    scorers: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl DocSet for EitherScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        let mut doc = TERMINATED;
        for scorer in &mut self.scorers {
            if scorer.doc() == current {
                scorer.advance();
            }
            doc = doc.min(scorer.doc());
        }
        self.doc = doc;
        doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut doc = TERMINATED;
        for scorer in &mut self.scorers {
            if scorer.doc() < target {
                scorer.seek(target);
            }
            doc = doc.min(scorer.doc());
        }
        self.doc = doc;
        doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers.iter().map(|s| s.size_hint()).sum()
    }
}

impl Scorer for EitherScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.scorers
            .iter_mut()
            .filter(|s| s.doc() == doc)
            .map(|s| s.score())
            .sum()
    }
}

/// A query that matches only at the given documents (where it matches on its own).
#[derive(Debug)]
pub(crate) struct Only {
    query: Box<dyn Query>,
    docs: Docs,
}

impl Clone for Only {
    fn clone(&self) -> Only {
        Only {
            query: self.query.box_clone(),
            docs: self.docs.clone(),
        }
    }
}

impl Query for Only {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(OnlyWeight {
            inner: self.query.weight(scoring)?,
            docs: self.docs.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct OnlyWeight {
    inner: Box<dyn Weight>,
    docs: Docs,
}

impl Weight for OnlyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = match self.docs.get(&reader.segment_id()) {
            Some(docs) if !docs.is_empty() => docs.clone(),
            _ => return Ok(Box::new(EmptyScorer)),
        };
        let (found, inner) = self.inner.scorer_danger(reader, docs[0], boost)?;
        let mut scorer = OnlyScorer {
            docs,
            next: 1,
            inner,
            doc: TERMINATED,
        };
        match found {
            tantivy::SeekDangerResult::Found => scorer.doc = scorer.docs[0],
            tantivy::SeekDangerResult::SeekLowerBound(bound) => {
                scorer.find(bound);
            }
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

/// Visits its documents in order, asking the inner scorer about each.
struct OnlyScorer {
    docs: Vec<DocId>,
    /// The next document to ask about.
    next: usize,
    inner: Box<dyn Scorer>,
    doc: DocId,
}

impl OnlyScorer {
    /// Moves to the first of the documents from `next` on, at or after `bound`, that the inner
    /// scorer matches. The inner scorer is asked with strictly increasing targets, as
    /// `seek_danger` requires, and is in a valid state whenever one is found.
    fn find(&mut self, mut bound: DocId) -> DocId {
        while let Some(&doc) = self.docs.get(self.next) {
            self.next += 1;
            if doc < bound {
                continue;
            }
            match self.inner.seek_danger(doc) {
                tantivy::SeekDangerResult::Found => {
                    self.doc = doc;
                    return doc;
                }
                tantivy::SeekDangerResult::SeekLowerBound(lower) => bound = lower,
            }
        }
        self.doc = TERMINATED;
        TERMINATED
    }
}

impl DocSet for OnlyScorer {
    fn advance(&mut self) -> DocId {
        let bound = self.doc.saturating_add(1);
        self.find(bound)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.find(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.next.min(self.docs.len()) + 1) as u32
    }
}

impl Scorer for OnlyScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::{Occur, PhraseQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{DocAddress, Index, TantivyDocument};

    /// Every paragraph of the project's corpus, one document each.
    fn paragraphs() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.unwrap();
            let Ok(body) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for paragraph in body.split("\n\n").chain(body.split("\\n\\n")) {
                let mut doc = TantivyDocument::default();
                doc.add_text(text, paragraph);
                writer.add_document(doc).unwrap();
            }
        }
        writer.commit().unwrap();
        (index, text)
    }

    fn term(field: tantivy::schema::Field, word: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqsAndPositions,
        ))
    }

    fn phrase(field: tantivy::schema::Field, words: &[&str]) -> Box<dyn Query> {
        let terms = words.iter().map(|w| Term::from_field_text(field, w));
        Box::new(PhraseQuery::new(terms.collect()))
    }

    /// The terms of a phrase at their offsets.
    fn at(field: tantivy::schema::Field, words: &[&str]) -> Vec<(usize, Term)> {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| (i, Term::from_field_text(field, w)))
            .collect()
    }

    #[test]
    fn an_alias_s_names_score_at_the_given_passages_as_their_disjunction_does() {
        let (index, text) = paragraphs();
        let searcher = index.reader().unwrap().searcher();
        // Names sharing words (`korea`, `of`), a boosted one, a single word, one with a word
        // the index lacks, and one of a repeated word.
        let words: [&[&str]; 7] = [
            &["north", "korea"],
            &["democratic", "people", "s", "republic", "of", "korea"],
            &["korea"],
            &["people", "s", "republic", "of", "korea"],
            &["security", "council"],
            &["pyongyangz", "korea"],
            &["of", "the", "security", "council", "of"],
        ];
        let boosts = [1.0, 0.5, 2.0, 1.0, 0.3, 1.0, 1.0];
        let (mut queries, mut names) = (Vec::new(), Vec::new());
        for (words, boost) in words.iter().zip(boosts) {
            let query: Box<dyn Query> = match words {
                [one] => term(text, one),
                _ => phrase(text, words),
            };
            queries.push(match boost {
                1.0 => query,
                _ => Box::new(Boosted::new(query, boost)),
            });
            names.push(Name {
                terms: at(text, words),
                boost,
            });
        }
        let plain = DisMax::new(queries.iter().map(|q| q.box_clone()).collect(), 0.1);
        let named = DisMax::of_names(queries, names, 0.1);
        // Every other passage, restricted both ways.
        let mut docs: HashMap<SegmentId, Vec<DocId>> = HashMap::new();
        for reader in searcher.segment_readers() {
            docs.insert(
                reader.segment_id(),
                (0..reader.max_doc()).step_by(2).collect(),
            );
        }
        let docs = Arc::new(docs);
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let plain = restrict(&plain, &docs).weight(scoring).unwrap();
        let named = restrict(&named, &docs).weight(scoring).unwrap();
        let mut seen = 0;
        for reader in searcher.segment_readers() {
            let (mut a, mut b) = (
                plain.scorer(reader, 1.5).unwrap(),
                named.scorer(reader, 1.5).unwrap(),
            );
            while a.doc() != TERMINATED {
                assert_eq!(b.doc(), a.doc());
                assert_eq!(b.score(), a.score(), "at {}", a.doc());
                seen += 1;
                a.advance();
                b.advance();
            }
            assert_eq!(b.doc(), TERMINATED);
        }
        assert!(seen > 20, "{seen} passages matched");
    }

    #[test]
    fn a_restricted_query_scores_the_given_passages_as_the_query_does_and_no_other() {
        let (index, text) = paragraphs();
        let searcher = index.reader().unwrap().searcher();
        // Unions of terms, a phrase, a boost, a disjunction and an exclusion, nested.
        let query = BooleanQuery::new(vec![
            (Occur::Should, term(text, "security")),
            (Occur::Should, phrase(text, &["security", "council"])),
            (
                Occur::Should,
                Box::new(Boosted::new(term(text, "nuclear"), 2.0)),
            ),
            (
                Occur::Should,
                Box::new(DisMax::new(
                    vec![
                        term(text, "sanctions"),
                        phrase(text, &["ballistic", "missiles"]),
                    ],
                    0.1,
                )),
            ),
            (Occur::MustNot, term(text, "veto")),
        ]);
        let matching = searcher.search(&query, &DocSetCollector).unwrap();
        assert!(matching.len() > 20, "{} passages match", matching.len());
        // Every third passage of the index, matching or not.
        let mut docs: HashMap<SegmentId, Vec<DocId>> = HashMap::new();
        let mut given = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let list: Vec<DocId> = (0..reader.max_doc()).step_by(3).collect();
            given.extend(list.iter().map(|&d| DocAddress::new(ord as u32, d)));
            docs.insert(reader.segment_id(), list);
        }
        let restricted = restrict(&query, &Arc::new(docs));
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let (full, only) = (
            query.weight(scoring).unwrap(),
            restricted.weight(scoring).unwrap(),
        );
        let mut seen = 0;
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = only.scorer(reader, 1.0).unwrap();
            while scorer.doc() != TERMINATED {
                let doc = scorer.doc();
                let address = DocAddress::new(ord as u32, doc);
                assert!(given.contains(&address) && matching.contains(&address));
                let mut alone = full.scorer(reader, 1.0).unwrap();
                assert_eq!(alone.seek(doc), doc);
                assert_eq!(scorer.score(), alone.score(), "{address:?}");
                seen += 1;
                scorer.advance();
            }
        }
        let expected = given.iter().filter(|a| matching.contains(a)).count();
        assert!(expected > 5);
        assert_eq!(seen, expected);
    }
}
