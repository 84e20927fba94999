//! BM25's statistics in an index of several scripts: a word is as rare as it is among the
//! passages that could write it.
//!
//! BM25 weighs a word by how few passages hold it among all passages. In an index of one
//! language that is the word's rarity in its language. In an index of six, a word of the one
//! Chinese article in six is held by at most a sixth of the passages, so the commonest Chinese
//! characters (`不`, not; `受`, to receive) weigh like rare words, as much as the word a reader
//! is after (`住宅`, dwelling), and a query's function characters outrank its subject. Here a
//! word's document frequency is counted against the passages of its script's languages and a
//! prior of [`PRIOR_PASSAGES`] more: a word written in Han characters held by 30 of 40
//! Chinese passages counts as held by 30 in 50 of the index's passages (the prior keeps a
//! script of a few passages from reading every word of theirs as common), never as fewer than
//! hold it. Only the text views' words are so counted (not entity terms, dates or codes), and
//! only in an index whose articles are in more than one script; in an index of one script the
//! statistics are tantivy's own.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::Fields;
use crate::analysis::{Language, Script, script_of};

/// Passages that every script is taken to have beside its own when a word's rarity is
/// counted among them: a prior, so that a script of a few passages (one Arabic statement in a
/// hundred English ones) is not read as if each of its words were in all of them, which says
/// nothing of the word; with many passages the script's own count decides.
const PRIOR_PASSAGES: u64 = 10;

/// The scripts whose passages are counted apart.
const SCRIPTS: [Script; 4] = [Script::Latin, Script::Cyrillic, Script::Arabic, Script::Han];

/// BM25 statistics that count a word's passages against those of its script (see the module).
pub(crate) struct ScriptStatistics {
    searcher: Searcher,
    /// The passages of the index, deleted ones included (as tantivy counts them, and as the
    /// language terms' frequencies do).
    total: u64,
    /// The passages of each of [`SCRIPTS`]' languages, when there is more than one script.
    by_script: Option<[u64; 4]>,
    /// The fields whose terms are words of a language.
    words: [Field; 6],
}

impl ScriptStatistics {
    /// The statistics of `searcher`'s index, whose article languages are in `fields.lang`.
    pub(crate) fn new(searcher: &Searcher, fields: &Fields) -> crate::Result<ScriptStatistics> {
        let mut counts = [0u64; 4];
        for reader in searcher.segment_readers() {
            let inverted = reader.inverted_index(fields.lang)?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(|e| crate::Error::io("(index)", e))?;
            while terms.advance() {
                let Ok(code) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                let script = Language::analysing(Some(code)).script();
                if let Some(at) = SCRIPTS.iter().position(|s| *s == script) {
                    counts[at] += u64::from(terms.value().doc_freq);
                }
            }
        }
        let scripts = counts.iter().filter(|&&n| n > 0).count();
        Ok(ScriptStatistics {
            searcher: searcher.clone(),
            total: Bm25StatisticsProvider::total_num_docs(searcher)?,
            by_script: (scripts > 1).then_some(counts),
            words: [
                fields.stem,
                fields.exact,
                fields.title_stem,
                fields.title_exact,
                fields.quote_stem,
                fields.quote_exact,
            ],
        })
    }

    /// The passages that could write `term`: those of its script's languages, when the index
    /// has several scripts and `term` is a word of one of them.
    fn passages_of(&self, term: &Term) -> Option<u64> {
        let counts = self.by_script?;
        if !self.words.contains(&term.field()) {
            return None;
        }
        let script = script_of(term.value().as_str()?);
        let at = SCRIPTS.iter().position(|s| *s == script)?;
        Some(counts[at]).filter(|&n| n > 0)
    }
}

