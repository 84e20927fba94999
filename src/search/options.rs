//! Search options: how many hits, how many passages each, filters, and ranking weights.

use jiff::Timestamp;

use crate::domain::Facet;

/// The most articles a search can page through (`offset + limit`).
pub const MAX_RESULTS: usize = 10_000;
/// The most passages shown for one article.
pub const MAX_PASSAGES: usize = 100;

/// Weights of the ranking, beyond BM25 over passages.
///
/// Bare words rank by BM25 over passages (k1 = 1.2, b = 0.75, fixed by tantivy). A multi-word
/// query adds, for each pair of neighbouring words, a sloppy phrase clause (the two words within
/// `proximity_slop` positions of each other, in any order) weighted by `proximity_weight`, and a
/// clause for passages that hold every word, weighted by `coverage_weight`. `title_weight`
/// adds the article title's match to every passage of the article. An optional compound of
/// lowercase words (`shock-sound`) counts as its words (`split_compounds`). A verbose query (at
/// least `feedback_min_words` bare words) is expanded with `feedback_terms` words drawn from the
/// best passages of a first search. An article's score is made from its passages' scores by
/// `article_score`. The defaults were chosen by the ablations in `EVALUATION.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    /// Weight of the "neighbouring words close together" clauses (0 turns them off).
    pub proximity_weight: f32,
    /// How far apart (in words) two neighbouring query words may be to count as close.
    pub proximity_slop: u32,
    /// Weight of the "every word present" clause (0 turns it off).
    pub coverage_weight: f32,
    /// Weight of a match in the title (0 turns it off).
    pub title_weight: f32,
    /// Match bare words through the stemmed view (`true`) or the exact one.
    pub stemming: bool,
    /// Keep stop words of a larger query (through the exact view) instead of dropping them.
    pub stop_words: bool,
    /// In a group of three bare words or more, treat
    /// [`QUERY_STOP_WORDS`](crate::analysis::QUERY_STOP_WORDS) (`what`, `which`, `how`…) as
    /// stop words.
    pub query_stop_words: bool,
    /// In a group of several bare words, match an optional compound of lowercase words
    /// (`shock-sound`, `pro-democracy`) by its words, one by one, instead of as a phrase; the
    /// proximity clause still rewards them standing together. Names and codes (`Nagorno-Karabakh`,
    /// `COVID-19`) and compounds that must match stay phrases.
    pub split_compounds: bool,
    /// Pseudo-relevance feedback: add this many words from the best passages of a first
    /// search to the query (0 turns it off). Added words rank but are not highlighted.
    pub feedback_terms: usize,
    /// Feedback applies to queries of at least this many bare words: verbose, natural-language
    /// queries, where it helps; short keyword queries are left as typed.
    pub feedback_min_words: usize,
    /// How many of the first search's best passages feed the added words.
    pub feedback_passages: usize,
    /// Weight of the added words, relative to the query's own.
    pub feedback_weight: f32,
    /// How an article's score is made from its passages' scores.
    pub article_score: ArticleScore,
    /// Weight of an entity match: a bare word that names a country or organisation of the
    /// built-in alias table (`DPRK`) searches the passages where the indexer recognised a name
    /// of that entity (one term of the `mentions` field, scored by BM25 as one occurrence of a
    /// word as rare, and weighted by this) instead of each of its names as a phrase. 0 (the
    /// default) searches the names, as the table lists them. 1.5 is the best weight measured
    /// on the diplomatic set and makes such queries about ten times faster at 1.4 million
    /// passages, but it is not the default: it picks the judged passage less often for
    /// demonym and transliteration queries (passage@1 0.31 against 0.54; `BENCHMARKS.md`,
    /// issue 14).
    pub entity_weight: f32,
}

