//! BM25's statistics in an index of several scripts: a word is as rare as it is among the
//! passages that could write it.
//!
//! BM25 weighs a word by how few passages hold it among all passages. In an index of one
//! language that is the word's rarity in its language. In an index of six, a word of the one
//! Chinese article in six is held by at most a sixth of the passages, so the commonest Chinese
//! characters (`不`, not; `受`, to receive) weigh like rare words, as much as the word a reader
//! is after (`住宅`, dwelling), and a query's function characters outrank its subject. Here the
//! document frequency of a word written in Cyrillic, Arabic or Han characters is counted
//! against the passages of the languages written in its script (see `script_of_code`) and a
//! prior of [`PRIOR_PASSAGES`] more: a word held by 30 of 40 Chinese passages counts as held by
//! 30 in 50 of the index's passages (the prior keeps a script of a few passages from reading
//! every word of theirs as common), rounded to the nearest, never as fewer than hold it. Latin
//! words are counted as tantivy counts them: every script's text writes Latin names and
//! acronyms. Only the text views' words are so counted (not entity terms, dates or codes), and
//! only in an index that holds passages of other scripts beside them; otherwise the statistics
//! are tantivy's own.

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

/// The scripts whose passages are counted apart. Not the Latin script: every script's text
/// writes Latin names, codes and acronyms (`COVID-19` in a Chinese statement, `OSCE` in a
/// Russian one), so every passage could write a Latin word.
const SCRIPTS: [Script; 3] = [Script::Cyrillic, Script::Arabic, Script::Han];

/// The script that articles in the language of `code` are written in: that of the language's
/// own analysis, else that of a common language read without one (Ukrainian, Bulgarian,
/// Kazakh… in Cyrillic; Persian, Urdu… in Arabic; Japanese with Han characters); `None` for an
/// unknown language (`und`) and other scripts.
fn script_of_code(code: &str) -> Option<Script> {
    if let Some(language) = Language::from_code(code) {
        return Some(language.script());
    }
    match code {
        "uk" | "bg" | "be" | "sr" | "mk" | "kk" | "ky" | "tg" | "mn" | "ba" | "tt" | "cv" => {
            Some(Script::Cyrillic)
        }
        "fa" | "ur" | "ps" | "ckb" | "ug" | "sd" | "ks" => Some(Script::Arabic),
        "ja" => Some(Script::Han),
        _ => None,
    }
}

/// BM25 statistics that count a word's passages against those of its script (see the module).
pub(crate) struct ScriptStatistics {
    searcher: Searcher,
    /// The passages of the index, deleted ones included (as tantivy counts them, and as the
    /// language terms' frequencies do).
    total: u64,
    /// The passages of each of [`SCRIPTS`]' languages, when the index holds passages of
    /// other scripts too.
    by_script: Option<[u64; SCRIPTS.len()]>,
    /// The fields whose terms are words of a language.
    words: [Field; 6],
}

impl ScriptStatistics {
    /// The statistics of `searcher`'s index, whose article languages are in `fields.lang`.
    pub(crate) fn new(searcher: &Searcher, fields: &Fields) -> crate::Result<ScriptStatistics> {
        let mut counts = [0u64; SCRIPTS.len()];
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
                let Some(script) = script_of_code(code) else {
                    continue;
                };
                if let Some(at) = SCRIPTS.iter().position(|s| *s == script) {
                    counts[at] += u64::from(terms.value().doc_freq);
                }
            }
        }
        let total = Bm25StatisticsProvider::total_num_docs(searcher)?;
        // Counted apart only when some passages are of another script.
        let apart = counts.iter().any(|&n| n > 0 && n < total);
        Ok(ScriptStatistics {
            searcher: searcher.clone(),
            total,
            by_script: apart.then_some(counts),
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
                // Never fewer passages than hold the word (a word of a language counted in
                // no script, or of unknown language, may be held by more).
                let among = u128::from(script.max(held) + PRIOR_PASSAGES);
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
        // `equal`, in 30 of the 60 English passages: as tantivy counts it (every script writes
        // Latin words).
        let equal = Term::from_field_text(fields.exact, "equal");
        assert_eq!(statistics.doc_freq(&equal).unwrap(), 30);
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
    fn languages_without_their_own_analysis_count_in_their_script() {
        // Ukrainian is read as English, but written in Cyrillic: its passages count among
        // those that could write a Cyrillic word. `права` (rights), in the two Ukrainian and
        // the two Russian passages of four Cyrillic ones (and the prior), is as common as a word
        // in 4 × 24 / 14, 7, of the 24.
        let mut articles = vec![
            (
                "uk/1",
                "uk",
                "Усі люди народжуються вільними і рівними у своїй гідності та права.",
            ),
            (
                "uk/2",
                "uk",
                "Кожна людина має права на життя, на свободу і на особисту недоторканність.",
            ),
            (
                "ru/1",
                "ru",
                "Все люди рождаются свободными и равными в своем достоинстве и права.",
            ),
            (
                "ru/2",
                "ru",
                "Каждый человек имеет права на жизнь, на свободу и на личную неприкосновенность.",
            ),
        ];
        let english: Vec<String> = (0..20).map(|n| format!("en/{n}")).collect();
        for id in &english {
            articles.push((id, "en", "All are equal before the law."));
        }
        let index = index_of(&articles);
        assert_eq!(counted(&index, |f| f.exact, "права"), 7);
    }

    #[test]
    fn a_word_held_beyond_its_script_s_passages_is_never_counted_above_the_index() {
        // Passages of unknown language are counted in no script: a Cyrillic word held by
        // more passages than the counted Russian ones stays under the index's size.
        let mut articles = vec![("ru/1", "ru", "Все люди равны перед законом.")];
        let unknown: Vec<String> = (0..12).map(|n| format!("und/{n}")).collect();
        for id in &unknown {
            articles.push((id, "und", "Все люди равны перед законом и судом."));
        }
        articles.push(("en/1", "en", "All are equal before the law."));
        let index = index_of(&articles);
        let snapshot = index.snapshot();
        let total = snapshot.statistics().unwrap().total_num_docs().unwrap();
        assert_eq!(total, 14);
        // 13 hold `законом`: counted among 13 + 10 passages, 13 × 14 / 23 = 8, and never
        // fewer than hold it: 13 (among the one Russian passage and the prior it would have
        // been 13 × 14 / 11, above the 14 passages of the index).
        assert_eq!(counted(&index, |f| f.exact, "законом"), 13);
    }

    #[test]
    fn an_index_of_one_script_keeps_tantivy_s_statistics() {
        // Russian and Ukrainian: one script, nothing to count apart.
        let index = index_of(&[
            ("uk/1", "uk", "Усі люди мають права."),
            ("ru/1", "ru", "Все люди имеют права."),
            ("ru/2", "ru", "Каждый человек имеет права."),
            ("ru/3", "ru", "Никто не лишен права."),
        ]);
        assert_eq!(counted(&index, |f| f.exact, "права"), 4);
        let snapshot = index.snapshot();
        assert!(snapshot.statistics().unwrap().by_script.is_none());
    }
}
