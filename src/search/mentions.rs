//! An entity searched by one term: the passages where the indexer recognised one of its names.
//!
//! A country or organisation has many names (`North Korea`, `DPRK`, `Democratic People's
//! Republic of Korea`, `КНДР`…), most of them phrases. A disjunction of phrases costs a pass
//! over the positions of every passage holding a name's words (13× the same query without
//! expansion at 1.4 M passages). The indexer already recognises the names (longest match over
//! the alias table) and indexes each passage's entities in the `mentions` field
//! (`country:PRK`); [`EntityQuery`] searches that one posting list, and scores a passage by
//! BM25 as one occurrence of a word as rare as the entity, in a passage of its length.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// Passages where the indexer recognised an entity (its term in the `mentions` field), each
/// scored by BM25 as one occurrence of a word as rare as the entity in a passage of its length
/// (the exact view's field norm): what a name said once scores, without a phrase per name.
#[derive(Clone, Debug)]
pub(crate) struct EntityQuery {
    /// The entity's term in the `mentions` field.
    pub term: Term,
    /// The field whose norms give the passage length (the exact view).
    pub norms: tantivy::schema::Field,
}

impl Query for EntityQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // The statistics the other clauses are scored with: the passages counted as tantivy
        // counts them (deleted ones included, as in the term's frequency, which may then not
        // exceed them).
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let docs = statistics_provider.total_num_docs()?.max(1);
                let tokens = statistics_provider.total_num_tokens(self.norms)?;
                let freq = statistics_provider.doc_freq(&self.term)?.min(docs);
                Some(tantivy::query::Bm25Weight::for_one_term(
                    freq,
                    docs,
                    tokens as f32 / docs as f32,
                ))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(EntityWeight {
            term: self.term.clone(),
            norms: self.norms,
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

struct EntityWeight {
    term: Term,
    norms: tantivy::schema::Field,
    bm25: Option<tantivy::query::Bm25Weight>,
}

impl Weight for EntityWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let postings = reader
            .inverted_index(self.term.field())?
            .read_postings(&self.term, tantivy::schema::IndexRecordOption::Basic)?;
        let Some(postings) = postings else {
            return Ok(Box::new(EmptyScorer));
        };
        Ok(Box::new(EntityScorer {
            postings,
            norms: reader.get_fieldnorms_reader(self.norms)?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        let mut explanation = Explanation::new("TermQuery, product of...", scorer.score());
        explanation.add_context(format!("Term={:?}", self.term));
        Ok(explanation)
    }
}

struct EntityScorer {
    postings: tantivy::postings::SegmentPostings,
    norms: tantivy::fieldnorm::FieldNormReader,
    bm25: Option<tantivy::query::Bm25Weight>,
}

impl DocSet for EntityScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for EntityScorer {
    fn score(&mut self) -> Score {
        let norm = self.norms.fieldnorm_id(self.postings.doc());
        self.bm25.as_ref().map_or(1.0, |w| w.score(norm, 1))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Article, Index, Query, SearchOptions};

    #[test]
    fn block_max_wand_over_the_entity_term_keeps_what_it_finds() {
        // 1,000 passages with the word `missile` first, then 256 that name North Korea (full
        // blocks of the entity term's postings, the rarer term): the cheap query of `DPRK
        // missile` is a union of term scorers that block-max WAND prunes (the entity term has
        // frequencies), and the passages found only by the entity term must outrank the
        // others, as they do unpruned.
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        for i in 0..1000 {
            let body = format!("A missile test was reported in region {i}.");
            writer.add(&Article::new(format!("m{i}"), &body)).unwrap();
        }
        for i in 0..256 {
            let body = format!("North Korea held talks with delegation {i}.");
            writer.add(&Article::new(format!("k{i}"), &body)).unwrap();
        }
        writer.commit().unwrap();
        let query: Query = "DPRK missile".parse().unwrap();
        let hits = index
            .search(&query, &SearchOptions::new().limit(10))
            .unwrap();
        let texts: Vec<&str> = hits.iter().map(|h| h.passages[0].text.as_str()).collect();
        assert_eq!(texts.len(), 10);
        assert!(texts.iter().all(|t| t.contains("North Korea")), "{texts:?}");
    }
}
