//! communique: full-text search for diplomatic statements, ranked by passage, with exact
//! highlights.
//!
//! # Quick start
//!
//! ```
//! use communique::{Article, Index, Query, SearchOptions};
//!
//! // An index in memory (use `Index::open_or_create("index")` for one on disk).
//! let index = Index::in_memory()?;
//! let mut writer = index.writer()?;
//! writer.add(
//!     &Article::new(
//!         "kursk-statement",
//!         "Ten countries and the European Union condemned the deployment of troops.\n\n\
//!          North Korean troops were killed or wounded in the Kursk region, Ukraine said.\n\n\
//!          The transfers of ballistic missiles violate United Nations Security Council \
//!          resolutions, the statement said.",
//!     )
//!     .with_title("Joint statement on North Korean troops"),
//! )?;
//! writer.commit()?;
//!
//! let query: Query = "\"Security Council\" resolutions".parse()?;
//! let hits = index.search(&query, &SearchOptions::new().limit(5))?;
//! let passage = &hits[0].passages[0];
//! assert!(passage.text.starts_with("The transfers"));
//! let marked: Vec<&str> = passage.highlights.iter().map(|r| &passage.text[r.clone()]).collect();
//! assert_eq!(marked, ["Security Council", "resolutions"]);
//! # Ok::<(), communique::Error>(())
//! ```
//!
//! # Core concepts
//!
//! * [`Corpus`] reads a folder of articles (`.txt`, `.md`, `.json`, `.jsonl`) into
//!   [`Article`]s; [`split_passages`] cuts an article into the passages that search ranks.
//! * [`Index`] stores one tantivy document per passage. [`Index::update`] brings it in line
//!   with a corpus incrementally; [`Index::writer`] adds, replaces and removes articles by hand.
//! * [`Query`] parses the query language; [`SearchOptions`] sets limits, filters and ranking;
//!   [`Index::search`] returns [`Hit`]s whose [`Passage`]s carry highlight byte ranges.
//! * [`analysis`] holds the one definition of how text becomes terms.
//! * Every fallible call returns [`Error`], which names the file or the query position.

#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod analysis;
mod corpus;
mod domain;
mod error;
pub mod eval;
mod index;
mod search;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use corpus::{
    Article, Corpus, CorpusFile, CorpusScan, MAX_FILE_BYTES, MAX_JSONL_BYTES, MAX_LINE_BYTES,
    PassageConfig, Warning, parse_date, split_passages, split_passages_with,
};
pub use domain::{
    AliasGroup, AliasMatch, Aliases, EntityKind, MAX_QUOTATION_BYTES, MAX_SHARED, MIN_CONTAINMENT,
    MIN_FINGERPRINTS, Mention, Quotation, Strength, article_facets, fingerprints, mentions,
    near_duplicates, own_key, passage_facets, quotations,
};
pub use error::{Error, QueryError, Result};
pub use index::{
    Change, ChangeKind, CheckReport, Index, SCHEMA_VERSION, Stats, UpdateOptions, UpdateProgress,
    UpdateReport, WatchEvent, WatchOptions, Writer,
};
pub use search::{
    ArticleInfo, ArticleView, Excerpt, Facets, Hit, MAX_EXPANSIONS, MAX_PASSAGES, MAX_QUERY_BYTES,
    MAX_QUERY_TERMS, MAX_RESULTS, MIN_PREFIX_CHARS, Node, Occur, Passage, Period, Query, Ranking,
    Scope, SearchOptions,
};
