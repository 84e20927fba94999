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
//!   [`Article`]s; [`corpus::split_passages`] cuts an article into the passages that search
//!   ranks.
//! * [`Index`] stores one tantivy document per passage. [`Index::update`] brings it in line
//!   with a corpus incrementally; [`Index::writer`] adds, replaces and removes articles by hand.
//! * [`Query`] parses the query language; [`SearchOptions`] sets limits, filters and ranking;
//!   [`Index::search`] returns [`Hit`]s whose [`Passage`]s carry highlight byte ranges.
//! * Every fallible call returns [`Error`], which names the file or the query position.
//!
//! Everything else is grouped in public modules:
//!
//! * [`corpus`]: reading articles, passages, and the limits on corpus files;
//! * [`index`]: the writer, updates and their reports, watching, statistics and checks;
//! * [`search`]: query syntax trees, ranking, facets, timelines, excerpts and query limits;
//! * [`domain`]: aliases, entities and facets, quotations and near-duplicates;
//! * [`analysis`]: the one definition of how text becomes terms;
//! * [`eval`]: TREC-style evaluation of rankings.
//!
//! ARCHITECTURE.md in the repository describes how they depend on each other.

#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod analysis;
pub mod corpus;
pub mod domain;
mod error;
pub mod eval;
pub mod follow;
pub mod index;
pub mod search;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use corpus::{Article, Corpus};
pub use error::{Error, QueryError, Result};
pub use index::Index;
pub use search::{Hit, Passage, Query, SearchOptions};
