//! Saved searches that follow a query as statements arrive: what is new since you last looked.
//!
//! A saved search is a query with its filters, kept beside the index in a small transactional
//! store (`communique-follow.redb` in the index folder). Every passage records the sequence
//! number of the commit that added it ([`Index::commit_seq`]), so after any commit
//! [`Follows::catch_up`] evaluates each saved search against the articles that arrived or changed
//! since the last evaluation, and only those: its cost follows the size of the change, not of
//! the index. The new matches and the point reached are recorded in one transaction, so a crash
//! at any moment neither loses a match (the next catch-up starts where the last recorded one
//! stopped) nor reports one twice.
//!
//! Rules:
//! * A saved search starts from what is there: the articles that match when it is saved are
//!   known, never news. An article is news the first time it matches: when it arrives, or when
//!   an edit makes it match. An article that already matched is never reported again.
//! * A near-duplicate of an article the search already knows (a syndicated copy of one
//!   statement) is folded into it: the reported match counts one more copy.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};

use crate::search::{Evaluation, Matched};
use crate::{Error, Hit, Index, Query, Result, SearchOptions};

/// The store's file name in the index folder.
pub const FILE_NAME: &str = "communique-follow.redb";
/// The longest name of a saved search, in bytes.
pub const MAX_NAME_BYTES: usize = 64;
/// The most saved searches a store holds.
pub const MAX_SEARCHES: usize = 10_000;

mod layout;

use layout::{COMMITTED, META, NEWS, SEARCHES, news_range};

/// How long an operation waits for another process that holds the store.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// The filters a saved search keeps (the query aside).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// Only articles dated on or after this time (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// Only articles dated on or before this time (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// Only articles whose source contains these words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Entity filters (`country:KOR`, `org:UNSC`, `signatory:JPN`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<String>,
    /// Match inside quotations only.
    #[serde(default)]
    pub quotes: bool,
    /// Expand names with the built-in alias table.
    #[serde(default = "yes")]
    pub aliases: bool,
    /// Only articles in this language (a code such as `ru`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Search every word as typed (no spelling correction).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exact: bool,
}

fn yes() -> bool {
    true
}

impl Filters {
    /// The filters of these search options.
    pub fn of(options: &SearchOptions) -> Filters {
        Filters {
            since: options.since.map(|t| t.as_second()),
            until: options.until.map(|t| t.as_second()),
            source: options.source.clone(),
            entities: options.entities.clone(),
            quotes: options.quotes,
            aliases: options.use_aliases,
            lang: options.lang.clone(),
            exact: options.exact,
        }
    }

    /// Search options with these filters (and default limits and ranking).
    pub fn options(&self) -> SearchOptions {
        let mut options = SearchOptions::new()
            .aliases(self.aliases)
            .quotes(self.quotes);
        options.since = self
            .since
            .and_then(|s| jiff::Timestamp::from_second(s).ok());
        options.until = self
            .until
            .and_then(|s| jiff::Timestamp::from_second(s).ok());
        options.source = self.source.clone();
        options.entities = self.entities.clone();
        options.lang = self.lang.clone();
        options.exact = self.exact;
        options
    }
}

/// A saved search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    /// Its name (letters, digits, `-`, `_` and `.`).
    pub name: String,
    /// The query, as typed.
    pub query: String,
    /// Its filters.
    pub filters: Filters,
    /// When it was saved (RFC 3339).
    pub created: String,
    /// The commit sequence number it was saved at: only later commits bring it news.
    pub since_seq: u64,
}

impl SavedSearch {
    /// The parsed query (it parsed when saved).
    pub fn parsed(&self) -> Result<Query> {
        Ok(Query::parse(&self.query)?)
    }
}

/// A saved search with its counts, for listings.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The saved search.
    #[serde(flatten)]
    pub search: SavedSearch,
    /// New matches not read yet.
    pub unread: usize,
    /// New matches reported since it was saved, read or not.
    pub reported: usize,
}

/// An article that is news for a saved search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewMatch {
    /// The saved search's name.
    pub search: String,
    /// The article id.
    pub id: String,
    /// The sequence number of the commit that brought it.
    pub seq: u64,
    /// Near-duplicate copies that arrived since and were folded into it.
    pub copies: u32,
    /// Whether it has been read ([`Follows::mark_read`]).
    pub read: bool,
    /// When the commit that brought it was made (RFC 3339); when several commits were
    /// evaluated at once, the time of the last. `None` in a store written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<String>,
}

