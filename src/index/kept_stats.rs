//! The figures of `stats`, kept beside the index so that a commit does not make `stats` count
//! them all again.
//!
//! Counting every figure reads every article's head and merges every segment's term
//! dictionary (about 30 ms of CPU at 1.4 million passages). Most of that is in a few large
//! segments, which a commit does not change: it adds a small segment, deletes passages, and
//! now and then merges small segments. So [`FILE`] keeps, for each segment of at least
//! [`LARGE`] passages, the tally of all its article heads (deleted or not), and the number of
//! distinct terms of those large segments together; `stats` then counts afresh only the small
//! segments and the heads deleted from the large ones since they were written, and looks each
//! term of the small segments up in the large ones' dictionaries. The figures stay exact:
//! nothing is estimated. The file is a cache: a missing, unreadable or stale one is counted
//! anew, and one that cannot be written (a read-only index) is not.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, Term};

use super::schema::fast;
use crate::{Error, Result};

/// The file in the index folder (hidden: a rebuild does not carry it over).
pub(crate) const FILE: &str = ".communique-stats.json";
/// Segments of at least this many passages (deleted or not) have their figures kept.
#[cfg(not(test))]
pub(crate) const LARGE: u32 = 20_000;
/// In tests, segments of a few passages are large, so that both ways are taken.
#[cfg(test)]
pub(crate) const LARGE: u32 = 4;
/// The layout of [`FILE`]; a file of another is counted anew.
const VERSION: u32 = 2;

/// What is kept in [`FILE`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Kept {
    version: u32,
    /// Large segment id -> the tally of all its heads.
    segments: BTreeMap<String, Tally>,
    /// The ids of the large segments, sorted, and their distinct terms together.
    terms: Option<(Vec<String>, u64)>,
}

/// What `stats` counts over the articles' heads (their passages with ordinal 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tally {
    /// Articles.
    pub articles: u64,
    /// Articles without a date.
    pub undated: u64,
    /// The earliest date (nanoseconds since the epoch), and how many articles have it.
    pub first: Option<(i64, u64)>,
    /// The latest date, and how many articles have it.
    pub last: Option<(i64, u64)>,
    /// Articles by source.
    pub sources: BTreeMap<String, u64>,
    /// Articles by language.
    pub languages: BTreeMap<String, u64>,
}

/// `a` and `b` together, for the first (`earlier`) or the last date.
fn extreme(a: Option<(i64, u64)>, b: Option<(i64, u64)>, earlier: bool) -> Option<(i64, u64)> {
    match (a, b) {
        (Some(a), Some(b)) if a.0 == b.0 => Some((a.0, a.1 + b.1)),
        (Some(a), Some(b)) => Some(if (a.0 < b.0) == earlier { a } else { b }),
        (a, b) => a.or(b),
    }
}

impl Tally {
    /// Adds `other` to this tally.
    pub(crate) fn add(&mut self, other: &Tally) {
        self.articles += other.articles;
        self.undated += other.undated;
        self.first = extreme(self.first, other.first, true);
        self.last = extreme(self.last, other.last, false);
        for (mine, theirs) in [
            (&mut self.sources, &other.sources),
            (&mut self.languages, &other.languages),
        ] {
            for (name, n) in theirs {
                *mine.entry(name.clone()).or_default() += n;
            }
        }
    }

    /// This tally without the heads of `dead` (a part of it); `None` when the first or last
    /// date is then unknown (every article with it is in `dead`).
    fn without(&self, dead: &Tally) -> Option<Tally> {
        let mut left = self.clone();
        left.articles -= dead.articles;
        left.undated -= dead.undated;
        for (extreme, gone) in [(&mut left.first, dead.first), (&mut left.last, dead.last)] {
            if let (Some((date, n)), Some((gone_date, gone_n))) = (extreme.as_mut(), gone)
                && *date == gone_date
            {
                if *n <= gone_n {
                    return None;
                }
                *n -= gone_n;
            }
        }
        for (mine, theirs) in [
            (&mut left.sources, &dead.sources),
            (&mut left.languages, &dead.languages),
        ] {
            for (name, n) in theirs {
                if let Some(count) = mine.get_mut(name) {
                    *count -= n;
                    if *count == 0 {
                        mine.remove(name);
                    }
                }
            }
        }
        Some(left)
    }

    fn date(&mut self, date: i64) {
        self.first = extreme(self.first, Some((date, 1)), true);
        self.last = extreme(self.last, Some((date, 1)), false);
    }
}

/// The heads of one segment `tally` counts.
#[derive(Clone, Copy, PartialEq)]
enum Heads {
    All,
    Alive,
    Dead,
}

