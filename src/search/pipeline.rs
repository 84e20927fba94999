//! The stages of a search, each a function of a [`Snapshot`] of the index:
//!
//! 1. [`candidates`]: the best passage of each of the best articles for a query (the cheap
//!    one of a two-phase search), with block-max WAND pruning;
//! 2. [`rescore`]: the full query scores every passage of the candidates' articles;
//!    [`rank`] runs 1 and 2 with a pool of candidates that grows until it has enough;
//! 3. [`collapse`]: near-duplicates of a better article leave the results;
//! 4. [`page`]: the articles asked for;
//! 5. [`Materialiser`]: the hits, with their passages' text, highlights and articles.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tantivy::query::{EnableScoring, Query as TantivyQuery, Scorer};
use tantivy::{DocAddress, DocId, SegmentOrdinal};

use super::collect::{self, ArticleKey, Candidate, TopArticles};
use super::compile::Compiled;
use super::options::SearchOptions;
use super::{ArticleInfo, Hit, Passage};
use crate::analysis::WarmAnalyzer;
use crate::index::{Snapshot, stored_str};
use crate::{Error, Result};

/// The largest pool of candidates for a two-phase search; beyond, the full query runs alone.
const MAX_POOL: usize = 4000;
/// Collapsing near-duplicates looks at most this many articles for the results.
const MAX_COLLAPSE: usize = 40_000;

/// The queries of one search.
pub(crate) struct Plan {
    /// The full query: ranks, and says what to highlight.
    pub full: Compiled,
    /// The cheap query of a two-phase search (no title, proximity or coverage clauses,
    /// phrases as conjunctions), when the full one has clauses worth a second phase.
    pub cheap: Option<Box<dyn TantivyQuery>>,
}

/// Articles ranked by the full query.
#[derive(Default)]
pub(crate) struct Ranked {
    /// The best passage of each article, best article first.
    pub articles: Vec<Candidate>,
    /// The best passages of the articles rescored, best first.
    pub passages: HashMap<ArticleKey, Vec<Candidate>>,
    /// The near-duplicate cluster of each article (after [`collapse`]).
    pub clusters: HashMap<ArticleKey, u64>,
}

/// Stage 1: the best passage of each of the `k` best articles for `query`, best first.
pub(crate) fn candidates(
    snapshot: &Snapshot<'_>,
    query: &dyn TantivyQuery,
    k: usize,
) -> Result<Vec<Candidate>> {
    Ok(snapshot.searcher().search(query, &TopArticles { k })?)
}

/// Stage 2: every live passage of the candidates' articles scored with `query`, and each
/// article's `passages` best kept, best first. An article without any passage that `query`
/// matches is left out.
pub(crate) fn rescore(
    snapshot: &Snapshot<'_>,
    query: &dyn TantivyQuery,
    candidates: &[Candidate],
    passages: usize,
) -> Result<HashMap<ArticleKey, Vec<Candidate>>> {
    let searcher = snapshot.searcher();
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    // (segment, doc, candidate) for every passage of every candidate, in index order: each
    // segment's scorer seeks forward from passage to passage.
    let mut docs: Vec<(SegmentOrdinal, DocId, usize)> = Vec::new();
    for (i, candidate) in candidates.iter().enumerate() {
        let segment = candidate.address.segment_ord;
        let block = snapshot.passages(candidate.address)?;
        docs.extend(block.map(|doc| (segment, doc, i)));
    }
    docs.sort_unstable();
    let mut out: HashMap<ArticleKey, Vec<Candidate>> = HashMap::new();
    let mut scorer: Option<(SegmentOrdinal, Box<dyn Scorer>)> = None;
    for (segment, doc, i) in docs {
        let reader = searcher.segment_reader(segment);
        if scorer.as_ref().is_none_or(|(s, _)| *s != segment) {
            scorer = Some((segment, weight.scorer(reader, 1.0)?));
        }
        let (_, scorer) = scorer.as_mut().expect("just set");
        if scorer.doc() < doc {
            scorer.seek(doc);
        }
        if scorer.doc() != doc || reader.alive_bitset().is_some_and(|a| !a.is_alive(doc)) {
            continue;
        }
        let candidate = &candidates[i];
        out.entry(candidate.key())
            .or_default()
            .push(candidate.with(scorer.score(), DocAddress::new(segment, doc)));
    }
    for list in out.values_mut() {
        list.sort_by(collect::rank_order);
        list.truncate(passages);
    }
    Ok(out)
}