/// The saved searches of one index, and what is new for each.
///
/// # Example
/// ```
/// use communique::follow::Follows;
/// use communique::{Article, Index, SearchOptions};
///
/// let index = Index::in_memory()?;
/// let follows = Follows::in_memory()?;
/// follows.add(&index, "kursk", "Kursk", &SearchOptions::new())?;
///
/// let mut writer = index.writer()?;
/// writer.add(&Article::new("a", "North Korean troops fought in the Kursk region."))?;
/// writer.add(&Article::new("b", "The grain corridor reopened."))?;
/// writer.commit()?;
///
/// let new = follows.catch_up(&index)?;
/// assert_eq!(new.len(), 1);
/// assert_eq!((new[0].search.as_str(), new[0].id.as_str()), ("kursk", "a"));
/// assert_eq!(follows.list()?[0].unread, 1);
/// follows.mark_read(&new)?;
/// assert_eq!(follows.list()?[0].unread, 0);
/// # Ok::<(), communique::Error>(())
/// ```
pub struct Follows {
    store: Store,
}

enum Store {
    /// A file, opened for each operation so that several processes can share it.
    Disk(PathBuf),
    Memory(Arc<redb::Database>),
}

impl std::fmt::Debug for Follows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.store {
            Store::Disk(path) => write!(f, "Follows({})", path.display()),
            Store::Memory(_) => f.write_str("Follows(in memory)"),
        }
    }
}

impl Follows {
    /// The saved searches of an index on disk (the store is created on first write).
    pub fn of(index: &Index) -> Result<Follows> {
        match index.path() {
            Some(path) => Ok(Follows::at(path.join(FILE_NAME))),
            None => Err(Error::InvalidArgument(
                "an index in memory keeps its saved searches in `Follows::in_memory()`".into(),
            )),
        }
    }

    /// The saved searches in the store file at `path`.
    pub fn at(path: impl Into<PathBuf>) -> Follows {
        Follows {
            store: Store::Disk(path.into()),
        }
    }

