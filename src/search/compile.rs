//! Compiling a parsed query against an index: analysis of every leaf, expansion of prefixes and
//! fuzzy words, the ranking clauses, filters; and the plan of what to highlight.

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::OnceLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, PhraseQuery,
    Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::highlight::Highlighter;
use super::options::{Ranking, SearchOptions};
use super::query::{Node, Occur, Scope};
use crate::analysis::Analyzer;
use crate::index::Fields;
use crate::{Error, Query, QueryError, Result};

/// A prefix or fuzzy word expands to at most this many indexed words (the most frequent).
pub const MAX_EXPANSIONS: usize = 50;
/// A prefix needs at least this many characters.
pub const MIN_PREFIX_CHARS: usize = 2;

/// A query ready for tantivy, with what to highlight.
pub(crate) struct Compiled {
    pub query: Box<dyn TantivyQuery>,
    pub highlighter: Highlighter,
    /// The alias expansions made, for `--explain` (`DPRK → North Korea | DPRK | …`).
    pub expansions: Vec<String>,
    /// Whether proximity or coverage clauses were added (they make a second phase worth it).
    pub reranked: bool,
}

/// What one node gave.
#[derive(Default)]
struct Part {
    /// The query, if the node has searchable words.
    query: Option<Box<dyn TantivyQuery>>,
    /// A stop word: its exact-view query and word, used only if its group has nothing else.
    stop: Option<(Box<dyn TantivyQuery>, String)>,
    /// The single stemmed term of a bare word, for the proximity and coverage clauses.
    stem: Option<Term>,
    /// A bare word's title clause. Kept apart so that a group of optional words stays a flat
    /// union of term queries, which block-max WAND can prune.
    title: Option<Box<dyn TantivyQuery>>,
}

impl Part {
    /// The query and the title clause as one query (the word in the text or in the title).
    fn combined(&mut self) -> Option<Box<dyn TantivyQuery>> {
        match (self.query.take(), self.title.take()) {
            (Some(query), Some(title)) => Some(Box::new(BooleanQuery::new(vec![
                (tantivy::query::Occur::Should, query),
                (tantivy::query::Occur::Should, title),
            ]))),
            (query, _) => query,
        }
    }
}

pub(crate) struct Compiler<'a> {
    /// Set while compiling a group of three bare words or more (a question, a long query).
    pub long_group: bool,
    /// Set when proximity or coverage clauses, or phrases, were compiled: a two-phase search
    /// pays off.
    pub reranked: bool,
    /// Compile the cheap query of a two-phase search: phrases as plain conjunctions of their
    /// words (the full query checks them).
    pub cheap: bool,
    /// The alias table to expand bare words with, if any.
    pub aliases: Option<&'a crate::Aliases>,
    /// The expansions made.
    pub expansions: Vec<String>,
    pub fields: &'a Fields,
    pub searcher: &'a Searcher,
    pub analyzer: &'a mut Analyzer,
    pub ranking: &'a Ranking,
    pub query: &'a Query,
    pub highlighter: Highlighter,
}