/// Counts the heads of one segment (those `which` says): each source and language is counted
/// by its ordinal in the segment's column, and its name read once.
fn tally(reader: &SegmentReader, ordinal: Field, path: &Path, which: Heads) -> Result<Tally> {
    let mut tally = Tally::default();
    let fast = reader.fast_fields();
    let dates = fast.date(fast::DATE)?;
    let columns = [fast.str(fast::SOURCE)?, fast.str(fast::LANG)?];
    let mut ords: [Vec<u64>; 2] = columns
        .each_ref()
        .map(|c| vec![0; c.as_ref().map_or(0, |c| c.dictionary().num_terms())]);
    let head = Term::from_field_u64(ordinal, 0);
    let Some(mut heads) = reader
        .inverted_index(ordinal)?
        .read_postings(&head, IndexRecordOption::Basic)
        .map_err(|e| Error::io(path, e))?
    else {
        return Ok(tally);
    };
    let alive = reader.alive_bitset();
    let counted = |doc: DocId| match which {
        Heads::All => true,
        Heads::Alive => alive.is_none_or(|a| a.is_alive(doc)),
        Heads::Dead => alive.is_some_and(|a| a.is_deleted(doc)),
    };
    let mut doc = heads.doc();
    while doc != tantivy::TERMINATED {
        if counted(doc) {
            tally.articles += 1;
            match dates.first(doc) {
                Some(date) => tally.date(date.into_timestamp_nanos()),
                None => tally.undated += 1,
            }
            for (column, counts) in columns.iter().zip(&mut ords) {
                if let Some(ord) = column.as_ref().and_then(|c| c.term_ords(doc).next()) {
                    counts[ord as usize] += 1;
                }
            }
        }
        doc = heads.advance();
    }
    let names = [&mut tally.sources, &mut tally.languages];
    for ((column, counts), names) in columns.iter().zip(ords).zip(names) {
        let Some(column) = column else { continue };
        let mut name = String::new();
        for (ord, count) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            name.clear();
            if column
                .ord_to_str(ord as u64, &mut name)
                .map_err(|e| Error::io(path, e))?
            {
                *names.entry(name.clone()).or_default() += count;
            }
        }
    }
    Ok(tally)
}

/// The live heads of the segments `searcher` sees, taking the large segments' tallies from
/// `kept` (and keeping there those it had to count).
pub(crate) fn heads(
    searcher: &tantivy::Searcher,
    ordinal: Field,
    path: &Path,
    kept: &mut Kept,
) -> Result<Tally> {
    let mut total = Tally::default();
    let mut large = BTreeMap::new();
    for reader in searcher.segment_readers() {
        if reader.max_doc() < LARGE {
            total.add(&tally(reader, ordinal, path, Heads::Alive)?);
            continue;
        }
        let id = reader.segment_id().uuid_string();
        let all = match kept.segments.remove(&id) {
            Some(all) => all,
            None => tally(reader, ordinal, path, Heads::All)?,
        };
        let alive = if reader.num_deleted_docs() == 0 {
            Some(all.clone())
        } else {
            all.without(&tally(reader, ordinal, path, Heads::Dead)?)
        };
        match alive {
            Some(alive) => total.add(&alive),
            None => total.add(&tally(reader, ordinal, path, Heads::Alive)?),
        }
        large.insert(id, all);
    }
    kept.segments = large;
    kept.version = VERSION;
    Ok(total)
}

