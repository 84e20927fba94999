//! Compiling a parsed query against an index: analysis of every leaf, expansion of prefixes and
//! fuzzy words, the ranking clauses, filters; and the plan of what to highlight.
//!
//! Compiling is a function from the query's tree to a [`Compiled`] plan: every node gives a
//! [`Part`] (its tantivy query, and what it would highlight), and a group combines its
//! clauses' parts. What to highlight is derived from the parts, never gathered on the side: a
//! leaf always says what it would highlight, and an excluded clause turns its marks off.

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::OnceLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, ConstScoreQuery, PhraseQuery,
    Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::articles::Filter;
use super::highlight::{Highlighter, NearRule};
use super::names::Name;
use super::options::{Ranking, SearchOptions};
use super::query::{Node, Occur, Proximity, Scope, bare_words};
use super::restrict::{Boosted, DisMax, Either, Titled};
use crate::analysis::{AnalyzedToken, Analyzer, Language, Script, script_of};
use crate::index::Fields;
use crate::{Error, Query, QueryError, Result};

/// A prefix or fuzzy word expands to at most this many indexed words (the most frequent).
pub const MAX_EXPANSIONS: usize = 50;
/// A prefix needs at least this many characters.
pub const MIN_PREFIX_CHARS: usize = 2;
/// The weight of an entity term in the cheap query when the full query searches the names
/// ([`Ranking::entity_weight`] 0): the best weight measured for ranking by entity terms.
const RETRIEVAL_ENTITY_WEIGHT: f32 = 1.5;

/// A query ready for tantivy, with what to highlight.
pub(crate) struct Compiled {
    pub query: Box<dyn TantivyQuery>,
    pub highlighter: Highlighter,
    /// The alias expansions made, for `--explain` (`DPRK → North Korea | DPRK | …`).
    pub expansions: Vec<String>,
    /// Whether proximity or coverage clauses were added (they make a second phase worth it).
    pub reranked: bool,
    /// The words searched under other spellings (see [`super::correct`]).
    pub corrections: Vec<super::correct::Correction>,
    /// The query's words, phrases, prefixes and fuzzy words as typed, for `--explain` (empty
    /// without it).
    pub typed: Vec<String>,
}

type Clause = (tantivy::query::Occur, Box<dyn TantivyQuery>);

/// The query of an alias's name, and its words at their offsets (see [`Name`]).
type NameQuery = (Box<dyn TantivyQuery>, Vec<(usize, Term)>);

/// What one node gives.
#[derive(Default)]
pub(crate) struct Part {
    /// The query, if the node has searchable words.
    pub(crate) query: Option<Box<dyn TantivyQuery>>,
    /// A stop word: its exact-view query and highlight, used only if its group has nothing
    /// else.
    pub(crate) stop: Option<(Box<dyn TantivyQuery>, Highlighter)>,
    /// The single stemmed term of a bare word, for the proximity and coverage clauses.
    stem: Option<Term>,
    /// A bare word's title clause (or, in the cheap query, an alias's weak equivalents beside
    /// its entity term): what else the node matches. Kept apart so that a group of optional
    /// words stays a flat union of term queries, which block-max WAND can prune.
    title: Option<Box<dyn TantivyQuery>>,
    /// What the node highlights where it matches.
    marks: Highlighter,
    /// What the node would highlight if it were excluded once more (an exclusion inside an
    /// exclusion matches).
    excluded_marks: Highlighter,
    /// The alias expansions made.
    expansions: Vec<String>,
    /// Whether it has phrases, proximity or coverage clauses: a two-phase search pays off.
    reranked: bool,
}

impl Part {
    /// The rule of a proximity's part.
    pub(crate) fn near_rule(&self) -> Option<NearRule> {
        match self.marks.near.as_slice() {
            [rule] if self.marks.stems.is_empty() && self.marks.words.is_empty() => {
                Some(rule.clone())
            }
            _ => None,
        }
    }

    /// A part of just a query.
    fn of(query: Option<Box<dyn TantivyQuery>>) -> Part {
        Part {
            query,
            ..Part::default()
        }
    }

    /// The query and the title clause as one query (the word in the text or in the title).
    pub(crate) fn combined(&mut self) -> Option<Box<dyn TantivyQuery>> {
        match (self.query.take(), self.title.take()) {
            (Some(query), Some(title)) => Some(Box::new(BooleanQuery::new(vec![
                (tantivy::query::Occur::Should, query),
                (tantivy::query::Occur::Should, title),
            ]))),
            (query, _) => query,
        }
    }

    /// The part as an excluded clause: what it highlights is what it would once excluded.
    fn excluded(mut self) -> Part {
        std::mem::swap(&mut self.marks, &mut self.excluded_marks);
        self
    }

    /// Takes in the marks, expansions and ranking flag of a clause.
    fn absorb(&mut self, clause: &mut Part) {
        self.marks.extend(std::mem::take(&mut clause.marks));
        self.excluded_marks
            .extend(std::mem::take(&mut clause.excluded_marks));
        self.expansions.append(&mut clause.expansions);
        self.reranked |= clause.reranked;
    }
}

/// Compiles `query` on `searcher` (for its term dictionaries and statistics): the options'
/// filters and alias table apply, and inside quotations the text views are the quotation views.
pub(crate) fn compile(
    searcher: &Searcher,
    fields: &Fields,
    query: &Query,
    options: &SearchOptions,
    ranking: &Ranking,
    cheap: bool,
) -> Result<Compiled> {
    with_compiler(
        searcher,
        fields,
        query,
        options,
        ranking,
        cheap,
        false,
        |c| c.compile(options),
    )
}

/// Compiles `query` for article-level Boolean logic: the [`Filter`] that decides which
/// articles match (its Boolean structure over whole articles), and the passage query that
/// ranks and highlights their passages (every positive clause optional, exclusions left to
/// the filter).
pub(crate) fn compile_articles(
    searcher: &Searcher,
    fields: &Fields,
    query: &Query,
    options: &SearchOptions,
    ranking: &Ranking,
) -> Result<(Compiled, Filter)> {
    with_compiler(
        searcher,
        fields,
        query,
        options,
        ranking,
        false,
        false,
        |c| {
            let query = c.query;
            c.filtering = true;
            let filter = c.filter(query.root(), false)?;
            c.filtering = false;
            c.relaxed = true;
            Ok((c.compile(options)?, filter))
        },
    )
}

