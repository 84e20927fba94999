//! Which articles match a query, without ranking or fetching: for saved searches, which only
//! need to know what a commit brought in.

use std::collections::HashMap;

use tantivy::DocAddress;
use tantivy::collector::DocSetCollector;

use super::{Query, SearchOptions};
use crate::domain::own_key;
use crate::{Index, Result};

/// An article that matches, with what saved searches need to know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Matched {
    /// Article id.
    pub id: String,
    /// Its near-duplicate cluster key (copies of one statement share it).
    pub cluster: u64,
    /// The sequence number of the commit that added or last changed it.
    pub seq: u64,
}

impl Index {
    /// Every article with a passage that matches `query` under the filters of `options`
    /// (limit, offset and ranking do not apply), in no particular order.
    pub(crate) fn matching_articles(
        &self,
        query: &Query,
        options: &SearchOptions,
    ) -> Result<Vec<Matched>> {
        crate::index::guard(&self.display_path(), || {
            let snapshot = self.snapshot();
            let searcher = snapshot.searcher();
            let compiled = self.compile(searcher, query, options, &options.ranking, false)?;
            let mut docs: Vec<DocAddress> = searcher
                .search(&compiled.query, &DocSetCollector)?
                .into_iter()
                .collect();
            docs.sort_unstable();
            let mut out: HashMap<String, Matched> = HashMap::new();
            for address in docs {
                let columns = snapshot.columns(address.segment_ord)?;
                let Some(id) = columns.article_id(address.doc_id) else {
                    continue;
                };
                if out.contains_key(&id) {
                    continue;
                }
                let cluster = match snapshot.cluster(address)? {
                    Some(cluster) => cluster,
                    // A damaged layout: read the head wherever it is.
                    None => match snapshot.find_head(&id)? {
                        Some(head) => snapshot.cluster(head)?.unwrap_or_else(|| own_key(&id)),
                        None => own_key(&id),
                    },
                };
                let seq = columns.seq.first(address.doc_id).unwrap_or(0);
                out.insert(id.clone(), Matched { id, cluster, seq });
            }
            Ok(out.into_values().collect())
        })
    }

    /// The highest commit sequence number among the articles this handle's reader sees (0 for
    /// an empty index).
    pub(crate) fn visible_seq(&self) -> Result<u64> {
        let snapshot = self.snapshot();
        let mut top = 0;
        for (segment, reader) in snapshot.searcher().segment_readers().iter().enumerate() {
            if reader.num_docs() > 0 {
                top = top.max(snapshot.columns(segment as u32)?.seq.max_value());
            }
        }
        Ok(top)
    }
}