    /// Saved searches kept in memory (for tests and in-memory indexes).
    pub fn in_memory() -> Result<Follows> {
        let db = redb::Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| store_error(Path::new("(memory)"), e))?;
        Ok(Follows {
            store: Store::Memory(Arc::new(db)),
        })
    }

    /// Does the store exist yet (is anything saved or has anything ever been)?
    pub fn exists(&self) -> bool {
        match &self.store {
            Store::Disk(path) => path.exists(),
            Store::Memory(_) => true,
        }
    }

    /// Saves a search. Its name must be new; a query that does not parse is refused with the
    /// position of the problem. What matches now is known, not news.
    pub fn add(
        &self,
        index: &Index,
        name: &str,
        query: &str,
        options: &SearchOptions,
    ) -> Result<SavedSearch> {
        check_name(name)?;
        let parsed = Query::parse(query)?;
        index.reload()?;
        let filters = Filters::of(options);
        let since_seq = index.visible_seq()?;
        // Everything that matches now, to tell an edit that makes an article match for the
        // first time from one that already did.
        let known = index.matching_articles(&parsed, &filters.options())?;
        let search = SavedSearch {
            name: name.to_string(),
            query: query.to_string(),
            filters,
            created: jiff::Timestamp::now().to_string(),
            since_seq,
        };
        let json =
            serde_json::to_string(&search).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        self.write(|txn, path| {
            let mut searches = txn.open_table(SEARCHES).map_err(|e| store_error(path, e))?;
            if searches
                .get(name)
                .map_err(|e| store_error(path, e))?
                .is_some()
            {
                return Err(Error::InvalidArgument(format!(
                    "a saved search named `{name}` exists; remove it first"
                )));
            }
            if searches.len().map_err(|e| store_error(path, e))? as usize >= MAX_SEARCHES {
                return Err(Error::InvalidArgument(format!(
                    "there are already {MAX_SEARCHES} saved searches"
                )));
            }
            searches
                .insert(name, json.as_str())
                .map_err(|e| store_error(path, e))?;
            layout::save(txn, path, name, &known)?;
            let mut meta = txn.open_table(META).map_err(|e| store_error(path, e))?;
            if meta
                .get("through")
                .map_err(|e| store_error(path, e))?
                .is_none()
            {
                meta.insert("through", since_seq)
                    .map_err(|e| store_error(path, e))?;
            }
            Ok(())
        })?;
        Ok(search)
    }

    /// Removes a saved search and its news; returns whether it existed.
    pub fn remove(&self, name: &str) -> Result<bool> {
        if !self.exists() {
            return Ok(false);
        }
        self.write(|txn, path| layout::forget(txn, path, name))
    }

    /// Every saved search, by name, with its unread and reported counts.
    pub fn list(&self) -> Result<Vec<Summary>> {
        if !self.exists() {
            return Ok(Vec::new());
        }
        self.read(|txn, path| {
            let searches = self.searches_in(txn, path)?;
            let news = match txn.open_table(NEWS) {
                Ok(table) => Some(table),
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(store_error(path, e)),
            };
            let mut out = Vec::with_capacity(searches.len());
            for search in searches {
                let (mut unread, mut reported) = (0, 0);
                if let Some(news) = &news {
                    for row in news
                        .range(news_range(&search.name))
                        .map_err(|e| store_error(path, e))?
                    {
                        let (_, row) = row.map_err(|e| store_error(path, e))?;
                        for (_, _, _, read) in row.value() {
                            reported += 1;
                            unread += usize::from(!read);
                        }
                    }
                }
                out.push(Summary {
                    search,
                    unread,
                    reported,
                });
            }
            Ok(out)
        })
    }

    /// The saved search with this name.
    pub fn get(&self, name: &str) -> Result<Option<SavedSearch>> {
        if !self.exists() {
            return Ok(None);
        }
        self.read(|txn, path| {
            Ok(self
                .searches_in(txn, path)?
                .into_iter()
                .find(|s| s.name == name))
        })
    }

    /// Evaluates every saved search against the articles that commits since the last
    /// evaluation added or changed, records the new matches and returns them (oldest commit
    /// first). Call it after each commit (`index`, `watch` and `serve` do); a call after a
    /// crash catches up with every commit it missed.
    pub fn catch_up(&self, index: &Index) -> Result<Vec<NewMatch>> {
        if !self.exists() {
            return Ok(Vec::new());
        }
        index.reload()?;
        let (searches, through) = self.read(|txn, path| {
            let searches = self.searches_in(txn, path)?;
            let through = match txn.open_table(META) {
                Ok(meta) => meta
                    .get("through")
                    .map_err(|e| store_error(path, e))?
                    .map(|v| v.value()),
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(store_error(path, e)),
            };
            Ok((searches, through))
        })?;
        // One snapshot for everything below, restricted to the passages that commits after
        // `through` wrote: the cost follows the change, not the index.
        let evaluation = index.evaluation(through)?;
        let top = evaluation.top_seq()?;
        let through = through.unwrap_or(top);
        if top == through {
            return Ok(Vec::new());
        }
        // When `top < through` the index was rebuilt (its commit numbers started again):
        // everything in it now is what the searches start from, and nothing is evaluated.
        let found = if top > through {
            evaluate(&evaluation, &searches, through, top)?
        } else {
            Vec::new()
        };
        // The time of the commit reached: that of the last commit if it is the one seen.
        let committed = index
            .payload()
            .ok()
            .filter(|p| p.seq == top)
            .and_then(|p| p.updated)
            .unwrap_or_else(|| jiff::Timestamp::now().to_string());
        self.write(|txn, path| layout::record(txn, path, &found, top, &committed))
    }

    /// The news of one saved search (or of all), oldest first: unread only, or every reported
    /// match with `all`.
    pub fn news(&self, name: Option<&str>, all: bool) -> Result<Vec<NewMatch>> {
        if !self.exists() {
            return Ok(Vec::new());
        }
        if let Some(name) = name
            && self.get(name)?.is_none()
        {
            return Err(Error::InvalidArgument(format!(
                "no saved search named `{name}` (see `communique follow list`)"
            )));
        }
        self.read(|txn, path| {
            let news = match txn.open_table(NEWS) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                Err(e) => return Err(store_error(path, e)),
            };
            let rows = match name {
                Some(name) => news.range(news_range(name)),
                None => news.range::<(&str, u64)>(..),
            }
            .map_err(|e| store_error(path, e))?;
            let committed = match txn.open_table(COMMITTED) {
                Ok(table) => Some(table),
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(store_error(path, e)),
            };
            let mut times: std::collections::HashMap<u64, Option<String>> = Default::default();
            let mut out = Vec::new();
            for row in rows {
                let (key, value) = row.map_err(|e| store_error(path, e))?;
                let (search, seq) = key.value();
                for (id, _, copies, read) in value.value() {
                    if read && !all {
                        continue;
                    }
                    let committed = match times.get(&seq) {
                        Some(time) => time.clone(),
                        None => {
                            let time = match &committed {
                                Some(table) => table
                                    .get(seq)
                                    .map_err(|e| store_error(path, e))?
                                    .map(|time| time.value().to_string()),
                                None => None,
                            };
                            times.insert(seq, time.clone());
                            time
                        }
                    };
                    out.push(NewMatch {
                        search: search.to_string(),
                        id,
                        seq,
                        copies,
                        read,
                        committed,
                    });
                }
            }
            out.sort_by(|a, b| (a.seq, &a.search, &a.id).cmp(&(b.seq, &b.search, &b.id)));
            Ok(out)
        })
    }

    /// Marks these matches as read.
    pub fn mark_read(&self, matches: &[NewMatch]) -> Result<()> {
        if matches.is_empty() {
            return Ok(());
        }
        self.write(|txn, path| {
            let mut news = txn.open_table(NEWS).map_err(|e| store_error(path, e))?;
            let mut rows: std::collections::BTreeMap<(&str, u64), std::collections::HashSet<&str>> =
                Default::default();
            for m in matches {
                rows.entry((m.search.as_str(), m.seq))
                    .or_default()
                    .insert(m.id.as_str());
            }
            for (key, ids) in rows {
                let row = news.get(key).map_err(|e| store_error(path, e))?;
                if let Some(mut row) = row.map(|v| v.value()) {
                    for entry in &mut row {
                        entry.3 |= ids.contains(&entry.0.as_str());
                    }
                    news.insert(key, row).map_err(|e| store_error(path, e))?;
                }
            }
            Ok(())
        })
    }

    /// The news of a saved search as search hits (best first, as `search` ranks them), with
    /// the matched words highlighted: unread only, or every reported match with `all`.
    pub fn hits(
        &self,
        index: &Index,
        search: &SavedSearch,
        news: &[NewMatch],
        limit: usize,
    ) -> Result<Vec<Hit>> {
        let ids: Vec<String> = news
            .iter()
            .filter(|m| m.search == search.name)
            .map(|m| m.id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, crate::search::MAX_RESULTS).min(ids.len());
        let options = search
            .filters
            .options()
            .only_ids(ids)
            .collapse(false)
            .limit(limit);
        let mut hits = index.search(&search.parsed()?, &options)?;
        for hit in &mut hits {
            if let Some(m) = news
                .iter()
                .find(|m| m.search == search.name && m.id == hit.article.id)
            {
                hit.duplicates = m.copies as usize;
            }
        }
        Ok(hits)
    }

    fn searches_in(&self, txn: &redb::ReadTransaction, path: &Path) -> Result<Vec<SavedSearch>> {
        let table = match txn.open_table(SEARCHES) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(store_error(path, e)),
        };
        let mut out = Vec::new();
        for row in table.iter().map_err(|e| store_error(path, e))? {
            let (name, json) = row.map_err(|e| store_error(path, e))?;
            let search: SavedSearch = serde_json::from_str(json.value()).map_err(|e| {
                Error::parse(
                    path,
                    None,
                    format!("saved search `{}` is unreadable: {e}", name.value()),
                )
            })?;
            out.push(search);
        }
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&redb::ReadTransaction, &Path) -> Result<T>) -> Result<T> {
        self.with_db(|db, path| {
            let txn = db.begin_read().map_err(|e| store_error(path, e))?;
            f(&txn, path)
        })
    }

    /// Runs `f` in one write transaction, committed only if `f` succeeds.
    fn write<T>(&self, f: impl FnOnce(&redb::WriteTransaction, &Path) -> Result<T>) -> Result<T> {
        self.with_db(|db, path| {
            let txn = db.begin_write().map_err(|e| store_error(path, e))?;
            let out = f(&txn, path)?;
            txn.commit().map_err(|e| store_error(path, e))?;
            Ok(out)
        })
    }

    /// Opens the store (waiting a while for another process that has it open) and runs `f`.
    fn with_db<T>(&self, f: impl FnOnce(&redb::Database, &Path) -> Result<T>) -> Result<T> {
        match &self.store {
            Store::Memory(db) => f(db, Path::new("(memory)")),
            Store::Disk(path) => {
                let started = Instant::now();
                loop {
                    match redb::Database::create(path) {
                        Ok(db) => {
                            layout::migrate(&db, path)?;
                            return f(&db, path);
                        }
                        Err(redb::DatabaseError::DatabaseAlreadyOpen)
                            if started.elapsed() < BUSY_WAIT =>
                        {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        Err(e) => return Err(store_error(path, e)),
                    }
                }
            }
        }
    }
}

