//! Article-level Boolean logic: which articles a query with `AND`, `NOT`, `+`, `-`, required
//! phrases or proximities matches, over the article's title and all its passages.
//!
//! The compiler gives a [`Filter`], the query's Boolean structure with a tantivy query at each
//! leaf. [`members`] evaluates it into an [`ArticleSet`]: per segment, a bitset of article-id
//! ordinals (an article's live passages are all in one segment), combined by `AND`, `OR` and
//! `NOT` as operations on bits. A set may be held as its complement, so `NOT x` costs what `x`
//! costs. A leaf lets in the articles with a passage (or title) it matches; a proximity those
//! with a passage holding its operands close enough, by the same rule that highlights it
//! (decided from the index's positions, see `near`). Ranking stays passage-based (see
//! `pipeline`): the passage search is restricted to the set's articles.

use std::collections::HashSet;

use fixedbitset::FixedBitSet;
use tantivy::collector::{Collector, DocSetCollector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, Occur, Query as TantivyQuery};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::collect::ArticleKey;
use super::highlight::NearRule;
use super::matching::Changed;
use super::near::NearQuery;
use super::restrict::Either;
use crate::Result;
use crate::index::Snapshot;

/// The Boolean structure of a query, over articles.
pub(crate) enum Filter {
    /// No constraint (a leaf without searchable words).
    All,
    /// The articles with a passage (or title) that `query` matches.
    Any(Box<dyn TantivyQuery>),
    /// The articles with a passage that `query` (every operand) matches and where `rule`
    /// finds the operands close enough.
    Near {
        /// Every operand, required.
        query: Box<dyn TantivyQuery>,
        /// How close they must be.
        rule: NearRule,
    },
    /// Clauses combined: every `must`, at least one `should` if there is no `must`, no
    /// `must_not`.
    Group {
        /// Required.
        must: Vec<Filter>,
        /// Optional (one of them required when nothing is).
        should: Vec<Filter>,
        /// Excluded.
        must_not: Vec<Filter>,
    },
}

impl Filter {
    /// The filter of a compiled leaf (or alias run): a proximity, its query in the text or
    /// the title, its stop-word query, or nothing.
    pub(crate) fn of(mut part: super::compile::Part) -> Filter {
        if let Some(rule) = part.near_rule()
            && let Some(query) = part.query.take()
        {
            return Filter::Near { query, rule };
        }
        match (part.combined(), part.stop.take()) {
            (Some(query), _) => Filter::Any(query),
            (None, Some((query, _))) => Filter::Any(query),
            (None, None) => Filter::All,
        }
    }
}

/// A set of articles of one snapshot: per segment, the ordinals of their ids in the segment's
/// id column.
#[derive(Clone, Debug)]
pub(crate) struct ArticleSet {
    segments: Vec<Bits>,
}

/// The articles of one segment, as the ordinals of their ids, or as the complement of those.
#[derive(Clone, Debug, Default)]
struct Bits {
    ords: FixedBitSet,
    /// Whether the set is every article *but* `ords`.
    complement: bool,
}

impl Bits {
    fn contains(&self, ord: u64) -> bool {
        usize::try_from(ord).is_ok_and(|ord| self.ords.contains(ord)) != self.complement
    }

    /// The articles in both.
    fn and(self, other: Bits) -> Bits {
        let (mut a, mut b) = (self.ords, other.ords);
        match (self.complement, other.complement) {
            (false, false) => a.intersect_with(&b),
            (false, true) => a.difference_with(&b),
            (true, false) => {
                b.difference_with(&a);
                a = b;
            }
            (true, true) => a.union_with(&b),
        }
        Bits {
            ords: a,
            complement: self.complement && other.complement,
        }
    }

    /// The articles in either.
    fn or(self, other: Bits) -> Bits {
        let (mut a, mut b) = (self.ords, other.ords);
        match (self.complement, other.complement) {
            (false, false) => a.union_with(&b),
            (false, true) => {
                b.difference_with(&a);
                a = b;
            }
            (true, false) => a.difference_with(&b),
            (true, true) => a.intersect_with(&b),
        }
        Bits {
            ords: a,
            complement: self.complement || other.complement,
        }
    }
}