/// Whether `node` needs article-level logic: a clause that is required or excluded, or a
/// proximity, anywhere. (A union of words or phrases means the same over passages and over
/// articles: it stays on the passage path, which block-max WAND prunes.)
pub(crate) fn needs_articles(node: &Node) -> bool {
    match node {
        Node::Near { .. } => true,
        Node::Group(clauses) => clauses
            .iter()
            .any(|(occur, node)| *occur != Occur::Should || needs_articles(node)),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn with_compiler<T>(
    searcher: &Searcher,
    fields: &Fields,
    query: &Query,
    options: &SearchOptions,
    ranking: &Ranking,
    cheap: bool,
    relaxed: bool,
    run: impl FnOnce(&mut Compiler<'_>) -> Result<T>,
) -> Result<T> {
    let mut analyzer = crate::analysis::warm();
    let quoted = Fields {
        stem: fields.quote_stem,
        exact: fields.quote_exact,
        ..*fields
    };
    let aliases = options.use_aliases.then(|| {
        options
            .aliases
            .as_deref()
            .unwrap_or_else(|| crate::domain::Aliases::builtin())
    });
    let languages = match &options.lang {
        Some(_) => query_languages(searcher, fields, options)?,
        None => super::correct::languages(|| query_languages(searcher, fields, options))?,
    };
    let (corrected, corrections) = if options.exact {
        (None, Vec::new())
    } else {
        super::correct::correct(
            searcher,
            fields,
            query,
            aliases,
            &mut analyzer,
            &languages,
            options.quotes,
        )?
    };
    let typed = query;
    let query = corrected.as_ref().unwrap_or(query);
    let mut compiler = Compiler {
        corrections,
        long_group: false,
        cheap,
        relaxed,
        aliases,
        // The indexer recognised the built-in table's names in whole passages: a custom table,
        // or a search inside quotations, searches the names themselves.
        entities: options.aliases.is_none() && !options.quotes,
        filtering: false,
        negated: false,
        mentions: fields.mentions,
        fields: if options.quotes { &quoted } else { fields },
        searcher,
        analyzer: &mut analyzer,
        ranking,
        query,
        typed,
        languages,
        weights: HashMap::new(),
        written: HashMap::new(),
        index_fields: fields,
        statistics: std::cell::OnceCell::new(),
    };
    run(&mut compiler)
}

/// The languages a query's words are read in when they are corrected: those of
/// [`query_languages`].
pub(crate) fn correction_languages(
    searcher: &Searcher,
    fields: &Fields,
    options: &SearchOptions,
) -> Result<Vec<(Language, Vec<String>)>> {
    match &options.lang {
        Some(_) => query_languages(searcher, fields, options),
        None => super::correct::languages(|| query_languages(searcher, fields, options)),
    }
}

/// The languages a query is analysed in, each with the codes of the articles it analyses: the
/// one of `--lang`, else those of the index's articles (a language without its own analysis
/// is read as English).
fn query_languages(
    searcher: &Searcher,
    fields: &Fields,
    options: &SearchOptions,
) -> Result<Vec<(Language, Vec<String>)>> {
    if let Some(code) = &options.lang {
        return Ok(vec![(Language::analysing(Some(code)), vec![code.clone()])]);
    }
    let mut found: std::collections::BTreeMap<Language, Vec<String>> = Default::default();
    for reader in searcher.segment_readers() {
        let inverted = reader.inverted_index(fields.lang)?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(|e| Error::io("(index)", e))?;
        while terms.advance() {
            let Ok(code) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            let codes = found.entry(Language::analysing(Some(code))).or_default();
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_string());
            }
        }
    }
    if found.is_empty() {
        found.insert(Language::English, Vec::new());
    }
    Ok(found.into_iter().collect())
}

struct Compiler<'a> {
    /// The words of the query searched under other spellings.
    corrections: Vec<super::correct::Correction>,
    /// Set while compiling a group of three bare words or more (a question, a long query).
    long_group: bool,
    /// Compile the cheap query of a two-phase search: phrases as plain conjunctions of their
    /// words (the full query checks them).
    cheap: bool,
    /// Compile the passage query of an article-level search: required clauses optional,
    /// exclusions left out (the article filter applies them).
    relaxed: bool,
    /// The alias table to expand bare words with, if any.
    aliases: Option<&'a crate::domain::Aliases>,
    /// Whether the index's entity terms stand for the alias table's names (the built-in table,
    /// outside quotations): an alias of a country or organisation may then search its entity
    /// term instead of its names (see [`Compiler::entity_term`]).
    entities: bool,
    /// Set while compiling an article filter: which articles match, not how passages rank.
    filtering: bool,
    /// Whether the clause being compiled is excluded (an odd number of exclusions holds it).
    negated: bool,
    /// The field of the passages' entity mentions.
    mentions: Field,
    fields: &'a Fields,
    searcher: &'a Searcher,
    analyzer: &'a mut Analyzer,
    ranking: &'a Ranking,
    query: &'a Query,
    /// The query as typed, before any correction: what its languages are weighed on (a
    /// respelling is of the typed word's language: `crueldad`, searched as `cruel`, is
    /// Spanish by its ending, though English writes `cruel`).
    typed: &'a Query,
    /// The languages whose analysis a bare word gets: those of the index's articles (or the
    /// one asked for), English first (see [`Language::analysing`]), each with the article
    /// language codes it analyses.
    languages: Vec<(Language, Vec<String>)>,
    /// How likely the query is to be in each language, when several languages write the same
    /// script (see [`Compiler::weigh_languages`]).
    weights: HashMap<Language, f32>,
    /// For each bare word (its exact-view token) that some language's articles write as
    /// typed, how well each language writes it (see [`Compiler::written_in`]).
    written: HashMap<String, Vec<(Language, f32)>>,
    /// The index's fields as stored (not the quotation views), for [`Compiler::statistics`].
    index_fields: &'a Fields,
    /// The BM25 statistics that the search scores with, read on first use (`None` when they
    /// could not be read: tantivy's own counts then).
    statistics: std::cell::OnceCell<Option<crate::index::ScriptStatistics>>,
}

impl<'a> Compiler<'a> {
    /// The BM25 statistics that the search scores with (see
    /// [`crate::index::ScriptStatistics`]), read once.
    fn statistics(&self) -> Option<&crate::index::ScriptStatistics> {
        self.statistics
            .get_or_init(|| {
                crate::index::ScriptStatistics::new(self.searcher, self.index_fields).ok()
            })
            .as_ref()
    }

