//! Spelling and transliteration tolerance: a bare word that the index does not hold (or holds
//! far less often than a close spelling) is also searched as the index's closest words.
//!
//! Correcting is a rewrite of the query's tree, made before it is compiled, so every path
//! (search, facets, counts, saved searches, explain) reads the same corrected query: a word
//! without any match becomes its closest spelling(s) in the index (`Kursc` → `kursk`); a word
//! with a few matches keeps them and gains the close spelling as an alternative, which ranks
//! below it (its words are rarer, so BM25 weighs an exact match more). Phrases, prefixes,
//! fuzzy words, codes (`DPRK`, words with digits) and names of the alias table are never
//! corrected; transliterated names in the alias table (`Kiev`, `Kyiv`) are one name already.
//!
//! A quoted phrase is never respelled, but one that the index never holds as written (`"delito
//! común"`, where the text writes *delitos comunes*) is searched in its other word forms: the
//! compiler matches it on the stemmed view instead, and the [`Correction`] (of kind
//! [`CorrectionKind::WordForms`]) says so, like a respelling.
//!
//! A word that would be corrected is first looked for in its family: the index's stems that
//! begin as its stem does (its first six letters, four in Arabic; see `Corrector::family`),
//! and, for an Arabic word that matches nothing, the stems of its root
//! ([`crate::analysis::arabic_root`], always at half weight: looser kin); failing both, for a
//! word that matches nothing, the stems that begin with its stem's beginning a letter or two
//! shorter (`chômeurs`, stem `chômeur`: `chômage`), which do not outrank a respelling.
//! No stemmer joins `widowed` and `widowhood`, or `reconnue` and `reconnaissance`; a word with
//! such a family is another derivation of a word the index holds, not a typo, so it is not
//! respelled: the compiler searches its family beside it (with less weight when the word
//! itself matches, as much when it matches nothing), and the
//! [`Correction`] (of kind [`CorrectionKind::WordFamily`]) says so. A word one edit from a
//! word that the index holds far more often is a typing slip all the same (`humanitarain`),
//! and is respelled.
//!
//! A Chinese word that no passage holds as a word (`寡妇`, where the text writes `守寡`) is
//! searched by its characters, which the exact view indexes one by one, and the
//! [`Correction`] (of kind [`CorrectionKind::Characters`]) says so.
//!
//! A word is read in every language of the index: one whose stem in some language is a stem
//! of the index is an inflection, not a typo (`tribunaux` is the French `tribunal`), and is
//! left to the languages' stemmed views; so is one that begins as a stem of the index does
//! while none of its close spellings does (another derivation of an indexed word: `получение`
//! beside `получать`). A word with no close spelling is looked for among
//! the index's stems (`Scripal` → the stem of `Skripals`), and a capitalised word, a name, is
//! corrected to a word that the index never inflects (a name) before a dictionary word as
//! close to it (`Limets` → `Liimets`, not `limits`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;
use tantivy::query::{BooleanQuery, EnableScoring, PhraseQuery, TermQuery};
use tantivy::schema::Field;
use tantivy::{DocSet, Searcher, TERMINATED, Term};

use super::query::{Node, Occur, Scope};
use crate::analysis::{Analyzer, Language, Script, script_of};
use crate::index::Fields;
use crate::{Error, Query, Result};

/// A word of the query searched under other spellings, or a phrase in other word forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// The word (or the phrase, without its quotes) as typed.
    pub typed: String,
    /// What was searched instead.
    pub kind: CorrectionKind,
    /// The index's words searched for it, closest and most frequent first (empty for a
    /// phrase searched in other word forms).
    pub searched: Vec<String>,
    /// Whether the word as typed matches (a little) and is searched beside the corrections,
    /// which are then alternatives; false when it matches nothing. A respelled word that
    /// matches nothing is replaced; a [`CorrectionKind::WordFamily`]'s word is always
    /// searched, and its family then weighs as the word.
    pub kept: bool,
    /// Byte range of the word in the query.
    #[serde(skip)]
    pub span: Range<usize>,
    /// For a [`CorrectionKind::WordFamily`]: each stem searched, with the language whose
    /// articles it is searched in; for [`CorrectionKind::Characters`], the Chinese words
    /// searched by their characters.
    #[serde(skip)]
    pub(crate) family: Vec<(Language, String)>,
    /// Those of [`Correction::family`] found by the word's Arabic root rather than by its
    /// beginning: a looser kin, weighed less.
    #[serde(skip)]
    pub(crate) by_root: Vec<String>,
    /// For [`CorrectionKind::Characters`], the Chinese words of which the index holds some
    /// dictionary words, each with a part that none covers (`婚生子女`, `婚生`): the part is
    /// searched by its characters beside the word.
    #[serde(skip)]
    pub(crate) parts: Vec<(String, String)>,
}

/// What a [`Correction`] searched instead of the query as typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionKind {
    /// A word the index does not hold (or hardly), searched as the index's closest spellings.
    Spelling,
    /// A quoted phrase that the index never holds as written, searched through the stemmed
    /// view: its words in any inflection, in the same order and as close together.
    WordForms,
    /// A word the index does not hold (or hardly), also searched as the index's stems of its
    /// family: those that begin as its stem does (`widowed`: `widowhood`; `reconnue`:
    /// `reconnaiss`, of *reconnaissance*), each shown in [`Correction::searched`] as the
    /// index's most frequent word of that stem (*reconnaissance*); with less weight than the word when the word
    /// matches too ([`Correction::kept`]), with the word's own when the family stands alone
    /// for it; for an Arabic word that matches nothing, also the stems of its root (`العبيد`:
    /// `استعباد`), always with less weight. Such a word is no typo and is not respelled.
    WordFamily,
    /// A Chinese word that no passage holds as a word, searched by its characters (the exact
    /// view reads Chinese a character at a time): `寡妇`, where the text writes `守寡`.
    Characters,
    /// A word that no passage holds and that is no slip of a frequent word (one edit from a
    /// word 50 times as frequent), searched as the two words of the index it is written of
    /// (`securitycouncil`: `security`, `council`; `freeborn`: `free`, `born`), each as a
    /// word of the query. Never a proximity's operand, nor a capitalised word with a close
    /// spelling (a name).
    Split,
}

impl std::fmt::Display for Correction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.kind == CorrectionKind::WordForms {
            return write!(
                f,
                "no exact match for \"{}\"; searched its other word forms",
                self.typed
            );
        }
        if self.kind == CorrectionKind::Characters {
            let (a_word, its) = match self.family.len() + self.parts.len() {
                0 | 1 => ("a word", "its"),
                _ => ("words", "their"),
            };
            return write!(
                f,
                "no passage holds {} as {a_word}; searched {its} characters: {}",
                self.typed,
                self.searched.join(", ")
            );
        }
        if self.kind == CorrectionKind::WordFamily {
            return write!(
                f,
                "searched for {} or words of its family: {}",
                self.typed,
                self.searched.join(", ")
            );
        }
        if self.kind == CorrectionKind::Split {
            return write!(
                f,
                "no passage holds {}; searched the words {}",
                self.typed,
                self.searched.join(" ")
            );
        }
        let searched = self.searched.join(" or ");
        if self.kept {
            write!(f, "searched for {} or {searched}", self.typed)
        } else {
            write!(f, "searched for {searched} instead of {}", self.typed)
        }
    }
}