impl ArticleSet {
    /// Every article of a snapshot with `segments` segments.
    fn all(segments: usize) -> ArticleSet {
        ArticleSet {
            segments: vec![
                Bits {
                    ords: FixedBitSet::new(),
                    complement: true,
                };
                segments
            ],
        }
    }

    /// No article.
    fn empty(segments: usize) -> ArticleSet {
        ArticleSet {
            segments: vec![Bits::default(); segments],
        }
    }

    /// Whether the article `key` is in the set.
    pub(crate) fn contains(&self, (segment, ord): ArticleKey) -> bool {
        self.segments
            .get(segment as usize)
            .is_some_and(|bits| bits.contains(ord))
    }

    fn zip(self, other: ArticleSet, op: fn(Bits, Bits) -> Bits) -> ArticleSet {
        ArticleSet {
            segments: self
                .segments
                .into_iter()
                .zip(other.segments)
                .map(|(a, b)| op(a, b))
                .collect(),
        }
    }

    /// The articles in both sets.
    fn and(self, other: ArticleSet) -> ArticleSet {
        self.zip(other, Bits::and)
    }

    /// The articles in either set.
    fn or(self, other: ArticleSet) -> ArticleSet {
        self.zip(other, Bits::or)
    }

    /// The articles not in the set.
    fn not(mut self) -> ArticleSet {
        for bits in &mut self.segments {
            bits.complement = !bits.complement;
        }
        self
    }

    /// The set of the articles `keys`.
    fn of(segments: usize, keys: impl IntoIterator<Item = ArticleKey>) -> ArticleSet {
        let mut set = ArticleSet::empty(segments);
        for (segment, ord) in keys {
            if let (Some(bits), Ok(ord)) = (set.segments.get_mut(segment as usize), ord.try_into())
            {
                bits.ords.grow_and_insert(ord);
            }
        }
        set
    }
}

/// The articles a filter lets in, and the passages found to hold a proximity (to show first).
pub(crate) struct Members {
    /// The articles.
    pub articles: ArticleSet,
    /// Passages where a proximity of the query holds.
    pub near: HashSet<DocAddress>,
}

/// The articles `filter` lets in.
pub(crate) fn members(snapshot: &Snapshot<'_>, filter: &Filter) -> Result<Members> {
    members_within(snapshot, filter, None)
}

/// The articles `filter` lets in, for a search whose passage query matches only where the
/// filter's one positive clause does (the query compiled for article-level logic, without
/// feedback words): that clause's articles are then left to the passage query, which finds
/// them anyway, and only its exclusions are evaluated. `sanctions AND NOT Russia` costs the
/// set of `Russia` alone. The articles that *match* (a passage of the query among those let
/// in) are the same as with [`members`].
pub(crate) fn members_beside(snapshot: &Snapshot<'_>, filter: &Filter) -> Result<Members> {
    match filter {
        Filter::Group {
            must,
            should,
            must_not,
        } if matches!(
            (must.as_slice(), should.as_slice()),
            ([Filter::Any(_)], []) | ([], [Filter::Any(_)])
        ) =>
        {
            judge(snapshot, None, |scope| {
                let all = ArticleSet::all(scope.segments());
                scope.exclude(all, must_not)
            })
        }
        _ => members(snapshot, filter),
    }
}

/// For a filter of one positive clause whose exclusions are each a plain query (not a
/// proximity or a group), the exclusions as one query that matches where any of them does:
/// the articles [`members_beside`] lets in are those without a passage it matches, which a
/// search can decide for the articles it is offered alone ([`Excluding`](super::collect::Excluding))
/// instead of reading every passage the exclusions match. `None` for any other filter, or one
/// without exclusions.
pub(crate) fn exclusions_only(filter: &Filter) -> Option<Exclusions> {
    let Filter::Group {
        must,
        should,
        must_not,
    } = filter
    else {
        return None;
    };
    let one_positive = matches!(
        (must.as_slice(), should.as_slice()),
        ([Filter::Any(_)], []) | ([], [Filter::Any(_)])
    );
    let (mut queries, mut titles) = (Vec::new(), Vec::new());
    for filter in must_not {
        match filter {
            // Excluding a clause without searchable words excludes nothing.
            Filter::All => {}
            Filter::Any(query) => match query.downcast_ref::<Either>() {
                Some(either) => {
                    let (text, title) = either.split();
                    queries.extend(text.into_iter().map(|q| (Occur::Should, q)));
                    titles.extend(title);
                }
                None => queries.push((Occur::Should, query.box_clone())),
            },
            Filter::Near { .. } | Filter::Group { .. } => return None,
        }
    }
    let passages: Box<dyn TantivyQuery> = match queries.len() {
        _ if !one_positive => return None,
        0 => return None,
        1 => queries.pop().map(|(_, query)| query)?,
        _ => Box::new(BooleanQuery::new(queries)),
    };
    Some(Exclusions { passages, titles })
}

