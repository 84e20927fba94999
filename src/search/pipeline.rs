//! The stages of a search, each a function of a [`Snapshot`] of the index:
//!
//! 1. [`candidates`]: the best passage of each of the best articles for a query (the cheap
//!    one of a two-phase search), with block-max WAND pruning; with article-level logic,
//!    among the articles its filter lets in ([`rank_articles`]);
//! 2. [`rescore`]: the full query scores every passage of the candidates' articles, and each
//!    article is scored from its best passages ([`ArticleScore`]); [`rank`] runs 1 and 2 with
//!    a pool of candidates that grows until it has enough;
//! 3. [`collapse`]: near-duplicates of a better article leave the results;
//! 4. [`page`]: the articles asked for;
//! 5. [`Materialiser`]: the hits, with their passages' text, highlights and articles.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Query as TantivyQuery, Scorer};
use tantivy::{DocAddress, DocId, SegmentOrdinal};

use super::articles::{self, ArticleSet, Filter};
use super::collect::{self, ArticleKey, Candidate, Excluding, TopArticles};
use super::compile::Compiled;
use super::names::{Name, OnlyNames};
use super::options::{ArticleScore, SearchOptions};
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
    /// For a query with article-level logic (required or excluded clauses, proximities): the
    /// filter that decides which articles match; `full` then only ranks their passages.
    pub articles: Option<Filter>,
    /// The query whose passages match, when it is not `full`: `full` before feedback words
    /// were added (they rank, and must not make more articles match).
    pub matching: Option<Box<dyn TantivyQuery>>,
}

/// The articles a filter lets in, for [`rank_articles`].
pub(crate) enum Admitted {
    /// Those of a set, decided beforehand (with the passages holding a proximity).
    Members(articles::Members),
    /// All but those with a passage an excluded query matches, decided as they are offered,
    /// and those whose title one of the title queries matches, decided for the best found.
    Excluding(Excluding, Vec<Name>),
}

/// The articles a plan's filter lets in, for counting them: those `ranked` kept, or, when the
/// ranking judged only the articles it was offered ([`Admitted::Excluding`]), all of them
/// (`None` without a filter).
pub(crate) fn allowed(
    snapshot: &Snapshot<'_>,
    plan: &Plan,
    ranked: &mut Ranked,
) -> Result<Option<Arc<ArticleSet>>> {
    match (ranked.allowed.take(), &plan.articles) {
        (Some(allowed), _) => Ok(Some(allowed)),
        (None, Some(filter)) => {
            let members = match plan.matching {
                None => articles::members_beside(snapshot, filter)?,
                Some(_) => articles::members(snapshot, filter)?,
            };
            Ok(Some(Arc::new(members.articles)))
        }
        (None, None) => Ok(None),
    }
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
    /// For a query with article-level logic: the articles its filter lets in (those that
    /// match hold a passage the full query matches, too), unless the ranking judged only the
    /// articles it was offered (see [`allowed`]).
    pub allowed: Option<Arc<ArticleSet>>,
}