/// Words shorter than this are never corrected (too many neighbours one letter away).
const MIN_CHARS: usize = 4;
/// Each of the two words a word is split into (see [`CorrectionKind::Split`]) has at least
/// this many letters: shorter ones (`a`, `of`, `un`) would cut most long words somewhere.
const MIN_SPLIT_CHARS: usize = 3;
/// Words of at least this many characters may be two edits off; shorter ones one.
const TWO_EDITS_FROM: usize = 8;
/// A word that matches at most this many passages may gain an alternative spelling...
const RARE: u64 = 2;
/// ...when that spelling is at least this many times more frequent.
const MORE_FREQUENT: u64 = 50;
/// At most this many spellings for one word.
const MAX_SPELLINGS: usize = 3;
/// Stems shorter than this are never searched for a word with no close spelling: a short
/// stem is one edit from too many others (`meet`, of `meeting`, from `met`).
const MIN_STEM_CHARS: usize = 5;
/// A rare word's family: the index's stems that begin with this many characters of its stem
/// (all of a shorter stem), in a language of the Latin or Cyrillic script; a truncation in
/// the spirit of "the first six letters" stemming. Arabic words are shorter:
/// [`FAMILY_PREFIX_CHARS_ARABIC`]. Chinese has no family (its words are not inflected).
const FAMILY_PREFIX_CHARS: usize = 6;
/// The prefix of an Arabic stem's family (and the shortest Arabic stem that has one).
const FAMILY_PREFIX_CHARS_ARABIC: usize = 4;
/// At most this many stems of one word's family are searched: the longest shared beginnings
/// first, then the most frequent.
const MAX_FAMILY: usize = 6;
/// At most this many terms beginning with the prefix are read from each segment's dictionary.
const FAMILY_SCAN: usize = 2_000;
/// A stem of a word's family goes at most this many characters past what it shares with the
/// word's stem: a derivation's ending (`widow|hood`, `reconn|aiss`, `матер|инств` of
/// *материнство*, motherhood, for `матери`), not another word joined on (`securit|ysector`,
/// the joined compound *security-sector*, for `securitisation`). With four, two queries of
/// the development sets found nothing (EVALUATION.md, round 15).
const FAMILY_TAIL_CHARS: usize = 5;
/// A stem of the index that is the word's stem less at most this many final letters is of
/// its family: the word is the longer derivation (`électeur`, of `électeurs`, beside `élect`,
/// of *élections*; `igualitari`, of `igualitaria`, beside `igual`)...
const FAMILY_BASE_TAIL_CHARS: usize = 5;
/// ...when that stem has at least this many letters. Shorter ones are more often another word
/// than a base (`pres`, of *preso*, for `presunto`; `sal`, of *salir*, for `salarial`): with
/// three, two queries of the held-out sets were lost (EVALUATION.md, round 14).
const FAMILY_BASE_MIN_CHARS: usize = 5;
/// At most this many terms of each beginning are read for the stems of a word's root.
const ROOT_SCAN: usize = 5_000;
/// At most this many of those words, the most frequent first, are asked whether the family's
/// language writes them (in an index of several languages).
const SHOWN_CHECKS: usize = 5;
/// At most this many words of the index are read to show one stem of a family as a word.
const WORD_SCAN: usize = 200;
/// The shortest stem of the Latin or Cyrillic script that has a family: its whole stem is
/// then the beginning its family shares (`veuv`, of `veuves`: `veuvag`, of *veuvage*; `viud`,
/// of `viuda`: `viudez`; `вдов`, of `вдовы`: `вдовств`). Shorter than the spelling's
/// [`MIN_STEM_CHARS`]: a family must begin with the whole stem, not be one edit from it.
const FAMILY_MIN_STEM_CHARS: usize = 4;

/// A word that matches nothing and has no family by the first [`FAMILY_PREFIX_CHARS`] of its
/// stem (or all of it) in any language looks for one by a beginning up to this many letters
/// shorter (never under [`FAMILY_MIN_STEM_CHARS`]).
const FAMILY_SHORTER_PREFIX: usize = 2;

/// The beginnings that a Russian `prefix` ending in a hushing consonant alternates with, the
/// consonant written as the root's hard one: `ч` as `к` or `ц` (*брачный*, *брак*; *отеческий*,
/// *отец*), `ж` as `г` or `з` (*дружба*, *друг*; *выражение*, *выразить*), `ш` as `х` or `с`
/// (*страшный*, *страх*). Empty for any other ending. (A stem of four letters, such as
/// *личн*, has no shorter beginning to alternate: families never look under four.)
fn russian_alternations(prefix: &str) -> Vec<String> {
    let Some(last) = prefix.chars().next_back() else {
        return Vec::new();
    };
    let hard: &[char] = match last {
        'ч' => &['к', 'ц'],
        'ж' => &['г', 'з'],
        'ш' => &['х', 'с'],
        _ => &[],
    };
    let root = &prefix[..prefix.len() - last.len_utf8()];
    hard.iter().map(|c| format!("{root}{c}")).collect()
}

/// A stem of a word's family: its language, itself, and whether the word's root found it.
type Kin = (Language, String, bool);

/// The stems among `terms` (each with its passages) that may be of the family of `stem`
/// (one of the word's `stems`): not the word's own, going at most [`FAMILY_TAIL_CHARS`] past
/// what they share with `stem`; each with the characters shared, its passages and itself.
fn kin(
    stem: &str,
    stems: &[(Language, String)],
    terms: HashMap<String, u64>,
) -> Vec<(usize, u64, String)> {
    let mut candidates = Vec::new();
    for (term, df) in terms {
        if stems.iter().any(|(_, own)| *own == term) {
            continue;
        }
        let shared = stem
            .chars()
            .zip(term.chars())
            .take_while(|(a, b)| a == b)
            .count();
        if term.chars().count() > shared + FAMILY_TAIL_CHARS {
            continue;
        }
        candidates.push((shared, df, term));
    }
    candidates
}

/// The edits a word of `chars` characters may be off by.
fn distance_for(chars: usize) -> u8 {
    if chars >= TWO_EDITS_FROM { 2 } else { 1 }
}

/// The corrected query and what was corrected; the query itself when nothing was. `quotes`:
/// the text is searched inside quotations (where a phrase is looked for as written).
pub(crate) fn correct(
    searcher: &Searcher,
    fields: &Fields,
    query: &Query,
    aliases: Option<&crate::domain::Aliases>,
    analyzer: &mut Analyzer,
    languages: &[(Language, Vec<String>)],
    quotes: bool,
) -> Result<(Option<Query>, Vec<Correction>)> {
    let mut corrector = Corrector {
        searcher,
        fields,
        quotes,
        aliases,
        analyzer,
        languages: if languages.is_empty() {
            vec![(Language::English, Vec::new())]
        } else {
            languages.to_vec()
        },
        found: Vec::new(),
        one_word: false,
    };
    let root = corrector.node(query.root(), false)?;
    if corrector.found.is_empty() {
        return Ok((None, Vec::new()));
    }
    Ok((Some(query.with_root(root)), corrector.found))
}

/// What the queries compiled on one snapshot share while [`memoized`] runs.
#[derive(Default)]
struct Memo {
    /// A word's correction by (word as typed, in the title scope, as one word, with the alias
    /// table, the languages it is read in as a bit set).
    corrections: HashMap<(String, bool, bool, bool, u32), Option<Correction>>,
    /// The languages of the index's articles (see `compile::query_languages`).
    languages: Option<Vec<(Language, Vec<String>)>>,
}

thread_local! {
    /// The corrections worked out on this thread while [`memoized`] runs.
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// Runs `f` with each word's correction, and the index's languages, worked out once and reused
/// by every query `f` compiles on this thread (for saved searches: many queries, the same
/// words). Both depend on the index, so `f` must compile against one snapshot only.
pub(crate) fn memoized<T>(f: impl FnOnce() -> T) -> T {
    /// Puts back what was there before, even when `f` panics.
    struct Restore(Option<Memo>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            let _ = MEMO.try_with(|memo| *memo.borrow_mut() = outer);
        }
    }
    let _restore = Restore(MEMO.with(|memo| memo.borrow_mut().replace(Memo::default())));
    f()
}

