//! The names of an alias scored at given passages, each distinct word's postings read once.
//!
//! The full query searches an alias as the best of its names ([`DisMax`](super::restrict::DisMax)
//! of a term or an exact phrase per name, each maybe boosted). At the candidates' passages
//! (see [`restrict`](super::restrict::restrict)) each phrase would open its own postings of
//! every word and walk their skip lists up to the last candidate: `korea` once per name that
//! holds it, `of` (in nearly every passage) once per name with it. [`OnlyNames`] opens each
//! distinct word once, asks a name's words rarest first (a name whose rare word is absent is
//! never asked about its common one), and gives the score tantivy's `DisMax` would, operation
//! for operation: each name's BM25 weight from the same statistics and boost, the phrase
//! count as tantivy's exact phrase scorer counts it, and the best score plus the tie-breaker
//! times the others, summed in the names' order.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::restrict::Docs;

/// One name of an alias as the full query searches it: a term, or the words of an exact phrase
/// at their offsets, with the boost it is searched with.
#[derive(Clone, Debug)]
pub(crate) struct Name {
    /// The words at their positions in the name (one word: a term query).
    pub terms: Vec<(usize, Term)>,
    /// The boost of the name's query (1 when it has none).
    pub boost: Score,
}

/// The best of `names` (with `tie_breaker` times the others), only at `docs`.
#[derive(Debug)]
pub(crate) struct OnlyNames {
    /// The alias's names, in the order of the disjunction.
    pub names: Vec<Name>,
    /// The disjunction's tie-breaker.
    pub tie_breaker: Score,
    /// Where it is evaluated.
    pub docs: Docs,
    /// The disjunction itself, for explanations.
    pub query: Box<dyn Query>,
}

impl Clone for OnlyNames {
    fn clone(&self) -> OnlyNames {
        OnlyNames {
            names: self.names.clone(),
            tie_breaker: self.tie_breaker,
            docs: self.docs.clone(),
            query: self.query.box_clone(),
        }
    }
}

