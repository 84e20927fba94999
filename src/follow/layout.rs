//! The tables of the saved-search store, laid out so that recording a commit's matches costs a
//! few B-tree operations per article and per search, not per match; and the migration of a
//! store written in the first layout (one row per match in three tables).
//!
//! What a search knew when it was saved is written once, one small row per article and per
//! near-duplicate cluster, keyed article first ([`KNOWN`], [`KNOWN_CLUSTERS`]), so that a
//! catch-up reads everything about one article with one range scan. What catch-ups find is kept
//! one row per article ([`MATCHED_BY`]), per cluster ([`REPORTED`]) and per search and commit
//! ([`NEWS`]). Searches are numbered ([`KEYS`]); a number is never given twice, so the rows of a
//! removed search can never be mistaken for those of a new one with the same name.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableHandle, WriteTransaction};

use super::{NewMatch, store_error};
use crate::Result;
use crate::search::Matched;

/// Saved searches by name: the search as JSON ([`super::SavedSearch`]).
pub(super) const SEARCHES: TableDefinition<&str, &str> = TableDefinition::new("searches");
/// Bookkeeping: `through` (the last commit sequence number evaluated), `next_key` (the number
/// the next saved search gets).
pub(super) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Search name → its number.
pub(super) const KEYS: TableDefinition<&str, u32> = TableDefinition::new("search_keys");
/// (article id, search number): the article matched the search when it was saved.
pub(super) const KNOWN: TableDefinition<(&str, u32), ()> = TableDefinition::new("known");
/// (cluster key, search number): a statement of that cluster matched the search when it was
/// saved.
pub(super) const KNOWN_CLUSTERS: TableDefinition<(u64, u32), ()> =
    TableDefinition::new("known_clusters");
/// Article id → the numbers of the searches it has matched since they were saved (sorted).
pub(super) const MATCHED_BY: TableDefinition<&str, Vec<u32>> = TableDefinition::new("matched_by");
/// Cluster key → (search number, commit seq) of each search that reported a statement of it.
pub(super) const REPORTED: TableDefinition<u64, Vec<(u32, u64)>> = TableDefinition::new("reported");
/// (search name, commit seq) → the articles that commit brought the search: (id, cluster key,
/// copies folded into it, read).
pub(super) const NEWS: TableDefinition<(&str, u64), Vec<NewsEntry>> =
    TableDefinition::new("news_rows");
/// One article in a news row: (id, cluster key, copies folded into it, read).
pub(super) type NewsEntry = (String, u64, u32, bool);

/// Commit seq of a reported match → when it was committed (RFC 3339; when a catch-up
/// evaluated several commits at once, the time of the last of them).
pub(super) const COMMITTED: TableDefinition<u64, &str> = TableDefinition::new("committed");

/// The store's errors, named by its path.
pub(super) trait AtPath<T> {
    /// This result, its error an I/O error of the store at `path`.
    fn at(self, path: &Path) -> Result<T>;
}

impl<T, E: std::fmt::Display> AtPath<T> for std::result::Result<T, E> {
    fn at(self, path: &Path) -> Result<T> {
        self.map_err(|e| store_error(path, e))
    }
}

/// The news rows of one search.
pub(super) fn news_range(name: &str) -> std::ops::RangeInclusive<(&str, u64)> {
    (name, 0)..=(name, u64::MAX)
}

/// Gives `name` the next search number and records what matches it now.
pub(super) fn save(
    txn: &WriteTransaction,
    path: &Path,
    name: &str,
    known: &[Matched],
) -> Result<()> {
    let mut meta = txn.open_table(META).at(path)?;
    let key = meta.get("next_key").at(path)?.map_or(1, |v| v.value());
    meta.insert("next_key", key + 1).at(path)?;
    let key = u32::try_from(key).map_err(|_| store_error(path, "too many searches saved"))?;
    txn.open_table(KEYS).at(path)?.insert(name, key).at(path)?;
    let mut articles = txn.open_table(KNOWN).at(path)?;
    let mut clusters = txn.open_table(KNOWN_CLUSTERS).at(path)?;
    for article in known {
        articles.insert((article.id.as_str(), key), ()).at(path)?;
        clusters.insert((article.cluster, key), ()).at(path)?;
    }
    Ok(())
}