impl Compiler<'_> {
    /// Compiles the query and the options' filters.
    pub(crate) fn compile(mut self, options: &SearchOptions) -> Result<Compiled> {
        let mut part = self.node(self.query.root(), false)?;
        let main = match (part.combined(), part.stop) {
            (Some(query), _) => query,
            (None, Some((query, word))) => {
                self.highlighter.words.insert(word);
                query
            }
            (None, None) => {
                return Err(self.error(0, "the query has no searchable words").into());
            }
        };
        let mut clauses: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)> =
            vec![(tantivy::query::Occur::Must, main)];
        for filter in self.filters(options)? {
            clauses.push((
                tantivy::query::Occur::Must,
                Box::new(ConstScoreQuery::new(filter, 0.0)),
            ));
        }
        let query: Box<dyn TantivyQuery> = if clauses.len() == 1 {
            clauses.pop().expect("one").1
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Ok(Compiled {
            query,
            highlighter: self.highlighter,
            expansions: self.expansions,
            reranked: self.reranked,
        })
    }

    fn error(&self, position: usize, message: impl Into<String>) -> QueryError {
        QueryError::new(self.query.as_str(), position, message)
    }

    fn filters(&mut self, options: &SearchOptions) -> Result<Vec<Box<dyn TantivyQuery>>> {
        let mut filters: Vec<Box<dyn TantivyQuery>> = Vec::new();
        if options.since.is_some() || options.until.is_some() {
            let bound = |t: Option<jiff::Timestamp>| match t {
                Some(t) => Bound::Included(Term::from_field_date_for_search(
                    self.fields.date,
                    tantivy::DateTime::from_timestamp_secs(t.as_second()),
                )),
                None => Bound::Unbounded,
            };
            filters.push(Box::new(RangeQuery::new(
                bound(options.since),
                bound(options.until),
            )));
        }
        if let Some(source) = &options.source {
            let tokens = self.analyzer.exact(source);
            let query = self
                .sequence(self.fields.source, &tokens)
                .ok_or_else(|| Error::InvalidArgument(format!("source `{source}` has no words")))?;
            filters.push(query);
        }
        for entity in &options.entities {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_text(self.fields.entities, entity),
                IndexRecordOption::Basic,
            )));
        }
        Ok(filters)
    }

    fn node(&mut self, node: &Node, negated: bool) -> Result<Part> {
        match node {
            Node::Word { text, scope, .. } => {
                if *scope == Scope::Text
                    && let Some(aliases) = self.aliases
                    && let Some(found) = aliases.find(&[text.as_str()])
                    && found.strength == crate::Strength::Strong
                {
                    return Ok(self.alias(&aliases.groups()[found.group], text, negated));
                }
                Ok(self.word(text, *scope, negated))
            }
            Node::Phrase { text, scope, .. } => {
                let (field, _) = self.views(*scope);
                let tokens = self.analyzer.exact(text);
                if *scope == Scope::Text && !negated && !tokens.is_empty() {
                    let first = tokens[0].position;
                    self.highlighter.phrases.push(
                        tokens
                            .iter()
                            .map(|t| (t.position - first, t.text.clone()))
                            .collect(),
                    );
                }
                // A phrase reads the positions of every passage holding all its words: costly
                // for common words. The cheap query of a two-phase search asks only for the
                // words (block-max WAND prunes that); the full query checks the phrase on the
                // candidates. An excluded phrase stays exact, so the cheap query never misses.
                if tokens.len() > 1 {
                    self.reranked = true;
                    if self.cheap && !negated {
                        let all: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)> = tokens
                            .iter()
                            .map(|t| {
                                let q: Box<dyn TantivyQuery> = Box::new(TermQuery::new(
                                    Term::from_field_text(field, &t.text),
                                    IndexRecordOption::WithFreqs,
                                ));
                                (tantivy::query::Occur::Must, q)
                            })
                            .collect();
                        return Ok(Part {
                            query: Some(Box::new(BooleanQuery::new(all))),
                            ..Part::default()
                        });
                    }
                }
                Ok(Part {
                    query: self.sequence(field, &tokens),
                    ..Part::default()
                })
            }
            Node::Prefix { text, scope, span } => {
                let (field, _) = self.views(*scope);
                let word = self.single_word(text, span.start, "a prefix")?;
                if word.chars().count() < MIN_PREFIX_CHARS {
                    return Err(self
                        .error(
                            span.start,
                            format!("prefix `{text}*` is too short: give at least {MIN_PREFIX_CHARS} characters"),
                        )
                        .into());
                }
                let terms = self.expand_prefix(field, &word)?;
                Ok(self.expansion(field, terms, None, *scope, negated))
            }
            Node::Fuzzy {
                text,
                distance,
                scope,
                span,
            } => {
                let (field, _) = self.views(*scope);
                let word = self.single_word(text, span.start, "a fuzzy word")?;
                let terms = self.expand_fuzzy(field, &word, *distance)?;
                Ok(self.expansion(field, terms, Some(&word), *scope, negated))
            }
            Node::Group(clauses) => self.group(clauses, negated),
        }
    }

    /// The (exact, stemmed) fields of a scope.
    fn views(&self, scope: Scope) -> (Field, Option<Field>) {
        match scope {
            Scope::Text => (self.fields.exact, Some(self.fields.stem)),
            Scope::Title => (self.fields.title_exact, Some(self.fields.title_stem)),
            Scope::Source => (self.fields.source, None),
        }
    }

    fn word(&mut self, text: &str, scope: Scope, negated: bool) -> Part {
        let (exact_field, stem_field) = self.views(scope);
        let exact = self.analyzer.exact(text);
        if exact.is_empty() {
            return Part::default();
        }
        let highlight = scope == Scope::Text && !negated;
        let Some(stem_field) = stem_field else {
            return Part {
                query: self.sequence(exact_field, &exact),
                ..Part::default()
            };
        };
        if exact.len() > 1 {
            // `Kursk-region`, `U.S.-led`: the words must stand together.
            if highlight {
                let first = exact[0].position;
                self.highlighter.phrases.push(
                    exact
                        .iter()
                        .map(|t| (t.position - first, t.text.clone()))
                        .collect(),
                );
            }
            return Part {
                query: self.sequence(exact_field, &exact),
                ..Part::default()
            };
        }
        let stemmed = self.analyzer.stemmed(text);
        let is_stop_word = stemmed.is_empty()
            || (self.long_group
                && self.ranking.query_stop_words
                && crate::analysis::is_query_stop_word(&exact[0].text));
        if is_stop_word && !self.ranking.stop_words {
            // A stop word: searchable through the exact view only if nothing else is.
            let term = Term::from_field_text(exact_field, &exact[0].text);
            let word = if highlight {
                exact[0].text.clone()
            } else {
                String::new()
            };
            return Part {
                stop: Some((
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    word,
                )),
                ..Part::default()
            };
        }
        // The stemmed view, or the exact one without stemming (or for a kept stop word).
        let term = match stemmed.first() {
            Some(stem) if self.ranking.stemming => {
                if highlight {
                    self.highlighter.stems.insert(stem.text.clone());
                }
                Term::from_field_text(stem_field, &stem.text)
            }
            _ => {
                if highlight {
                    self.highlighter.words.insert(exact[0].text.clone());
                }
                Term::from_field_text(exact_field, &exact[0].text)
            }
        };
        let query: Box<dyn TantivyQuery> =
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
        let mut title = None;
        if scope == Scope::Text && self.ranking.title_weight > 0.0 {
            // The word in the title also counts, for every passage of the article.
            let (title_exact, title_stem) = self.views(Scope::Title);
            let title_field = if term.field() == stem_field {
                title_stem.unwrap_or(title_exact)
            } else {
                title_exact
            };
            let title_term =
                Term::from_field_text(title_field, term.value().as_str().unwrap_or(""));
            title = Some(Box::new(BoostQuery::new(
                Box::new(TermQuery::new(title_term, IndexRecordOption::WithFreqs)),
                self.ranking.title_weight,
            )) as Box<dyn TantivyQuery>);
        }
        Part {
            query: Some(query),
            stem: (scope == Scope::Text).then_some(term),
            title,
            ..Part::default()
        }
    }

    /// The longest alias (a name or code, not a weak equivalent) that the bare words starting
    /// at `at` spell, all with the same occurrence: its expansion and how many words it took.
    fn alias_run(
        &mut self,
        clauses: &[(Occur, Node)],
        at: usize,
        negated: bool,
    ) -> Option<(Part, usize)> {
        let aliases = self.aliases?;
        let occur = clauses[at].0;
        let words: Vec<&str> = clauses[at..]
            .iter()
            .take_while(|(o, n)| {
                *o == occur
                    && matches!(
                        n,
                        Node::Word {
                            scope: Scope::Text,
                            ..
                        }
                    )
            })
            .map(|(_, n)| match n {
                Node::Word { text, .. } => text.as_str(),
                _ => unreachable!("only words are taken"),
            })
            .collect();
        if words.is_empty() {
            return None;
        }
        let found = aliases.find(&words)?;
        if found.strength != crate::Strength::Strong {
            return None;
        }
        let matched = words[..found.words].join(" ");
        Some((
            self.alias(&aliases.groups()[found.group], &matched, negated),
            found.words,
        ))
    }

    /// An alias's expansion: any of the group's names (a name of several words as an exact
    /// phrase) or codes, and its weak equivalents at half weight.
    fn alias(&mut self, group: &crate::AliasGroup, matched: &str, negated: bool) -> Part {
        let mut variants: Vec<Box<dyn TantivyQuery>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut shown = Vec::new();
        let typed = self.analyzer.exact(matched).len().max(1);
        let strong = group.names.iter().chain(&group.codes).map(|n| (n, 1.0));
        let weak = group.weak.iter().map(|n| (n, 0.5));
        for (name, weight) in strong.chain(weak) {
            let tokens = self.analyzer.exact(name);
            let key: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
            // The index is lower case: a code that is also an English word ("US" and "us")
            // would find the word, so it is recognised in the query but not searched for.
            let word_like = key.len() == 1 && matches!(key[0], "us");
            if tokens.is_empty() || word_like || !seen.insert(key.join(" ")) {
                continue;
            }
            shown.push(if weight < 1.0 {
                format!("{name} (weak)")
            } else {
                name.clone()
            });
            let query: Box<dyn TantivyQuery> = if tokens.len() == 1 {
                let stem = self.analyzer.stemmed(name).into_iter().next();
                // A name that is not plain ASCII (Россия, روسيا, Türkiye) is matched on the
                // exact view: the English stemmer has nothing to do with it.
                match stem {
                    Some(stem) if self.ranking.stemming && name.is_ascii() => {
                        if !negated {
                            self.highlighter.stems.insert(stem.text.clone());
                        }
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.stem, &stem.text),
                            IndexRecordOption::WithFreqs,
                        ))
                    }
                    _ => {
                        if !negated {
                            self.highlighter.words.insert(tokens[0].text.clone());
                        }
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.exact, &tokens[0].text),
                            IndexRecordOption::WithFreqs,
                        ))
                    }
                }
            } else {
                if !negated {
                    let first = tokens[0].position;
                    self.highlighter.phrases.push(
                        tokens
                            .iter()
                            .map(|t| (t.position - first, t.text.clone()))
                            .collect(),
                    );
                }
                match self.sequence(self.fields.exact, &tokens) {
                    Some(query) => query,
                    None => continue,
                }
            };
            // Each name weighs what the words the user typed would: a long name is not worth
            // more than a short one.
            let weight = weight * typed as f32 / tokens.len() as f32;
            let query: Box<dyn TantivyQuery> = if (weight - 1.0).abs() > f32::EPSILON {
                Box::new(BoostQuery::new(query, weight))
            } else {
                query
            };
            variants.push(query);
        }
        self.expansions
            .push(format!("{matched} → {}", shown.join(" | ")));
        // The best-matching name counts (with a little for the others), not their sum: a
        // passage that names a country three ways is not three times as relevant.
        Part {
            query: Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
                variants, 0.1,
            ))),
            ..Part::default()
        }
    }

    /// A term for one token, a phrase for several.
    fn sequence(
        &self,
        field: Field,
        tokens: &[crate::analysis::AnalyzedToken],
    ) -> Option<Box<dyn TantivyQuery>> {
        match tokens {
            [] => None,
            [one] => Some(Box::new(TermQuery::new(
                Term::from_field_text(field, &one.text),
                IndexRecordOption::WithFreqs,
            ))),
            [first, ..] => {
                let terms = tokens
                    .iter()
                    .map(|t| {
                        (
                            t.position - first.position,
                            Term::from_field_text(field, &t.text),
                        )
                    })
                    .collect();
                Some(Box::new(PhraseQuery::new_with_offset(terms)))
            }
        }
    }

    /// The single exact-view word of a prefix or fuzzy leaf.
    fn single_word(&mut self, text: &str, position: usize, what: &str) -> Result<String> {
        let tokens = self.analyzer.exact(text);
        match tokens.as_slice() {
            [one] => Ok(one.text.clone()),
            [] => Err(self.error(position, format!("{what} needs a word")).into()),
            _ => Err(self
                .error(
                    position,
                    format!("{what} must be a single word, not `{text}`"),
                )
                .into()),
        }
    }

    /// Indexed words of `field` starting with `word`, most frequent first.
    fn expand_prefix(&self, field: Field, word: &str) -> Result<Vec<(String, u64)>> {
        let mut upper = word.as_bytes().to_vec();
        upper.push(0xFF);
        let mut found = HashMap::new();
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let stream = inverted
                .terms()
                .range()
                .ge(word.as_bytes())
                .lt(&upper)
                .into_stream()
                .map_err(|e| Error::io("(index)", e))?;
            collect_terms(stream, &mut found);
        }
        Ok(top_terms(found))
    }

    /// Indexed words of `field` within `distance` edits of `word`, most frequent first.
    fn expand_fuzzy(&self, field: Field, word: &str, distance: u8) -> Result<Vec<(String, u64)>> {
        let dfa = levenshtein(distance).build_dfa(word);
        let mut found = HashMap::new();
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let stream = inverted
                .terms()
                .search(DfaAutomaton(&dfa))
                .into_stream()
                .map_err(|e| Error::io("(index)", e))?;
            collect_terms(stream, &mut found);
        }
        Ok(top_terms(found))
    }

    /// The union of expanded words. Each word is scored with the IDF of the most frequent
    /// expansion (as Lucene's blended rewrite does), so that a rare misspelling does not
    /// outrank the word the user most likely meant; words other than `exact` weigh a little
    /// less.
    fn expansion(
        &mut self,
        field: Field,
        terms: Vec<(String, u64)>,
        exact: Option<&str>,
        scope: Scope,
        negated: bool,
    ) -> Part {
        if scope == Scope::Text && !negated {
            self.highlighter
                .words
                .extend(terms.iter().map(|(t, _)| t.clone()));
        }
        let docs = self.searcher.num_docs().max(1);
        let blended = idf(terms.first().map_or(1, |t| t.1), docs);
        let clauses: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)> = terms
            .iter()
            .map(|(word, doc_freq)| {
                let term = TermQuery::new(
                    Term::from_field_text(field, word),
                    IndexRecordOption::WithFreqs,
                );
                let mut boost = blended / idf(*doc_freq, docs).max(f32::EPSILON);
                if exact.is_some_and(|e| e != word) {
                    boost *= 0.85;
                }
                let query: Box<dyn TantivyQuery> = Box::new(BoostQuery::new(Box::new(term), boost));
                (tantivy::query::Occur::Should, query)
            })
            .collect();
        let query: Box<dyn TantivyQuery> = if clauses.is_empty() {
            Box::new(tantivy::query::EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Part {
            query: Some(query),
            ..Part::default()
        }
    }

    fn group(&mut self, clauses: &[(Occur, Node)], negated: bool) -> Result<Part> {
        let mut compiled: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let mut stops = Vec::new();
        let mut stems = Vec::new();
        let bare = |clauses: &[(Occur, Node)]| {
            clauses
                .iter()
                .filter(|(o, n)| {
                    *o != Occur::MustNot
                        && matches!(
                            n,
                            Node::Word {
                                scope: Scope::Text,
                                ..
                            }
                        )
                })
                .count()
        };
        let split;
        let clauses = if self.ranking.split_compounds && bare(clauses) >= 2 && !negated {
            split = self.split_compounds(clauses);
            &split[..]
        } else {
            clauses
        };
        let bare_words = bare(clauses);
        let outer = self.long_group;
        let mut at = 0;
        while at < clauses.len() {
            let (occur, node) = &clauses[at];
            let negated_here = negated ^ (*occur == Occur::MustNot);
            self.long_group = bare_words >= 3;
            let (part, consumed) = match self.alias_run(clauses, at, negated_here) {
                Some((part, words)) => (Ok(part), words),
                None => (self.node(node, negated_here), 1),
            };
            self.long_group = outer;
            at += consumed;
            let _ = node;
            let mut part = part?;
            let occur = match occur {
                Occur::Should => tantivy::query::Occur::Should,
                Occur::Must => tantivy::query::Occur::Must,
                Occur::MustNot => tantivy::query::Occur::MustNot,
            };
            // An optional word's title clause joins the group flat; otherwise it goes with
            // its word (required: in the text or the title; excluded: from both).
            let query = if occur == tantivy::query::Occur::Should {
                if let Some(title) = part.title.take() {
                    compiled.push((occur, title));
                }
                part.query.take()
            } else {
                part.combined()
            };
            if let Some(query) = query {
                if occur == tantivy::query::Occur::Should
                    && let Some(stem) = part.stem
                {
                    stems.push(stem);
                }
                compiled.push((occur, query));
            } else if let Some((query, word)) = part.stop {
                stops.push((occur, query, word));
            }
        }
        let positive = |c: &[(tantivy::query::Occur, Box<dyn TantivyQuery>)]| {
            c.iter().any(|(o, _)| *o != tantivy::query::Occur::MustNot)
        };
        if !positive(&compiled) {
            // Only stop words (`of the`): search them through the exact view.
            for (occur, query, word) in stops {
                if occur != tantivy::query::Occur::MustNot && !word.is_empty() {
                    self.highlighter.words.insert(word);
                }
                compiled.push((occur, query));
            }
        }
        if stems.len() >= 2 {
            self.ranking_clauses(&stems, &mut compiled);
        }
        if compiled.is_empty() {
            return Ok(Part::default());
        }
        if !positive(&compiled) {
            compiled.push((tantivy::query::Occur::Must, Box::new(AllQuery)));
        }
        Ok(Part {
            query: Some(Box::new(BooleanQuery::new(compiled))),
            ..Part::default()
        })
    }

    /// The clauses of a group of several bare words, with each optional compound of lowercase
    /// words (`shock-sound`, `pro-democracy`) replaced by its words as optional bare words: they
    /// count one by one like the group's other words, and the proximity clause rewards them
    /// standing together. A compound that must match, or stands alone, stays a phrase.
    ///
    /// Measured on Cranfield (nDCG@10 0.366 to 0.370) and neutral on the diplomatic set: as a
    /// phrase, a compound that the text writes apart or inflected (`shock and sound waves`)
    /// gave nothing, and its words were lost to the ranking.
    ///
    /// The group grows to at most [`MAX_QUERY_TERMS`](crate::MAX_QUERY_TERMS) words: past that,
    /// compounds stay whole, so `ab-cd-ef-…` cannot turn one word into a thousand clauses.
    fn split_compounds(&mut self, clauses: &[(Occur, Node)]) -> Vec<(Occur, Node)> {
        let mut out = Vec::with_capacity(clauses.len());
        let mut room = crate::MAX_QUERY_TERMS.saturating_sub(clauses.len());
        for (occur, node) in clauses {
            if let (
                Occur::Should,
                Node::Word {
                    text,
                    scope: Scope::Text,
                    span,
                },
            ) = (occur, node)
            {
                // Names (`Nagorno-Karabakh`, `U.S.-led`) and codes (`COVID-19`, `F-16`) stay
                // whole: only a compound of lowercase words is split. A plain word (no
                // separator) is not analysed here: `word` analyses it.
                let compound = text.contains(|c: char| !c.is_alphanumeric())
                    && !text.chars().any(|c| c.is_uppercase() || c.is_numeric());
                let tokens = if compound {
                    self.analyzer.exact(text)
                } else {
                    Vec::new()
                };
                if tokens.len() > 1 && tokens.len() - 1 <= room {
                    room -= tokens.len() - 1;
                    // The token offsets index the word as typed (the analyzer only looks).
                    let at = |offset: usize| span.start + offset.min(span.len());
                    out.extend(tokens.iter().map(|t| {
                        let word = Node::Word {
                            text: text.get(t.start..t.end).unwrap_or(&t.text).to_string(),
                            scope: Scope::Text,
                            span: at(t.start)..at(t.end),
                        };
                        (Occur::Should, word)
                    }));
                    continue;
                }
            }
            out.push((*occur, node.clone()));
        }
        out
    }

    /// Proximity (neighbouring words close together) and coverage (every word) clauses.
    fn ranking_clauses(
        &mut self,
        stems: &[Term],
        compiled: &mut Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)>,
    ) {
        let ranking = self.ranking;
        self.reranked |= ranking.proximity_weight > 0.0 || ranking.coverage_weight > 0.0;
        if ranking.proximity_weight > 0.0 {
            for pair in stems.windows(2) {
                // A phrase clause needs both words in one field (a kept stop word is in the
                // exact view).
                if pair[0] == pair[1] || pair[0].field() != pair[1].field() {
                    continue;
                }
                let phrase = PhraseQuery::new_with_offset_and_slop(
                    vec![(0, pair[0].clone()), (1, pair[1].clone())],
                    ranking.proximity_slop,
                );
                compiled.push((
                    tantivy::query::Occur::Should,
                    Box::new(BoostQuery::new(Box::new(phrase), ranking.proximity_weight)),
                ));
            }
        }
        if ranking.coverage_weight > 0.0 {
            let all: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>)> = stems
                .iter()
                .map(|t| {
                    let q: Box<dyn TantivyQuery> =
                        Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs));
                    (tantivy::query::Occur::Must, q)
                })
                .collect();
            compiled.push((
                tantivy::query::Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(BooleanQuery::new(all)),
                    ranking.coverage_weight,
                )),
            ));
        }
    }
}

