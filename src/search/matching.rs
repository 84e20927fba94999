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
            // With article-level logic (required or excluded clauses, proximities), the
            // article filter decides, as in a search; the passage query then only applies the
            // options' filters.
            let (compiled, members) = if super::compile::needs_articles(query.root()) {
                let (compiled, filter) = super::compile::compile_articles(
                    searcher,
                    snapshot.fields(),
                    query,
                    options,
                    &options.ranking,
                )?;
                (
                    compiled,
                    Some(super::articles::members(&snapshot, &filter)?),
                )
            } else {
                let compiled = self.compile(searcher, query, options, &options.ranking, false)?;
                (compiled, None)
            };
            let mut docs: Vec<DocAddress> = searcher
                .search(&compiled.query, &DocSetCollector)?
                .into_iter()
                .collect();
            if let Some(members) = members {
                let mut kept = Vec::with_capacity(docs.len());
                for address in docs {
                    let key = super::articles::key_of(&snapshot, address)?;
                    if key.is_some_and(|key| members.articles.contains_key(&key)) {
                        kept.push(address);
                    }
                }
                docs = kept;
            }
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

#[cfg(test)]
mod article_logic_tests {
    use crate::{Article, Index, Query, SearchOptions};

    /// Two paragraphs of the joint statement on North Korean troops in Kursk: Kursk in the
    /// first, missiles only in the second.
    const FIRST: &str = "The foreign ministers of Australia, Canada, France, Germany, Italy, Japan, \
        the Republic of Korea, New Zealand, the United Kingdom and the United States, joined by \
        the High Representative of the European Union, issued a joint statement on 16 December \
        2024 condemning the deployment of North Korean soldiers to Russia. The text, released \
        in Washington by the State Department, said those troops were now engaged in combat \
        against Ukrainian forces in Russia's Kursk region.";
    const SECOND: &str = "The signatories described North Korea's direct part in the fighting \
        as a dangerous widening of the war, with serious consequences for security in Europe \
        and in the Indo-Pacific alike. They recalled that Russia had already used North Korean \
        ballistic missiles and artillery shells against Ukraine, and said the transfers of \
        ballistic missiles breached UN Security Council resolutions that Moscow itself had \
        supported as a permanent member of the Security Council.";

    fn ids(index: &Index, query: &str) -> Vec<String> {
        let query = Query::parse(query).unwrap();
        let mut ids: Vec<String> = index
            .matching_articles(&query, &SearchOptions::new())
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn saved_searches_match_boolean_queries_per_article_as_search_does() {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer
            .add(&Article::new("both", format!("{FIRST}\n\n{SECOND}")))
            .unwrap();
        writer.add(&Article::new("kursk", FIRST)).unwrap();
        writer.commit().unwrap();
        assert_eq!(ids(&index, "kursk AND NOT missiles"), ["kursk"]);
        assert_eq!(ids(&index, "kursk AND missiles"), ["both"]);
        assert_eq!(ids(&index, "deployment NEAR/3 soldiers"), ["both", "kursk"]);
        assert!(ids(&index, "deployment NEAR/2 soldiers").is_empty());
    }
}