/// The languages of the index's articles: `work`'s answer, read once while [`memoized`] runs.
pub(crate) fn languages(
    work: impl FnOnce() -> Result<Vec<(Language, Vec<String>)>>,
) -> Result<Vec<(Language, Vec<String>)>> {
    let known = MEMO.with(|memo| memo.borrow().as_ref().map(|memo| memo.languages.clone()));
    if let Some(Some(languages)) = known {
        return Ok(languages);
    }
    let languages = work()?;
    MEMO.with(|memo| {
        if let Some(memo) = memo.borrow_mut().as_mut() {
            memo.languages = Some(languages.clone());
        }
    });
    Ok(languages)
}

/// The passages of the articles that `language` analyses, among `languages` (each with the
/// article language codes it analyses): what a word's reading in a language is searched
/// within, by the corrector and the compiler.
pub(crate) fn passages_in(
    fields: &Fields,
    languages: &[(Language, Vec<String>)],
    language: Language,
) -> BooleanQuery {
    let codes: &[String] = languages
        .iter()
        .find(|(l, _)| *l == language)
        .map_or(&[], |(_, codes)| codes.as_slice());
    BooleanQuery::new(
        codes
            .iter()
            .map(|code| {
                let query: Box<dyn tantivy::query::Query> = Box::new(TermQuery::new(
                    Term::from_field_text(fields.lang, code),
                    tantivy::schema::IndexRecordOption::Basic,
                ));
                (tantivy::query::Occur::Should, query)
            })
            .collect(),
    )
}

struct Corrector<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    /// The text is searched inside quotations.
    quotes: bool,
    aliases: Option<&'a crate::domain::Aliases>,
    analyzer: &'a mut Analyzer,
    /// The languages of the index (or the one asked for), each with the article language
    /// codes it analyses: a word is read in each.
    languages: Vec<(Language, Vec<String>)>,
    found: Vec<Correction>,
    /// Set while correcting a proximity's operand, which stays one word: never split.
    one_word: bool,
}