/// Removes the rows of the search `name`; returns whether it existed.
pub(super) fn forget(txn: &WriteTransaction, path: &Path, name: &str) -> Result<bool> {
    let existed = txn
        .open_table(SEARCHES)
        .at(path)?
        .remove(name)
        .at(path)?
        .is_some();
    let key = txn
        .open_table(KEYS)
        .at(path)?
        .remove(name)
        .at(path)?
        .map(|v| v.value());
    txn.open_table(NEWS)
        .at(path)?
        .retain_in(news_range(name), |_, _| false)
        .at(path)?;
    let Some(key) = key else {
        return Ok(existed);
    };
    // Numbers are never given twice, so what is left of this one could only cost space.
    txn.open_table(KNOWN)
        .at(path)?
        .retain(|(_, k), _| k != key)
        .at(path)?;
    txn.open_table(KNOWN_CLUSTERS)
        .at(path)?
        .retain(|(_, k), _| k != key)
        .at(path)?;
    let mut matched = txn.open_table(MATCHED_BY).at(path)?;
    let mut kept: Vec<(String, Vec<u32>)> = Vec::new();
    for row in matched.iter().at(path)? {
        let (id, keys) = row.at(path)?;
        let keys = keys.value();
        if keys.contains(&key) {
            kept.push((
                id.value().to_string(),
                keys.into_iter().filter(|&k| k != key).collect(),
            ));
        }
    }
    for (id, keys) in kept {
        matched.insert(id.as_str(), keys).at(path)?;
    }
    let mut reported = txn.open_table(REPORTED).at(path)?;
    let mut kept: Vec<(u64, Vec<(u32, u64)>)> = Vec::new();
    for row in reported.iter().at(path)? {
        let (cluster, reports) = row.at(path)?;
        let reports = reports.value();
        if reports.iter().any(|&(k, _)| k == key) {
            kept.push((
                cluster.value(),
                reports.into_iter().filter(|&(k, _)| k != key).collect(),
            ));
        }
    }
    for (cluster, reports) in kept {
        reported.insert(cluster, reports).at(path)?;
    }
    Ok(existed)
}

/// Records what a catch-up found, and the point it reached, in one transaction; returns the
/// new matches. `found` is each search's matching articles among those the commits wrote.
pub(super) fn record(
    txn: &WriteTransaction,
    path: &Path,
    found: &[(String, Vec<Matched>)],
    top: u64,
    committed: &str,
) -> Result<Vec<NewMatch>> {
    let arrivals = arrivals(txn, path, found)?;
    let mut pending = Pending::open(txn, path)?;
    let mut out = Vec::new();
    // Oldest commit first, then by id: the first statement of a cluster is the one reported.
    for (&(seq, id), arrival) in &arrivals {
        for (key, name) in pending.fresh(id, arrival)? {
            if pending.report(name, key, seq, id, arrival.cluster)? {
                out.push(NewMatch {
                    search: name.to_string(),
                    id: id.to_string(),
                    seq,
                    copies: 0,
                    read: false,
                    committed: Some(committed.to_string()),
                });
            }
        }
    }
    pending.flush()?;
    if !out.is_empty() {
        let mut times = txn.open_table(COMMITTED).at(path)?;
        let seqs: std::collections::BTreeSet<u64> = out.iter().map(|m| m.seq).collect();
        for seq in seqs {
            times.insert(seq, committed).at(path)?;
        }
    }
    txn.open_table(META)
        .at(path)?
        .insert("through", top)
        .at(path)?;
    Ok(out)
}

/// One article that matched saved searches in a catch-up.
struct Arrival<'a> {
    cluster: u64,
    /// (search number, name) of each search it matches.
    searches: Vec<(u32, &'a str)>,
}

/// The matches found, by article, oldest commit first (searches removed meanwhile left out).
fn arrivals<'a>(
    txn: &WriteTransaction,
    path: &Path,
    found: &'a [(String, Vec<Matched>)],
) -> Result<BTreeMap<(u64, &'a str), Arrival<'a>>> {
    let keys = txn.open_table(KEYS).at(path)?;
    let mut arrivals: BTreeMap<(u64, &str), Arrival> = BTreeMap::new();
    for (name, matched) in found {
        let Some(key) = keys.get(name.as_str()).at(path)?.map(|v| v.value()) else {
            continue;
        };
        for m in matched {
            arrivals
                .entry((m.seq, m.id.as_str()))
                .or_insert_with(|| Arrival {
                    cluster: m.cluster,
                    searches: Vec::new(),
                })
                .searches
                .push((key, name.as_str()));
        }
    }
    Ok(arrivals)
}

/// The tables a catch-up writes, with the rows it has read or changed, written back at the end.
struct Pending<'t> {
    path: &'t Path,
    known: redb::Table<'t, (&'static str, u32), ()>,
    known_clusters: redb::Table<'t, (u64, u32), ()>,
    matched_by: redb::Table<'t, &'static str, Vec<u32>>,
    reported: redb::Table<'t, u64, Vec<(u32, u64)>>,
    news: redb::Table<'t, (&'static str, u64), Vec<NewsEntry>>,
    /// Cluster → the searches that knew it when saved.
    known_cluster_rows: HashMap<u64, Vec<u32>>,
    reported_rows: HashMap<u64, Vec<(u32, u64)>>,
    /// (search number, commit) → (search name, its news row).
    news_rows: HashMap<(u32, u64), (String, Vec<NewsEntry>)>,
}