/// Each saved search's matches among the articles that commits after `through` (and after the
/// search was saved) wrote, in the order of `searches`. The searches are shared out over the
/// machine's cores: each thread takes the next search not yet taken, so a few costly ones do
/// not keep one thread busy while the others wait.
fn evaluate(
    evaluation: &Evaluation<'_>,
    searches: &[SavedSearch],
    through: u64,
    top: u64,
) -> Result<Vec<(String, Vec<Matched>)>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_THREADS);
    let next = AtomicUsize::new(0);
    // Each thread works out a word's spelling correction once for all its searches.
    let each = |evaluation: &Evaluation<'_>| {
        crate::search::memoized(|| {
            let mut found = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(search) = searches.get(i) else {
                    return Ok::<_, Error>(found);
                };
                if let Some(matched) = evaluate_one(evaluation, search, through, top)? {
                    found.push((i, matched));
                }
            }
        })
    };
    if threads == 1 || searches.len() < 2 * MIN_PER_THREAD {
        return Ok(each(evaluation)?.into_iter().map(|(_, m)| m).collect());
    }
    let mut found = std::thread::scope(|scope| {
        let running: Vec<_> = (1..threads)
            .map(|_| {
                let evaluation = evaluation.fork();
                scope.spawn(move || each(&evaluation))
            })
            .collect();
        // This thread takes its share too.
        let mut found = each(evaluation)?;
        for thread in running {
            // Searches catch their own panics (as damage); one that escapes goes on up.
            let part = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            found.extend(part);
        }
        Ok::<_, Error>(found)
    })?;
    found.sort_unstable_by_key(|(i, _)| *i);
    Ok(found.into_iter().map(|(_, m)| m).collect())
}