impl Corrector<'_> {
    /// `node`, corrected; `single` when it may only become one word (a proximity's operand).
    fn node(&mut self, node: &Node, single: bool) -> Result<Node> {
        Ok(match node {
            Node::Word { text, scope, span } if *scope != Scope::Source => {
                // A proximity's operand stays one word: respelled, never split.
                self.one_word = single;
                let correction = self.word(text, *scope, span);
                self.one_word = false;
                match correction? {
                    // A family is searched beside the word by the compiler (a proximity's
                    // operand stays as typed).
                    Some(correction)
                        if matches!(
                            correction.kind,
                            CorrectionKind::WordFamily | CorrectionKind::Characters
                        ) =>
                    {
                        if !single {
                            self.found.push(correction);
                        }
                        node.clone()
                    }
                    Some(correction) => {
                        let word = |text: &str| Node::Word {
                            text: text.to_string(),
                            scope: *scope,
                            span: span.clone(),
                        };
                        let node = if single || (!correction.kept && correction.searched.len() == 1)
                        {
                            word(&correction.searched[0])
                        } else {
                            let mut words: Vec<(Occur, Node)> = Vec::new();
                            if correction.kept {
                                words.push((Occur::Should, node.clone()));
                            }
                            for spelling in &correction.searched {
                                words.push((Occur::Should, word(spelling)));
                            }
                            Node::Group(words)
                        };
                        let mut correction = correction;
                        if single {
                            correction.searched.truncate(1);
                            correction.kept = false;
                        }
                        self.found.push(correction);
                        node
                    }
                    None => node.clone(),
                }
            }
            // A proximity's phrase stays as written: its rule places exact-view words.
            Node::Phrase { text, scope, span } if *scope != Scope::Source && !single => {
                if !self.phrase_found(text, *scope)? {
                    self.found.push(Correction {
                        typed: text.clone(),
                        kind: CorrectionKind::WordForms,
                        searched: Vec::new(),
                        kept: false,
                        span: span.clone(),
                        family: Vec::new(),
                        by_root: Vec::new(),
                        parts: Vec::new(),
                    });
                }
                node.clone()
            }
            Node::Near {
                operands,
                within,
                span,
            } => Node::Near {
                operands: operands
                    .iter()
                    .map(|o| self.node(o, true))
                    .collect::<Result<_>>()?,
                within: *within,
                span: span.clone(),
            },
            Node::Group(clauses) => Node::Group(
                clauses
                    .iter()
                    .map(|(occur, child)| {
                        // An excluded word is left as typed: excluding a guess would hide what
                        // the user did not mean to exclude.
                        if *occur == Occur::MustNot {
                            Ok((*occur, child.clone()))
                        } else {
                            Ok((*occur, self.node(child, false)?))
                        }
                    })
                    .collect::<Result<_>>()?,
            ),
            other => other.clone(),
        })
    }

    /// The correction of one bare word, if it needs one and the index has a close spelling;
    /// worked out once per word while [`memoized`] runs.
    fn word(
        &mut self,
        text: &str,
        scope: Scope,
        span: &Range<usize>,
    ) -> Result<Option<Correction>> {
        // Outside `memoized` (every ordinary search) nothing is kept, nor a key built.
        if MEMO.with(|memo| memo.borrow().is_none()) {
            return self.word_unmemoized(text, scope, span);
        }
        let key = (
            text.to_string(),
            scope == Scope::Title,
            self.one_word,
            self.aliases.is_some(),
            self.languages
                .iter()
                .fold(0u32, |set, (l, _)| set | (1 << *l as u32)),
        );
        let known = MEMO.with(|memo| {
            memo.borrow()
                .as_ref()
                .map(|memo| memo.corrections.get(&key).cloned())
        });
        if let Some(Some(found)) = known {
            return Ok(found.map(|correction| Correction {
                span: span.clone(),
                ..correction
            }));
        }
        let found = self.word_unmemoized(text, scope, span)?;
        MEMO.with(|memo| {
            if let Some(memo) = memo.borrow_mut().as_mut() {
                memo.corrections.insert(key, found.clone());
            }
        });
        Ok(found)
    }

    fn word_unmemoized(
        &mut self,
        text: &str,
        scope: Scope,
        span: &Range<usize>,
    ) -> Result<Option<Correction>> {
        if script_of(text) == Script::Han {
            return self.chinese_characters(text, scope, span);
        }
        let mut found = self.word_found(text, scope, span)?;
        // A family is searched by its stems, and shown as words of the index (`veuvage`, not
        // the stem `veuvag`).
        if let Some(correction) = &mut found
            && correction.kind == CorrectionKind::WordFamily
        {
            let (exact_field, stem_field) = self.views(scope);
            let mut shown: Vec<String> = Vec::new();
            for (language, stem) in correction.family.clone() {
                // As a passage of the language writes it (with its accents, which the views
                // fold), else as the exact view holds it.
                let mut word = None;
                if scope == Scope::Text {
                    word = self.word_in_passage(stem_field, language, &stem)?;
                }
                if word.is_none() {
                    word = self.word_of_stem(exact_field, language, &stem)?;
                }
                let word = word.unwrap_or(stem);
                if !shown.contains(&word) {
                    shown.push(word);
                }
            }
            correction.searched = shown;
        }
        Ok(found)
    }

    /// The exact and stemmed views a word of `scope` is corrected in: the title's or the
    /// text's.
    fn views(&self, scope: Scope) -> (Field, Field) {
        match scope {
            Scope::Title => (self.fields.title_exact, self.fields.title_stem),
            _ => (self.fields.exact, self.fields.stem),
        }
    }

    /// For Chinese text, the dictionary words of it (of two characters or more) that no
    /// passage holds as a word, searched by their characters (see
    /// [`CorrectionKind::Characters`]; the compiler searches them so).
    fn chinese_characters(
        &mut self,
        text: &str,
        scope: Scope,
        span: &Range<usize>,
    ) -> Result<Option<Correction>> {
        let chinese = self.languages.iter().any(|(l, _)| *l == Language::Chinese);
        if !chinese || scope == Scope::Source {
            return Ok(None);
        }
        let (_, stem_field) = self.views(scope);
        let (mut missing, mut characters): (Vec<String>, Vec<String>) = (vec![], vec![]);
        // The words held in no part, and the parts of the others that no held word covers.
        let (mut whole, mut parts): (Vec<String>, Vec<(String, String)>) = (vec![], vec![]);
        for word in crate::analysis::chinese_segment(text) {
            if word.chars().count() < 2 || script_of(&word) != Script::Han {
                continue;
            }
            if let Some(aliases) = self.aliases
                && aliases.find_with(self.analyzer, &[word.as_str()]).is_some()
            {
                continue;
            }
            // The byte ranges of the word that the index holds words of (`子女` of `婚生子女`).
            let mut covered: Vec<Range<usize>> = Vec::new();
            for stem in self.analyzer.stemmed_in(Language::Chinese, &word) {
                if self.doc_freq(stem_field, &stem.text)? > 0 {
                    covered.push(stem.start..stem.end);
                }
            }
            // No part of it held: the whole word by its characters; some held: each run of
            // two characters or more that none covers (`婚生`, where the text writes `婚生`
            // and `子女` apart), searched by its characters beside the held words.
            let partial = !covered.is_empty();
            let runs = if partial {
                uncovered_runs(&word, &covered)
            } else {
                whole.push(word.clone());
                vec![word.clone()]
            };
            for run in runs {
                for c in run.chars() {
                    let c = c.to_string();
                    if !characters.contains(&c) {
                        characters.push(c);
                    }
                }
                if !missing.contains(&run) {
                    missing.push(run.clone());
                }
                if partial && !parts.contains(&(word.clone(), run.clone())) {
                    parts.push((word.clone(), run));
                }
            }
        }
        Ok((!missing.is_empty()).then(|| Correction {
            typed: missing.join(", "),
            kind: CorrectionKind::Characters,
            searched: characters,
            kept: false,
            span: span.clone(),
            family: whole.into_iter().map(|w| (Language::Chinese, w)).collect(),
            by_root: Vec::new(),
            parts,
        }))
    }

    /// What [`Self::word_unmemoized`] finds, a family without the words it is shown as.
    fn word_found(
        &mut self,
        text: &str,
        scope: Scope,
        span: &Range<usize>,
    ) -> Result<Option<Correction>> {
        let chars = text.chars().count();
        let is_code = text.chars().any(|c| c.is_ascii_digit())
            || (text
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase));
        if chars < MIN_CHARS || is_code || !text.chars().all(char::is_alphabetic) {
            return Ok(None);
        }
        if let Some(aliases) = self.aliases
            && aliases.find_with(self.analyzer, &[text]).is_some()
        {
            return Ok(None);
        }
        let exact = self.analyzer.exact(text);
        let [token] = exact.as_slice() else {
            return Ok(None);
        };
        let typed = token.text.clone();
        let (exact_field, stem_field) = self.views(scope);
        let mut matches = self.doc_freq(exact_field, &typed)?;
        if matches > RARE {
            // Frequent as typed: no need to count its stems, one search per language.
            return Ok(None);
        }
        // A language whose alphabet cannot write the word as typed does not read it
        // (`persécutées` is no English word, and `persecut` of the English articles no
        // respelling of it), unless none can.
        let mut stems = self.stems(&typed);
        if stems.iter().any(|(l, _)| l.spells(text)) {
            stems.retain(|(l, _)| l.spells(text));
        }
        // The languages whose articles hold the word's stem: it is a word of theirs.
        let mut known: Vec<Language> = Vec::new();
        for (language, stem) in &stems {
            let found = self.stem_freq(stem_field, *language, stem)?;
            if found > 0 {
                known.push(*language);
            }
            matches = matches.max(found);
        }
        if matches > RARE {
            return Ok(None);
        }
        // A word of a family that the index holds is another derivation, not a typo: searched
        // with its family, never respelled (`reconnue`, whose family holds `reconnaissance`,
        // is not `reconnus` misspelt). Unless every stem of the family is a spelling of the
        // word's own stem, as close as a respelling may be: then the family tells nothing that
        // a typo does not (`Pyongyan`, whose only family is `pyongyang`), and it is respelled
        // when a respelling is found (else the family is searched: see `close_family`).
        // A word that some languages' articles hold is theirs: its family is looked for in
        // those languages only (`tribunaux`, French, is not searched as the English `tribun`).
        let readings: Vec<(Language, String)> = stems
            .iter()
            .filter(|(l, _)| known.is_empty() || known.contains(l))
            .cloned()
            .collect();
        // The root's stems only for a word that matches nothing: they are looser kin.
        let (family, loose) = self.family(
            (exact_field, stem_field),
            &readings,
            (matches == 0).then_some(&typed[..]),
        )?;
        let edits = usize::from(distance_for(chars));
        // A stem of the word's root, which does not begin as the word does, is another
        // derivation however close (`فنون`, arts, beside `فنان`, artist).
        // A family found only by a shorter beginning is looser kin than a respelling.
        let derived_family = !loose
            && family.iter().any(|(language, member, by_root)| {
                *by_root
                    || stems
                        .iter()
                        .filter(|(l, _)| l == language)
                        .all(|(_, own)| edit_distance(own, member) > edits)
            });
        let by_root: Vec<String> = family
            .iter()
            .filter(|(_, _, by_root)| *by_root)
            .map(|(_, member, _)| member.clone())
            .collect();
        let family: Vec<(Language, String)> = family.into_iter().map(|(l, m, _)| (l, m)).collect();
        let as_family = (!family.is_empty()).then(|| Correction {
            typed: text.to_string(),
            kind: CorrectionKind::WordFamily,
            // Shown as words of the index: see `word_unmemoized`.
            searched: Vec::new(),
            kept: matches > 0,
            span: span.clone(),
            family,
            by_root,
            parts: Vec::new(),
        });
        // A family as close as a respelling is kept for a word that has no respelling
        // (`возвращение`, stem `возвращен`, two edits from `возвраща` of *возвращаться*, a
        // stem that is not its own stem and so is no spelling).
        let (family, close_family) = if derived_family {
            (as_family, None)
        } else {
            (None, as_family)
        };
        let capitalised = text.chars().next().is_some_and(char::is_uppercase);
        // A word the index holds may be one edit off, never two: two edits from a frequent
        // word, a word the corpus itself writes is more often another word than a typing
        // slip, and the walk of the dictionary for two edits cost a search from the shell
        // 0.8 ms (BENCHMARKS.md, "Start-up again").
        let distance = if matches > 0 { 1 } else { distance_for(chars) };
        let mut candidates: Vec<(String, u64, usize)> = Vec::new();
        for (word, df) in self.close_words(exact_field, &typed, distance)? {
            // Another inflection of the same word is not a correction (the stemmed view has
            // it), in any language of the index.
            if word != typed && !self.same_stem(&word, &stems) {
                let edits = edit_distance(&typed, &word);
                candidates.push((word, df, edits));
            }
        }
        // One edit from a word the index holds far more often, the word is a typing slip,
        // family or not: `humanitarain` is `humanitarian` mistyped (thousands of passages),
        // not a derivation searched with `humanitarianaid`. `reconnue`, whose closest word
        // `reconnus` is as rare as it, keeps its family.
        let slip = candidates
            .iter()
            .any(|c| c.2 <= 1 && c.1 >= MORE_FREQUENT * matches.max(1));
        // A word that matches nothing and is no slip, written of two words of the index, is
        // those words run together (`securitycouncil`, `freeborn`): searched as both, before a
        // family that would find only words beginning as the first does, and before a
        // spelling that is no slip (`newmen` is `new men`, though `newman` is one edit away).
        // A capitalised word with a close spelling is a name misspelt (`Newmen` is `Newman`),
        // and a proximity's operand stays one word.
        if matches == 0
            && !slip
            && !self.one_word
            && (!capitalised || candidates.is_empty())
            && let Some(words) = self.split(exact_field, &typed)?
        {
            return Ok(Some(Correction {
                typed: text.to_string(),
                kind: CorrectionKind::Split,
                searched: words.to_vec(),
                kept: false,
                span: span.clone(),
                family: Vec::new(),
                by_root: Vec::new(),
                parts: Vec::new(),
            }));
        }
        // A capitalised word is likely a name, and a name has no family: it is respelled
        // when it can be (`Lenderkin` is `Lenderking`, not a `lender`), else searched with
        // its family.
        if family.is_some() && !capitalised && !slip {
            return Ok(family);
        }
        // The stems are looked through only for a word the index does not hold (`Scripal`): a
        // word it holds has its frequent neighbours among the words as written, and walking the
        // stems' dictionary too cost a rare word's search from the shell a tenth of its time.
        let from_stems = candidates.is_empty() && matches == 0;
        if from_stems {
            candidates = self.close_stems(stem_field, &stems, distance)?;
        }
        let Some(closest) = candidates.iter().map(|c| c.2).min() else {
            return Ok(family.or(close_family));
        };
        candidates.retain(|c| c.2 == closest);
        if matches == 0 && !capitalised && self.derived(&typed, stem_field, &stems, &candidates)? {
            return Ok(None);
        }
        if !from_stems && capitalised {
            self.prefer_names(&mut candidates, stem_field)?;
        }
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let best = candidates[0].1;
        if matches > 0 && best < MORE_FREQUENT * matches {
            return Ok(family);
        }
        // The most frequent spelling, and those nearly as frequent (a quarter or more).
        let searched: Vec<String> = candidates
            .into_iter()
            .filter(|c| c.1 * 4 >= best)
            .take(MAX_SPELLINGS)
            .map(|c| c.0)
            .collect();
        Ok(Some(Correction {
            typed: text.to_string(),
            kind: CorrectionKind::Spelling,
            searched,
            kept: matches > 0,
            span: span.clone(),
            family: Vec::new(),
            by_root: Vec::new(),
            parts: Vec::new(),
        }))
    }

    /// The two words of the index that `word` (an exact-view word that no passage holds) is
    /// written of, each of [`MIN_SPLIT_CHARS`] letters or more: of the ways to cut it, the one
    /// whose rarer word is the most frequent (`securitycouncil`: `security council`, not
    /// `securityco uncil`). `None` when no cut gives two words of the index.
    fn split(&mut self, field: Field, word: &str) -> Result<Option<[String; 2]>> {
        let cuts: Vec<usize> = word.char_indices().map(|(at, _)| at).collect();
        let mut best: Option<([String; 2], u64)> = None;
        for (n, &at) in cuts.iter().enumerate() {
            if n < MIN_SPLIT_CHARS || cuts.len() - n < MIN_SPLIT_CHARS {
                continue;
            }
            let (left, right) = word.split_at(at);
            let beaten = |df: u64| df == 0 || best.as_ref().is_some_and(|(_, b)| df <= *b);
            let left_df = self.doc_freq(field, left)?;
            if beaten(left_df) {
                continue;
            }
            let rarer = left_df.min(self.doc_freq(field, right)?);
            if beaten(rarer) {
                continue;
            }
            // A stop word of a language is no half of a word (`estatal` is no `esta tal`).
            if self.stop_word_somewhere(left) || self.stop_word_somewhere(right) {
                continue;
            }
            best = Some(([left.to_string(), right.to_string()], rarer));
        }
        Ok(best.map(|(words, _)| words))
    }

    /// Whether a language of the index that reads `word`'s script takes it for a stop word
    /// (its stemmed view holds nothing of it), or it is one of a query's English stop words
    /// (`out`, which the English stemmed view keeps).
    fn stop_word_somewhere(&mut self, word: &str) -> bool {
        if crate::analysis::is_query_stop_word(word) {
            return true;
        }
        let script = script_of(word);
        let reading = self
            .languages
            .iter()
            .filter(|(l, _)| l.reads(script))
            .count();
        self.stems(word).len() < reading
    }

    /// Whether some live passage (or title, in the title scope) holds the phrase `text` as
    /// written: its exact-view words, in order, side by side.
    fn phrase_found(&mut self, text: &str, scope: Scope) -> Result<bool> {
        let field = match scope {
            Scope::Title => self.fields.title_exact,
            _ if self.quotes => self.fields.quote_exact,
            _ => self.fields.exact,
        };
        let tokens = self.analyzer.exact(text);
        let Some(first) = tokens.first() else {
            // Nothing to search in any form.
            return Ok(true);
        };
        for token in &tokens {
            if self.doc_freq(field, &token.text)? == 0 {
                return Ok(false);
            }
        }
        let query: Box<dyn tantivy::query::Query> = if tokens.len() == 1 {
            Box::new(TermQuery::new(
                Term::from_field_text(field, &first.text),
                tantivy::schema::IndexRecordOption::Basic,
            ))
        } else {
            let terms = tokens
                .iter()
                .map(|t| {
                    let term = Term::from_field_text(field, &t.text);
                    (t.position - first.position, term)
                })
                .collect();
            Box::new(PhraseQuery::new_with_offset(terms))
        };
        any_match(self.searcher, query.as_ref())
    }

    /// Whether `word`, which the index does not hold, is rather another derivation of a word
    /// it holds than a misspelling of one of `candidates`: in some language its stem is shorter
    /// than the word (the stemmer read an affix: a word form of the language), the index has a stem that begins as
    /// that stem does (its root: the stem less two letters, at least [`MIN_STEM_CHARS`]), and
    /// no candidate begins so. `получение` (stem `получен`) is not `попечение` misspelt when
    /// the index holds `получать` (stem `получа`): Snowball keeps a noun and its verb apart,
    /// and the word is left to match what it matches. (Names, capitalised, are not asked.)
    fn derived(
        &mut self,
        word: &str,
        stem_field: Field,
        stems: &[(Language, String)],
        candidates: &[(String, u64, usize)],
    ) -> Result<bool> {
        for (language, stem) in stems {
            let chars = stem.chars().count();
            if chars < MIN_STEM_CHARS || chars >= word.chars().count() {
                continue;
            }
            let root: String = stem
                .chars()
                .take(chars.saturating_sub(2).max(MIN_STEM_CHARS))
                .collect();
            // A candidate begins so if it, or its stem, does (`unnecessarily`, stem
            // `unnecessarili`, is rightly `unnecessary`, stem `unnecessari`).
            let begins = |analyzer: &mut Analyzer, word: &str| {
                word.starts_with(&root)
                    || analyzer
                        .stemmed_in(*language, word)
                        .first()
                        .is_some_and(|t| t.text.starts_with(&root))
            };
            if !candidates.iter().any(|c| begins(self.analyzer, &c.0))
                && self.holds_prefix(stem_field, &root)?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The family of a word of `stems` (its stem in each language): the index's stems, other
    /// than the word's, that begin with the stem's first [`FAMILY_PREFIX_CHARS`] characters
    /// (all of a shorter stem), that go at most [`FAMILY_TAIL_CHARS`] past what they share
    /// with it, and that the language's articles hold, with those (in the Latin and Cyrillic
    /// scripts) that the stem itself goes at most [`FAMILY_BASE_TAIL_CHARS`] past; the
    /// longest shared beginnings first, then the most frequent; then, for Arabic and
    /// `with_root` (the word as typed), the stems of the word's roots (see
    /// [`crate::analysis::arabic_roots`]); at most
    /// [`MAX_FAMILY`]. Read from the term dictionary's FST by prefix (and the Arabic terms
    /// for a root). Each with its language, and whether it was found by its root. Failing
    /// all of these, for a word that matches nothing (`with_root`), the stems that begin with
    /// its stem's beginning a letter or two shorter (see [`FAMILY_SHORTER_PREFIX`]); the
    /// flag says the family was found so, looser kin than a respelling. In the Latin and
    /// Cyrillic scripts the family also holds the stems (of [`FAMILY_MIN_STEM_CHARS`] letters
    /// or more, however much shorter) of the exact view's words that begin with the whole stem
    /// and that the stemmer cut to a shorter beginning of it (`морали`, `мора`, for `мораль`,
    /// `морал`): what is written is the evidence, so the limits of a base by its stem alone
    /// ([`FAMILY_BASE_MIN_CHARS`], [`FAMILY_BASE_TAIL_CHARS`]) do not apply.
    fn family(
        &mut self,
        (exact_field, stem_field): (Field, Field),
        stems: &[(Language, String)],
        with_root: Option<&str>,
    ) -> Result<(Vec<Kin>, bool)> {
        // (shared characters, passages, language, stem)
        let mut found: Vec<(usize, u64, Language, String)> = Vec::new();
        for (language, stem) in stems {
            let (prefix_chars, min_chars) = match language.script() {
                Script::Latin | Script::Cyrillic => (FAMILY_PREFIX_CHARS, FAMILY_MIN_STEM_CHARS),
                Script::Arabic => (FAMILY_PREFIX_CHARS_ARABIC, FAMILY_PREFIX_CHARS_ARABIC),
                _ => continue,
            };
            let chars = stem.chars().count();
            // A stem too short for a family by its beginning may still have one by its root.
            let by_prefix = chars >= min_chars;
            let terms = if by_prefix {
                let prefix: String = stem.chars().take(prefix_chars.min(chars)).collect();
                self.terms_from(stem_field, &prefix, FAMILY_SCAN)?
            } else {
                HashMap::new()
            };
            let mut candidates = kin(stem, stems, terms);
            // A stem of the index that the word's stem goes a derivational ending past
            // (`électeur` beside `élect`, of *élections*): the word is the derivation, the
            // index holds its base.
            if by_prefix && matches!(language.script(), Script::Latin | Script::Cyrillic) {
                let letters: Vec<char> = stem.chars().collect();
                for tail in 1..=FAMILY_BASE_TAIL_CHARS {
                    let Some(base_chars) = letters.len().checked_sub(tail) else {
                        break;
                    };
                    if base_chars < FAMILY_BASE_MIN_CHARS {
                        break;
                    }
                    let base: String = letters[..base_chars].iter().collect();
                    if candidates.iter().any(|c| c.2 == base)
                        || stems.iter().any(|(_, own)| *own == base)
                    {
                        continue;
                    }
                    let df = self.doc_freq(stem_field, &base)?;
                    if df > 0 {
                        candidates.push((base_chars, df, base));
                    }
                }
            }
            // A word of the index written with the whole stem, which the stemmer cut shorter
            // (`морали`, of *мораль*, morality, read by Russian Snowball as a past tense in
            // `-ли`: `мора`, where `мораль` is `морал`): what is written says it is kin.
            if by_prefix && matches!(language.script(), Script::Latin | Script::Cyrillic) {
                for (word, _) in self.terms_from(exact_field, stem, WORD_SCAN)? {
                    let Some(own) = self
                        .analyzer
                        .stemmed_in(*language, &word)
                        .into_iter()
                        .next()
                    else {
                        continue;
                    };
                    let own = own.text;
                    let own_chars = own.chars().count();
                    let new = own_chars < chars
                        && own_chars >= FAMILY_MIN_STEM_CHARS
                        && stem.starts_with(&own)
                        && !candidates.iter().any(|c| c.2 == own)
                        && !stems.iter().any(|(_, s)| *s == own);
                    if new {
                        let df = self.doc_freq(stem_field, &own)?;
                        if df > 0 {
                            candidates.push((own_chars, df, own));
                        }
                    }
                }
            }
            let mut kept = self.keep(stem_field, *language, candidates, &mut found)?;
            // An Arabic word's family is also the words of its root, whatever their pattern
            // (`العبيد`, slaves, and `استعباد`, enslavement), after those that begin alike.
            let roots = match with_root {
                Some(word) if *language == Language::Arabic => {
                    crate::analysis::arabic_roots(word, stem)
                }
                _ => Vec::new(),
            };
            for root in roots {
                for (term, _) in self.root_members(stem_field, &root)? {
                    if kept == MAX_FAMILY {
                        break;
                    }
                    let known = found.iter().any(|f| f.3 == term);
                    if known || stems.iter().any(|(_, own)| *own == term) {
                        continue;
                    }
                    let df = self.stem_freq(stem_field, *language, &term)?;
                    if df > 0 {
                        found.push((0, df, *language, term));
                        kept += 1;
                    }
                }
            }
        }
        // A word that matches nothing and has no family by its stem's beginning in any
        // language: by a beginning a letter or two shorter (`вдовц`, of `вдовцы`, widowers:
        // `вдовств`, of *вдовства*, widowhood), in Russian also with its last consonant's
        // alternation (see `russian_alternations`).
        let loose = found.is_empty() && with_root.is_some();
        for shorter in 1..=FAMILY_SHORTER_PREFIX {
            if !found.is_empty() || with_root.is_none() {
                break;
            }
            for (language, stem) in stems {
                if !matches!(language.script(), Script::Latin | Script::Cyrillic) {
                    continue;
                }
                let chars = stem.chars().count();
                let length = FAMILY_PREFIX_CHARS.min(chars).saturating_sub(shorter);
                if chars < FAMILY_MIN_STEM_CHARS || length < FAMILY_MIN_STEM_CHARS {
                    continue;
                }
                let prefix: String = stem.chars().take(length).collect();
                let mut terms = self.terms_from(stem_field, &prefix, FAMILY_SCAN)?;
                // A Russian root ending in a hushing consonant may be written with the hard
                // one it alternates with (`брачн`, of `брачный`, marital: `брак`, marriage).
                if *language == Language::Russian {
                    for other in russian_alternations(&prefix) {
                        terms.extend(self.terms_from(stem_field, &other, FAMILY_SCAN)?);
                    }
                }
                let candidates = kin(stem, stems, terms);
                self.keep(stem_field, *language, candidates, &mut found)?;
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.3.cmp(&b.3)));
        found.truncate(MAX_FAMILY);
        let family = found
            .into_iter()
            .map(|(shared, _, l, s)| (l, s, shared == 0))
            .collect();
        Ok((family, loose))
    }

    /// Adds to `found` the first [`MAX_FAMILY`] of a word's family `candidates` in `language`
    /// (the longest shared beginnings first, then the most frequent) that the language's
    /// articles hold, passing over a few of another language's; how many it added.
    fn keep(
        &mut self,
        stem_field: Field,
        language: Language,
        mut candidates: Vec<(usize, u64, String)>,
        found: &mut Vec<(usize, u64, Language, String)>,
    ) -> Result<usize> {
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut kept = 0;
        for (shared, _, term) in candidates.into_iter().take(4 * MAX_FAMILY) {
            if kept == MAX_FAMILY {
                break;
            }
            let df = self.stem_freq(stem_field, language, &term)?;
            if df > 0 {
                found.push((shared, df, language, term));
                kept += 1;
            }
        }
        Ok(kept)
    }

    /// The most frequent word of `field` (an exact view) whose stem in `language` is `stem`,
    /// among the first [`WORD_SCAN`] that begin with the stem (with the article `ال` in
    /// Arabic, whose stems lose it), and, when the index has several languages, that
    /// `language`'s articles write (among the [`SHOWN_CHECKS`] most frequent): how a family's
    /// stem is shown in the title scope, or when no passage gives it (`veuvag`: *veuvage*).
    fn word_of_stem(
        &mut self,
        field: Field,
        language: Language,
        stem: &str,
    ) -> Result<Option<String>> {
        let beginnings: &[&str] = match language.script() {
            Script::Arabic => &["", "\u{627}\u{644}"],
            _ => &[""],
        };
        let mut words: Vec<(u64, String)> = Vec::new();
        for beginning in beginnings {
            let prefix = format!("{beginning}{stem}");
            for (word, df) in self.terms_from(field, &prefix, WORD_SCAN)? {
                if self
                    .analyzer
                    .stemmed_in(language, &word)
                    .first()
                    .is_some_and(|t| t.text == stem)
                {
                    words.push((df, word));
                }
            }
        }
        words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        if self.languages.len() <= 1 {
            return Ok(words.into_iter().next().map(|(_, word)| word));
        }
        for (_, word) in words.into_iter().take(SHOWN_CHECKS) {
            if self.stem_freq(field, language, &word)? > 0 {
                return Ok(Some(word));
            }
        }
        Ok(None)
    }

    /// The word of a passage of `language`'s articles that `stem_field` holds as `stem`, as
    /// written there, lowercased, without a French elided article (`l’oppression` is shown
    /// `oppression`): how a family's stem is shown (`élections`, of the French stem `elect`;
    /// the views fold accents).
    fn word_in_passage(
        &mut self,
        stem_field: Field,
        language: Language,
        stem: &str,
    ) -> Result<Option<String>> {
        let query = self.in_language(stem_field, stem, language);
        let top = self.searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, address)) = top.first() else {
            return Ok(None);
        };
        let doc: tantivy::TantivyDocument = self.searcher.doc(*address)?;
        let Some(text) = crate::index::stored_str(&doc, self.fields.text) else {
            return Ok(None);
        };
        Ok(self
            .analyzer
            .stemmed_in(language, &text)
            .into_iter()
            .find(|t| t.text == stem)
            .map(|t| {
                let word = text[t.start..t.end].to_lowercase();
                crate::analysis::without_elision(&word).to_string()
            }))
    }

    /// The first `most` terms of `field` (in each segment) that begin with `prefix`, each with
    /// its passages summed over the segments: the dictionary's stream gives them (a look-up
    /// per term would read the dictionary again).
    fn terms_from(&self, field: Field, prefix: &str, most: usize) -> Result<HashMap<String, u64>> {
        let mut terms: HashMap<String, u64> = HashMap::new();
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let mut stream = from_prefix(&inverted, prefix)?;
            let mut read = 0;
            while read < most && stream.advance() {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                read += 1;
                let Ok(term) = std::str::from_utf8(key) else {
                    continue;
                };
                let df = u64::from(stream.value().doc_freq);
                match terms.get_mut(term) {
                    Some(total) => *total += df,
                    None => {
                        terms.insert(term.to_string(), df);
                    }
                }
            }
        }
        Ok(terms)
    }

    /// The Arabic stems of `field` built on `root` (see [`crate::analysis::arabic_root`]),
    /// most frequent first: read from the terms that begin as the patterns let a stem of the
    /// root begin (its first letter, alone or after the patterns' and the joined particles'
    /// letters), at most [`ROOT_SCAN`] of each beginning.
    fn root_members(&self, field: Field, root: &str) -> Result<Vec<(String, u64)>> {
        /// What may stand before a root's first letter in a light stem.
        const BEFORE: [&str; 16] = [
            "", "ا", "م", "ت", "ي", "ن", "و", "ف", "ب", "ل", "ان", "من", "مت", "يت", "است", "مست",
        ];
        let Some(first) = root.chars().next() else {
            return Ok(Vec::new());
        };
        let mut members: HashMap<String, u64> = HashMap::new();
        for before in BEFORE {
            let prefix = format!("{before}{first}");
            for (term, df) in self.terms_from(field, &prefix, ROOT_SCAN)? {
                if crate::analysis::arabic_root(&term).is_some_and(|r| r == root) {
                    *members.entry(term).or_default() += df;
                }
            }
        }
        let mut members: Vec<(String, u64)> = members.into_iter().collect();
        members.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(members)
    }

    /// Whether `field` holds a term that begins with `prefix`.
    fn holds_prefix(&self, field: Field, prefix: &str) -> Result<bool> {
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let mut terms = from_prefix(&inverted, prefix)?;
            if terms.advance() && terms.key().starts_with(prefix.as_bytes()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The stems of an exact-view word in each language of the index that writes its script
    /// (every language for digits and symbols).
    fn stems(&mut self, word: &str) -> Vec<(Language, String)> {
        let script = script_of(word);
        let mut stems: Vec<(Language, String)> = Vec::new();
        let languages: Vec<Language> = self.languages.iter().map(|(l, _)| *l).collect();
        for language in languages {
            if !language.reads(script) {
                continue;
            }
            let stem = self
                .analyzer
                .stemmed_in(language, word)
                .into_iter()
                .next()
                .map(|t| t.text)
                .unwrap_or_default();
            if !stem.is_empty() {
                stems.push((language, stem));
            }
        }
        stems
    }

    /// Does `word` have one of `stems` as its stem in the stem's language?
    fn same_stem(&mut self, word: &str, stems: &[(Language, String)]) -> bool {
        stems.iter().any(|(language, stem)| {
            self.analyzer
                .stemmed_in(*language, word)
                .first()
                .is_some_and(|t| t.text == *stem)
        })
    }

    /// The index's stems close to the word's `stems` (with their passage counts and edits),
    /// for a word with no close spelling: the index may hold only other inflections of the
    /// word meant (`Scripal`: the corpus writes `Skripals`, whose stem is `skripal`). Only a
    /// stem that is its own stem is taken, so that searching it as a word finds it again.
    /// At most `most` edits.
    fn close_stems(
        &mut self,
        stem_field: Field,
        stems: &[(Language, String)],
        most: u8,
    ) -> Result<Vec<(String, u64, usize)>> {
        let mut found: Vec<(String, u64, usize)> = Vec::new();
        for (at, (language, stem)) in stems.iter().enumerate() {
            if stems[..at].iter().any(|(_, s)| s == stem) || stem.chars().count() < MIN_STEM_CHARS {
                continue;
            }
            let distance = distance_for(stem.chars().count()).min(most);
            for (word, df) in self.close_words(stem_field, stem, distance)? {
                let settled = self
                    .analyzer
                    .stemmed_in(*language, &word)
                    .first()
                    .is_some_and(|t| t.text == word);
                if word != *stem && settled && !found.iter().any(|f| f.0 == word) {
                    let edits = edit_distance(stem, &word);
                    found.push((word, df, edits));
                }
            }
        }
        Ok(found)
    }

    /// Keeps, of the closest `candidates` for a capitalised word, the names when there are
    /// any: the words that the index never inflects (every passage with their stem writes them so),
    /// unlike a dictionary word (`limits`, whose stem `limit` is written other ways too).
    fn prefer_names(
        &mut self,
        candidates: &mut Vec<(String, u64, usize)>,
        stem_field: Field,
    ) -> Result<()> {
        let mut names = Vec::new();
        for candidate in candidates.iter() {
            let mut inflected = false;
            for (_, stem) in self.stems(&candidate.0) {
                inflected |= self.doc_freq(stem_field, &stem)? > candidate.1;
            }
            if !inflected {
                names.push(candidate.clone());
            }
        }
        if !names.is_empty() {
            *candidates = names;
        }
        Ok(())
    }

    /// The passages of `language`'s articles whose stemmed view holds `stem` (all passages
    /// when the index has one language): a French stem counts in the French articles only.
    fn stem_freq(&self, field: Field, language: Language, stem: &str) -> Result<u64> {
        if self.languages.len() <= 1 {
            return self.doc_freq(field, stem);
        }
        let query = self.in_language(field, stem, language);
        Ok(self.searcher.search(&query, &tantivy::collector::Count)? as u64)
    }

    /// The passages of `language`'s articles that hold `term` in `field` (every passage of
    /// `field` that holds it, in an index of one language).
    fn in_language(&self, field: Field, term: &str, language: Language) -> BooleanQuery {
        let term: Box<dyn tantivy::query::Query> = Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            tantivy::schema::IndexRecordOption::Basic,
        ));
        let mut clauses = vec![(tantivy::query::Occur::Must, term)];
        if self.languages.len() > 1 {
            let filter = passages_in(self.fields, &self.languages, language);
            clauses.push((tantivy::query::Occur::Must, Box::new(filter)));
        }
        BooleanQuery::new(clauses)
    }

    fn doc_freq(&self, field: Field, word: &str) -> Result<u64> {
        if word.is_empty() {
            return Ok(0);
        }
        Ok(self
            .searcher
            .doc_freq(&Term::from_field_text(field, word))?)
    }

    /// The index's words within `distance` edits of `word` that begin with its first letter,
    /// with their passage counts. A misspelling rarely changes the first letter, and holding
    /// it fixed (as Lucene's spell checker does by default) walks one branch of the term
    /// dictionary instead of all: a rare word's correction went from about 3 ms to a tenth
    /// of that.
    fn close_words(&self, field: Field, word: &str, distance: u8) -> Result<Vec<(String, u64)>> {
        let Some(first) = word.chars().next() else {
            return Ok(Vec::new());
        };
        let (head, rest) = word.split_at(first.len_utf8());
        let dfa = super::compile::levenshtein(distance).build_dfa(rest);
        let automaton = Anchored {
            head: head.as_bytes(),
            rest: super::compile::DfaAutomaton(&dfa),
        };
        let mut found = HashMap::new();
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let stream = inverted
                .terms()
                .search(&automaton)
                .into_stream()
                .map_err(|e| Error::io("(index)", e))?;
            super::compile::collect_terms(stream, &mut found);
        }
        Ok(found.into_iter().collect())
    }
}