/// Shared Levenshtein automaton builders (building one is costly), with transpositions
/// counting as one edit.
fn levenshtein(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let distance = distance.min(2);
    BUILDERS[distance as usize].get_or_init(|| LevenshteinAutomatonBuilder::new(distance, true))
}

/// A Levenshtein DFA as an automaton over the term dictionary.
struct DfaAutomaton<'a>(&'a DFA);

impl tantivy_fst::Automaton for DfaAutomaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// Adds every word of a term stream, with its document frequency, to `found`.
fn collect_terms<A>(
    mut stream: tantivy::termdict::TermStreamer<'_, A>,
    found: &mut HashMap<String, u64>,
) where
    A: tantivy_fst::Automaton,
    A::State: Clone,
{
    while stream.advance() {
        if let Ok(word) = std::str::from_utf8(stream.key()) {
            *found.entry(word.to_string()).or_default() += u64::from(stream.value().doc_freq);
        }
    }
}

/// The most frequent words first, at most [`MAX_EXPANSIONS`].
fn top_terms(found: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = found.into_iter().collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.truncate(MAX_EXPANSIONS);
    found
}

/// BM25's inverse document frequency.
fn idf(doc_freq: u64, docs: u64) -> f32 {
    let df = doc_freq as f32;
    (1.0 + (docs as f32 - df + 0.5) / (df + 0.5)).ln()
}
