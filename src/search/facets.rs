//! Counting, facets and timelines: how many articles match a query, what they mention, who
//! published them and when, and how many matching passages there are per month or year.
//!
//! One collector, `ArticleFacets`, reads the matching passages once and yields the number of
//! articles they belong to and, when asked, those articles' facets: [`Index::count`],
//! [`Index::facets`] and the total of [`Index::search_with_total`] all go through it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use tantivy::Searcher;
use tantivy::query::Query as TantivyQuery;

use super::articles::ArticleSet;
use super::{Query, SearchOptions};
use crate::domain::Facet;
use crate::index::fast;
use crate::{Index, Result};

/// Counts, by facet, of the articles that match a query (most frequent first).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Facets {
    /// Articles that match.
    pub articles: u64,
    /// Countries mentioned (ISO alpha-3).
    pub countries: Vec<(String, u64)>,
    /// Organisations mentioned.
    pub orgs: Vec<(String, u64)>,
    /// Signatories of the joint statements among them.
    pub signatories: Vec<(String, u64)>,
    /// Sources.
    pub sources: Vec<(String, u64)>,
    /// Years of publication (`undated` for articles without a date).
    pub years: Vec<(String, u64)>,
    /// Languages (codes such as `en`, `ru`; `und` when unknown).
    pub languages: Vec<(String, u64)>,
}

/// How a timeline groups passages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// By calendar month (`2024-12`).
    Month,
    /// By calendar year (`2024`).
    Year,
}

impl Index {
    /// How many articles match `query` with the filters of `options`: those a search ranks
    /// (near-duplicate copies count one each: this is the number before collapsing). A query
    /// with article-level logic (`AND`, `NOT`, proximities) counts the articles it lets in.
    ///
    /// [`Index::search_with_total`] gives the same number with a page of hits, in one pass.
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    ///
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "Troops in Kursk.\n\nMore troops in Kursk."))?;
    /// writer.add(&Article::new("b", "Kursk again.\n\nThe Russian army."))?;
    /// writer.add(&Article::new("c", "Nothing to see."))?;
    /// writer.commit()?;
    /// assert_eq!(index.count(&Query::parse("Kursk")?, &SearchOptions::new())?, 2);
    /// // Over whole articles: "b" names Russia in another passage.
    /// assert_eq!(index.count(&Query::parse("Kursk AND NOT Russian")?, &SearchOptions::new())?, 1);
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn count(&self, query: &Query, options: &SearchOptions) -> Result<u64> {
        crate::index::guard(&self.display_path(), || {
            let snapshot = self.snapshot();
            let (compiled, allowed) = self.matching(&snapshot, query, options)?;
            count_articles(snapshot.searcher(), &*compiled.query, allowed)
        })
    }

    /// Counts by country, organisation, signatory, source, year and language of the articles
    /// that match.
    ///
    /// # Example
    /// ```
    /// use communique::{Article, Index, Query, SearchOptions};
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "North Korea sent troops to Russia.").with_date("2024-12-16")?)?;
    /// writer.commit()?;
    /// let facets = index.facets(&Query::parse("troops")?, &SearchOptions::new())?;
    /// assert_eq!(facets.articles, 1);
    /// assert_eq!(facets.countries, [("PRK".to_string(), 1), ("RUS".to_string(), 1)]);
    /// assert_eq!(facets.years, [("2024".to_string(), 1)]);
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn facets(&self, query: &Query, options: &SearchOptions) -> Result<Facets> {
        crate::index::guard(&self.display_path(), || {
            let snapshot = self.snapshot();
            let (compiled, allowed) = self.matching(&snapshot, query, options)?;
            let counts = snapshot.searcher().search(
                &compiled.query,
                &ArticleFacets {
                    allowed,
                    facets: true,
                },
            )?;
            let mut facets = Facets {
                articles: counts.articles,
                ..Facets::default()
            };
            for (facet, count) in counts.counts {
                let (list, value) = match facet {
                    Facet::Country(id) => (&mut facets.countries, id),
                    Facet::Org(id) => (&mut facets.orgs, id),
                    Facet::Signatory(id) => (&mut facets.signatories, id),
                    Facet::Source(name) => (&mut facets.sources, name),
                    Facet::Year(Some(year)) => (&mut facets.years, format!("{year:04}")),
                    Facet::Year(None) => (&mut facets.years, "undated".to_string()),
                    Facet::Lang(code) => (&mut facets.languages, code),
                };
                list.push((value, count));
            }
            for list in [
                &mut facets.countries,
                &mut facets.orgs,
                &mut facets.signatories,
                &mut facets.sources,
                &mut facets.languages,
            ] {
                *list = crate::domain::facet::by_count(std::mem::take(list));
            }
            facets.years.sort();
            Ok(facets)
        })
    }

    /// How many passages match per month or year, in order, with empty periods between the
    /// first and the last filled in; passages of undated articles are left out.
    ///
    /// # Example
    /// ```
    /// use communique::search::Period;
    /// use communique::{Article, Index, Query, SearchOptions};
    /// let index = Index::in_memory()?;
    /// let mut writer = index.writer()?;
    /// writer.add(&Article::new("a", "The grain corridor opened.").with_date("2022-08-01")?)?;
    /// writer.add(&Article::new("b", "The grain corridor closed.").with_date("2022-10-03")?)?;
    /// writer.commit()?;
    /// let months = index.timeline(&Query::parse("grain corridor")?, &SearchOptions::new(), Period::Month)?;
    /// assert_eq!(months, [("2022-08".to_string(), 1), ("2022-09".to_string(), 0), ("2022-10".to_string(), 1)]);
    /// # Ok::<(), communique::Error>(())
    /// ```
    pub fn timeline(
        &self,
        query: &Query,
        options: &SearchOptions,
        period: Period,
    ) -> Result<Vec<(String, u64)>> {
        crate::index::guard(&self.display_path(), || {
            let snapshot = self.snapshot();
            let (compiled, allowed) = self.matching(&snapshot, query, options)?;
            let counts = snapshot
                .searcher()
                .search(&compiled.query, &Timeline { period, allowed })?;
            Ok(fill(counts, period))
        })
    }
}