/// One saved search's matches (see [`evaluate`]), if it has any.
fn evaluate_one(
    evaluation: &Evaluation<'_>,
    search: &SavedSearch,
    through: u64,
    top: u64,
) -> Result<Option<(String, Vec<Matched>)>> {
    let after = through.max(search.since_seq);
    if after >= top {
        return Ok(None);
    }
    let mut matched = evaluation.matching(&search.parsed()?, &search.filters.options())?;
    // A search saved after `through` starts from its own point.
    matched.retain(|m| m.seq > after);
    Ok((!matched.is_empty()).then(|| (search.name.clone(), matched)))
}

/// The most threads a catch-up evaluates saved searches on.
const MAX_THREADS: usize = 4;
/// The fewest saved searches worth a thread of their own.
const MIN_PER_THREAD: usize = 16;

/// A name is letters, digits, `-`, `_` and `.`, at most [`MAX_NAME_BYTES`], not starting with
/// `.`: it names a feed in a URL and a file.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "`{name}` cannot name a saved search: use letters, digits, `-`, `_` and `.` \
             (at most {MAX_NAME_BYTES} bytes, not starting with `.`)"
        )))
    }
}

fn store_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(format!("saved searches: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Article;

    fn add(index: &Index, articles: &[(&str, &str)]) {
        let mut writer = index.writer().unwrap();
        for (id, text) in articles {
            writer.replace(&Article::new(*id, *text)).unwrap();
        }
        writer.commit().unwrap();
    }

    /// The ids of `news`, in order.
    fn ids(news: &[NewMatch]) -> Vec<&str> {
        news.iter().map(|m| m.id.as_str()).collect()
    }

    /// The (search, id) pairs of `news`, sorted.
    fn pairs(news: &[NewMatch]) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = news
            .iter()
            .map(|m| (m.search.as_str(), m.id.as_str()))
            .collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn only_what_arrives_after_saving_is_news_and_never_twice() {
        let index = Index::in_memory().unwrap();
        add(&index, &[("old", "Troops massed near Kursk in August.")]);
        let follows = Follows::in_memory().unwrap();
        follows
            .add(&index, "kursk", "Kursk", &SearchOptions::new())
            .unwrap();
        assert!(follows.catch_up(&index).unwrap().is_empty());

        add(
            &index,
            &[
                ("new", "A statement on the Kursk region was issued."),
                ("other", "The grain corridor reopened."),
            ],
        );
        let news = follows.catch_up(&index).unwrap();
        assert_eq!(ids(&news), ["new"]);
        // When it was committed: the commit's own time, kept with the match.
        let committed = news[0].committed.clone().unwrap();
        assert_eq!(committed, index.payload().unwrap().updated.unwrap());
        assert_eq!(
            follows.news(Some("kursk"), false).unwrap()[0].committed,
            Some(committed)
        );

        // An edit of an article that already matched (before or since saving) is not news.
        add(
            &index,
            &[
                ("old", "Troops massed near Kursk in late August."),
                (
                    "new",
                    "A statement on the Kursk region was issued on Monday.",
                ),
            ],
        );
        assert!(follows.catch_up(&index).unwrap().is_empty());

        // An edit that makes an article match for the first time is.
        add(
            &index,
            &[("other", "The grain corridor reopened, Kursk said.")],
        );
        let news = follows.catch_up(&index).unwrap();
        assert_eq!(news.len(), 1);
        assert_eq!(news[0].id, "other");
        assert_eq!(follows.news(Some("kursk"), false).unwrap().len(), 2);
    }

    #[test]
    fn commits_never_evaluated_are_caught_up_later() {
        // As after a crash between a commit and its evaluation: nothing is lost.
        let index = Index::in_memory().unwrap();
        let follows = Follows::in_memory().unwrap();
        follows
            .add(&index, "grain", "grain", &SearchOptions::new())
            .unwrap();
        add(&index, &[("a", "The grain corridor reopened.")]);
        add(&index, &[("b", "Grain shipments resumed from Odesa.")]);
        let news = follows.catch_up(&index).unwrap();
        assert_eq!(ids(&news), ["a", "b"]);
        assert!(follows.catch_up(&index).unwrap().is_empty());
    }

    #[test]
    fn boolean_logic_sees_whole_articles_among_those_that_changed() {
        let index = Index::in_memory().unwrap();
        add(&index, &[("old", "Shelling continued near Kursk.")]);
        let follows = Follows::in_memory().unwrap();
        for (name, query) in [
            ("no-missiles", "kursk AND NOT missiles"),
            ("both", "kursk AND missiles"),
            ("near", "shelling NEAR/3 kursk"),
        ] {
            follows
                .add(&index, name, query, &SearchOptions::new())
                .unwrap();
        }
        // Kursk in the first paragraph, missiles in the second: one article.
        add(
            &index,
            &[
                (
                    "two-paragraphs",
                    "Troops were deployed to the Kursk region.\n\nThe ministers condemned \
                     the transfer of ballistic missiles.",
                ),
                ("kursk-only", "Heavy shelling hit Kursk on Monday."),
            ],
        );
        let news = follows.catch_up(&index).unwrap();
        assert_eq!(
            pairs(&news),
            [
                ("both", "two-paragraphs"),
                ("near", "kursk-only"),
                ("no-missiles", "kursk-only"),
            ]
        );
    }

    #[test]
    fn a_search_saved_between_commits_starts_from_its_own_point() {
        let index = Index::in_memory().unwrap();
        let follows = Follows::in_memory().unwrap();
        follows
            .add(&index, "early", "grain", &SearchOptions::new())
            .unwrap();
        add(&index, &[("a", "The grain corridor reopened.")]);
        // Saved after a commit that no catch-up has evaluated yet.
        follows
            .add(&index, "late", "grain", &SearchOptions::new())
            .unwrap();
        add(&index, &[("b", "Grain shipments resumed from Odesa.")]);
        let news = follows.catch_up(&index).unwrap();
        assert_eq!(
            pairs(&news),
            [("early", "a"), ("early", "b"), ("late", "b")]
        );
    }

    #[test]
    fn a_broken_query_or_name_is_refused_with_its_position() {
        let index = Index::in_memory().unwrap();
        let follows = Follows::in_memory().unwrap();
        let err = follows
            .add(&index, "x", "kursk AND (", &SearchOptions::new())
            .unwrap_err();
        assert!(matches!(err, Error::Query(_)), "{err}");
        assert!(err.to_string().contains("column"), "{err}");
        let err = follows
            .add(&index, "../etc", "kursk", &SearchOptions::new())
            .unwrap_err();
        assert!(err.to_string().contains("cannot name"), "{err}");
        follows
            .add(&index, "k", "kursk", &SearchOptions::new())
            .unwrap();
        let err = follows
            .add(&index, "k", "kursk", &SearchOptions::new())
            .unwrap_err();
        assert!(err.to_string().contains("exists"), "{err}");
        assert!(follows.remove("k").unwrap());
        assert!(!follows.remove("k").unwrap());
        assert!(follows.list().unwrap().is_empty());
    }

    #[test]
    fn many_searches_shared_out_over_threads_each_get_their_own_news() {
        let index = Index::in_memory().unwrap();
        let follows = Follows::in_memory().unwrap();
        // Enough searches for several threads (at least 2 × MIN_PER_THREAD).
        let words = [
            "Kursk",
            "missiles",
            "\"grain corridor\"",
            "Kursk AND NOT missiles",
        ];
        for i in 0..4 * MIN_PER_THREAD {
            let name = format!("s{i:02}");
            let query = words[i % words.len()];
            follows
                .add(&index, &name, query, &SearchOptions::new())
                .unwrap();
        }
        add(
            &index,
            &[
                ("kursk", "North Korean troops fought in the Kursk region."),
                ("missiles", "Russia used North Korean ballistic missiles."),
                ("both", "Troops in Kursk; missiles over Kharkiv."),
                ("grain", "The grain corridor reopened in the Black Sea."),
            ],
        );
        let news = follows.catch_up(&index).unwrap();
        let expected: [&[&str]; 4] = [
            &["both", "kursk"],
            &["both", "missiles"],
            &["grain"],
            &["kursk"],
        ];
        for i in 0..4 * MIN_PER_THREAD {
            let name = format!("s{i:02}");
            let mut found: Vec<&str> = news
                .iter()
                .filter(|m| m.search == name)
                .map(|m| m.id.as_str())
                .collect();
            found.sort();
            assert_eq!(found, expected[i % 4], "{name}: {}", words[i % 4]);
        }
        assert_eq!(news.len(), MIN_PER_THREAD * (2 + 2 + 1 + 1));
    }

    #[test]
    fn a_search_removed_and_saved_again_starts_afresh() {
        let index = Index::in_memory().unwrap();
        let follows = Follows::in_memory().unwrap();
        follows
            .add(&index, "k", "Kursk", &SearchOptions::new())
            .unwrap();
        add(&index, &[("a", "Fighting in the Kursk region went on.")]);
        assert_eq!(ids(&follows.catch_up(&index).unwrap()), ["a"]);
        assert!(follows.remove("k").unwrap());
        assert!(follows.news(None, true).unwrap().is_empty());
        // Saved again: `a` is what it starts from; an edit of `a` is not news, `b` is.
        follows
            .add(&index, "k", "Kursk", &SearchOptions::new())
            .unwrap();
        add(
            &index,
            &[
                ("a", "Fighting in the Kursk region went on for months."),
                ("b", "Kursk was shelled again."),
            ],
        );
        assert_eq!(ids(&follows.catch_up(&index).unwrap()), ["b"]);
        assert_eq!(follows.list().unwrap()[0].reported, 1);
    }

    #[test]
    fn a_syndicated_copy_is_folded_into_the_statement_already_reported() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/dprk");
        let read = |name: &str| std::fs::read_to_string(corpus.join(name)).unwrap();
        let original = read("2024-12-16-ten-country-statement-kursk.txt");
        let copy = read("2024-12-17-wire-copy-kursk-statement.md");
        let index = Index::in_memory().unwrap();
        let follows = Follows::in_memory().unwrap();
        follows
            .add(&index, "kursk", "Kursk", &SearchOptions::new())
            .unwrap();
        add(&index, &[("original", original.as_str())]);
        assert_eq!(follows.catch_up(&index).unwrap().len(), 1);
        add(&index, &[("copy", copy.as_str())]);
        assert!(follows.catch_up(&index).unwrap().is_empty());
        let news = follows.news(Some("kursk"), false).unwrap();
        assert_eq!(news.len(), 1);
        assert_eq!((news[0].id.as_str(), news[0].copies), ("original", 1));
    }

    /// Writes a store in the first layout (one row per match), as an earlier version did: the
    /// search `kursk` saved knowing `known`, then `reported` reported by commit `seq`.
    fn first_layout_store(path: &Path, since_seq: u64, known: &Matched, reported: &Matched) {
        use layout::first;
        let search = SavedSearch {
            name: "kursk".into(),
            query: "Kursk".into(),
            filters: Filters::of(&SearchOptions::new()),
            created: "2026-12-01T00:00:00Z".into(),
            since_seq,
        };
        let json = serde_json::to_string(&search).unwrap();
        let db = redb::Database::create(path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            txn.open_table(SEARCHES)
                .unwrap()
                .insert("kursk", json.as_str())
                .unwrap();
            txn.open_table(META)
                .unwrap()
                .insert("through", reported.seq)
                .unwrap();
            let mut matched = txn.open_table(first::MATCHED).unwrap();
            let mut clusters = txn.open_table(first::CLUSTERS).unwrap();
            for (article, seq) in [(known, 0), (reported, reported.seq)] {
                matched
                    .insert(("kursk", article.id.as_str()), article.cluster)
                    .unwrap();
                clusters
                    .insert(("kursk", article.cluster), (article.id.as_str(), seq))
                    .unwrap();
            }
            txn.open_table(first::NEWS)
                .unwrap()
                .insert(("kursk", reported.seq, reported.id.as_str()), (0, false))
                .unwrap();
        }
        txn.commit().unwrap();
    }

    #[test]
    fn a_store_in_the_first_layout_is_migrated_with_its_news_and_what_it_knew() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/dprk");
        let read = |name: &str| std::fs::read_to_string(corpus.join(name)).unwrap();
        let original = read("2024-12-16-ten-country-statement-kursk.txt");
        let copy = read("2024-12-17-wire-copy-kursk-statement.md");
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path().join("index")).unwrap();
        add(&index, &[("old", "Troops massed near Kursk in August.")]);
        let since_seq = index.visible_seq().unwrap();
        add(&index, &[("original", original.as_str())]);
        let matched = index
            .matching_articles(&Query::parse("Kursk").unwrap(), &SearchOptions::new())
            .unwrap();
        let find = |id: &str| matched.iter().find(|m| m.id == id).unwrap();
        let store = dir.path().join("index").join(FILE_NAME);
        first_layout_store(&store, since_seq, find("old"), find("original"));

        let follows = Follows::of(&index).unwrap();
        assert_eq!(
            (
                follows.list().unwrap()[0].unread,
                follows.list().unwrap()[0].reported
            ),
            (1, 1)
        );
        assert_eq!(ids(&follows.news(None, false).unwrap()), ["original"]);
        {
            let db = redb::Database::create(&store).unwrap();
            let txn = db.begin_read().unwrap();
            let tables: Vec<String> = txn
                .list_tables()
                .unwrap()
                .map(|t| redb::TableHandle::name(&t).to_string())
                .collect();
            assert!(
                !tables.iter().any(|t| t == "matched" || t == "news"),
                "{tables:?}"
            );
        }
        // The copy is folded into the statement reported before the migration.
        add(&index, &[("copy", copy.as_str())]);
        assert!(follows.catch_up(&index).unwrap().is_empty());
        let news = follows.news(Some("kursk"), false).unwrap();
        assert_eq!((news[0].id.as_str(), news[0].copies), ("original", 1));
        // What the search knew when saved is still known; something new is news.
        add(
            &index,
            &[("old", "Troops massed near Kursk in August and September.")],
        );
        assert!(follows.catch_up(&index).unwrap().is_empty());
        add(&index, &[("fresh", "A new statement on the Kursk region.")]);
        assert_eq!(ids(&follows.catch_up(&index).unwrap()), ["fresh"]);
        follows
            .mark_read(&follows.news(None, false).unwrap())
            .unwrap();
        assert_eq!(follows.list().unwrap()[0].unread, 0);
        assert_eq!(follows.news(None, true).unwrap().len(), 2);
    }

    #[test]
    fn filters_apply_to_news() {
        let index = Index::in_memory().unwrap();
        let follows = Follows::in_memory().unwrap();
        let options = SearchOptions::new().country("PRK");
        follows.add(&index, "troops", "troops", &options).unwrap();
        add(
            &index,
            &[
                ("a", "North Korea sent troops to Russia."),
                ("b", "France sent troops to Estonia."),
            ],
        );
        let news = follows.catch_up(&index).unwrap();
        assert_eq!(ids(&news), ["a"]);
    }
}