    /// Compiles the query and the options' filters.
    fn compile(&mut self, options: &SearchOptions) -> Result<Compiled> {
        self.weigh_languages()?;
        let mut part = self.node(self.query.root(), false)?;
        let main = match (part.combined(), part.stop.take()) {
            (Some(query), _) => query,
            (None, Some((query, marks))) => {
                part.marks.extend(marks);
                query
            }
            // Only exclusions: every passage of the articles the filter lets in.
            (None, None) if self.relaxed => Box::new(AllQuery),
            (None, None) => {
                return Err(self.error(0, "the query has no searchable words").into());
            }
        };
        let mut clauses: Vec<Clause> = vec![(tantivy::query::Occur::Must, main)];
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
            highlighter: part.marks,
            expansions: part.expansions,
            reranked: part.reranked,
            corrections: self.corrections.clone(),
            typed: {
                // Only `--explain` reads them.
                let mut typed = Vec::new();
                if options.explain {
                    collect_leaves(self.query.root(), &mut typed);
                }
                typed
            },
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
        if let Some(lang) = &options.lang {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_text(self.fields.lang, lang),
                IndexRecordOption::Basic,
            )));
        }
        for entity in &options.entities {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_text(self.fields.entities, entity),
                IndexRecordOption::Basic,
            )));
        }
        if let Some(seq) = options.after_seq {
            filters.push(Box::new(RangeQuery::new(
                Bound::Excluded(Term::from_field_u64(self.fields.seq, seq)),
                Bound::Unbounded,
            )));
        }
        if let Some(ids) = &options.ids {
            let terms = ids
                .iter()
                .map(|id| Term::from_field_text(self.fields.article_id, id));
            filters.push(Box::new(tantivy::query::TermSetQuery::new(terms)));
        }
        Ok(filters)
    }

    /// A node, `negated` if an odd number of exclusions holds it.
    fn node(&mut self, node: &Node, negated: bool) -> Result<Part> {
        self.negated = negated;
        match node {
            Node::Word { text, scope, span } => {
                if *scope == Scope::Text
                    && let Some((group, _)) = self.strong_alias(&[text.as_str()])
                {
                    return Ok(self.alias(group, text));
                }
                if let Some(words) = self.chinese_words(text, *scope) {
                    let clauses: Vec<(Occur, Node)> = words
                        .into_iter()
                        .map(|text| {
                            let word = Node::Word {
                                text,
                                scope: *scope,
                                span: 0..0,
                            };
                            (Occur::Should, word)
                        })
                        .collect();
                    return self.group(&clauses, negated);
                }
                let mut part = self.word(text, *scope);
                self.add_family(&mut part, span, *scope);
                Ok(part)
            }
            Node::Phrase { text, scope, span } => {
                let forms = self.corrections.iter().any(|c| {
                    c.kind == super::correct::CorrectionKind::WordForms && c.span == *span
                });
                Ok(self.phrase(text, *scope, negated, forms))
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
                Ok(self.expansion(field, terms, None, *scope))
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
                Ok(self.expansion(field, terms, Some(&word), *scope))
            }
            Node::Near {
                operands, within, ..
            } => self.near(operands, *within, negated),
            Node::Group(clauses) => self.group(clauses, negated),
        }
    }

    /// A proximity: the passages holding every operand (each a word without alias expansion,
    /// a phrase, a prefix or a fuzzy word, in the text), marked where they stand close enough.
    /// Which passages do is checked on their text by the [`NearRule`] (see
    /// [`Filter::Near`]).
    fn near(&mut self, operands: &[Node], within: Proximity, negated: bool) -> Result<Part> {
        let mut all: Vec<Clause> = Vec::new();
        let mut rule = NearRule {
            operands: Vec::new(),
            within,
        };
        let mut part = Part::default();
        for operand in operands {
            let mut compiled = match operand {
                Node::Word { text, .. } => self.word(text, Scope::Text),
                Node::Phrase { text, .. } => self.phrase(text, Scope::Text, true, false),
                other => self.node(other, negated)?,
            };
            let (query, marks) = match (compiled.query.take(), compiled.stop.take()) {
                (Some(query), _) => (query, std::mem::take(&mut compiled.marks)),
                (None, Some((query, marks))) => (query, marks),
                (None, None) => {
                    let at = match operand {
                        Node::Word { span, .. }
                        | Node::Phrase { span, .. }
                        | Node::Prefix { span, .. }
                        | Node::Fuzzy { span, .. } => span.start,
                        _ => 0,
                    };
                    return Err(self
                        .error(at, "this operand of `NEAR` has no searchable words")
                        .into());
                }
            };
            part.expansions.append(&mut compiled.expansions);
            all.push((tantivy::query::Occur::Must, query));
            rule.operands.push(marks);
        }
        part.query = Some(Box::new(BooleanQuery::new(all)));
        part.marks.near.push(rule);
        part.reranked = true;
        Ok(part)
    }

    /// The article filter of `node` (`negated` if an odd number of exclusions holds it): its
    /// Boolean structure, with the tantivy query of each leaf (or alias run) as compiled for
    /// the full query, in the text or the title.
    fn filter(&mut self, node: &Node, negated: bool) -> Result<Filter> {
        let Node::Group(clauses) = node else {
            let part = self.node(node, negated)?;
            return Ok(Filter::of(part));
        };
        let long_group = bare_words(clauses) >= 3;
        let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
        let mut at = 0;
        while at < clauses.len() {
            let (occur, child) = &clauses[at];
            let negated_here = negated ^ (*occur == Occur::MustNot);
            let filter = if matches!(child, Node::Group(_)) {
                at += 1;
                self.filter(child, negated_here)?
            } else {
                let (part, consumed) = self.clause(clauses, at, long_group, negated)?;
                at += consumed;
                Filter::of(part)
            };
            match occur {
                Occur::Must => must.push(filter),
                Occur::Should => should.push(filter),
                Occur::MustNot => must_not.push(filter),
            }
        }
        Ok(Filter::Group {
            must,
            should,
            must_not,
        })
    }

    /// A quoted phrase, exact; in the cheap query, the conjunction of its words (block-max
    /// WAND prunes that; the full query checks the phrase on the candidates). With `forms`
    /// (the index never holds it as written: see [`super::correct`]), the phrase in other word
    /// forms, through the stemmed view.
    fn phrase(&mut self, text: &str, scope: Scope, negated: bool, forms: bool) -> Part {
        let (field, stem_field) = self.views(scope);
        if forms && let Some(stem_field) = stem_field {
            return self.stemmed_phrase(text, stem_field, scope, negated);
        }
        let tokens = self.analyzer.exact(text);
        let mut part = Part::of(self.phrase_query(field, &tokens, negated));
        // A phrase reads the positions of every passage holding all its words: costly for
        // common words, worth a second phase.
        part.reranked = tokens.len() > 1;
        if scope == Scope::Text {
            part.marks.add_phrase(&tokens);
            if self.filtering && negated {
                // An excluded phrase is looked for in the titles too.
                let (title, _) = self.views(Scope::Title);
                if let Some(query) = self.sequence(title, &tokens)
                    && let Some(text) = part.query.take()
                {
                    let title = Titled {
                        query,
                        names: vec![Name {
                            terms: offsets(title, &tokens),
                            boost: 1.0,
                        }],
                    };
                    part.query = Some(Box::new(Either::new(vec![text, Box::new(title)])));
                }
            }
        }
        part
    }

    /// A quoted phrase through the stemmed view: in each language of the index that writes
    /// it, its stems at the positions its words take (a stop word leaves its gap, as in the
    /// index), any of the languages' readings.
    fn stemmed_phrase(&mut self, text: &str, field: Field, scope: Scope, negated: bool) -> Part {
        let mut readings: Vec<Vec<AnalyzedToken>> = Vec::new();
        for language in self.languages_of(text) {
            let mut tokens = self.analyzer.stemmed_as_typed_in(language, text);
            if let Some(first) = tokens.first().map(|t| t.position) {
                tokens.iter_mut().for_each(|t| t.position -= first);
            }
            let same = |other: &Vec<AnalyzedToken>| {
                other.len() == tokens.len()
                    && other
                        .iter()
                        .zip(&tokens)
                        .all(|(a, b)| a.text == b.text && a.position == b.position)
            };
            if !tokens.is_empty() && !readings.iter().any(same) {
                readings.push(tokens);
            }
        }
        let mut part = Part::default();
        let mut any: Vec<Clause> = Vec::new();
        for tokens in &readings {
            if let Some(query) = self.phrase_query(field, tokens, negated) {
                any.push((tantivy::query::Occur::Should, query));
            }
            part.reranked |= tokens.len() > 1;
            if scope == Scope::Text {
                part.marks.add_stem_phrase(tokens);
            }
        }
        part.query = match any.len() {
            0 => None,
            1 => any.pop().map(|(_, query)| query),
            _ => Some(Box::new(BooleanQuery::new(any))),
        };
        part
    }

    /// The query of a phrase's `tokens` in `field`; in the cheap query the conjunction of its
    /// words, unless it is excluded (then it stays a phrase, so the cheap query never misses).
    fn phrase_query(
        &self,
        field: Field,
        tokens: &[AnalyzedToken],
        negated: bool,
    ) -> Option<Box<dyn TantivyQuery>> {
        if tokens.len() > 1 && self.cheap && !negated {
            let all: Vec<Clause> = tokens
                .iter()
                .map(|t| {
                    let term = Term::from_field_text(field, &t.text);
                    (tantivy::query::Occur::Must, term_query(term))
                })
                .collect();
            Some(Box::new(BooleanQuery::new(all)))
        } else {
            self.sequence(field, tokens)
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

    /// A bare word: through the stemmed view (or the exact one without stemming), with its
    /// title clause; a compound as a phrase; a stop word only if its group has nothing else.
    fn word(&mut self, text: &str, scope: Scope) -> Part {
        let (exact_field, stem_field) = self.views(scope);
        let exact = self.analyzer.exact(text);
        if exact.is_empty() {
            return Part::default();
        }
        let text_scope = scope == Scope::Text;
        let Some(stem_field) = stem_field else {
            return Part::of(self.sequence(exact_field, &exact));
        };
        let languages = self.languages_of(text);
        let mut uncovered = Vec::new();
        let stems = match one_chinese_word(text, exact.len(), &languages) {
            Some(word) => {
                // A word the corrector found in no passage (not excluded, not a proximity's
                // operand, not `--exact`): by its characters.
                if self.by_characters(&word) {
                    return self.chinese_characters(exact_field, &exact, text_scope);
                }
                uncovered = self.uncovered_parts(&word);
                self.chinese_stems(word)
            }
            None if exact.len() > 1 => {
                return match self.joined(text) {
                    Some(joined) => self.hyphenated(&joined, &exact, scope),
                    None => self.compound(exact_field, &exact, text_scope),
                };
            }
            None => self.stems(text, &languages),
        };
        let word = &exact[0].text;
        let is_stop_word = stems.all.is_empty()
            || (self.long_group
                && self.ranking.query_stop_words
                && crate::analysis::is_query_stop_word(word));
        if is_stop_word && !self.ranking.stop_words {
            return stop_word(exact_field, word, text_scope);
        }
        // A Chinese word is a word of the segmented view, stemming or not.
        let segmented = exact.len() > 1;
        let fields = (exact_field, stem_field);
        let mut part = self.stemmed_word(word, &stems, fields, segmented, text_scope);
        if !uncovered.is_empty() {
            // The parts no passage holds as words, by their characters: readings of the one
            // word beside its held words (the best counts, and a little of the others).
            let mut readings: Vec<Box<dyn TantivyQuery>> = part.query.take().into_iter().collect();
            for run in uncovered {
                let characters = self.analyzer.exact(&run);
                let by_characters = self.chinese_characters(exact_field, &characters, text_scope);
                readings.extend(by_characters.query);
                part.marks.extend(by_characters.marks);
            }
            part.query = Some(disjunction(readings, None));
        }
        part
    }

    /// Adds to a bare word's `part` the stems of its family, if it was corrected so (see
    /// [`super::correct`]): each in the articles of its language, weighted
    /// [`FAMILY_WEIGHT`] when the word matches too (an exact stem match counts more), as the
    /// word itself when it matches nothing (the family is then all there is of it, as a
    /// respelling would be), except the stems of an Arabic word's root, looser kin, always at
    /// [`FAMILY_WEIGHT`]; highlighted where they match.
    fn add_family(&self, part: &mut Part, span: &std::ops::Range<usize>, scope: Scope) {
        let Some(correction) = self
            .corrections
            .iter()
            .find(|c| c.kind == super::correct::CorrectionKind::WordFamily && c.span == *span)
        else {
            return;
        };
        let (_, Some(stem_field)) = self.views(scope) else {
            return;
        };
        let mut languages: Vec<Language> = correction.family.iter().map(|(l, _)| *l).collect();
        languages.sort();
        languages.dedup();
        let mut clauses: Vec<Box<dyn TantivyQuery>> = Vec::new();
        for language in languages {
            // Those that begin as the word does, then those of its root (looser kin, always
            // at the family's lesser weight).
            for by_root in [false, true] {
                let terms: Vec<Box<dyn TantivyQuery>> = correction
                    .family
                    .iter()
                    .filter(|(l, stem)| {
                        *l == language && correction.by_root.contains(stem) == by_root
                    })
                    .map(|(_, stem)| term_query(Term::from_field_text(stem_field, stem)))
                    .collect();
                if terms.is_empty() {
                    continue;
                }
                let query = if self.languages.len() > 1 {
                    Box::new(BooleanQuery::new(vec![
                        (tantivy::query::Occur::Must, any(terms)),
                        (tantivy::query::Occur::Must, self.language_filter(language)),
                    ]))
                } else {
                    any(terms)
                };
                // Standing alone, as the word's own reading in that language weighs.
                let weight = if correction.kept || by_root {
                    FAMILY_WEIGHT
                } else {
                    self.weight(language)
                };
                clauses.push(Box::new(Boosted::new(query, weight)));
            }
        }
        if scope == Scope::Text {
            part.marks
                .stems
                .extend(correction.family.iter().map(|(_, s)| s.clone()));
        }
        if let Some(query) = part.query.take() {
            clauses.insert(0, query);
        }
        // Readings of one word: the best counts (and a little of the others).
        part.query = Some(disjunction(clauses, None));
    }

    /// The joined word of `text` when it is one hyphenated compound of letters
    /// (`co-operation`: `cooperation`; see [`crate::analysis::HyphenJoinFilter`]).
    fn joined(&mut self, text: &str) -> Option<String> {
        let tokens = self.analyzer.exact_joined(text);
        let last = tokens.last()?.end;
        (0..tokens.len())
            .find(|&at| crate::analysis::is_joined(&tokens, at))
            .map(|at| &tokens[at])
            .filter(|t| t.start == tokens[0].start && t.end == last)
            .map(|t| t.text.clone())
    }

    /// A hyphenated compound (`co-operation`): its parts joined as one bare word, which the
    /// index holds for the compound written either way (`cooperation`, and inflected:
    /// `cooperating`), or its parts standing together (`co operation`); the better of the two.
    fn hyphenated(&mut self, joined: &str, parts: &[AnalyzedToken], scope: Scope) -> Part {
        let (exact_field, _) = self.views(scope);
        let mut part = self.word(joined, scope);
        let together = self.compound(exact_field, parts, scope == Scope::Text);
        // Two spellings of one word: the better match counts (and a little of the other).
        part.query = match (part.query.take(), together.query) {
            (Some(one), Some(other)) => Some(disjunction(vec![one, other], None)),
            (one, other) => one.or(other),
        };
        part.marks.extend(together.marks);
        part.reranked |= together.reranked;
        part
    }

    /// A word of several exact-view words (`Kursk-region`, `U.S.-led`): the words must stand
    /// together.
    fn compound(&self, field: Field, exact: &[AnalyzedToken], text_scope: bool) -> Part {
        let mut part = Part::of(self.sequence(field, exact));
        if text_scope {
            part.marks.add_phrase(exact);
        }
        part
    }

    /// Whether the corrector found that no passage holds the Chinese `word` as a word, so
    /// that it is searched by its characters (see [`super::correct::CorrectionKind::Characters`]).
    fn by_characters(&self, word: &str) -> bool {
        !self.negated
            && self.corrections.iter().any(|c| {
                c.kind == super::correct::CorrectionKind::Characters
                    && c.family.iter().any(|(_, missing)| missing == word)
            })
    }

    /// The parts of the Chinese `word` that the corrector found no passage holds as words,
    /// while it holds others of its words (`婚生` of `婚生子女`, where the text writes `子女`
    /// elsewhere): each is searched by its characters too.
    fn uncovered_parts(&self, word: &str) -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        if self.negated {
            return parts;
        }
        let found = self
            .corrections
            .iter()
            .filter(|c| c.kind == super::correct::CorrectionKind::Characters)
            .flat_map(|c| &c.parts)
            .filter(|(of, _)| of == word);
        for (_, part) in found {
            if !parts.contains(part) {
                parts.push(part.clone());
            }
        }
        parts
    }

    /// A Chinese word that no passage holds as a word (`寡妇`, where the text writes `守寡`;
    /// `普选`, where it writes `普遍` and `选举`), searched by its characters, as the exact
    /// view reads Chinese: passages holding more of them, and rarer ones, first (BM25 sums
    /// them, and a passage holding every one gains the coverage weight of a query's words,
    /// so that a long passage with all of `残疾人`'s characters passes a short one with two),
    /// those holding them in the word's order before all.
    fn chinese_characters(&self, field: Field, exact: &[AnalyzedToken], text_scope: bool) -> Part {
        let mut characters: Vec<&str> = exact.iter().map(|t| t.text.as_str()).collect();
        characters.sort_unstable();
        characters.dedup();
        // A character is part of the word, not a whole query word: each of n weighs 1/√n
        // of one (a passage holding one of two counts as 0.71 of the word found, all of
        // them as √n). 1/n, all of them as one word, won one more query of the UDHR sets
        // and lost two more (EVALUATION.md, round 17).
        let share = 1.0 / (characters.len() as tantivy::Score).sqrt();
        let mut clauses: Vec<Box<dyn TantivyQuery>> = characters
            .iter()
            .map(|c| -> Box<dyn TantivyQuery> {
                let term = term_query(Term::from_field_text(field, c));
                if characters.len() > 1 {
                    Box::new(Boosted::new(term, share))
                } else {
                    term
                }
            })
            .collect();
        if characters.len() >= 2 && self.ranking.coverage_weight > 0.0 {
            let all: Vec<Clause> = characters
                .iter()
                .map(|c| {
                    let term = term_query(Term::from_field_text(field, c));
                    (tantivy::query::Occur::Must, term)
                })
                .collect();
            clauses.push(Box::new(Boosted::new(
                Box::new(BooleanQuery::new(all)),
                self.ranking.coverage_weight,
            )));
        }
        clauses.extend(self.sequence(field, exact));
        let mut part = Part::of(Some(any(clauses)));
        if text_scope {
            part.marks
                .words
                .extend(characters.iter().map(|c| (*c).to_string()));
        }
        part
    }

    /// The stems of a Chinese word: the word and the dictionary words inside it (`婚姻家庭`:
    /// `婚姻`, `家庭`), as the index reads Chinese.
    fn chinese_stems(&mut self, word: String) -> Stems {
        let mut stems = Stems::default();
        for part in self.analyzer.stemmed_in(Language::Chinese, &word) {
            stems.add(&part.text);
        }
        if stems.all.is_empty() {
            stems.all.push(word);
        }
        stems
    }

    /// The word's stem in each of `languages` (those of the index that write its script).
    fn stems(&mut self, text: &str, languages: &[Language]) -> Stems {
        let mut stems = Stems::default();
        for &language in languages {
            if let Some(stem) = self.analyzer.stemmed_in(language, text).into_iter().next() {
                stems.add(&stem.text);
                stems.by_language.push((language, stem.text));
            }
        }
        stems
    }

    /// A word that is no stop word (or a kept one), through the stemmed view, or the exact one
    /// without stemming: its query, title clause, highlight and proximity term.
    fn stemmed_word(
        &self,
        word: &str,
        stems: &Stems,
        (exact_field, stem_field): (Field, Field),
        segmented: bool,
        text_scope: bool,
    ) -> Part {
        let mut part = Part::default();
        let terms: Vec<Term> = if !stems.all.is_empty() && (self.ranking.stemming || segmented) {
            part.marks.stems.extend(stems.all.iter().cloned());
            stems
                .all
                .iter()
                .map(|stem| Term::from_field_text(stem_field, stem))
                .collect()
        } else {
            part.marks.words.insert(word.to_string());
            vec![Term::from_field_text(exact_field, word)]
        };
        if !text_scope {
            part.marks = Highlighter::default();
        }
        // Several languages: each stem counts in the articles of its language, weighted by
        // how likely the query is to be in it (`tortur` is English, French and Spanish).
        let weighted = (stems.by_language.len() > 1
            && terms.iter().all(|t| t.field() == stem_field)
            && !segmented
            && stems
                .by_language
                .iter()
                .any(|(l, _)| self.weight(*l) != 1.0))
        .then_some(stems.by_language.as_slice());
        part.query = Some(match weighted {
            Some(by_language) => self.weighted_stems(word, by_language, stem_field),
            None => any(terms.iter().map(|term| term_query(term.clone())).collect()),
        });
        if text_scope && self.ranking.title_weight > 0.0 {
            let titles = terms.iter().map(|t| self.title_clause(t, stem_field));
            part.title = Some(any(titles.collect()));
        }
        // A stop word of the languages the query is likeliest in (`or` of `groups or
        // persons`, a word in French) has no place in the proximity and coverage clauses:
        // its stem in another language would ask every passage for a word it cannot hold.
        if text_scope && !self.stop_word_of_query(word, stems) {
            part.stem = self.proximity_term(terms, weighted, stem_field);
        }
        part
    }

    /// Whether none of the languages the query is likeliest in (the highest weight, when the
    /// languages of the Latin script were weighed) stems a word of that script: a stop word
    /// in them. A word of another script is not theirs to judge.
    fn stop_word_of_query(&self, word: &str, stems: &Stems) -> bool {
        /// Weights this close are one weight (they are sums of shares).
        const TIE: f32 = 1e-4;
        if script_of(word) != Script::Latin {
            return false;
        }
        let Some(top) = self.weights.values().copied().reduce(f32::max) else {
            return false;
        };
        if self.weights.values().all(|&w| w >= top - TIE) {
            return false;
        }
        !self
            .weights
            .iter()
            .filter(|(_, w)| **w >= top - TIE)
            .any(|(language, _)| stems.by_language.iter().any(|(l, _)| l == language))
    }

    /// Each stem in the articles of its language, boosted by the weight of the language.
    fn weighted_stems(
        &self,
        word: &str,
        by_language: &[(Language, String)],
        stem_field: Field,
    ) -> Box<dyn TantivyQuery> {
        any(by_language
            .iter()
            .map(|(language, stem)| {
                let term = Term::from_field_text(stem_field, stem);
                let query: Box<dyn TantivyQuery> = Box::new(BooleanQuery::new(vec![
                    (tantivy::query::Occur::Must, term_query(term)),
                    (tantivy::query::Occur::Must, self.language_filter(*language)),
                ]));
                let weight = self.weight(*language) * self.written_factor(word, *language);
                Box::new(Boosted::new(query, weight)) as Box<dyn TantivyQuery>
            })
            .collect())
    }

    /// The term that proximity and coverage take for a word of several `terms`: the word in
    /// the likeliest language (when `weighted` gives its stem by language), else in the one
    /// where it is most frequent.
    fn proximity_term(
        &self,
        terms: Vec<Term>,
        weighted: Option<&[(Language, String)]>,
        stem_field: Field,
    ) -> Option<Term> {
        if terms.len() == 1 {
            return terms.into_iter().next();
        }
        match weighted {
            Some(by_language) => by_language
                .iter()
                .max_by(|a, b| self.weight(a.0).total_cmp(&self.weight(b.0)))
                .map(|(_, stem)| Term::from_field_text(stem_field, stem)),
            None => terms
                .into_iter()
                .max_by_key(|term| self.searcher.doc_freq(term).unwrap_or(0)),
        }
    }

    /// How much a language's reading of `word` counts beside its others: 1, unless another
    /// language's articles write the word as typed and this one's do not: then a half, and
    /// three quarters when they write it one edit away (`contra` is written in the Spanish
    /// articles; read as French, it is the stem of `contre`).
    fn written_factor(&self, word: &str, language: Language) -> f32 {
        let Some(by_language) = self.written.get(word) else {
            return 1.0;
        };
        let own = by_language
            .iter()
            .find(|(l, _)| *l == language)
            .map_or(1.0, |(_, f)| *f);
        0.5 + 0.5 * own.min(1.0)
    }

    /// Is this language among the index's (or the one asked for)?
    fn has(&self, language: Language) -> bool {
        self.languages.iter().any(|(l, _)| *l == language)
    }

    /// The weight of a language's reading of the query words (1 when unknown).
    fn weight(&self, language: Language) -> f32 {
        self.weights.get(&language).copied().unwrap_or(1.0)
    }

    /// Only the articles that a language analyses.
    fn language_filter(&self, language: Language) -> Box<dyn TantivyQuery> {
        let passages = super::correct::passages_in(self.fields, &self.languages, language);
        Box::new(ConstScoreQuery::new(Box::new(passages), 0.0))
    }

    /// When languages of the index share a script, how likely the query (as typed, before any
    /// correction) is to be in each: 1,
    /// plus the share of its bare words that articles in the language write as typed
    /// (`asilo` is in the Spanish articles), or half of that for a word one edit from one of
    /// theirs (`esclave` beside the French `esclaves`, an inflection away), plus half the
    /// detector's confidence for the language it reads the words in. A word that no language
    /// writes, nor one edit away, is judged by its ending instead: half a word, shared among
    /// the languages by how often their articles write words that end alike (see
    /// [`Compiler::ending_shares`]; `nationalities` ends like the English `activities`).
    /// A word that a language's alphabet cannot write (`torturé` in English) earns that
    /// language nothing, and a query none of whose words it can write is weighed at half (see
    /// [`Language::spells`]). An index in one language, or a query in a script of one
    /// language, weighs nothing. Each word's evidence is kept too, for the words that some
    /// language writes as typed (see [`Compiler::written_factor`]).
    fn weigh_languages(&mut self) -> Result<()> {
        let mut words = Vec::new();
        collect_bare_words(self.typed.root(), &mut words);
        let latin: Vec<Language> = self
            .languages
            .iter()
            .map(|(l, _)| *l)
            .filter(|l| l.script() == Script::Latin)
            .collect();
        let latin_words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| script_of(w) == Script::Latin)
            .collect();
        if latin.len() < 2 || latin_words.is_empty() {
            return Ok(());
        }
        let spelling: Vec<Language> = latin
            .iter()
            .copied()
            .filter(|l| latin_words.iter().all(|w| l.spells(w)))
            .collect();
        let detected = crate::analysis::detect_among(&latin_words.join(" "), &spelling);
        // Each word's evidence for each language (in the order of `latin`).
        let mut written = vec![0.0f32; latin.len()];
        for word in &latin_words {
            let exact = self.analyzer.exact(word);
            let [token] = exact.as_slice() else {
                continue;
            };
            let token = token.text.clone();
            let mut found = Vec::with_capacity(latin.len());
            for &language in &latin {
                found.push(if language.spells(word) {
                    self.written_in(&token, language)?
                } else {
                    0.0
                });
            }
            if found.iter().all(|&f| f == 0.0) {
                let spelt: Vec<Language> =
                    latin.iter().copied().filter(|l| l.spells(word)).collect();
                for (language, share) in self.ending_shares(&token, &spelt)? {
                    let at = latin
                        .iter()
                        .position(|l| *l == language)
                        .expect("a language");
                    found[at] = 0.5 * share;
                }
            }
            if found.iter().any(|&f| f >= 1.0) {
                let by_language = latin.iter().copied().zip(found.iter().copied()).collect();
                self.written.insert(token.clone(), by_language);
            }
            for (total, found) in written.iter_mut().zip(found) {
                *total += found;
            }
        }
        for (at, language) in latin.into_iter().enumerate() {
            let spelt = latin_words.iter().any(|w| language.spells(w));
            let mut weight = if spelt {
                1.0 + written[at] / latin_words.len() as f32
            } else {
                0.5
            };
            if let Some((found, confidence)) = detected
                && found == language
            {
                weight += 0.5 * confidence as f32;
            }
            self.weights.insert(language, weight);
        }
        Ok(())
    }

    /// How well `language`'s articles write an exact-view word: 1 as typed, a half one edit
    /// away (words of [`NEAR_FORM_MIN_CHARS`] or more), else nothing.
    fn written_in(&self, word: &str, language: Language) -> Result<f32> {
        let term = Term::from_field_text(self.fields.exact, word);
        let in_language = |query: Box<dyn TantivyQuery>| {
            BooleanQuery::new(vec![
                (tantivy::query::Occur::Must, query),
                (tantivy::query::Occur::Must, self.language_filter(language)),
            ])
        };
        let count = |query: &BooleanQuery| -> Result<usize> {
            Ok(self.searcher.search(query, &tantivy::collector::Count)?)
        };
        if count(&in_language(term_query(term.clone())))? > 0 {
            return Ok(1.0);
        }
        let near = word.chars().count() >= NEAR_FORM_MIN_CHARS
            && count(&in_language(Box::new(tantivy::query::FuzzyTermQuery::new(
                term, 1, true,
            ))))?
                > 0;
        Ok(if near { 0.5 } else { 0.0 })
    }

    /// How likely each of `languages` is to write an exact-view word that none of them
    /// writes, judged by its ending, the part of a word that inflection changes: the longest
    /// ending (of [`ENDING_CHARS`] letters, the longest first, leaving at least
    /// [`ENDING_MIN_STEM`] before it) that some words of the index end with; each language
    /// gets the rate of its passages that hold such a word, as a share of the languages'
    /// rates. Nothing when no ending is found.
    fn ending_shares(&self, word: &str, languages: &[Language]) -> Result<Vec<(Language, f32)>> {
        let chars: Vec<char> = word.chars().collect();
        for &length in ENDING_CHARS {
            if chars.len() < length + ENDING_MIN_STEM {
                continue;
            }
            let ending: String = chars[chars.len() - length..].iter().collect();
            if !ending.chars().all(char::is_alphabetic) {
                return Ok(Vec::new());
            }
            let terms = self.words_ending(&ending)?;
            if terms.is_empty() {
                continue;
            }
            let mut rates = Vec::with_capacity(languages.len());
            for &language in languages {
                let in_language = |query: Box<dyn TantivyQuery>| {
                    BooleanQuery::new(vec![
                        (tantivy::query::Occur::Must, query),
                        (tantivy::query::Occur::Must, self.language_filter(language)),
                    ])
                };
                let count = |query: Box<dyn TantivyQuery>| -> Result<usize> {
                    Ok(self
                        .searcher
                        .search(&in_language(query), &tantivy::collector::Count)?)
                };
                let passages = count(Box::new(AllQuery))?;
                let hits = count(Box::new(tantivy::query::TermSetQuery::new(terms.clone())))?;
                let rate = if passages == 0 {
                    0.0
                } else {
                    hits as f32 / passages as f32
                };
                rates.push((language, rate));
            }
            let total: f32 = rates.iter().map(|r| r.1).sum();
            if total > 0.0 {
                return Ok(rates.into_iter().map(|(l, r)| (l, r / total)).collect());
            }
        }
        Ok(Vec::new())
    }

    /// The exact-view words of the index that end with `ending` (at most
    /// [`MAX_ENDING_WORDS`]).
    fn words_ending(&self, ending: &str) -> Result<Vec<Term>> {
        let field = self.fields.exact;
        let automaton = tantivy_fst::Regex::new(&format!(".*{ending}"))
            .map_err(|e| Error::io("(index)", std::io::Error::other(e.to_string())))?;
        let mut terms = Vec::new();
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .search(&automaton)
                .into_stream()
                .map_err(|e| Error::io("(index)", e))?;
            while stream.advance() && terms.len() < MAX_ENDING_WORDS {
                terms.push(Term::from_field_bytes(field, stream.key()));
            }
        }
        Ok(terms)
    }

    /// The languages of the index whose analysis a word in this script gets: the ones written
    /// in it, and English, the analysis of languages without their own; digits and symbols
    /// read alike in every language.
    fn languages_of(&self, word: &str) -> Vec<Language> {
        let script = script_of(word);
        let found: Vec<Language> = self
            .languages
            .iter()
            .map(|(l, _)| *l)
            .filter(|l| {
                script == Script::Neutral || *l == Language::English || l.script() == script
            })
            .collect();
        if found.is_empty() {
            vec![Language::English]
        } else {
            found
        }
    }

    /// A bare Chinese word of several dictionary words (`言论自由` → `言论`, `自由`), when the
    /// index has Chinese: its words, to be searched as the optional words of a group.
    fn chinese_words(&self, text: &str, scope: Scope) -> Option<Vec<String>> {
        if scope == Scope::Source || !self.has(Language::Chinese) || script_of(text) != Script::Han
        {
            return None;
        }
        let words = crate::analysis::chinese_segment(text);
        (words.len() > 1).then_some(words)
    }

    /// The title clause of a text word's `term`: the word in the title also counts, for every
    /// passage of the article.
    fn title_clause(&self, term: &Term, stem_field: Field) -> Box<dyn TantivyQuery> {
        let (title_exact, title_stem) = self.views(Scope::Title);
        let title_field = if term.field() == stem_field {
            title_stem.unwrap_or(title_exact)
        } else {
            title_exact
        };
        let title_term = Term::from_field_text(title_field, term.value().as_str().unwrap_or(""));
        Box::new(Boosted::new(
            term_query(title_term),
            self.ranking.title_weight,
        ))
    }

    /// The longest strong alias (a name or code, not a weak equivalent) that `words` begin
    /// with: its group and how many words it took.
    fn strong_alias(&mut self, words: &[&str]) -> Option<(&'a crate::domain::AliasGroup, usize)> {
        let aliases = self.aliases?;
        let found = aliases.find_with(self.analyzer, words)?;
        let group = aliases.group_at(found.group)?;
        (found.strength == crate::domain::Strength::Strong).then_some((group, found.words))
    }

    /// The longest alias that the bare words starting at `at` spell, all with the same
    /// occurrence: its expansion and how many words it took.
    fn alias_run(&mut self, clauses: &[(Occur, Node)], at: usize) -> Option<(Part, usize)> {
        self.aliases?;
        let occur = clauses[at].0;
        let words: Vec<&str> = clauses[at..]
            .iter()
            .map_while(|(o, n)| match n {
                Node::Word {
                    text,
                    scope: Scope::Text,
                    ..
                } if *o == occur => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if words.is_empty() {
            return None;
        }
        let (group, taken) = self.strong_alias(&words)?;
        let matched = words[..taken].join(" ");
        Some((self.alias(group, &matched), taken))
    }

    /// An alias's expansion: any of the group's names (a name of several words as an exact
    /// phrase) or codes, and its weak equivalents at half weight, as are the names written in
    /// another script than the typed one (translations, see [`OTHER_SCRIPT_WEIGHT`]). A country or organisation
    /// searches, instead of its names and codes, the one term of the passages that the indexer
    /// found naming it (`mentions:country:PRK`, see [`EntityQuery`](super::mentions::EntityQuery)):
    /// one posting list instead of a phrase per name. Every name is still highlighted.
    fn alias(&mut self, group: &crate::domain::AliasGroup, matched: &str) -> Part {
        let mut part = Part::default();
        // The names' queries, and what each is (for scoring them at given passages).
        let (mut variants, mut names): (Vec<Box<dyn TantivyQuery>>, Vec<Name>) = (vec![], vec![]);
        let (mut seen, mut shown) = (std::collections::HashSet::new(), Vec::new());
        let typed = self.analyzer.exact(matched).len().max(1);
        let typed_script = script_of(matched);
        let entity = self.entity_term(group).map(|term| {
            shown.push(term.value().as_str().unwrap_or_default().to_string());
            self.entity_query(term, typed)
        });
        let strong = group.names.iter().chain(&group.codes).map(|n| (n, 1.0));
        let weak = group.weak.iter().map(|n| (n, 0.5));
        for (name, weight) in strong.chain(weak) {
            let tokens = self.analyzer.name(name, false);
            let key: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
            // The index is lower case: a code that is also an English word ("US" and "us")
            // would find the word, so it is recognised in the query but not searched for.
            let word_like = key.len() == 1 && matches!(key[0], "us");
            if tokens.is_empty() || word_like || !seen.insert(key.join(" ")) {
                continue;
            }
            let strong = weight >= 1.0;
            // The cheap query searches a strong name's entity term instead, and highlights
            // nothing.
            if self.cheap && strong && entity.is_some() {
                continue;
            }
            shown.push(if weight < 1.0 {
                format!("{name} (weak)")
            } else {
                name.clone()
            });
            let Some((query, terms)) = self.alias_name(name, &tokens, &mut part.marks) else {
                continue;
            };
            // Each name weighs what the words the user typed would: a long name is not worth
            // more than a short one. A name in another script than the typed one is a
            // translation: it is found, after the statements written as the reader wrote.
            let translated = other_script_than(typed_script, name);
            let weight = weight * typed as f32 / tokens.len() as f32
                * if translated { OTHER_SCRIPT_WEIGHT } else { 1.0 };
            let (query, boost) = if (weight - 1.0).abs() > f32::EPSILON {
                (
                    Box::new(Boosted::new(query, weight)) as Box<dyn TantivyQuery>,
                    weight,
                )
            } else {
                (query, 1.0)
            };
            // A strong name is what the indexer recognised as the entity: its term finds it.
            if !(strong && entity.is_some()) {
                variants.push(query);
                names.push(Name { terms, boost });
            }
        }
        part.expansions = vec![format!("{matched} → {}", shown.join(" | "))];
        if self.cheap
            && let Some(entity) = entity
        {
            // Candidates: the entity term and the weak equivalents side by side (their sum
            // ranks candidates), flat in a group of optional words.
            part.query = Some(entity);
            part.title = match variants.len() {
                0 => None,
                1 => variants.pop(),
                _ => Some(Box::new(DisMax::new(variants, 0.1))),
            };
            return part;
        }
        let only_names = entity.is_none();
        variants.splice(0..0, entity);
        let query = disjunction(variants, only_names.then_some(names));
        // An excluded name is looked for in the titles too: `NOT Russia` leaves out the article
        // titled "… Russian Federation" whose passages never name it.
        let title = (self.filtering && self.negated)
            .then(|| self.title_names(group))
            .flatten();
        part.query = Some(match title {
            Some(title) => Box::new(Either::new(vec![query, Box::new(title)])),
            None => query,
        });
        part
    }

    /// The entity term of an alias group (`country:PRK` in the `mentions` field), if it has one
    /// and this query uses it. The passages holding it are those where the indexer found one of
    /// the group's names, so it stands for the names wherever only *which* passages match
    /// counts: in an article filter, and in the cheap query that finds the candidates (one
    /// posting list that block-max WAND prunes, instead of a phrase per name). The full query,
    /// which ranks the candidates' passages, searches the names themselves unless
    /// [`Ranking::entity_weight`] asks for the entity term.
    fn entity_term(&self, group: &crate::domain::AliasGroup) -> Option<Term> {
        let wanted = self.filtering || self.cheap || self.ranking.entity_weight > 0.0;
        if !self.entities || !wanted {
            return None;
        }
        let facet = crate::domain::Facet::of_group(group)?;
        Some(Term::from_field_text(self.mentions, &facet.to_string()))
    }

    /// The query of an entity `term` for an alias of `typed` words.
    fn entity_query(&self, term: Term, typed: usize) -> Box<dyn TantivyQuery> {
        // An entity mention weighs what the words the user typed would, as a name does. Where
        // the entity term only finds candidates (the ranking searches the names), it weighs
        // what it weighs when it ranks.
        let weight = match self.ranking.entity_weight {
            w if w > 0.0 => w,
            _ => RETRIEVAL_ENTITY_WEIGHT,
        } * typed as f32;
        let query: Box<dyn TantivyQuery> = if self.cheap {
            // The cheap query's candidates: a plain term (no norms to read), which block-max
            // WAND prunes among the query's other words.
            term_query(term)
        } else {
            Box::new(super::mentions::EntityQuery {
                term,
                norms: self.fields.exact,
            })
        };
        Box::new(Boosted::new(query, weight))
    }

    /// For an article filter: any of an alias group's names (strong or weak) in the title, a
    /// name of several words as an exact phrase, one word as the text's names are searched
    /// (stemmed in an index of English alone). Names no title holds are left out; `None` when
    /// none is left.
    fn title_names(&mut self, group: &crate::domain::AliasGroup) -> Option<Titled> {
        let (exact, stem) = self.views(Scope::Title);
        let english_only = self.english_only();
        let mut seen = std::collections::HashSet::new();
        let mut found: Vec<Box<dyn TantivyQuery>> = Vec::new();
        let mut names_found = Vec::new();
        for name in group.names.iter().chain(&group.codes).chain(&group.weak) {
            let tokens = self.analyzer.name(name, false);
            // As in the text: `us` would find the word.
            if tokens.is_empty() || (tokens.len() == 1 && tokens[0].text == "us") {
                continue;
            }
            let terms = if tokens.len() > 1 {
                offsets(exact, &tokens)
            } else {
                let stemmed = self.analyzer.name(name, true).into_iter().next();
                let term = match (stemmed, stem) {
                    (Some(s), Some(field))
                        if self.ranking.stemming && english_only && name.is_ascii() =>
                    {
                        Term::from_field_text(field, &s.text)
                    }
                    _ => Term::from_field_text(exact, &tokens[0].text),
                };
                vec![(0, term)]
            };
            let held = terms
                .iter()
                .all(|(_, t)| self.searcher.doc_freq(t).is_ok_and(|n| n > 0));
            let key: Vec<Term> = terms.iter().map(|(_, t)| t.clone()).collect();
            if !held || !seen.insert(key) {
                continue;
            }
            found.push(match terms.len() {
                1 => term_query(terms[0].1.clone()),
                _ => Box::new(PhraseQuery::new_with_offset(terms.clone())),
            });
            names_found.push(Name { terms, boost: 1.0 });
        }
        (!found.is_empty()).then(|| Titled {
            query: Box::new(Either::new(found)),
            names: names_found,
        })
    }

    /// Whether every language of the index (or the one asked for) is English.
    fn english_only(&self) -> bool {
        self.languages
            .iter()
            .all(|(language, _)| *language == Language::English)
    }

    /// One name of an alias (its exact-view `tokens`): a word through the stemmed view (or the
    /// exact one without stemming), several as a phrase; what it highlights goes to `marks`.
    /// `None` for a name with a word that no passage holds (the names of a group in the
    /// languages the index lacks): it can neither match nor be highlighted, and its query
    /// would cost a look-up of each of its words in the term dictionaries, twice.
    fn alias_name(
        &mut self,
        name: &str,
        tokens: &[AnalyzedToken],
        marks: &mut Highlighter,
    ) -> Option<NameQuery> {
        if tokens.len() > 1 {
            let indexed = tokens.iter().all(|token| {
                let term = Term::from_field_text(self.fields.exact, &token.text);
                self.searcher.doc_freq(&term).is_ok_and(|n| n > 0)
            });
            if !indexed {
                return None;
            }
            marks.add_phrase(tokens);
            let terms = offsets(self.fields.exact, tokens);
            return Some((Box::new(PhraseQuery::new_with_offset(terms.clone())), terms));
        }
        // Names are stemmed only in an index of English alone: where articles are in several
        // languages, each stems differently (`Russie`, `Россия`), and a name is matched as
        // written.
        let english_only = self.english_only();
        let stem = self.analyzer.name(name, true).into_iter().next();
        let stemmed = stem.filter(|_| self.ranking.stemming && english_only && name.is_ascii());
        let term = match &stemmed {
            Some(stem) => Term::from_field_text(self.fields.stem, &stem.text),
            None => Term::from_field_text(self.fields.exact, &tokens[0].text),
        };
        if self.searcher.doc_freq(&term).is_ok_and(|n| n == 0) {
            return None;
        }
        match stemmed {
            Some(stem) => marks.stems.insert(stem.text),
            None => marks.words.insert(tokens[0].text.clone()),
        };
        Some((term_query(term.clone()), vec![(0, term)]))
    }

    /// A term for one token, a phrase for several.
    fn sequence(&self, field: Field, tokens: &[AnalyzedToken]) -> Option<Box<dyn TantivyQuery>> {
        match tokens {
            [] => None,
            [one] => Some(term_query(Term::from_field_text(field, &one.text))),
            _ => Some(Box::new(PhraseQuery::new_with_offset(offsets(
                field, tokens,
            )))),
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
    ) -> Part {
        // The counts BM25 scores each word with (see `ScriptStatistics`): the passages of a
        // Cyrillic, Arabic or Han word's script in an index of several.
        let statistics = self.statistics();
        let counted = |word: &str, held: u64| match statistics {
            Some(statistics) => statistics
                .doc_freq(&Term::from_field_text(field, word))
                .unwrap_or(held),
            None => held,
        };
        let docs = match statistics {
            Some(statistics) => statistics.total_num_docs().unwrap_or(0),
            None => self.searcher.num_docs(),
        }
        .max(1);
        let blended = terms
            .first()
            .map_or(idf(1, docs), |(word, held)| idf(counted(word, *held), docs));
        let clauses: Vec<Clause> = terms
            .iter()
            .map(|(word, doc_freq)| {
                let term = term_query(Term::from_field_text(field, word));
                let mut boost = blended / idf(counted(word, *doc_freq), docs).max(f32::EPSILON);
                if exact.is_some_and(|e| e != word) {
                    boost *= 0.85;
                }
                let query: Box<dyn TantivyQuery> = Box::new(Boosted::new(term, boost));
                (tantivy::query::Occur::Should, query)
            })
            .collect();
        let query: Box<dyn TantivyQuery> = if clauses.is_empty() {
            Box::new(tantivy::query::EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        let mut part = Part::of(Some(query));
        if scope == Scope::Text {
            part.marks.words.extend(terms.into_iter().map(|(t, _)| t));
        }
        part
    }

    /// A group of clauses, `negated` if an odd number of exclusions holds it.
    fn group(&mut self, clauses: &[(Occur, Node)], negated: bool) -> Result<Part> {
        let split;
        let clauses = if self.ranking.split_compounds && bare_words(clauses) >= 2 && !negated {
            split = self.split_compounds(clauses);
            &split[..]
        } else {
            clauses
        };
        let mut group = Part::default();
        let mut compiled: Vec<Clause> = Vec::new();
        let mut stops = Vec::new();
        let mut stems = Vec::new();
        let long_group = bare_words(clauses) >= 3;
        let mut at = 0;
        while at < clauses.len() {
            let occur = clauses[at].0;
            let (part, consumed) = self.clause(clauses, at, long_group, negated)?;
            at += consumed;
            // In an article-level search the filter decides membership: here every positive
            // clause only ranks and highlights, and exclusions have nothing to add.
            let occur = match (self.relaxed, occur) {
                (true, Occur::MustNot) => continue,
                (true, _) => Occur::Should,
                (false, occur) => occur,
            };
            let mut part = if occur == Occur::MustNot {
                part.excluded()
            } else {
                part
            };
            group.absorb(&mut part);
            let occur = tantivy_occur(occur);
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
            } else if let Some((query, marks)) = part.stop {
                stops.push((occur, query, marks));
            }
        }
        self.finish_group(group, compiled, stops, &stems)
    }

    /// The clause at `at` of a group (with `long_group` set while compiling it), as an alias
    /// of its bare words from there if they spell one, and how many clauses it took.
    fn clause(
        &mut self,
        clauses: &[(Occur, Node)],
        at: usize,
        long_group: bool,
        negated: bool,
    ) -> Result<(Part, usize)> {
        let (occur, node) = &clauses[at];
        let negated_here = negated ^ (*occur == Occur::MustNot);
        let outer = std::mem::replace(&mut self.long_group, long_group);
        self.negated = negated_here;
        let part = match self.alias_run(clauses, at) {
            Some((part, words)) => Ok((part, words)),
            None => self.node(node, negated_here).map(|part| (part, 1)),
        };
        self.long_group = outer;
        part
    }

    /// A group's compiled clauses as one part: its stop words if nothing else is positive, the
    /// ranking clauses of its optional words, and everything if only exclusions are left.
    fn finish_group(
        &mut self,
        mut group: Part,
        mut compiled: Vec<Clause>,
        stops: Vec<(tantivy::query::Occur, Box<dyn TantivyQuery>, Highlighter)>,
        stems: &[Term],
    ) -> Result<Part> {
        let positive = |c: &[Clause]| c.iter().any(|(o, _)| *o != tantivy::query::Occur::MustNot);
        if !positive(&compiled) {
            // Only stop words (`of the`): search them through the exact view.
            for (occur, query, marks) in stops {
                if occur != tantivy::query::Occur::MustNot {
                    group.marks.extend(marks);
                }
                compiled.push((occur, query));
            }
        }
        if stems.len() >= 2 {
            group.reranked |= self.ranking_clauses(stems, &mut compiled);
        }
        if compiled.is_empty() {
            return Ok(Part {
                query: None,
                ..group
            });
        }
        if !positive(&compiled) {
            compiled.push((tantivy::query::Occur::Must, Box::new(AllQuery)));
        }
        group.query = Some(Box::new(BooleanQuery::new(compiled)));
        Ok(group)
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
    /// The group grows to at most [`MAX_QUERY_TERMS`](crate::search::MAX_QUERY_TERMS) words: past that,
    /// compounds stay whole, so `ab-cd-ef-…` cannot turn one word into a thousand clauses.
    fn split_compounds(&mut self, clauses: &[(Occur, Node)]) -> Vec<(Occur, Node)> {
        let mut out = Vec::with_capacity(clauses.len());
        let mut room = crate::search::MAX_QUERY_TERMS.saturating_sub(clauses.len());
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

    /// Proximity (neighbouring words close together) and coverage (every word) clauses;
    /// whether any were added.
    fn ranking_clauses(&mut self, stems: &[Term], compiled: &mut Vec<Clause>) -> bool {
        let ranking = self.ranking;
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
                    Box::new(Boosted::new(Box::new(phrase), ranking.proximity_weight)),
                ));
            }
        }
        if ranking.coverage_weight > 0.0 {
            let all: Vec<Clause> = stems
                .iter()
                .map(|t| (tantivy::query::Occur::Must, term_query(t.clone())))
                .collect();
            compiled.push((
                tantivy::query::Occur::Should,
                Box::new(Boosted::new(
                    Box::new(BooleanQuery::new(all)),
                    ranking.coverage_weight,
                )),
            ));
        }
        ranking.proximity_weight > 0.0 || ranking.coverage_weight > 0.0
    }
}

/// A bare word's stems: each distinct one, and the one of each language that stems it.
#[derive(Default)]
struct Stems {
    all: Vec<String>,
    by_language: Vec<(Language, String)>,
}

impl Stems {
    /// Adds a stem unless it is there already.
    fn add(&mut self, stem: &str) {
        if !self.all.iter().any(|s| s == stem) {
            self.all.push(stem.to_string());
        }
    }
}

/// A run of Chinese characters that the segmenter reads as one word (`意见`), when the word
/// (of `exact_words` exact-view words) may be Chinese.
fn one_chinese_word(text: &str, exact_words: usize, languages: &[Language]) -> Option<String> {
    if exact_words <= 1 || !languages.contains(&Language::Chinese) {
        return None;
    }
    match crate::analysis::chinese_segment(text).as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// A stop word: searchable through the exact view only if nothing else in its group is.
fn stop_word(field: Field, word: &str, text_scope: bool) -> Part {
    let mut marks = Highlighter::default();
    if text_scope {
        marks.words.insert(word.to_string());
    }
    let term = Term::from_field_text(field, word);
    Part {
        stop: Some((term_query(term), marks)),
        ..Part::default()
    }
}

/// The best-matching of an alias's `variants` (with a little for the others), not their sum:
/// a passage that names a country three ways is not three times as relevant. `names` says
/// what each variant is, when all are names (no entity term).
fn disjunction(
    mut variants: Vec<Box<dyn TantivyQuery>>,
    names: Option<Vec<Name>>,
) -> Box<dyn TantivyQuery> {
    match (variants.len(), names) {
        // No name of the group is in the index: the alias matches nothing.
        (0, _) => Box::new(tantivy::query::EmptyQuery),
        // One clause (an entity without weak names) needs no disjunction around it.
        (1, _) => variants.remove(0),
        (_, Some(names)) => Box::new(DisMax::of_names(variants, names, 0.1)),
        (_, None) => Box::new(DisMax::new(variants, 0.1)),
    }
}

/// The terms of `tokens` in `field` at their positions from the first.
fn offsets(field: Field, tokens: &[AnalyzedToken]) -> Vec<(usize, Term)> {
    let first = tokens.first().map_or(0, |t| t.position);
    tokens
        .iter()
        .map(|t| (t.position - first, Term::from_field_text(field, &t.text)))
        .collect()
}

/// A term query with frequencies (for BM25).
fn term_query(term: Term) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// tantivy's occurrence for ours.
fn tantivy_occur(occur: Occur) -> tantivy::query::Occur {
    match occur {
        Occur::Should => tantivy::query::Occur::Should,
        Occur::Must => tantivy::query::Occur::Must,
        Occur::MustNot => tantivy::query::Occur::MustNot,
    }
}

/// The weight of an alias's name written in another script than the name the user typed
/// (`روسيا` for `Russia`), against the typed script's names: half, as a weak equivalent.
const OTHER_SCRIPT_WEIGHT: f32 = 0.5;

/// Is `name` written in another script than `typed` (neither digits nor symbols only)?
fn other_script_than(typed: Script, name: &str) -> bool {
    let script = script_of(name);
    typed != Script::Neutral && script != Script::Neutral && script != typed
}

/// The weight of a stem of a word's family (see [`Compiler::add_family`]) against the word's
/// own stem, when that matches too.
const FAMILY_WEIGHT: f32 = 0.5;

/// One query, or the union of several.
fn any(queries: Vec<Box<dyn TantivyQuery>>) -> Box<dyn TantivyQuery> {
    if queries.len() == 1 {
        queries.into_iter().next().expect("one")
    } else {
        Box::new(BooleanQuery::new(
            queries
                .into_iter()
                .map(|q| (tantivy::query::Occur::Should, q))
                .collect(),
        ))
    }
}

/// The shortest word (in characters) whose forms one edit away count as a language writing
/// it: shorter words are one edit from too many others (`de`, `le`, `la`).
const NEAR_FORM_MIN_CHARS: usize = 5;

/// The lengths of ending that judge the language of a word no language writes, the longest
/// first (see `Compiler::ending_shares`).
const ENDING_CHARS: &[usize] = &[5, 4, 3];
/// The fewest letters that must stand before an ending for it to count as one.
const ENDING_MIN_STEM: usize = 3;
/// At most this many words of an ending are counted.
const MAX_ENDING_WORDS: usize = 1000;

/// The bare words of a query (text scope, not excluded), in order.
fn collect_bare_words(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::Word {
            text,
            scope: Scope::Text,
            ..
        } => out.push(text.clone()),
        Node::Group(clauses) => {
            for (occur, node) in clauses {
                if *occur != Occur::MustNot {
                    collect_bare_words(node, out);
                }
            }
        }
        _ => {}
    }
}

/// Every leaf of a query as typed (words, phrases, prefixes, fuzzy words, proximity
/// operands), excluded ones too.
fn collect_leaves(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::Word { text, .. }
        | Node::Phrase { text, .. }
        | Node::Prefix { text, .. }
        | Node::Fuzzy { text, .. } => out.push(text.clone()),
        Node::Near { operands, .. } => {
            for operand in operands {
                collect_leaves(operand, out);
            }
        }
        Node::Group(clauses) => {
            for (_, node) in clauses {
                collect_leaves(node, out);
            }
        }
    }
}

