//! Collectors that rank articles by their best passage.
//!
//! [`TopArticles`] keeps, per segment, the best passage of each of the `k` best articles and
//! feeds tantivy a pruning threshold (the `k`-th best article's score), so block-max WAND can
//! skip passages that cannot change the result. Merging segments keeps each article's best.
//! Restricted to a set of articles, it ranks only their passages (article-level Boolean logic);
//! or, for a query whose filter only excludes (`sanctions AND NOT Russia`), it leaves out the
//! articles with a passage the excluded query matches, decided for each article offered
//! ([`Excluding`]) instead of for every passage of the excluded query beforehand.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

use super::articles::ArticleSet;
use crate::index::SegmentColumns;
use crate::index::Snapshot;

/// One article's best passage. The article is known by its id's ordinal in its segment's id
/// column; the id itself is read from the column only when needed (ties across segments, the
/// hits shown), since reading it means decoding a block of the id dictionary.
#[derive(Clone)]
pub(crate) struct Candidate {
    pub score: Score,
    pub address: DocAddress,
    /// The article id's ordinal in the segment's `article_id` column.
    pub ord: u64,
    column: StrColumn,
    id: std::cell::OnceCell<String>,
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidate")
            .field("score", &self.score)
            .field("address", &self.address)
            .field("ord", &self.ord)
            .finish()
    }
}

/// An article within one searcher: its segment and its id's ordinal there. (An article's live
/// passages are all in one segment.)
pub(crate) type ArticleKey = (SegmentOrdinal, u64);

impl Candidate {
    /// The article id.
    pub fn id(&self) -> &str {
        self.id.get_or_init(|| ord_to_id(&self.column, self.ord))
    }

    /// The article, as a key for maps.
    pub fn key(&self) -> ArticleKey {
        (self.address.segment_ord, self.ord)
    }

    /// Another passage of the same article.
    pub fn with(&self, score: Score, address: DocAddress) -> Candidate {
        Candidate {
            score,
            address,
            ..self.clone()
        }
    }
}

/// Orders candidates: higher score first, then article id (deterministic ties, the same
/// whatever the segments), then address.
pub(crate) fn rank_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then_with(|| {
        let by_id = if a.address.segment_ord == b.address.segment_ord {
            // Ordinals follow the ids' order within a segment's column.
            a.ord.cmp(&b.ord)
        } else {
            a.id().cmp(b.id())
        };
        by_id.then_with(|| a.address.cmp(&b.address))
    })
}

fn first_ord(column: &StrColumn, doc: DocId) -> u64 {
    column.term_ords(doc).next().unwrap_or(u64::MAX)
}

fn ord_to_id(column: &StrColumn, ord: u64) -> String {
    let mut id = String::new();
    // An ord from this column always resolves; an empty id is the fallback for a missing one.
    let _ = column.ord_to_str(ord, &mut id);
    id
}

/// The `k` best articles by best passage, in rank order, among all or only those of an
/// [`ArticleSet`] (the articles an article-level Boolean query lets in).
pub(crate) struct TopArticles {
    pub k: usize,
    /// Only the passages of these articles count (all when `None`).
    pub within: Option<Arc<ArticleSet>>,
    /// The articles with a passage this query matches do not count.
    excluding: Option<Excluding>,
    /// Each segment's article-id column, from the snapshot's column cache.
    columns: Vec<Option<StrColumn>>,
}

/// What leaves articles out of a [`TopArticles`]: those with a live passage that `weight`
/// (scoring off) matches. Each article offered is judged once, from its head on: the
/// excluded query's scorer only seeks forward, as the offered passages do, so it visits the
/// offered articles' blocks instead of every passage it matches.
#[derive(Clone)]
pub(crate) struct Excluding {
    /// The excluded query's weight.
    pub weight: Arc<dyn Weight>,
    /// Each segment's columns, from the snapshot's column cache (to find an article's head).
    pub columns: Vec<Arc<SegmentColumns>>,
}

impl Excluding {
    /// The articles with a live passage that `query` matches, left out on `snapshot`.
    pub(crate) fn new(
        snapshot: &Snapshot<'_>,
        query: &dyn tantivy::query::Query,
    ) -> crate::Result<Excluding> {
        let searcher = snapshot.searcher();
        let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
            searcher,
        ))?;
        let columns = (0..searcher.segment_readers().len())
            .map(|segment| snapshot.columns(segment as SegmentOrdinal))
            .collect::<crate::Result<_>>()?;
        Ok(Excluding {
            weight: Arc::from(weight),
            columns,
        })
    }
}