/// Each candidate replaced by its article's best rescored passage, dropped if its article has
/// none, and the whole sorted again.
fn rerank(candidates: &mut Vec<Candidate>, best: &HashMap<ArticleKey, Vec<Candidate>>) {
    candidates.retain_mut(|candidate| {
        match best.get(&candidate.key()).and_then(|list| list.first()) {
            Some(best) => {
                *candidate = best.clone();
                true
            }
            None => false,
        }
    });
    candidates.sort_by(collect::rank_order);
}

/// Stages 1 and 2: the `target` best articles for the plan, with their best `passages`.
///
/// The cheap query finds a pool of three times the target; the full query scores the pool's
/// passages, ranks the articles, gives each its best passages, and drops those the cheap query
/// let in wrongly (a phrase whose words are all there, but apart). If too few are left, the
/// pool grows; at last the full query runs alone. (Measured on Cranfield and the diplomatic
/// set: a pool of three times the results loses nothing.)
pub(crate) fn rank(
    snapshot: &Snapshot<'_>,
    plan: &Plan,
    target: usize,
    passages: usize,
) -> Result<Ranked> {
    let full = &*plan.full.query;
    let mut ranked = Ranked::default();
    let mut pool = if plan.cheap.is_some() {
        (target * 3).max(30).min(target + 1000)
    } else {
        target
    };
    loop {
        let fallback = plan.cheap.is_none() || pool > MAX_POOL;
        let (first, k) = match plan.cheap.as_deref() {
            Some(cheap) if !fallback => (cheap, pool),
            _ => (full, target),
        };
        let mut found = candidates(snapshot, first, k)?;
        // The full query alone already gives each article its best passage.
        if (fallback && passages == 1) || found.is_empty() {
            ranked.articles = found;
            return Ok(ranked);
        }
        ranked.passages = rescore(snapshot, full, &found, passages)?;
        let exhausted = found.len() < k;
        rerank(&mut found, &ranked.passages);
        if found.len() >= target || exhausted || fallback {
            ranked.articles = found;
            return Ok(ranked);
        }
        pool *= 4;
    }
}

/// Stage 3: reads the near-duplicate cluster of every ranked article and, if `collapse`,
/// keeps only the best article of each cluster.
pub(crate) fn collapse(snapshot: &Snapshot<'_>, ranked: &mut Ranked, collapse: bool) -> Result<()> {
    for candidate in &ranked.articles {
        if let Some(key) = snapshot.cluster(candidate.address)? {
            ranked.clusters.insert(candidate.key(), key);
        }
    }
    if collapse {
        let mut seen = HashSet::new();
        let clusters = &ranked.clusters;
        ranked
            .articles
            .retain(|c| clusters.get(&c.key()).is_none_or(|key| seen.insert(*key)));
    }
    Ok(())
}

/// Stages 1 to 3 for the first `wanted` articles. Copies are rare, so the search asks for what
/// is wanted and looks further only when collapsing left too few (up to a bound).
pub(crate) fn rank_collapsed(
    snapshot: &Snapshot<'_>,
    plan: &Plan,
    options: &SearchOptions,
    wanted: usize,
) -> Result<Ranked> {
    let mut target = wanted;
    loop {
        let mut ranked = rank(snapshot, plan, target, options.passages)?;
        let found = ranked.articles.len();
        collapse(snapshot, &mut ranked, options.collapse)?;
        if ranked.articles.len() < wanted && found >= target && target < MAX_COLLAPSE {
            target = target.saturating_mul(4).min(MAX_COLLAPSE);
            continue;
        }
        return Ok(ranked);
    }
}

/// Stage 4: the `limit` articles after the first `offset`.
pub(crate) fn page(articles: Vec<Candidate>, offset: usize, limit: usize) -> Vec<Candidate> {
    articles.into_iter().skip(offset).take(limit).collect()
}