/// How an article's score is made from the scores of its passages (each scored by the full
/// query, the title's match included).
///
/// # Example
/// ```
/// use communique::search::ArticleScore;
///
/// // The default: the best passage, plus 0.3 of each of the next two.
/// let share = ArticleScore::default();
/// assert!((share.of(&[2.0, 1.0, 1.0, 1.0]) - 2.6).abs() < 1e-6);
/// assert_eq!(share.of(&[2.0]), 2.0);
/// assert_eq!(ArticleScore::Best.of(&[2.0, 1.0]), 2.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ArticleScore {
    /// The best passage's score: an article ranks where its best passage would.
    Best,
    /// The best passage's score plus `share` of each of the `next` best passages' scores: an
    /// article that discusses the subject in several passages outranks one that mentions it
    /// once as strongly.
    Share {
        /// How many passages after the best count.
        next: usize,
        /// The share of their scores that counts.
        share: f32,
    },
    /// The best `passages` passages, the i-th (from 0) weighted by `decay`^i.
    Decay {
        /// How many passages count.
        passages: usize,
        /// Weight factor per rank.
        decay: f32,
    },
}

impl Default for ArticleScore {
    /// [`ArticleScore::Share`], the next two passages at 0.3 (chosen on Cranfield and the
    /// diplomatic set: `EVALUATION.md`).
    fn default() -> Self {
        ArticleScore::Share {
            next: 2,
            share: 0.3,
        }
    }
}

impl ArticleScore {
    /// How many of an article's best passages its score reads.
    pub fn passages(&self) -> usize {
        match *self {
            ArticleScore::Best => 1,
            ArticleScore::Share { next, .. } => next.saturating_add(1),
            ArticleScore::Decay { passages, .. } => passages.max(1),
        }
    }

    /// The article's score from its passages' scores, best first (0 without passages).
    pub fn of(&self, scores: &[f32]) -> f32 {
        let Some((&best, rest)) = scores.split_first() else {
            return 0.0;
        };
        let rest = &rest[..rest.len().min(self.passages() - 1)];
        match *self {
            ArticleScore::Best => best,
            ArticleScore::Share { share, .. } => best + share * rest.iter().sum::<f32>(),
            ArticleScore::Decay { decay, .. } => std::iter::once(&best)
                .chain(rest)
                .enumerate()
                .map(|(i, s)| s * decay.powi(i as i32))
                .sum(),
        }
    }
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            proximity_weight: 0.3,
            proximity_slop: 5,
            coverage_weight: 0.25,
            title_weight: 0.3,
            stemming: true,
            stop_words: false,
            query_stop_words: true,
            split_compounds: true,
            feedback_terms: 10,
            feedback_min_words: 10,
            feedback_passages: 10,
            feedback_weight: 0.5,
            article_score: ArticleScore::default(),
            entity_weight: 0.0,
        }
    }
}

/// What to return and how: limit, offset, passages per article, filters.
///
/// # Example
/// ```
/// let options = communique::SearchOptions::new().limit(5).passages(2);
/// assert_eq!(options.get_limit(), 5);
/// ```
#[derive(Clone, Debug)]
pub struct SearchOptions {
    pub(crate) limit: usize,
    pub(crate) offset: usize,
    pub(crate) passages: usize,
    pub(crate) since: Option<Timestamp>,
    pub(crate) until: Option<Timestamp>,
    pub(crate) source: Option<String>,
    pub(crate) explain: bool,
    pub(crate) ranking: Ranking,
    pub(crate) aliases: Option<std::sync::Arc<crate::domain::Aliases>>,
    pub(crate) use_aliases: bool,
    pub(crate) entities: Vec<String>,
    pub(crate) quotes: bool,
    pub(crate) collapse: bool,
    pub(crate) lang: Option<String>,
    /// Only passages added by a commit after this sequence number (saved searches).
    pub(crate) after_seq: Option<u64>,
    /// Only these articles (saved searches' news).
    pub(crate) ids: Option<std::sync::Arc<Vec<String>>>,
    /// Search words as typed, without spelling tolerance.
    pub(crate) exact: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            offset: 0,
            passages: 1,
            since: None,
            until: None,
            source: None,
            explain: false,
            ranking: Ranking::default(),
            aliases: None,
            use_aliases: true,
            entities: Vec::new(),
            quotes: false,
            collapse: true,
            lang: None,
            after_seq: None,
            ids: None,
            exact: false,
        }
    }
}

impl SearchOptions {
    /// Ten articles, one passage each, no filter.
    pub fn new() -> Self {
        SearchOptions::default()
    }