/// One segment's [`Excluding`]: the excluded query's scorer and the verdicts made.
struct SegmentExcluding {
    scorer: Box<dyn Scorer>,
    article: StrColumn,
    columns: Arc<SegmentColumns>,
    alive: Option<tantivy::fastfield::AliveBitSet>,
    /// Whether each article judged is left out, by article-id ordinal.
    verdicts: fnv::FnvHashMap<u64, bool>,
}

impl SegmentExcluding {
    /// Whether the article `ord` of the passage `doc` has a live passage the excluded query
    /// matches. Articles must be asked about in document order (the scorer seeks forward).
    fn excludes(&mut self, doc: DocId, ord: u64) -> bool {
        if let Some(&verdict) = self.verdicts.get(&ord) {
            return verdict;
        }
        let article = &self.article;
        let ord_of = |doc: DocId| article.term_ords(doc).next();
        // The article's passages stand in one block from its head; where the block rule does
        // not hold (a damaged layout, or a column that cannot be read), from `doc` on.
        let head = self
            .columns
            .head_at_or_before(doc)
            .ok()
            .flatten()
            .filter(|&head| ord_of(head) == Some(ord))
            .unwrap_or(doc);
        if self.scorer.doc() < head {
            self.scorer.seek(head);
        }
        let verdict = loop {
            let found = self.scorer.doc();
            if found == TERMINATED || ord_of(found) != Some(ord) {
                break false;
            }
            if self.alive.as_ref().is_none_or(|a| a.is_alive(found)) {
                break true;
            }
            self.scorer.advance();
        };
        self.verdicts.insert(ord, verdict);
        verdict
    }
}

impl TopArticles {
    /// The `k` best articles of `snapshot`, among all.
    pub(crate) fn new(snapshot: &Snapshot<'_>, k: usize) -> crate::Result<TopArticles> {
        Ok(TopArticles {
            k,
            within: None,
            excluding: None,
            columns: snapshot.article_columns()?,
        })
    }

    /// Without the articles that `excluding` leaves out.
    pub(crate) fn excluding(mut self, excluding: Excluding) -> TopArticles {
        self.excluding = Some(excluding);
        self
    }

    /// Only among the articles of `set`.
    pub(crate) fn within(mut self, set: Arc<ArticleSet>) -> TopArticles {
        self.within = Some(set);
        self
    }
}

pub(crate) struct TopArticlesSegment {
    k: usize,
    segment: SegmentOrdinal,
    column: StrColumn,
    within: Option<Arc<ArticleSet>>,
    excluding: Option<SegmentExcluding>,
    /// (score, article ord, doc)
    entries: Vec<(Score, u64, DocId)>,
    slot: fnv::FnvHashMap<u64, usize>,
    /// Index of the worst entry once full.
    worst: usize,
}

impl TopArticlesSegment {
    /// What a passage must score above to be offered: just below the worst kept article's
    /// score, so that an article tied with it is still offered (and wins if its id comes
    /// first), whatever the order of the documents in the segment.
    fn threshold(&self) -> Score {
        if self.entries.len() < self.k {
            Score::MIN
        } else {
            self.entries[self.worst].0.next_down()
        }
    }

    fn find_worst(&mut self) {
        self.worst = self
            .entries
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then_with(|| b.1.1.cmp(&a.1.1)))
            .map_or(0, |(i, _)| i);
    }

    fn offer(&mut self, doc: DocId, score: Score) {
        if self.k == 0 {
            return;
        }
        let ord = first_ord(&self.column, doc);
        if let Some(within) = &self.within
            && !within.contains((self.segment, ord))
        {
            return;
        }
        if let Some(excluding) = &mut self.excluding
            && excluding.excludes(doc, ord)
        {
            return;
        }
        if let Some(&i) = self.slot.get(&ord) {
            if score > self.entries[i].0 {
                self.entries[i] = (score, ord, doc);
                if i == self.worst && self.entries.len() == self.k {
                    self.find_worst();
                }
            }
            return;
        }
        if self.entries.len() < self.k {
            self.slot.insert(ord, self.entries.len());
            self.entries.push((score, ord, doc));
            if self.entries.len() == self.k {
                self.find_worst();
            }
            return;
        }
        let (worst_score, worst_ord, _) = self.entries[self.worst];
        if score > worst_score || (score == worst_score && ord < worst_ord) {
            self.slot.remove(&worst_ord);
            self.slot.insert(ord, self.worst);
            self.entries[self.worst] = (score, ord, doc);
            self.find_worst();
        }
    }
}