/// Stage 5: turns ranked articles into hits: their passages read, highlighted and explained,
/// their articles read from their heads, their copies counted.
pub(crate) struct Materialiser<'s, 'a> {
    snapshot: &'s Snapshot<'a>,
    plan: &'s Compiled,
    options: &'s SearchOptions,
    /// The index, for errors.
    path: PathBuf,
    analyzer: WarmAnalyzer,
}

impl<'s, 'a> Materialiser<'s, 'a> {
    /// A materialiser for the hits of `plan` (the full query).
    pub(crate) fn new(
        snapshot: &'s Snapshot<'a>,
        plan: &'s Compiled,
        options: &'s SearchOptions,
        path: PathBuf,
    ) -> Self {
        Materialiser {
            snapshot,
            plan,
            options,
            path,
            analyzer: crate::analysis::warm(),
        }
    }

    /// The hit at 1-based `rank` for `article` (its best passage), showing `passages` (the
    /// article's best, or the candidate alone if empty).
    pub(crate) fn hit(
        &mut self,
        rank: usize,
        article: &Candidate,
        passages: Option<Vec<Candidate>>,
        cluster: Option<u64>,
    ) -> Result<Hit> {
        let chosen = passages.unwrap_or_else(|| vec![article.clone()]);
        let shown = chosen
            .iter()
            .map(|passage| self.passage(passage))
            .collect::<Result<Vec<Passage>>>()?;
        let first = chosen.first().unwrap_or(article);
        let duplicates = match cluster {
            Some(key) => self.snapshot.cluster_size(key)?.saturating_sub(1),
            None => 0,
        };
        Ok(Hit {
            duplicates,
            rank,
            score: article.score,
            article: self.article(first.address, first.id())?,
            passages: shown,
        })
    }

    /// A passage, highlighted (only inside quotations when searching them), explained if asked.
    pub(crate) fn passage(&mut self, candidate: &Candidate) -> Result<Passage> {
        let stored = self.snapshot.passage(candidate.address)?;
        let explanation = if self.options.explain {
            Some(self.explain(candidate.address)?)
        } else {
            None
        };
        let mut highlights = self
            .plan
            .highlighter
            .highlight(&mut self.analyzer, &stored.text);
        if self.options.quotes {
            let quotes = &stored.quotes;
            highlights.retain(|h| {
                quotes
                    .iter()
                    .any(|q| q.range.start <= h.start && h.end <= q.range.end)
            });
        }
        Ok(Passage {
            highlights,
            end: stored.start + stored.text.len(),
            text: stored.text,
            start: stored.start,
            score: candidate.score,
            ordinal: stored.ordinal,
            explanation,
            quotes: stored.quotes,
        })
    }

    fn explain(&self, address: DocAddress) -> Result<String> {
        let mut text: String = self
            .plan
            .expansions
            .iter()
            .map(|e| format!("alias: {e}\n"))
            .collect();
        let explanation = self.plan.query.explain(self.snapshot.searcher(), address)?;
        text.push_str(&super::explain::render(&explanation));
        Ok(text)
    }

    /// The article `id` of the passage at `address`, read from its head.
    pub(crate) fn article(&self, address: DocAddress, id: &str) -> Result<ArticleInfo> {
        let head = match self.snapshot.head(address)? {
            Some(head) => head,
            None => self.snapshot.find_head(id)?.ok_or_else(|| Error::Corrupt {
                path: self.path.clone(),
                detail: format!("article `{id}` has no first passage"),
            })?,
        };
        let doc = self.snapshot.doc(head)?;
        let fields = self.snapshot.fields();
        let lead_text = stored_str(&doc, fields.text).unwrap_or_default();
        Ok(ArticleInfo {
            id: id.to_string(),
            title: stored_str(&doc, fields.title),
            date: stored_str(&doc, fields.date_text),
            source: stored_str(&doc, fields.source_text),
            url: stored_str(&doc, fields.url),
            path: stored_str(&doc, fields.path),
            lead: crate::corpus::lead(&lead_text, 12),
        })
    }
}