/// The runs of two characters or more of `word` that no range of `covered` (byte ranges of
/// `word`) touches: `婚生` of `婚生子女` when only `子女` is covered. A lone character left
/// over is no word: it is not searched.
fn uncovered_runs(word: &str, covered: &[Range<usize>]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for (at, c) in word.char_indices() {
        if covered.iter().any(|r| r.start <= at && at < r.end) {
            if run.chars().count() >= 2 {
                runs.push(std::mem::take(&mut run));
            }
            run.clear();
        } else {
            run.push(c);
        }
    }
    if run.chars().count() >= 2 {
        runs.push(run);
    }
    runs
}

/// The terms of a segment's dictionary from the first that is not before `prefix` on (the
/// caller stops where they no longer begin with it).
fn from_prefix<'a>(
    inverted: &'a tantivy::InvertedIndexReader,
    prefix: &str,
) -> Result<tantivy::termdict::TermStreamer<'a>> {
    inverted
        .terms()
        .range()
        .ge(prefix.as_bytes())
        .into_stream()
        .map_err(|e| Error::io("(index)", e))
}

/// Whether `query` matches some live document: stops at the first.
fn any_match(searcher: &Searcher, query: &dyn tantivy::query::Query) -> Result<bool> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for reader in searcher.segment_readers() {
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                return Ok(true);
            }
            doc = scorer.advance();
        }
    }
    Ok(false)
}