/// How many articles (of those `allowed`) have a passage that `query` matches.
pub(crate) fn count_articles(
    searcher: &Searcher,
    query: &dyn TantivyQuery,
    allowed: Allowed,
) -> Result<u64> {
    let counts = searcher.search(
        query,
        &ArticleFacets {
            allowed,
            facets: false,
        },
    )?;
    Ok(counts.articles)
}

/// The articles a query with article-level logic lets in; `None` lets every article in.
pub(crate) type Allowed = Option<Arc<ArticleSet>>;

/// [`Allowed`] in one segment: whether a passage's article is let in.
struct Admits {
    set: Arc<ArticleSet>,
    segment: SegmentOrdinal,
    /// The segment's article-id column.
    column: Option<StrColumn>,
}

impl Admits {
    /// The segment's view of `allowed` (`None` when every article is let in).
    fn of(
        allowed: &Allowed,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Option<Admits>> {
        let Some(set) = allowed else {
            return Ok(None);
        };
        Ok(Some(Admits {
            set: Arc::clone(set),
            segment,
            column: reader.fast_fields().str(fast::ARTICLE_ID)?,
        }))
    }

    /// Whether the article of the passage `doc` is let in.
    fn doc(&self, doc: DocId) -> bool {
        self.column
            .as_ref()
            .and_then(|column| column.term_ords(doc).next())
            .is_some_and(|ord| self.set.contains((self.segment, ord)))
    }
}

impl Index {
    /// The passage query of `query` and, for a query with article-level logic (required or
    /// excluded clauses, proximities), the heads of the articles it lets in, as a search
    /// decides them.
    fn matching(
        &self,
        snapshot: &crate::index::Snapshot<'_>,
        query: &Query,
        options: &SearchOptions,
    ) -> Result<(super::compile::Compiled, Allowed)> {
        // The ranking of a search: inside quotations, a word in the title does not match.
        let ranking = super::effective_ranking(options);
        if !super::compile::needs_articles(query.root()) {
            let compiled = self.compile(snapshot.searcher(), query, options, &ranking, false)?;
            return Ok((compiled, None));
        }
        let (compiled, filter) = super::compile::compile_articles(
            snapshot.searcher(),
            snapshot.fields(),
            query,
            options,
            &ranking,
        )?;
        let members = super::articles::members_beside(snapshot, &filter)?;
        Ok((compiled, Some(Arc::new(members.articles))))
    }
}

/// Periods from the first to the last, with zeros for the empty ones.
fn fill(counts: BTreeMap<(i16, i8), u64>, period: Period) -> Vec<(String, u64)> {
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut year, mut month) = first;
    loop {
        let count = counts.get(&(year, month)).copied().unwrap_or(0);
        out.push(match period {
            Period::Year => (format!("{year:04}"), count),
            Period::Month => (format!("{year:04}-{month:02}"), count),
        });
        if (year, month) >= last {
            break;
        }
        match period {
            Period::Year => year += 1,
            Period::Month if month == 12 => {
                year += 1;
                month = 1;
            }
            Period::Month => month += 1,
        }
    }
    out
}

fn calendar(date: tantivy::DateTime) -> Option<(i16, i8)> {
    let t = jiff::Timestamp::from_second(date.into_timestamp_secs()).ok()?;
    let civil = t.to_zoned(jiff::tz::TimeZone::UTC).date();
    Some((civil.year(), civil.month()))
}

/// The articles of the matching passages (those allowed): how many, and, if `facets`, their
/// facet counts.
struct ArticleFacets {
    allowed: Allowed,
    /// Whether to count facets too (otherwise only articles).
    facets: bool,
}