impl SegmentCollector for TopArticlesSegment {
    type Fruit = Vec<Candidate>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, score);
    }

    fn harvest(self) -> Vec<Candidate> {
        self.entries
            .iter()
            .map(|&(score, ord, doc)| Candidate {
                score,
                address: DocAddress::new(self.segment, doc),
                ord,
                column: self.column.clone(),
                id: std::cell::OnceCell::new(),
            })
            .collect()
    }
}

impl Collector for TopArticles {
    type Fruit = Vec<Candidate>;
    type Child = TopArticlesSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopArticlesSegment> {
        let column = self
            .columns
            .get(segment as usize)
            .cloned()
            .flatten()
            .ok_or_else(|| {
                tantivy::TantivyError::FieldNotFound(crate::index::fast::ARTICLE_ID.into())
            })?;
        let excluding = match &self.excluding {
            Some(excluding) => Some(SegmentExcluding {
                scorer: excluding.weight.scorer(reader, 1.0)?,
                article: column.clone(),
                columns: excluding
                    .columns
                    .get(segment as usize)
                    .cloned()
                    .ok_or_else(|| {
                        tantivy::TantivyError::FieldNotFound(crate::index::fast::ORDINAL.into())
                    })?,
                alive: reader.alive_bitset().cloned(),
                verdicts: fnv::FnvHashMap::default(),
            }),
            None => None,
        };
        Ok(TopArticlesSegment {
            excluding,
            k: self.k,
            segment,
            column,
            within: self.within.clone(),
            entries: Vec::new(),
            slot: fnv::FnvHashMap::default(),
            worst: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Candidate>>) -> tantivy::Result<Vec<Candidate>> {
        let mut best: HashMap<ArticleKey, Candidate> = HashMap::new();
        for candidate in fruits.into_iter().flatten() {
            match best.get(&candidate.key()) {
                Some(existing) if rank_order(existing, &candidate).is_le() => {}
                _ => {
                    best.insert(candidate.key(), candidate);
                }
            }
        }
        let mut out: Vec<Candidate> = best.into_values().collect();
        if self.k > 0 && out.len() > self.k {
            // Only the k best need rank order, which reads an article id for each tie between
            // segments: keep those scoring at least the k-th best score first (by score alone).
            out.sort_unstable_by(|a, b| b.score.total_cmp(&a.score));
            let last = out[self.k - 1].score;
            let end = self.k + out[self.k..].partition_point(|c| c.score >= last);
            out.truncate(end);
        }
        out.sort_by(rank_order);
        out.truncate(self.k);
        Ok(out)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Candidate>> {
        let mut child = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                child.offer(doc, score);
            }
            child.threshold()
        })?;
        Ok(child.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Article, Index};

    /// The same statement under ten ids, two commits apart: equal scores in three segments.
    fn tied() -> Index {
        let index = Index::in_memory().unwrap();
        let body = "The Security Council condemned the missile launch and called for restraint.";
        for batch in [0..4, 4..7, 7..10] {
            let mut writer = index.writer().unwrap();
            for n in batch {
                writer.add(&Article::new(format!("a{n:02}"), body)).unwrap();
            }
            writer.commit().unwrap();
        }
        index
    }

    #[test]
    fn the_k_best_of_tied_articles_are_the_first_ids_whatever_the_segments() {
        let index = tied();
        let snapshot = index.snapshot();
        let searcher = snapshot.searcher();
        assert!(
            searcher.segment_readers().len() > 1,
            "the test needs segments"
        );
        let query = tantivy::query::TermQuery::new(
            tantivy::Term::from_field_text(snapshot.fields().exact, "missile"),
            tantivy::schema::IndexRecordOption::WithFreqs,
        );
        let mut all = searcher
            .search(&query, &TopArticles::new(&snapshot, usize::MAX).unwrap())
            .unwrap();
        all.sort_by(rank_order);
        assert_eq!(all.len(), 10);
        for k in [1, 3, 4, 9, 10, 12] {
            let top = searcher
                .search(&query, &TopArticles::new(&snapshot, k).unwrap())
                .unwrap();
            let ids: Vec<&str> = top.iter().map(Candidate::id).collect();
            let expected: Vec<&str> = all.iter().take(k).map(Candidate::id).collect();
            assert_eq!(ids, expected, "k = {k}");
        }
        let top = searcher
            .search(&query, &TopArticles::new(&snapshot, 3).unwrap())
            .unwrap();
        let ids: Vec<&str> = top.iter().map(Candidate::id).collect();
        assert_eq!(ids, ["a00", "a01", "a02"]);
    }
}