/// Words that begin with the bytes `head` and continue with what `rest` accepts.
struct Anchored<'a, A> {
    head: &'a [u8],
    rest: A,
}

/// Where [`Anchored`] is: within the head (bytes matched so far), in the rest, or off.
#[derive(Clone)]
enum AnchoredState<S> {
    Head(usize),
    Rest(S),
    Off,
}

impl<A: tantivy_fst::Automaton> tantivy_fst::Automaton for Anchored<'_, A>
where
    A::State: Clone,
{
    type State = AnchoredState<A::State>;

    fn start(&self) -> Self::State {
        AnchoredState::Head(0)
    }

    fn is_match(&self, state: &Self::State) -> bool {
        match state {
            AnchoredState::Rest(inner) => self.rest.is_match(inner),
            _ => false,
        }
    }

    fn can_match(&self, state: &Self::State) -> bool {
        match state {
            AnchoredState::Head(_) => true,
            AnchoredState::Rest(inner) => self.rest.can_match(inner),
            AnchoredState::Off => false,
        }
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        match state {
            AnchoredState::Head(at) if self.head.get(*at) == Some(&byte) => {
                if at + 1 == self.head.len() {
                    AnchoredState::Rest(self.rest.start())
                } else {
                    AnchoredState::Head(at + 1)
                }
            }
            AnchoredState::Rest(inner) => AnchoredState::Rest(self.rest.accept(inner, byte)),
            _ => AnchoredState::Off,
        }
    }
}