/// Shared Levenshtein automaton builders (building one is costly), with transpositions
/// counting as one edit.
pub(super) fn levenshtein(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let distance = distance.min(2);
    BUILDERS[distance as usize].get_or_init(|| LevenshteinAutomatonBuilder::new(distance, true))
}

/// A Levenshtein DFA as an automaton over the term dictionary.
pub(super) struct DfaAutomaton<'a>(pub(super) &'a DFA);

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
pub(super) fn collect_terms<A>(
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
    let mut found = crate::domain::facet::by_count(found);
    found.truncate(MAX_EXPANSIONS);
    found
}

/// BM25's inverse document frequency.
fn idf(doc_freq: u64, docs: u64) -> f32 {
    let df = doc_freq as f32;
    (1.0 + (docs as f32 - df + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Article, Index};

    fn compiled(query: &str, cheap: bool) -> Compiled {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer
            .add(&Article::new(
                "a",
                "North Korean troops fought in the Kursk region; the Security Council met.",
            ))
            .unwrap();
        writer.commit().unwrap();
        let options = SearchOptions::new();
        let snapshot = index.snapshot();
        let query = Query::parse(query).unwrap();
        let (searcher, fields) = (snapshot.searcher(), snapshot.fields());
        compile(searcher, fields, &query, &options, &options.ranking, cheap).unwrap()
    }

    fn stem(word: &str) -> String {
        Analyzer::new().stemmed(word)[0].text.clone()
    }

    fn sorted<'a>(set: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
        let mut out: Vec<&str> = set.into_iter().map(String::as_str).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn excluded_clauses_are_not_highlighted_unless_excluded_twice() {
        let plan = compiled("sanctions -troops", false);
        assert_eq!(sorted(&plan.highlighter.stems), [stem("sanctions")]);
        let plan = compiled("kursk -(troops -missiles)", false);
        let mut expected = vec![stem("kursk"), stem("missiles")];
        expected.sort();
        assert_eq!(sorted(&plan.highlighter.stems), expected);
        assert!(
            compiled("kursk -\"Security Council\"", false)
                .highlighter
                .phrases
                .is_empty()
        );
    }

    #[test]
    fn stop_words_are_highlighted_only_when_nothing_else_is_searched() {
        let plan = compiled("the", false);
        assert_eq!(sorted(&plan.highlighter.words), ["the"]);
        let plan = compiled("the region", false);
        assert!(plan.highlighter.words.is_empty());
        assert_eq!(sorted(&plan.highlighter.stems), [stem("region")]);
    }

    #[test]
    fn phrases_and_alias_names_are_highlighted_as_phrases() {
        let plan = compiled("\"Security Council\" DPRK", false);
        let phrases = &plan.highlighter.phrases;
        let security_council = vec![(0, "security".to_string()), (1, "council".to_string())];
        assert!(phrases.contains(&security_council), "{phrases:?}");
        // The names the index holds are highlighted; one it lacks ("North Korea": the text
        // says "North Korean") can match nothing and is not searched or marked.
        let north_korean = vec![(0, "north".to_string()), (1, "korean".to_string())];
        assert!(phrases.contains(&north_korean), "{phrases:?}");
        let north_korea = vec![(0, "north".to_string()), (1, "korea".to_string())];
        assert!(!phrases.contains(&north_korea), "{phrases:?}");
        assert_eq!(plan.expansions.len(), 1);
        assert!(
            plan.expansions[0].starts_with("DPRK → "),
            "{:?}",
            plan.expansions
        );
        assert!(plan.reranked);
    }

    #[test]
    fn the_cheap_query_asks_for_the_words_of_a_phrase() {
        let full = format!("{:?}", compiled("\"Security Council\"", false).query);
        let cheap = format!("{:?}", compiled("\"Security Council\"", true).query);
        assert!(full.contains("PhraseQuery"), "{full}");
        assert!(!cheap.contains("PhraseQuery"), "{cheap}");
        assert!(
            cheap.contains("security") && cheap.contains("council"),
            "{cheap}"
        );
        // An excluded phrase stays a phrase, so the cheap query never lets in what it excludes.
        let cheap = format!("{:?}", compiled("kursk -\"Security Council\"", true).query);
        assert!(cheap.contains("PhraseQuery"), "{cheap}");
    }
}