    /// At most `n` articles.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = n;
        self
    }

    /// Skips the first `n` articles.
    pub fn offset(mut self, n: usize) -> Self {
        self.offset = n;
        self
    }

    /// Up to `n` passages of each article, best first (at least 1).
    pub fn passages(mut self, n: usize) -> Self {
        self.passages = n.clamp(1, MAX_PASSAGES);
        self
    }

    /// Only articles dated at or after `t` (undated articles are left out).
    pub fn since(mut self, t: Timestamp) -> Self {
        self.since = Some(t);
        self
    }

    /// Only articles dated at or before `t` (undated articles are left out).
    pub fn until(mut self, t: Timestamp) -> Self {
        self.until = Some(t);
        self
    }

    /// Only articles whose source contains these words (`"Spokesperson"`, `"VOA"`).
    pub fn source(mut self, name: impl Into<String>) -> Self {
        self.source = Some(name.into());
        self
    }

    /// Only articles in this language (`ru`, `zh-Hans`: normalised by
    /// [`normalize_code`](crate::analysis::normalize_code)); the query is then analysed for
    /// that language alone.
    pub fn lang(mut self, code: impl AsRef<str>) -> Self {
        let code = code.as_ref();
        self.lang = Some(crate::analysis::normalize_code(code).unwrap_or_else(|| code.to_string()));
        self
    }

    /// Search every word as typed (`true`), or (the default) search a word that the index does
    /// not hold, or holds far less often than a close spelling, under the index's closest
    /// spellings too (`Kursc` finds "Kursk"; see [`Correction`](crate::search::Correction)).
    /// Phrases, prefixes, fuzzy words, codes and alias names are always searched as typed.
    pub fn exact(mut self, yes: bool) -> Self {
        self.exact = yes;
        self
    }

    /// Attach to every passage an explanation of its score.
    pub fn explain(mut self, yes: bool) -> Self {
        self.explain = yes;
        self
    }

    /// Expand bare words with the alias table (`DPRK` also finds "North Korea"): on by default.
    pub fn aliases(mut self, yes: bool) -> Self {
        self.use_aliases = yes;
        self
    }

    /// Expand with this alias table instead of the built-in one.
    pub fn alias_table(mut self, table: std::sync::Arc<crate::domain::Aliases>) -> Self {
        self.aliases = Some(table);
        self
    }

    /// Only articles that mention this country (ISO alpha-3 code, `KOR`).
    pub fn country(mut self, code: &str) -> Self {
        self.entities
            .push(Facet::Country(code.to_uppercase()).to_string());
        self
    }

    /// Only articles that mention this organisation (its id in the alias table, `UNSC`).
    pub fn org(mut self, id: &str) -> Self {
        self.entities.push(Facet::Org(id.to_string()).to_string());
        self
    }

    /// Only joint statements that this country or organisation signed.
    pub fn signatory(mut self, id: &str) -> Self {
        self.entities
            .push(Facet::Signatory(id.to_string()).to_string());
        self
    }

    /// Search only inside quotations: what was *said* about the words, not what the article
    /// says around them. Highlights are only those inside quotations, and each passage lists
    /// its quotations with their speakers ([`Passage::quotes`](crate::Passage::quotes)).
    pub fn quotes(mut self, yes: bool) -> Self {
        self.quotes = yes;
        self
    }

    /// Collapse near-duplicate articles (syndicated copies of one statement) into one hit that
    /// counts the others ([`Hit::duplicates`](crate::Hit::duplicates)): on by default.
    pub fn collapse(mut self, yes: bool) -> Self {
        self.collapse = yes;
        self
    }

    /// Ranking weights.
    pub fn ranking(mut self, ranking: Ranking) -> Self {
        self.ranking = ranking;
        self
    }

    /// Only articles added or changed by a commit after commit number `seq` (see
    /// [`Index::commit_seq`](crate::Index::commit_seq)): what is new since then.
    pub fn changed_after(mut self, seq: u64) -> Self {
        self.after_seq = Some(seq);
        self
    }

    /// Only the articles with these ids.
    pub fn only_ids(mut self, ids: Vec<String>) -> Self {
        self.ids = Some(std::sync::Arc::new(ids));
        self
    }

    /// The limit.
    pub fn get_limit(&self) -> usize {
        self.limit
    }

    /// The offset.
    pub fn get_offset(&self) -> usize {
        self.offset
    }

    /// Passages per article.
    pub fn get_passages(&self) -> usize {
        self.passages
    }
}
