//! Article-level Boolean logic: which articles a query with `AND`, `NOT`, `+`, `-`, required
//! phrases or proximities matches, over the article's title and all its passages.
//!
//! The compiler gives a [`Filter`], the query's Boolean structure with a tantivy query at each
//! leaf. [`members`] evaluates it per article: a leaf matches an article when any passage of
//! the article (or its title) matches; a proximity when one passage holds its operands close
//! enough, by the same rule that highlights it (decided from the index's positions, see
//! `near`). Ranking stays passage-based (see `pipeline`): only the articles let in are ranked.

use std::collections::{HashMap, HashSet};

use tantivy::DocAddress;
use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, Query as TantivyQuery};

use super::collect::{ArticleKey, Candidate, TopArticles};
use super::highlight::NearRule;
use super::matching::Changed;
use super::near::NearQuery;
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

/// The articles a filter lets in, each with one of its matching passages, and the passages
/// found to hold a proximity (to show first).
#[derive(Default)]
pub(crate) struct Members {
    /// The articles, each with one passage.
    pub articles: HashMap<ArticleKey, Candidate>,
    /// Passages where a proximity of the query holds.
    pub near: HashSet<DocAddress>,
}

/// The articles `filter` lets in.
pub(crate) fn members(snapshot: &Snapshot<'_>, filter: &Filter) -> Result<Members> {
    members_within(snapshot, filter, None)
}

/// The articles `filter` lets in, among those with passages in `within` (all when `None`).
pub(crate) fn members_within(
    snapshot: &Snapshot<'_>,
    filter: &Filter,
    within: Option<&Changed>,
) -> Result<Members> {
    let mut near = HashSet::new();
    let mut scope = Scope {
        snapshot,
        within,
        near: &mut near,
    };
    let articles = match scope.evaluate(filter)? {
        Some(articles) => articles,
        None => scope.everything()?,
    };
    Ok(Members { articles, near })
}

/// The article of the passage at `address`, as a key (`None` if it has no id).
pub(crate) fn key_of(snapshot: &Snapshot<'_>, address: DocAddress) -> Result<Option<ArticleKey>> {
    let columns = snapshot.columns(address.segment_ord)?;
    Ok(columns
        .article
        .as_ref()
        .and_then(|c| c.term_ords(address.doc_id).next())
        .map(|ord| (address.segment_ord, ord)))
}

/// Articles, or `None` for all of them (not materialised until needed).
type Set = Option<HashMap<ArticleKey, Candidate>>;

/// Where a filter is evaluated: a snapshot, optionally only some of its passages.
struct Scope<'s, 'a> {
    snapshot: &'s Snapshot<'a>,
    within: Option<&'s Changed>,
    near: &'s mut HashSet<DocAddress>,
}

impl Scope<'_, '_> {
    fn everything(&self) -> Result<HashMap<ArticleKey, Candidate>> {
        self.search(&AllQuery)
    }

    fn search(&self, query: &dyn TantivyQuery) -> Result<HashMap<ArticleKey, Candidate>> {
        let collector = TopArticles { k: usize::MAX };
        let searcher = self.snapshot.searcher();
        let found = match self.within {
            Some(changed) => changed.search(searcher, query, &collector)?,
            None => searcher.search(query, &collector)?,
        };
        Ok(found.into_iter().map(|c| (c.key(), c)).collect())
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

    fn evaluate(&mut self, filter: &Filter) -> Result<Set> {
        match filter {
            Filter::All => Ok(None),
            Filter::Any(query) => Ok(Some(self.search(&**query)?)),
            Filter::Near { query, rule } => {
                let snapshot = self.snapshot;
                let mut articles = self.search(&**query)?;
                let mut holding: HashSet<ArticleKey> = HashSet::new();
                let near = NearQuery::new(snapshot.fields(), query.box_clone(), rule);
                let passages = self.passages(&near)?;
                near.check()?;
                for address in passages {
                    self.near.insert(address);
                    if let Some(key) = key_of(snapshot, address)? {
                        holding.insert(key);
                    }
                }
                articles.retain(|key, _| holding.contains(key));
                Ok(Some(articles))
            }
            Filter::Group {
                must,
                should,
                must_not,
            } => {
                let mut set: Set = None;
                for filter in must {
                    let found = self.evaluate(filter)?;
                    set = match (set, found) {
                        (None, found) => found,
                        (set, None) => set,
                        (Some(mut set), Some(found)) => {
                            set.retain(|key, _| found.contains_key(key));
                            Some(set)
                        }
                    };
                }
                if must.is_empty() && !should.is_empty() {
                    let mut union = Some(HashMap::new());
                    for filter in should {
                        match (self.evaluate(filter)?, union.as_mut()) {
                            (None, _) => union = None,
                            (Some(found), Some(union)) => {
                                for (key, candidate) in found {
                                    union.entry(key).or_insert(candidate);
                                }
                            }
                            (Some(_), None) => {}
                        }
                    }
                    set = union;
                }
                for filter in must_not {
                    let Some(excluded) = self.evaluate(filter)? else {
                        // Excluding a clause without searchable words excludes nothing.
                        continue;
                    };
                    let mut kept = match set {
                        Some(set) => set,
                        None => self.everything()?,
                    };
                    kept.retain(|key, _| !excluded.contains_key(key));
                    set = Some(kept);
                }
                Ok(set)
            }
        }
    }
}