impl Query for OnlyNames {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut weights = Vec::with_capacity(self.names.len());
        for name in &self.names {
            let weight = match scoring {
                EnableScoring::Enabled {
                    statistics_provider,
                    ..
                } => {
                    let terms: Vec<Term> = name.terms.iter().map(|(_, t)| t.clone()).collect();
                    Some(Bm25Weight::for_terms(statistics_provider, &terms)?)
                }
                EnableScoring::Disabled { .. } => None,
            };
            weights.push(weight);
        }
        Ok(Box::new(NamesWeight {
            names: self.names.clone(),
            weights,
            tie_breaker: self.tie_breaker,
            docs: self.docs.clone(),
            inner: self.query.weight(scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct NamesWeight {
    names: Vec<Name>,
    /// Each name's BM25 weight before boosts (`None` without scoring).
    weights: Vec<Option<Bm25Weight>>,
    tie_breaker: Score,
    docs: Docs,
    inner: Box<dyn Weight>,
}

/// A name in one segment.
struct Scored {
    /// (index in the scorer's postings, the word's offset), rarest word first.
    words: Vec<(usize, u32)>,
    /// The largest offset.
    last: u32,
    weight: Option<Bm25Weight>,
    norms: FieldNormReader,
}

impl Weight for NamesWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = match self.docs.get(&reader.segment_id()) {
            Some(docs) if !docs.is_empty() => docs.clone(),
            _ => return Ok(Box::new(EmptyScorer)),
        };
        let mut distinct: Vec<Term> = Vec::new();
        let mut postings: Vec<SegmentPostings> = Vec::new();
        let mut names = Vec::new();
        'names: for (name, weight) in self.names.iter().zip(&self.weights) {
            // Positions for every word: one may serve a phrase after a term.
            let option = IndexRecordOption::WithFreqsAndPositions;
            let mut words = Vec::with_capacity(name.terms.len());
            for (offset, term) in &name.terms {
                let at = match distinct.iter().position(|t| t == term) {
                    Some(at) => at,
                    None => {
                        // A word the segment lacks: the name matches nothing here.
                        let Some(list) = reader
                            .inverted_index(term.field())?
                            .read_postings(term, option)?
                        else {
                            continue 'names;
                        };
                        distinct.push(term.clone());
                        postings.push(list);
                        postings.len() - 1
                    }
                };
                words.push((at, *offset as u32));
            }
            words.sort_by_key(|&(at, _)| postings[at].doc_freq());
            let field = name.terms[0].1.field();
            let norms = match weight {
                Some(_) => reader.fieldnorms_readers().get_field(field)?,
                None => None,
            }
            .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
            let last = words.iter().map(|&(_, o)| o).max().unwrap_or(0);
            // What tantivy's boost query and term or phrase weight do with the boost.
            // (`boost * 1.0` is `boost` exactly.)
            let weight = weight.as_ref().map(|w| w.boost_by(boost * name.boost));
            names.push(Scored {
                words,
                last,
                weight,
                norms,
            });
        }
        if names.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        let mut scorer = NamesScorer {
            docs,
            next: 0,
            doc: TERMINATED,
            score: 0.0,
            postings,
            names,
            tie_breaker: self.tie_breaker,
            left: Vec::new(),
            right: Vec::new(),
        };
        scorer.find(0);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

/// Visits its documents in order, scoring the names at each.
struct NamesScorer {
    docs: Vec<DocId>,
    /// The next document to look at.
    next: usize,
    doc: DocId,
    score: Score,
    /// Each distinct word's postings, read once for every name.
    postings: Vec<SegmentPostings>,
    names: Vec<Scored>,
    tie_breaker: Score,
    left: Vec<u32>,
    right: Vec<u32>,
}

impl NamesScorer {
    /// Moves to the first document from `next` on, at or after `bound`, where a name matches.
    fn find(&mut self, bound: DocId) -> DocId {
        while let Some(&doc) = self.docs.get(self.next) {
            self.next += 1;
            if doc < bound {
                continue;
            }
            if let Some(score) = self.score_at(doc) {
                self.doc = doc;
                self.score = score;
                return doc;
            }
        }
        self.doc = TERMINATED;
        TERMINATED
    }

    /// The disjunction's score at `doc`, if a name matches there.
    fn score_at(&mut self, doc: DocId) -> Option<Score> {
        let (mut max, mut sum, mut any) = (0.0f32, 0.0f32, false);
        for i in 0..self.names.len() {
            let Some(score) = self.name_at(i, doc) else {
                continue;
            };
            // tantivy's `DisjunctionMaxCombiner`, in the names' order.
            max = Score::max(score, max);
            sum += score;
            any = true;
        }
        any.then_some(max + (sum - max) * self.tie_breaker)
    }

    /// Name `i`'s score at `doc`, if it matches there.
    fn name_at(&mut self, i: usize, doc: DocId) -> Option<Score> {
        let name = &self.names[i];
        for &(at, _) in &name.words {
            let postings = &mut self.postings[at];
            if postings.doc() < doc {
                postings.seek(doc);
            }
            if postings.doc() != doc {
                return None;
            }
        }
        let freq = if let [(at, _)] = name.words.as_slice() {
            self.postings[*at].term_freq()
        } else {
            // The starts where every word stands at its offset: tantivy's exact phrase count.
            let (first, rest) = name.words.split_first()?;
            self.postings[first.0].positions_with_offset(name.last - first.1, &mut self.left);
            for &(at, offset) in rest {
                self.postings[at].positions_with_offset(name.last - offset, &mut self.right);
                let right = &self.right;
                self.left.retain(|p| right.binary_search(p).is_ok());
                if self.left.is_empty() {
                    return None;
                }
            }
            self.left.len() as u32
        };
        let norm = name.norms.fieldnorm_id(doc);
        Some(name.weight.as_ref().map_or(1.0, |w| w.score(norm, freq)))
    }
}

impl DocSet for NamesScorer {
    fn advance(&mut self) -> DocId {
        let bound = self.doc.saturating_add(1);
        self.find(bound)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED && self.doc >= target {
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

impl Scorer for NamesScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}