/// The distinct terms of `field` across the segments `searcher` sees: those of the large
/// segments together (from `kept` when they are the same segments), then each term of the
/// small segments that no large one has.
pub(crate) fn distinct_terms(
    searcher: &tantivy::Searcher,
    field: Field,
    kept: &mut Kept,
) -> Result<u64> {
    let (large, small): (Vec<&SegmentReader>, Vec<&SegmentReader>) = searcher
        .segment_readers()
        .iter()
        .partition(|r| r.max_doc() >= LARGE);
    let mut ids: Vec<String> = large.iter().map(|r| r.segment_id().uuid_string()).collect();
    ids.sort();
    let large_dicts = large
        .iter()
        .map(|r| r.inverted_index(field))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let base = match &kept.terms {
        Some((kept_ids, n)) if *kept_ids == ids => *n,
        _ => count_merged(&large_dicts, |_| Ok(true))?,
    };
    kept.terms = Some((ids, base));
    let small_dicts = small
        .iter()
        .map(|r| r.inverted_index(field))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let extra = count_merged(&small_dicts, |term| {
        for dict in &large_dicts {
            if dict.terms().term_ord(term)?.is_some() {
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    Ok(base + extra)
}

/// Counts the distinct terms of `dicts` together that `new` accepts.
fn count_merged(
    dicts: &[std::sync::Arc<tantivy::InvertedIndexReader>],
    new: impl Fn(&[u8]) -> std::io::Result<bool>,
) -> Result<u64> {
    let streams = dicts
        .iter()
        .map(|inverted| inverted.terms().stream())
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io("(index)", e))?;
    let mut merger = tantivy::termdict::TermMerger::new(streams);
    let mut count = 0;
    while merger.advance() {
        if new(merger.key()).map_err(|e| Error::io("(index)", e))? {
            count += 1;
        }
    }
    Ok(count)
}

/// The figures kept in `folder` (empty when there are none, or they cannot be read).
pub(crate) fn read(folder: &Path) -> Kept {
    std::fs::read(folder.join(FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Kept>(&bytes).ok())
        .filter(|kept| kept.version == VERSION)
        .unwrap_or_default()
}

/// Keeps `kept` in `folder` (best effort: a temporary file renamed over the last; not synced,
/// since a damaged file is only counted again).
pub(crate) fn write(folder: &Path, kept: &Kept) {
    let Ok(bytes) = serde_json::to_vec(kept) else {
        return;
    };
    let Ok(mut temp) = tempfile::Builder::new()
        .prefix(".communique-tmp-")
        .tempfile_in(folder)
    else {
        return;
    };
    if std::io::Write::write_all(&mut temp, &bytes).is_ok() {
        let _ = temp.persist(folder.join(FILE));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Article, Index};

    /// The figures of `index`, as kept, then counted anew without the kept file: they agree.
    fn kept_and_fresh(index: &Index, dir: &std::path::Path) -> crate::index::Stats {
        let kept = index.stats().unwrap();
        std::fs::remove_file(dir.join(super::FILE)).unwrap();
        let fresh = index.stats().unwrap();
        assert_eq!(
            serde_json::to_string(&kept).unwrap(),
            serde_json::to_string(&fresh).unwrap()
        );
        fresh
    }

    #[test]
    fn figures_kept_for_large_segments_agree_with_a_fresh_count_after_each_commit() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        let article = |id: &str, date: &str, source: &str, text: &str| {
            Article::new(id, text)
                .with_date(date)
                .unwrap()
                .with_source(source)
        };
        let mut writer = index.writer().unwrap();
        for (i, (date, source)) in [
            ("2022-02-24", "State Department"),
            ("2023-07-17", "UN"),
            ("2024-12-16", "State Department"),
            ("2024-12-16", "UN"),
            ("2021-01-01", "UN"),
        ]
        .iter()
        .enumerate()
        {
            let text = format!("North Korean troops fought in the Kursk region, report {i}.");
            writer
                .add(&article(&format!("a{i}"), date, source, &text))
                .unwrap();
        }
        writer.commit().unwrap();
        let first = kept_and_fresh(&index, dir.path());
        assert_eq!(first.first_date.as_deref(), Some("2021-01-01T00:00:00Z"));
        // A small segment: its heads and terms are counted, the large one's are kept.
        let mut writer = index.writer().unwrap();
        writer
            .add(&article(
                "odesa",
                "2025-03-01",
                "OSCE",
                "Grain left the port of Odesa.",
            ))
            .unwrap();
        writer.commit().unwrap();
        let kept = super::read(dir.path());
        assert_eq!(kept.segments.len(), 1, "the large segment is kept");
        let added = kept_and_fresh(&index, dir.path());
        assert_eq!(added.articles, 6);
        assert!(added.distinct_terms > first.distinct_terms);
        assert_eq!(added.last_date.as_deref(), Some("2025-03-01T00:00:00Z"));
        // Deleting the earliest article of the large segment: its first date is counted again.
        let mut writer = index.writer().unwrap();
        assert!(writer.remove("a4").unwrap());
        writer.commit().unwrap();
        let removed = kept_and_fresh(&index, dir.path());
        assert_eq!(removed.first_date.as_deref(), Some("2022-02-24T00:00:00Z"));
        // One of two articles of the latest date of the large segment, and a source.
        let mut writer = index.writer().unwrap();
        assert!(writer.remove("a3").unwrap());
        writer.commit().unwrap();
        let again = kept_and_fresh(&index, dir.path());
        assert_eq!(again.articles, 4);
        assert_eq!(
            again.sources,
            [
                ("State Department".to_string(), 2),
                ("OSCE".to_string(), 1),
                ("UN".to_string(), 1)
            ]
        );
    }
}