/// Edits between two words (insertions, deletions, substitutions and transpositions of
/// neighbours, each one edit: the optimal string alignment distance, as the automaton counts).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uncovered_runs_of_a_word_are_those_of_two_characters_or_more() {
        // 婚 生 子 女: three bytes each.
        let covering = |range: Range<usize>| vec![range];
        assert_eq!(uncovered_runs("婚生子女", &covering(6..12)), ["婚生"]);
        assert_eq!(uncovered_runs("婚生子女", &covering(0..3)), ["生子女"]);
        assert!(uncovered_runs("婚生子女", &[3..6, 9..12]).is_empty());
        assert_eq!(uncovered_runs("婚生子女", &covering(3..6)), ["子女"]);
        assert!(uncovered_runs("婚生子女", &[0..6, 6..12]).is_empty());
    }

    #[test]
    fn russian_alternations_give_the_hard_consonant_of_a_hushing_one() {
        assert_eq!(russian_alternations("брач"), ["брак", "брац"]);
        assert_eq!(russian_alternations("выраж"), ["выраг", "выраз"]);
        assert_eq!(russian_alternations("страш"), ["страх", "страс"]);
        assert!(russian_alternations("вдов").is_empty());
        assert!(russian_alternations("").is_empty());
    }

    #[test]
    fn edit_distance_counts_a_transposition_as_one_edit() {
        assert_eq!(edit_distance("kursc", "kursk"), 1);
        assert_eq!(edit_distance("secutity", "security"), 1);
        assert_eq!(edit_distance("zelesnky", "zelensky"), 1);
        assert_eq!(edit_distance("qaddafi", "gaddafi"), 1);
        assert_eq!(edit_distance("kyiv", "kiev"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn close_words_keep_the_first_letter_and_are_within_the_edits() {
        use tantivy_fst::{IntoStreamer, Streamer};
        let words = [
            "kiev",
            "kursk",
            "kursks",
            "kurzk",
            "lursk",
            "kyiv",
            "ursk",
            "курск",
        ];
        let mut sorted = words.to_vec();
        sorted.sort_unstable();
        let set = tantivy_fst::Map::from_iter(sorted.into_iter().map(|w| (w, 0))).unwrap();
        let found = |word: &str, distance: u8| {
            let first = word.chars().next().unwrap();
            let (head, rest) = word.split_at(first.len_utf8());
            let dfa = crate::search::compile::levenshtein(distance).build_dfa(rest);
            let automaton = Anchored {
                head: head.as_bytes(),
                rest: crate::search::compile::DfaAutomaton(&dfa),
            };
            let mut stream = set.search(&automaton).into_stream();
            let mut out = Vec::new();
            while let Some((key, _)) = stream.next() {
                out.push(String::from_utf8(key.to_vec()).unwrap());
            }
            out
        };
        // One edit after the first letter; `lursk` and `ursk` change or drop the first letter.
        assert_eq!(found("kursc", 1), ["kursk"]);
        assert_eq!(found("kursc", 2), ["kursk", "kursks", "kurzk"]);
        // A first letter of several bytes.
        assert_eq!(found("курсу", 1), ["курск"]);
        assert!(found("xursk", 2).is_empty());
    }

    #[test]
    fn long_words_may_be_two_edits_off() {
        assert_eq!(distance_for(5), 1);
        assert_eq!(distance_for(8), 2);
    }
}