impl<'t> Pending<'t> {
    fn open(txn: &'t WriteTransaction, path: &'t Path) -> Result<Pending<'t>> {
        Ok(Pending {
            path,
            known: txn.open_table(KNOWN).at(path)?,
            known_clusters: txn.open_table(KNOWN_CLUSTERS).at(path)?,
            matched_by: txn.open_table(MATCHED_BY).at(path)?,
            reported: txn.open_table(REPORTED).at(path)?,
            news: txn.open_table(NEWS).at(path)?,
            known_cluster_rows: HashMap::new(),
            reported_rows: HashMap::new(),
            news_rows: HashMap::new(),
        })
    }

    /// The searches `id` matches for the first time (never reported twice), now remembered.
    fn fresh<'a>(&mut self, id: &str, arrival: &Arrival<'a>) -> Result<Vec<(u32, &'a str)>> {
        let mut known = Vec::new();
        for row in self.known.range((id, 0)..=(id, u32::MAX)).at(self.path)? {
            known.push(row.at(self.path)?.0.value().1);
        }
        let mut seen = match self.matched_by.get(id).at(self.path)? {
            Some(row) => row.value(),
            None => Vec::new(),
        };
        let fresh: Vec<(u32, &str)> = arrival
            .searches
            .iter()
            .copied()
            .filter(|(key, _)| {
                known.binary_search(key).is_err() && seen.binary_search(key).is_err()
            })
            .collect();
        if !fresh.is_empty() {
            seen.extend(fresh.iter().map(|&(key, _)| key));
            seen.sort_unstable();
            seen.dedup();
            self.matched_by.insert(id, seen).at(self.path)?;
        }
        Ok(fresh)
    }

    /// Reports `id` to search `key`, unless the search already knows a statement of its
    /// cluster: then it is folded into that one (one more copy). Returns whether it is news.
    fn report(&mut self, name: &str, key: u32, seq: u64, id: &str, cluster: u64) -> Result<bool> {
        if !self.known_cluster_rows.contains_key(&cluster) {
            let mut keys = Vec::new();
            for row in self
                .known_clusters
                .range((cluster, 0)..=(cluster, u32::MAX))
                .at(self.path)?
            {
                keys.push(row.at(self.path)?.0.value().1);
            }
            self.known_cluster_rows.insert(cluster, keys);
        }
        if self.known_cluster_rows[&cluster]
            .binary_search(&key)
            .is_ok()
        {
            return Ok(false); // a copy of a statement the search started from
        }
        if !self.reported_rows.contains_key(&cluster) {
            let row = self.reported.get(cluster).at(self.path)?.map(|v| v.value());
            self.reported_rows.insert(cluster, row.unwrap_or_default());
        }
        let reports = self.reported_rows.get_mut(&cluster).expect("loaded above");
        if let Some(&(_, first)) = reports.iter().find(|&&(k, _)| k == key) {
            // A copy of a statement already reported: one more copy of it.
            if let Some(entry) = self
                .news_row(name, key, first)?
                .iter_mut()
                .find(|entry| entry.1 == cluster)
            {
                entry.2 += 1;
            }
            return Ok(false);
        }
        reports.push((key, seq));
        self.news_row(name, key, seq)?
            .push((id.to_string(), cluster, 0, false));
        Ok(true)
    }

    /// The news row of (search `name`, numbered `key`; commit), read once.
    fn news_row(&mut self, name: &str, key: u32, seq: u64) -> Result<&mut Vec<NewsEntry>> {
        if !self.news_rows.contains_key(&(key, seq)) {
            let row = self.news.get((name, seq)).at(self.path)?.map(|v| v.value());
            self.news_rows
                .insert((key, seq), (name.to_string(), row.unwrap_or_default()));
        }
        Ok(&mut self.news_rows.get_mut(&(key, seq)).expect("loaded above").1)
    }

    /// Writes the changed rows back.
    fn flush(mut self) -> Result<()> {
        for (cluster, reports) in std::mem::take(&mut self.reported_rows) {
            self.reported.insert(cluster, reports).at(self.path)?;
        }
        for ((_, seq), (name, row)) in std::mem::take(&mut self.news_rows) {
            if !row.is_empty() {
                self.news.insert((name.as_str(), seq), row).at(self.path)?;
            }
        }
        Ok(())
    }
}