#[derive(Default)]
struct FacetCounts {
    articles: u64,
    counts: HashMap<Facet, u64>,
}

/// The columns facets are read from.
struct FacetColumns {
    entities: Option<tantivy::columnar::StrColumn>,
    sources: Option<tantivy::columnar::StrColumn>,
    languages: Option<tantivy::columnar::StrColumn>,
    dates: tantivy::columnar::Column<tantivy::DateTime>,
}

struct ArticleFacetsSegment {
    admits: Option<Admits>,
    /// The heads of the articles seen, in the order first seen (ascending in practice, as
    /// tantivy visits a segment's documents in order; duplicates are removed at harvest).
    heads: Vec<DocId>,
    ordinal: tantivy::columnar::Column<u64>,
    columns: Option<FacetColumns>,
}

impl SegmentCollector for ArticleFacetsSegment {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let ordinal = self.ordinal.first(doc).unwrap_or(0);
        let head = doc.saturating_sub(ordinal as DocId);
        // An article's passages are adjacent: its other matching passages follow at once.
        if self.heads.last() == Some(&head) {
            return;
        }
        if self.admits.as_ref().is_none_or(|admits| admits.doc(doc)) {
            self.heads.push(head);
        }
    }

    fn harvest(mut self) -> FacetCounts {
        self.heads.sort_unstable();
        self.heads.dedup();
        let mut out = FacetCounts {
            articles: self.heads.len() as u64,
            ..FacetCounts::default()
        };
        let Some(columns) = &self.columns else {
            return out;
        };
        let mut text = String::new();
        let mut count = |key: Facet| *out.counts.entry(key).or_default() += 1;
        for &head in &self.heads {
            if let Some(entities) = &columns.entities {
                for ord in entities.term_ords(head) {
                    text.clear();
                    if entities.ord_to_str(ord, &mut text).unwrap_or(false)
                        && let Ok(facet) = text.parse()
                    {
                        count(facet);
                    }
                }
            }
            if let Some(sources) = &columns.sources
                && let Some(ord) = sources.term_ords(head).next()
            {
                text.clear();
                if sources.ord_to_str(ord, &mut text).unwrap_or(false) {
                    count(Facet::Source(text.clone()));
                }
            }
            if let Some(languages) = &columns.languages
                && let Some(ord) = languages.term_ords(head).next()
            {
                text.clear();
                if languages.ord_to_str(ord, &mut text).unwrap_or(false) {
                    count(Facet::Lang(text.clone()));
                }
            }
            count(Facet::Year(
                columns
                    .dates
                    .first(head)
                    .and_then(calendar)
                    .map(|(year, _)| year),
            ));
        }
        out
    }
}

impl Collector for ArticleFacets {
    type Fruit = FacetCounts;
    type Child = ArticleFacetsSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ArticleFacetsSegment> {
        let fast = reader.fast_fields();
        let columns = if self.facets {
            Some(FacetColumns {
                entities: fast.str(fast::ENTITIES)?,
                sources: fast.str(fast::SOURCE)?,
                languages: fast.str(fast::LANG)?,
                dates: fast.date(fast::DATE)?,
            })
        } else {
            None
        };
        Ok(ArticleFacetsSegment {
            admits: Admits::of(&self.allowed, segment, reader)?,
            heads: Vec::new(),
            ordinal: fast.u64(fast::ORDINAL)?,
            columns,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut out = FacetCounts::default();
        for fruit in fruits {
            out.articles += fruit.articles;
            for (key, count) in fruit.counts {
                *out.counts.entry(key).or_default() += count;
            }
        }
        Ok(out)
    }
}

/// Matching passages (of the allowed articles) per period.
struct Timeline {
    period: Period,
    allowed: Allowed,
}

struct TimelineSegment {
    period: Period,
    admits: Option<Admits>,
    dates: tantivy::columnar::Column<tantivy::DateTime>,
    counts: BTreeMap<(i16, i8), u64>,
}

impl SegmentCollector for TimelineSegment {
    type Fruit = BTreeMap<(i16, i8), u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if self.admits.as_ref().is_some_and(|admits| !admits.doc(doc)) {
            return;
        }
        if let Some((year, month)) = self.dates.first(doc).and_then(calendar) {
            let key = match self.period {
                Period::Year => (year, 1),
                Period::Month => (year, month),
            };
            *self.counts.entry(key).or_default() += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
    }
}

impl Collector for Timeline {
    type Fruit = BTreeMap<(i16, i8), u64>;
    type Child = TimelineSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TimelineSegment> {
        Ok(TimelineSegment {
            period: self.period,
            admits: Admits::of(&self.allowed, segment, reader)?,
            dates: reader.fast_fields().date(fast::DATE)?,
            counts: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut out = BTreeMap::new();
        for fruit in fruits {
            for (key, count) in fruit {
                *out.entry(key).or_default() += count;
            }
        }
        Ok(out)
    }
}