/// The exclusions of a filter, for a search that judges the articles it is offered
/// ([`exclusions_only`]).
pub(crate) struct Exclusions {
    /// Matches the passages that leave their article out.
    pub passages: Box<dyn TantivyQuery>,
    /// Names in the title views (on every passage of an article) that leave their article
    /// out: asked only about the best articles found, not about every article offered.
    pub titles: Vec<super::names::Name>,
}

/// The articles `filter` lets in, judged on the passages in `within` (all when `None`).
pub(crate) fn members_within(
    snapshot: &Snapshot<'_>,
    filter: &Filter,
    within: Option<&Changed>,
) -> Result<Members> {
    judge(snapshot, within, |scope| scope.evaluate(filter))
}

/// The articles `evaluate` lets in, in a scope of `snapshot` (restricted to `within`), and the
/// passages it found to hold a proximity.
fn judge(
    snapshot: &Snapshot<'_>,
    within: Option<&Changed>,
    evaluate: impl FnOnce(&mut Scope<'_, '_>) -> Result<ArticleSet>,
) -> Result<Members> {
    let mut near = HashSet::new();
    let mut scope = Scope {
        snapshot,
        within,
        near: &mut near,
    };
    let articles = evaluate(&mut scope)?;
    Ok(Members { articles, near })
}

/// The article of the passage at `address`, as a key (`None` if it has no id).
pub(crate) fn key_of(snapshot: &Snapshot<'_>, address: DocAddress) -> Result<Option<ArticleKey>> {
    let columns = snapshot.columns(address.segment_ord)?;
    Ok(columns
        .article()?
        .as_ref()
        .and_then(|c| c.term_ords(address.doc_id).next())
        .map(|ord| (address.segment_ord, ord)))
}

/// Where a filter is evaluated: a snapshot, optionally only some of its passages.
struct Scope<'s, 'a> {
    snapshot: &'s Snapshot<'a>,
    within: Option<&'s Changed>,
    near: &'s mut HashSet<DocAddress>,
}

impl Scope<'_, '_> {
    fn segments(&self) -> usize {
        self.snapshot.searcher().segment_readers().len()
    }

    /// The articles with a passage that `query` matches (within the scope).
    fn search(&self, query: &dyn TantivyQuery) -> Result<ArticleSet> {
        let collector = Marks {
            columns: self.snapshot.article_columns()?,
        };
        let searcher = self.snapshot.searcher();
        let found = match self.within {
            Some(changed) => changed.search(searcher, query, &collector)?,
            None => searcher.search(query, &collector)?,
        };
        let mut set = ArticleSet::empty(self.segments());
        for (segment, ords) in found {
            if let Some(bits) = set.segments.get_mut(segment as usize) {
                bits.ords = ords;
            }
        }
        Ok(set)
    }

    /// The passages `query` matches (within the scope).
    fn passages(&self, query: &dyn TantivyQuery) -> Result<Vec<DocAddress>> {
        let searcher = self.snapshot.searcher();
        let found = match self.within {
            Some(changed) => {
                searcher.search(&*changed.within(query.box_clone()), &DocSetCollector)?
            }
            None => searcher.search(query, &DocSetCollector)?,
        };
        Ok(found.into_iter().collect())
    }