/// Stage 1: the best passage of each of the `k` best articles for `query`, best first.
pub(crate) fn candidates(
    snapshot: &Snapshot<'_>,
    query: &dyn TantivyQuery,
    k: usize,
) -> Result<Vec<Candidate>> {
    snapshot.search(query, &TopArticles::new(snapshot, k)?)
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
    // (segment, doc, candidate) for every passage of every candidate, in index order: each
    // segment's scorer seeks forward from passage to passage.
    let mut docs: Vec<(SegmentOrdinal, DocId, usize)> = Vec::new();
    for (i, candidate) in candidates.iter().enumerate() {
        let segment = candidate.address.segment_ord;
        let block = snapshot.passages(candidate.address)?;
        docs.extend(block.map(|doc| (segment, doc, i)));
    }
    docs.sort_unstable();
    // The query evaluated at these passages only: its unions and phrases visit no other.
    let mut only: HashMap<tantivy::index::SegmentId, Vec<DocId>> = HashMap::new();
    for &(segment, doc, _) in &docs {
        let list = only
            .entry(searcher.segment_reader(segment).segment_id())
            .or_default();
        if list.last() != Some(&doc) {
            list.push(doc);
        }
    }
    let query = super::restrict::restrict(query, &Arc::new(only));
    let weight = query.weight(snapshot.scoring()?)?;
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

/// Each candidate replaced by its article's first rescored passage, with the article's score
/// made by `how` from the passages' scores (in their order), dropped if its article has none,
/// and all sorted again in rank order. Then each article keeps its first `passages` passages
/// (to show).
fn rerank(
    candidates: &mut Vec<Candidate>,
    best: &mut HashMap<ArticleKey, Vec<Candidate>>,
    how: ArticleScore,
    passages: usize,
) {
    candidates.retain_mut(|candidate| {
        let Some(list) = best.get(&candidate.key()) else {
            return false;
        };
        let Some(first) = list.first() else {
            return false;
        };
        let scores: Vec<f32> = list.iter().take(how.passages()).map(|c| c.score).collect();
        *candidate = first.with(how.of(&scores), first.address);
        true
    });
    candidates.sort_by(collect::rank_order);
    for list in best.values_mut() {
        list.truncate(passages);
    }
}

/// Stages 1 and 2: the `target` best articles for the plan, scored by `how`, with their best
/// `passages`.
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
    how: ArticleScore,
) -> Result<Ranked> {
    let full = &*plan.full.query;
    if let Some(filter) = &plan.articles {
        // Without feedback words, the passage query matches only where the filter's positive
        // clauses do: if the filter only excludes, the articles offered are judged one by one.
        let admitted = match (&plan.matching, articles::exclusions_only(filter)) {
            (None, Some(excluded)) => Admitted::Excluding(
                Excluding::new(snapshot, &*excluded.passages)?,
                excluded.titles,
            ),
            (None, None) => Admitted::Members(articles::members_beside(snapshot, filter)?),
            (Some(_), _) => Admitted::Members(articles::members(snapshot, filter)?),
        };
        return rank_articles(snapshot, full, admitted, passages, how, target);
    }
    // The passages the article's score reads, and those shown.
    let keep = passages.max(how.passages());
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
        if (fallback && keep == 1) || found.is_empty() {
            ranked.articles = found;
            return Ok(ranked);
        }
        ranked.passages = rescore(snapshot, full, &found, keep)?;
        let exhausted = found.len() < k;
        rerank(&mut found, &mut ranked.passages, how, passages);
        if found.len() >= target || exhausted || fallback {
            ranked.articles = found;
            return Ok(ranked);
        }
        pool *= 4;
    }
}

/// Stages 1 and 2 for a query with article-level logic: the `target` best of the articles
/// its filter lets in (`members`), each scored by `how` from its passages for `query` (those holding a
/// proximity of the query first), with its first `passages`.
///
/// As on the passage path, a pool of candidates (three times the target) is found first: the
/// best passage of each of the best articles among those the filter lets in, with block-max
/// WAND pruning; their passages are rescored and the articles ranked; the pool grows if it
/// held too few. An article none of whose passages `query` matches (it holds only title
/// words, or the options' filters leave it out) is not found.
pub(crate) fn rank_articles(
    snapshot: &Snapshot<'_>,
    query: &dyn TantivyQuery,
    admitted: Admitted,
    passages: usize,
    how: ArticleScore,
    target: usize,
) -> Result<Ranked> {
    let (allowed, near, excluding, titles) = match admitted {
        Admitted::Members(members) => (
            Some(Arc::new(members.articles)),
            members.near,
            None,
            Vec::new(),
        ),
        Admitted::Excluding(excluding, titles) => (None, HashSet::new(), Some(excluding), titles),
    };
    let keep = if near.is_empty() {
        passages.max(how.passages())
    } else {
        usize::MAX
    };
    let mut pool = (target * 3).max(30).min(target + 1000);
    loop {
        let mut collector = TopArticles::new(snapshot, pool)?;
        if let Some(allowed) = &allowed {
            collector = collector.within(Arc::clone(allowed));
        }
        if let Some(excluding) = &excluding {
            collector = collector.excluding(excluding.clone());
        }
        let mut found = snapshot.search(query, &collector)?;
        let exhausted = found.len() < pool;
        without_titled(snapshot, &titles, &mut found)?;
        let mut best = rescore(snapshot, query, &found, keep)?;
        if !near.is_empty() {
            for list in best.values_mut() {
                // Stable: by score within each kind.
                list.sort_by_key(|c| !near.contains(&c.address));
            }
        }
        rerank(&mut found, &mut best, how, passages);
        if found.len() >= target || exhausted {
            return Ok(Ranked {
                articles: found,
                passages: best,
                clusters: HashMap::new(),
                allowed,
            });
        }
        pool = pool.saturating_mul(4);
    }
}