impl Bm25StatisticsProvider for ScriptStatistics {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.total)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let held = self.searcher.doc_freq(term)?;
        Ok(match self.passages_of(term) {
            // As rare in the index as among the passages of its script (and the prior's), and
            // never rarer than among all passages.
            Some(script) => {
                // Rounded to the nearest: truncated, a word of one passage kept its count where
                // a word of two gained half of it, and the rarer word weighed more than its due.
                let among = u128::from(script + PRIOR_PASSAGES);
                let scaled = (u128::from(held) * u128::from(self.total) + among / 2) / among;
                u64::try_from(scaled)
                    .unwrap_or(u64::MAX)
                    .clamp(held, self.total.max(held))
            }
            None => held,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Article, Index};

    fn index_of(articles: &[(&str, &str, &str)]) -> Index {
        let index = Index::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        for (id, lang, body) in articles {
            writer
                .add(&Article::new(*id, *body).with_lang(lang))
                .unwrap();
        }
        writer.commit().unwrap();
        index
    }

    /// The passages that the statistics count as holding `word` in the field `view` picks.
    fn counted(index: &Index, view: fn(&Fields) -> Field, word: &str) -> u64 {
        let snapshot = index.snapshot();
        let term = Term::from_field_text(view(snapshot.fields()), word);
        snapshot.statistics().unwrap().doc_freq(&term).unwrap()
    }

    #[test]
    fn a_word_is_as_rare_as_among_the_passages_of_its_script() {
        // 20 Chinese statements in 80: `自由` (freedom), in 15 of them, is held by 15 of the 30
        // passages (20 and the prior) that could write it, as common as a word in 40 of the 80.
        // `count` articles in `lang`, the first `with` of them saying `one`, the others `other`.
        let statements = |lang: &'static str, count: usize, with: usize, one, other| {
            (0..count).map(move |n| {
                (
                    format!("{lang}/{n}"),
                    lang,
                    if n < with { one } else { other },
                )
            })
        };
        let articles: Vec<(String, &str, &str)> = statements(
            "zh",
            19,
            15,
            "人人有权享有自由和安全。",
            "人人有权享有生命和安全。",
        )
        .chain(statements("zh-one", 1, 1, "人人有权享有住宅和安全。", ""))
        .chain(statements(
            "en",
            60,
            30,
            "All are equal before the law.",
            "No one shall be held in slavery.",
        ))
        .collect();
        let articles: Vec<(&str, &str, &str)> = articles
            .iter()
            .map(|(i, l, b)| (i.as_str(), *l, *b))
            .collect();
        let index = index_of(&articles);
        let snapshot = index.snapshot();
        let fields = *snapshot.fields();
        let statistics = snapshot.statistics().unwrap();
        let searcher = snapshot.searcher();
        assert_eq!(statistics.total_num_docs().unwrap(), 80);
        let freedom = Term::from_field_text(fields.stem, "自由");
        assert_eq!(searcher.doc_freq(&freedom).unwrap(), 15);
        assert_eq!(statistics.doc_freq(&freedom).unwrap(), 40);
        // `住宅` (dwelling), in one: 80 / 30 = 2.67, three (to the nearest).
        let dwelling = Term::from_field_text(fields.stem, "住宅");
        assert_eq!(searcher.doc_freq(&dwelling).unwrap(), 1);
        assert_eq!(statistics.doc_freq(&dwelling).unwrap(), 3);
        // `equal`: 30 of the 60 Latin passages and the prior, 34 of the 80.
        let equal = Term::from_field_text(fields.exact, "equal");
        assert_eq!(searcher.doc_freq(&equal).unwrap(), 30);
        assert_eq!(statistics.doc_freq(&equal).unwrap(), 34);
        // Terms that are not words are counted as tantivy counts them.
        let lang = Term::from_field_text(fields.lang, "zh");
        assert_eq!(statistics.doc_freq(&lang).unwrap(), 20);
    }

    #[test]
    fn a_script_of_a_few_passages_keeps_its_words_rare() {
        // One Chinese statement among three English ones: its words are no commoner than they
        // are in the index.
        let index = index_of(&[
            ("zh/1", "zh", "人人有权享有自由和安全。"),
            ("en/1", "en", "All are equal before the law."),
            ("en/2", "en", "No one shall be held in slavery."),
            ("en/3", "en", "Everyone has the right to life."),
        ]);
        assert_eq!(counted(&index, |f| f.stem, "自由"), 1);
    }

    #[test]
    fn an_index_of_one_script_keeps_tantivy_s_statistics() {
        let index = index_of(&[
            (
                "en/1",
                "en",
                "All human beings are born free and equal in dignity.",
            ),
            (
                "fr/1",
                "fr",
                "Tous les êtres humains naissent libres et égaux en dignité.",
            ),
            ("en/7", "en", "All are equal before the law."),
        ]);
        assert_eq!(counted(&index, |f| f.exact, "equal"), 2);
        let snapshot = index.snapshot();
        assert_eq!(snapshot.statistics().unwrap().total_num_docs().unwrap(), 3);
    }
}