    /// The articles with a passage that `query` matches where `rule` holds (decided from the
    /// index's positions, see `near`).
    fn near(&mut self, query: &dyn TantivyQuery, rule: &NearRule) -> Result<ArticleSet> {
        let snapshot = self.snapshot;
        let near = NearQuery::new(snapshot.fields(), query.box_clone(), rule);
        let passages = self.passages(&near)?;
        near.check()?;
        let mut holding = Vec::new();
        for address in passages {
            self.near.insert(address);
            holding.extend(key_of(snapshot, address)?);
        }
        Ok(ArticleSet::of(self.segments(), holding))
    }

    fn evaluate(&mut self, filter: &Filter) -> Result<ArticleSet> {
        match filter {
            Filter::All => Ok(ArticleSet::all(self.segments())),
            Filter::Any(query) => self.search(&**query),
            Filter::Near { query, rule } => self.near(&**query, rule),
            Filter::Group {
                must,
                should,
                must_not,
            } => {
                let mut set = ArticleSet::all(self.segments());
                for filter in must {
                    set = set.and(self.evaluate(filter)?);
                }
                if must.is_empty() && !should.is_empty() {
                    let mut union = ArticleSet::empty(self.segments());
                    for filter in should {
                        union = union.or(self.evaluate(filter)?);
                    }
                    set = union;
                }
                self.exclude(set, must_not)
            }
        }
    }

    /// `set` without the articles of any of `must_not`.
    fn exclude(&mut self, mut set: ArticleSet, must_not: &[Filter]) -> Result<ArticleSet> {
        for filter in must_not {
            // Excluding a clause without searchable words excludes nothing.
            if !matches!(filter, Filter::All) {
                set = set.and(self.evaluate(filter)?.not());
            }
        }
        Ok(set)
    }
}

/// Collects the articles of the passages a query matches, as bits per segment.
struct Marks {
    /// Each segment's article-id column.
    columns: Vec<Option<StrColumn>>,
}

struct MarksSegment {
    segment: SegmentOrdinal,
    column: Option<StrColumn>,
    ords: FixedBitSet,
}