/// `found` without the articles whose title holds one of `titles` (title views are on every
/// passage, so each candidate's own passage tells). The names are asked rarest word first at
/// these passages alone ([`OnlyNames`]): a phrase's common word (`of`) is read only where its
/// rare ones stand.
fn without_titled(
    snapshot: &Snapshot<'_>,
    titles: &[Name],
    found: &mut Vec<Candidate>,
) -> Result<()> {
    if titles.is_empty() || found.is_empty() {
        return Ok(());
    }
    let searcher = snapshot.searcher();
    let mut docs: HashMap<tantivy::index::SegmentId, Vec<DocId>> = HashMap::new();
    for candidate in found.iter() {
        let reader = searcher.segment_reader(candidate.address.segment_ord);
        docs.entry(reader.segment_id())
            .or_default()
            .push(candidate.address.doc_id);
    }
    for list in docs.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    let names = OnlyNames {
        names: titles.to_vec(),
        tie_breaker: 0.0,
        docs: Arc::new(docs),
        query: Box::new(tantivy::query::EmptyQuery),
    };
    let weight = names.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut titled = HashSet::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(reader, 1.0)?;
        while scorer.doc() != tantivy::TERMINATED {
            titled.insert(DocAddress::new(segment as SegmentOrdinal, scorer.doc()));
            scorer.advance();
        }
    }
    found.retain(|candidate| !titled.contains(&candidate.address));
    Ok(())
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
    let how = options.ranking.article_score;
    let mut target = wanted;
    loop {
        let mut ranked = rank(snapshot, plan, target, options.passages, how)?;
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
            corrections: Vec::new(),
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
        // The passage is highlighted in its article's analysis.
        let language = crate::analysis::Language::analysing(stored.lang.as_deref());
        let mut highlights =
            self.plan
                .highlighter
                .highlight(&mut self.analyzer, language, &stored.text);
        if self.options.quotes {
            let quotes = &stored.quotes;
            highlights.retain(|h| quotes.iter().any(|q| q.holds(h)));
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

    fn explain(&self, address: DocAddress) -> Result<super::Explanation> {
        let reader = self.snapshot.searcher().segment_reader(address.segment_ord);
        let explanation = self
            .plan
            .query
            .weight(self.snapshot.scoring()?)?
            .explain(reader, address.doc_id)?;
        let namer = super::explain::Namer {
            fields: self.snapshot.fields(),
            ranking: &self.options.ranking,
            typed: &self.plan.typed,
            expansions: &self.plan.expansions,
            corrections: &self.plan.corrections,
            quotes: self.options.quotes,
        };
        Ok(namer.explain(&explanation))
    }

    /// The article `id` of the passage at `address`, read from its head.
    pub(crate) fn article(&self, address: DocAddress, id: &str) -> Result<ArticleInfo> {
        article_info(self.snapshot, address, id, &self.path)
    }
}

/// The article `id` of the passage at `address`, read from its head (`path` names the index in
/// errors).
pub(crate) fn article_info(
    snapshot: &Snapshot<'_>,
    address: DocAddress,
    id: &str,
    path: &std::path::Path,
) -> Result<ArticleInfo> {
    let head = match snapshot.head(address)? {
        Some(head) => head,
        None => snapshot.find_head(id)?.ok_or_else(|| Error::Corrupt {
            path: path.to_path_buf(),
            detail: format!("article `{id}` has no first passage"),
        })?,
    };
    let doc = snapshot.doc(head)?;
    let fields = snapshot.fields();
    let lead_text = stored_str(&doc, fields.text).unwrap_or_default();
    Ok(ArticleInfo {
        id: id.to_string(),
        title: stored_str(&doc, fields.title),
        date: stored_str(&doc, fields.date_text),
        source: stored_str(&doc, fields.source_text),
        url: stored_str(&doc, fields.url),
        path: stored_str(&doc, fields.path),
        lang: stored_str(&doc, fields.lang),
        lead: crate::corpus::lead(&lead_text, 12),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Article, Index, Query};

    /// Paragraphs of about 90 words, so that each is a passage of its own.
    const COUNCIL: &str = "The Security Council met on Monday to discuss the situation in the \
        region, and members heard a briefing from the Special Envoy on the talks. Several \
        delegations called for an immediate ceasefire and for humanitarian access to the \
        besieged towns. The Council also discussed the renewal of the mission's mandate, which \
        expires at the end of the month, and members agreed to continue consultations on a draft \
        resolution that would extend it for another year. The Envoy said the parties had agreed \
        to meet again in Geneva next week to continue the talks.";
    const APART: &str = "Security in the border towns has worsened, the spokesperson said on \
        Tuesday, and aid convoys have been stopped at checkpoints for several days. The ministry \
        asked all parties to let humanitarian workers through and to respect the agreements \
        reached in Geneva last month. Asked about the vote, she said the council of ministers \
        would take up the question of funding at its next meeting, and that the government \
        remained committed to the talks and to a lasting ceasefire in the region.";
    const SANCTIONS: &str = "The Treasury Department imposed sanctions on three companies that \
        shipped fuel to the regime in violation of the embargo, the spokesperson said. The \
        sanctions freeze any assets the companies hold in the United States and bar Americans \
        from dealing with them. The department said it would continue to act against anyone who \
        helps the regime evade sanctions, and it urged its partners to enforce their own \
        measures. The companies are registered in three countries, and one of them had been \
        warned last year about its shipments.";

    fn index(articles: &[Article]) -> Index {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        for article in articles {
            writer.add(article).unwrap();
        }
        writer.commit().unwrap();
        index
    }

    fn corpus() -> Index {
        index(&[
            Article::new("council", format!("{SANCTIONS}\n\n{COUNCIL}")),
            Article::new("apart", format!("{APART}\n\n{SANCTIONS}")),
            Article::new("sanctions", SANCTIONS),
        ])
    }

    fn plan(index: &Index, snapshot: &Snapshot<'_>, query: &str) -> Plan {
        let query = Query::parse(query).unwrap();
        index.plan(snapshot, &query, &SearchOptions::new()).unwrap()
    }

    fn ids(candidates: &[Candidate]) -> Vec<&str> {
        candidates.iter().map(Candidate::id).collect()
    }

    #[test]
    fn candidates_are_the_best_passage_of_each_article() {
        let index = corpus();
        let snapshot = index.snapshot();
        let plan = plan(&index, &snapshot, "sanctions");
        let found = candidates(&snapshot, &*plan.full.query, 10).unwrap();
        let mut found_ids = ids(&found);
        found_ids.sort_unstable();
        assert_eq!(found_ids, ["apart", "council", "sanctions"]);
        // Each is the article's passage about sanctions, not its other one.
        for candidate in &found {
            let text = snapshot.passage(candidate.address).unwrap().text;
            assert!(text.starts_with("The Treasury"), "{text}");
        }
        assert_eq!(
            candidates(&snapshot, &*plan.full.query, 1).unwrap().len(),
            1
        );
    }

    #[test]
    fn rescore_drops_a_phrase_whose_words_stand_apart() {
        let index = corpus();
        let snapshot = index.snapshot();
        let plan = plan(&index, &snapshot, "\"Security Council\"");
        // The cheap query asks only for both words: the article where they stand apart too.
        let cheap = plan.cheap.as_deref().expect("a phrase has a cheap query");
        let pool = candidates(&snapshot, cheap, 10).unwrap();
        let mut pool_ids = ids(&pool);
        pool_ids.sort_unstable();
        assert_eq!(pool_ids, ["apart", "council"]);
        let rescored = rescore(&snapshot, &*plan.full.query, &pool, 5).unwrap();
        assert_eq!(rescored.len(), 1);
        let best = rescored.values().next().unwrap();
        assert_eq!(best.len(), 1, "only the passage holding the phrase");
        assert_eq!(best[0].id(), "council");
        assert!(
            snapshot
                .passage(best[0].address)
                .unwrap()
                .text
                .contains("Security Council")
        );
    }

    #[test]
    fn rank_gives_each_article_its_best_passages_best_first() {
        let index = corpus();
        let snapshot = index.snapshot();
        let plan = plan(&index, &snapshot, "talks Geneva ceasefire");
        let ranked = rank(&snapshot, &plan, 10, 2, ArticleScore::default()).unwrap();
        assert_eq!(ids(&ranked.articles), ["council", "apart"]);
        let scores: Vec<f32> = ranked.articles.iter().map(|c| c.score).collect();
        assert!(scores[0] >= scores[1], "{scores:?}");
        for article in &ranked.articles {
            let passages = &ranked.passages[&article.key()];
            // Only one passage of each article holds the words.
            assert_eq!(passages.len(), 1);
            assert_eq!(passages[0].address, article.address);
        }
    }

    #[test]
    fn article_level_ranking_sees_only_the_filters_articles() {
        let index = corpus();
        let snapshot = index.snapshot();
        // Geneva is in another passage than sanctions in "council" and "apart".
        let without = plan(&index, &snapshot, "sanctions AND NOT Geneva");
        assert!(without.articles.is_some());
        let mut ranked = rank(&snapshot, &without, 10, 2, ArticleScore::default()).unwrap();
        assert_eq!(ids(&ranked.articles), ["sanctions"]);
        // Judged as offered: the set for counting is made when asked for.
        assert!(ranked.allowed.is_none());
        let allowed = allowed(&snapshot, &without, &mut ranked)
            .unwrap()
            .expect("the filter's articles");
        assert!(allowed.contains(ranked.articles[0].key()));
        let keys: Vec<ArticleKey> = ["council", "apart"]
            .iter()
            .map(|id| {
                let head = snapshot.find_head(id).unwrap().unwrap();
                articles::key_of(&snapshot, head).unwrap().unwrap()
            })
            .collect();
        assert!(keys.iter().all(|key| !allowed.contains(*key)));
        let with = plan(&index, &snapshot, "sanctions AND Geneva");
        let ranked = rank(&snapshot, &with, 10, 2, ArticleScore::default()).unwrap();
        let mut found = ids(&ranked.articles);
        found.sort_unstable();
        assert_eq!(found, ["apart", "council"]);
        // Each shows both its passages: one holds sanctions, the other Geneva.
        for article in &ranked.articles {
            let shown = &ranked.passages[&article.key()];
            let texts: Vec<String> = shown
                .iter()
                .map(|p| snapshot.passage(p.address).unwrap().text)
                .collect();
            assert_eq!(texts.len(), 2);
            assert!(texts.iter().any(|t| t.starts_with("The Treasury")));
            assert!(texts.iter().any(|t| t.contains("Geneva")));
        }
    }

    #[test]
    fn collapse_keeps_the_best_of_near_duplicates() {
        // Long enough for enough fingerprints to compare.
        let original = format!("{COUNCIL}\n\n{APART}\n\n{SANCTIONS}");
        let copy = format!("GENEVA (Wire) — {original}");
        let index = index(&[
            Article::new("original", original.as_str()),
            Article::new("copy", copy.as_str()),
            Article::new(
                "envoy",
                "The Special Envoy arrived in Geneva on Sunday for talks.",
            ),
        ]);
        let snapshot = index.snapshot();
        let plan = plan(&index, &snapshot, "Envoy");
        let mut ranked = rank(&snapshot, &plan, 10, 1, ArticleScore::default()).unwrap();
        assert_eq!(ranked.articles.len(), 3);
        let mut uncollapsed = Ranked {
            articles: ranked.articles.clone(),
            ..Ranked::default()
        };
        collapse(&snapshot, &mut uncollapsed, false).unwrap();
        assert_eq!(uncollapsed.articles.len(), 3);
        collapse(&snapshot, &mut ranked, true).unwrap();
        let kept = ids(&ranked.articles);
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept.contains(&"envoy"));
        let kept_copy = ranked.articles.iter().find(|c| c.id() != "envoy").unwrap();
        let copy_key = ranked.clusters[&kept_copy.key()];
        assert_eq!(snapshot.cluster_size(copy_key).unwrap(), 2);
    }

    #[test]
    fn page_skips_the_offset_and_keeps_the_limit() {
        let index = corpus();
        let snapshot = index.snapshot();
        let plan = plan(&index, &snapshot, "sanctions");
        let ranked = rank(&snapshot, &plan, 10, 1, ArticleScore::default()).unwrap();
        let all = ids(&ranked.articles).join(",");
        let second = page(ranked.articles.clone(), 1, 1);
        assert_eq!(ids(&second), [all.split(',').nth(1).unwrap()]);
        assert!(page(ranked.articles, 3, 5).is_empty());
    }

    #[test]
    fn materialise_reads_the_article_and_highlights_what_matched() {
        let index = index(
            &[Article::new("council", format!("{SANCTIONS}\n\n{COUNCIL}"))
                .with_title("Security Council consultations")],
        );
        let snapshot = index.snapshot();
        let plan = plan(&index, &snapshot, "\"Security Council\" Envoy");
        let ranked = rank(&snapshot, &plan, 10, 1, ArticleScore::default()).unwrap();
        let options = SearchOptions::new();
        let mut materialiser =
            Materialiser::new(&snapshot, &plan.full, &options, PathBuf::from("(memory)"));
        let article = &ranked.articles[0];
        let hit = materialiser
            .hit(
                1,
                article,
                ranked.passages.get(&article.key()).cloned(),
                None,
            )
            .unwrap();
        assert_eq!(hit.article.id, "council");
        assert_eq!(
            hit.article.title.as_deref(),
            Some("Security Council consultations")
        );
        assert_eq!(hit.duplicates, 0);
        let passage = &hit.passages[0];
        assert_eq!(passage.ordinal, 1);
        assert_eq!(&passage.text, COUNCIL);
        let marked: Vec<&str> = passage
            .highlights
            .iter()
            .map(|h| &passage.text[h.clone()])
            .collect();
        assert_eq!(marked, ["Security Council", "Envoy", "Envoy"]);
        assert_eq!(passage.start, SANCTIONS.len() + 2);
    }
}