/// The tables of the first layout (one row per match), read only to migrate a store that an
/// earlier version wrote.
pub(super) mod first {
    use redb::TableDefinition;

    pub const MATCHED: TableDefinition<(&str, &str), u64> = TableDefinition::new("matched");
    pub const CLUSTERS: TableDefinition<(&str, u64), (&str, u64)> =
        TableDefinition::new("clusters");
    pub const NEWS: TableDefinition<(&str, u64, &str), (u32, bool)> = TableDefinition::new("news");
}

/// Moves a store written in the first layout to this one, in one transaction (nothing is
/// lost if it is interrupted: the old tables go in the same commit that writes the new ones).
pub(super) fn migrate(db: &redb::Database, path: &Path) -> Result<()> {
    let old = db
        .begin_read()
        .at(path)?
        .list_tables()
        .at(path)?
        .any(|table| table.name() == first::MATCHED.name());
    if !old {
        return Ok(());
    }
    let txn = db.begin_write().at(path)?;
    let keys = number_searches(&txn, path)?;
    {
        let old = txn.open_table(first::MATCHED).at(path)?;
        let mut known = txn.open_table(KNOWN).at(path)?;
        for row in old.iter().at(path)? {
            let (key, _) = row.at(path)?;
            let (name, id) = key.value();
            if let Some(&key) = keys.get(name) {
                known.insert((id, key), ()).at(path)?;
            }
        }
    }
    // (search, commit, article) → cluster, for the news rows.
    let mut clusters_of: HashMap<(String, u64, String), u64> = HashMap::new();
    {
        let old = txn.open_table(first::CLUSTERS).at(path)?;
        let mut known = txn.open_table(KNOWN_CLUSTERS).at(path)?;
        let mut reported: BTreeMap<u64, Vec<(u32, u64)>> = BTreeMap::new();
        for row in old.iter().at(path)? {
            let (key, value) = row.at(path)?;
            let ((name, cluster), (id, seq)) = (key.value(), value.value());
            let Some(&key) = keys.get(name) else { continue };
            if seq == 0 {
                known.insert((cluster, key), ()).at(path)?;
            } else {
                reported.entry(cluster).or_default().push((key, seq));
                clusters_of.insert((name.to_string(), seq, id.to_string()), cluster);
            }
        }
        let mut table = txn.open_table(REPORTED).at(path)?;
        for (cluster, reports) in reported {
            table.insert(cluster, reports).at(path)?;
        }
    }
    {
        let old = txn.open_table(first::NEWS).at(path)?;
        let mut rows: BTreeMap<(String, u64), Vec<NewsEntry>> = BTreeMap::new();
        for row in old.iter().at(path)? {
            let (key, value) = row.at(path)?;
            let ((name, seq, id), (copies, read)) = (key.value(), value.value());
            let slot = (name.to_string(), seq, id.to_string());
            let cluster = clusters_of.get(&slot).copied().unwrap_or_default();
            let (name, seq, id) = slot;
            rows.entry((name, seq))
                .or_default()
                .push((id, cluster, copies, read));
        }
        let mut news = txn.open_table(NEWS).at(path)?;
        for ((name, seq), row) in rows {
            news.insert((name.as_str(), seq), row).at(path)?;
        }
    }
    txn.delete_table(first::MATCHED).at(path)?;
    txn.delete_table(first::CLUSTERS).at(path)?;
    txn.delete_table(first::NEWS).at(path)?;
    txn.commit().at(path)?;
    Ok(())
}

/// Numbers the saved searches of a store that had none, in name order.
fn number_searches(txn: &WriteTransaction, path: &Path) -> Result<HashMap<String, u32>> {
    let mut names = Vec::new();
    for row in txn.open_table(SEARCHES).at(path)?.iter().at(path)? {
        names.push(row.at(path)?.0.value().to_string());
    }
    let mut keys = txn.open_table(KEYS).at(path)?;
    let mut numbers = HashMap::new();
    for (key, name) in (1..).zip(names) {
        keys.insert(name.as_str(), key).at(path)?;
        numbers.insert(name, key);
    }
    txn.open_table(META)
        .at(path)?
        .insert("next_key", u64::from(numbers.len() as u32 + 1))
        .at(path)?;
    Ok(numbers)
}