impl Collector for Marks {
    type Fruit = Vec<(SegmentOrdinal, FixedBitSet)>;
    type Child = MarksSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<MarksSegment> {
        let column = self.columns.get(segment as usize).cloned().flatten();
        let terms = column.as_ref().map_or(0, |c| c.dictionary().num_terms());
        Ok(MarksSegment {
            segment,
            column,
            ords: FixedBitSet::with_capacity(terms),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(SegmentOrdinal, FixedBitSet)>>,
    ) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for MarksSegment {
    type Fruit = Vec<(SegmentOrdinal, FixedBitSet)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(ord) = self.column.as_ref().and_then(|c| c.term_ords(doc).next()) {
            self.ords.grow_and_insert(ord as usize);
        }
    }

    fn harvest(self) -> Self::Fruit {
        vec![(self.segment, self.ords)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::compile;
    use crate::{Article, Index, Query, SearchOptions};

    /// A set of one segment holding the ordinals `ords`, or all but them.
    fn set(ords: &[u64], complement: bool) -> ArticleSet {
        let set = ArticleSet::of(1, ords.iter().map(|&ord| (0, ord)));
        if complement { set.not() } else { set }
    }

    /// The ordinals below 8 in `set`.
    fn held(set: &ArticleSet) -> Vec<u64> {
        (0..8).filter(|&ord| set.contains((0, ord))).collect()
    }

    #[test]
    fn sets_and_their_complements_combine_as_sets_do() {
        let a = [1, 2, 3];
        let b = [3, 4];
        // Every sign of each operand: the result is the same as on plain sets.
        for (na, nb) in [(false, false), (false, true), (true, false), (true, true)] {
            let in_a = |ord: u64| a.contains(&ord) != na;
            let in_b = |ord: u64| b.contains(&ord) != nb;
            let and: Vec<u64> = (0..8).filter(|&o| in_a(o) && in_b(o)).collect();
            let or: Vec<u64> = (0..8).filter(|&o| in_a(o) || in_b(o)).collect();
            assert_eq!(held(&set(&a, na).and(set(&b, nb))), and, "{na} {nb}");
            assert_eq!(held(&set(&a, na).or(set(&b, nb))), or, "{na} {nb}");
        }
        assert_eq!(held(&ArticleSet::all(1)), (0..8).collect::<Vec<_>>());
        assert!(held(&ArticleSet::empty(1)).is_empty());
        // Another segment, or one the set does not know, holds nothing.
        assert!(!set(&a, false).contains((1, 1)));
    }

    fn members_of(index: &Index, query: &str) -> Vec<String> {
        let (ids, _) = judged(index, query, members);
        ids
    }

    type Judge = fn(&Snapshot<'_>, &Filter) -> Result<Members>;

    /// The articles `judge` lets in, and those of them with a passage that the query's
    /// passage query matches (the articles that match the query).
    fn judged(index: &Index, query: &str, judge: Judge) -> (Vec<String>, Vec<String>) {
        let snapshot = index.snapshot();
        let query = Query::parse(query).unwrap();
        let options = SearchOptions::new();
        let ranking = crate::search::Ranking::default();
        let (compiled, filter) = compile::compile_articles(
            snapshot.searcher(),
            snapshot.fields(),
            &query,
            &options,
            &ranking,
        )
        .unwrap();
        let set = judge(&snapshot, &filter).unwrap().articles;
        let passages = snapshot
            .searcher()
            .search(&*compiled.query, &DocSetCollector)
            .unwrap();
        let matched: HashSet<ArticleKey> = passages
            .into_iter()
            .filter_map(|address| key_of(&snapshot, address).unwrap())
            .collect();
        let (mut ids, mut matching) = (Vec::new(), Vec::new());
        for id in ["kursk", "missiles", "both", "neither"] {
            let head = snapshot.find_head(id).unwrap().unwrap();
            let key = key_of(&snapshot, head).unwrap().unwrap();
            if set.contains(key) {
                ids.push(id.to_string());
                if matched.contains(&key) {
                    matching.push(id.to_string());
                }
            }
        }
        (ids, matching)
    }

    /// Four articles: one names Kursk, one missiles, one both (in different passages), one
    /// neither.
    fn four() -> Index {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        for (id, body) in [
            ("kursk", "North Korean troops fought in the Kursk region."),
            (
                "missiles",
                "The regime launched ballistic missiles on Tuesday.",
            ),
            (
                "both",
                "Fighting continued near Kursk.\n\nSeparately, ballistic missiles were fired.",
            ),
            ("neither", "The ministers discussed grain exports."),
        ] {
            writer.add(&Article::new(id, body)).unwrap();
        }
        writer.commit().unwrap();
        index
    }

    #[test]
    fn a_filter_judges_whole_articles() {
        let index = four();
        // The two words in different passages of one article: it matches `AND`.
        assert_eq!(members_of(&index, "Kursk AND missiles"), ["both"]);
        assert_eq!(members_of(&index, "Kursk AND NOT missiles"), ["kursk"]);
        assert_eq!(members_of(&index, "NOT Kursk"), ["missiles", "neither"]);
        assert_eq!(
            members_of(&index, "(Kursk OR missiles) -grain"),
            ["kursk", "missiles", "both"]
        );
        assert_eq!(members_of(&index, "+grain -exports"), Vec::<String>::new());
    }

    #[test]
    fn beside_the_passage_query_only_the_exclusions_are_evaluated_and_the_same_articles_match() {
        let index = four();
        for query in [
            "Kursk AND NOT missiles",
            "Kursk -missiles",
            "+missiles -Kursk",
        ] {
            let (all, matching) = judged(&index, query, members);
            let (beside, matching_beside) = judged(&index, query, members_beside);
            assert_eq!(matching_beside, matching, "{query}");
            // The positive clause is left to the passage query: more articles are let in.
            assert!(
                beside.len() > all.len(),
                "{query}: {beside:?} against {all:?}"
            );
        }
        let (beside, matching) = judged(&index, "Kursk AND NOT missiles", members_beside);
        assert_eq!(beside, ["kursk", "neither"]);
        assert_eq!(matching, ["kursk"]);
        // Two positive clauses: the filter is evaluated whole.
        let (beside, _) = judged(&index, "Kursk AND missiles -grain", members_beside);
        assert_eq!(beside, ["both"]);
    }
}
