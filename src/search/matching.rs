//! Which articles match a query, without ranking or fetching: for saved searches, which only
//! need to know what a commit brought in.

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::{Query as TantivyQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::{Query, SearchOptions};
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
            let searcher = self.reader.searcher();
            let compiled = self.compile(&searcher, query, options, &options.ranking, false)?;
            let docs = searcher.search(&compiled.query, &DocSetCollector)?;
            let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
            for DocAddress {
                segment_ord,
                doc_id,
            } in docs
            {
                by_segment.entry(segment_ord).or_default().push(doc_id);
            }
            let mut out: HashMap<String, Matched> = HashMap::new();
            for (segment, mut docs) in by_segment {
                docs.sort_unstable();
                let reader = searcher.segment_reader(segment);
                let fast = reader.fast_fields();
                let ordinals = fast.u64("ordinal")?;
                let seqs = fast.u64("seq")?;
                let dups = fast.u64("dup")?;
                let Some(ids) = fast.str("article_id")? else {
                    continue;
                };
                let mut id = String::new();
                for doc in docs {
                    let Some(ord) = ids.term_ords(doc).next() else {
                        continue;
                    };
                    id.clear();
                    let found = ids
                        .ord_to_str(ord, &mut id)
                        .map_err(|e| crate::Error::io(self.display_path(), e))?;
                    if !found || out.contains_key(&id) {
                        continue;
                    }
                    let ordinal = ordinals.first(doc).unwrap_or(0) as u32;
                    // An article's passages are contiguous: its head is `ordinal` docs before.
                    let head = doc
                        .checked_sub(ordinal)
                        .filter(|&head| ids.term_ords(head).next() == Some(ord));
                    let cluster = match head.and_then(|head| dups.first(head)) {
                        Some(cluster) => cluster,
                        None => self.cluster_by_id(&searcher, &id)?,
                    };
                    out.insert(
                        id.clone(),
                        Matched {
                            id: id.clone(),
                            cluster,
                            seq: seqs.first(doc).unwrap_or(0),
                        },
                    );
                }
            }
            Ok(out.into_values().collect())
        })
    }

    /// The cluster key of an article, read from its head wherever it is.
    fn cluster_by_id(&self, searcher: &tantivy::Searcher, id: &str) -> Result<u64> {
        let query = tantivy::query::BooleanQuery::new(vec![
            (
                tantivy::query::Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.article_id, id),
                    IndexRecordOption::Basic,
                )) as Box<dyn TantivyQuery>,
            ),
            (
                tantivy::query::Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(self.fields.ordinal, 0),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let heads = searcher.search(&query, &DocSetCollector)?;
        let Some(head) = heads.into_iter().next() else {
            return Ok(crate::own_key(id));
        };
        let dups = searcher
            .segment_reader(head.segment_ord)
            .fast_fields()
            .u64("dup")?;
        Ok(dups
            .first(head.doc_id)
            .unwrap_or_else(|| crate::own_key(id)))
    }

    /// The highest commit sequence number among the articles this handle's reader sees (0 for
    /// an empty index).
    pub(crate) fn visible_seq(&self) -> Result<u64> {
        let searcher = self.reader.searcher();
        let mut top = 0;
        for reader in searcher.segment_readers() {
            let seqs = reader.fast_fields().u64("seq")?;
            if reader.num_docs() > 0 {
                top = top.max(seqs.max_value());
            }
        }
        Ok(top)
    }
}
