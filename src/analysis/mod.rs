//! Text analysis: one definition of how text becomes terms, shared by indexing, querying and
//! highlighting.
//!
//! Two views of every text are indexed:
//!
//! * the **exact** view ([`EXACT`]): Unicode words, lower-cased, diacritics folded
//!   (`Kyïv` → `kyiv`), typographic apostrophes made ASCII and possessives stripped
//!   (`Korea’s` → `korea`), Arabic and Russian normalised as their readers expect (Arabic
//!   diacritics and tatweel removed, alef forms unified; `ё` as `е`), absurdly long tokens
//!   dropped; a hyphenated compound is its parts and also the parts joined (`co-operation`
//!   is `co`, `cooperation`, `operation`: [`HyphenJoinFilter`]). No stemming and no stop
//!   words, so phrases are exact: `"Council of Europe"` never matches "the Council adopts
//!   Europe policy". Chinese characters are one word each, so a phrase of them is a run of
//!   characters.
//! * the **stemmed** view ([`STEMMED`]): the text analysed in its own language ([`Language`]):
//!   its stop words removed and its Snowball stemmer, for ranked recall (`sanctions` finds
//!   `sanctioned`, `свобода` finds `свободу`); Chinese is cut into dictionary words. Text in
//!   another language than English reaches the stemmed view marked with [`tag`]; untagged text
//!   is English, so an English index is analysed exactly as before languages existed.

mod chinese;
pub(crate) use chinese::segment as chinese_segment;
mod filters;
mod hyphen;
mod language;
pub(crate) mod marks;
pub(crate) mod segment;
mod tokenizer;

pub use chinese::ChineseTokenizer;
pub use filters::{
    ArabicLightStemmer, CachedStemmer, ElisionFilter, FrenchPlural, PossessiveFilter,
    RussianFleetingVowel, RussianShortStem, ScriptNormalizer, SpanishPlural,
};
pub(crate) use filters::{arabic_root, arabic_roots, without_elision};
pub use hyphen::HyphenJoinFilter;
pub(crate) use hyphen::{is_compound, is_joined, without_joined};
pub use language::{DETECTION_BYTES, Language, UNKNOWN_LANGUAGE, detect, normalize_code};
pub use tokenizer::WordTokenizer;

pub(crate) use language::{Script, detect_among, script_of};

use std::borrow::Cow;
use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, BoxTokenStream, Language as StopLanguage, LowerCaser, RemoveLongFilter,
    StopWordFilter, TextAnalyzer, TextAnalyzerBuilder, TokenStream, Tokenizer, TokenizerManager,
};

/// Name under which the exact analyzer is registered with tantivy.
pub const EXACT: &str = "communique_exact";
/// Name under which the stemmed analyzer is registered with tantivy.
pub const STEMMED: &str = "communique_stem";
/// Tokens longer than this many bytes (before normalisation) are not indexed or searched.
pub const MAX_TOKEN_BYTES: usize = 64;

/// The character that opens and closes a language tag (a private-use character, never in
/// real text).
const TAG_MARK: char = '\u{E000}';

/// The tag that makes the stemmed analyzer read a text in `language`: `\u{E000}fr\u{E000}`
/// before the text; nothing for English, which is the default.
///
/// # Example
/// ```
/// use communique::analysis::{Language, tag};
/// assert_eq!(tag(Language::English), "");
/// assert_eq!(tag(Language::Russian), "\u{E000}ru\u{E000}");
/// ```
pub fn tag(language: Language) -> String {
    match language {
        Language::English => String::new(),
        other => format!("{TAG_MARK}{}{TAG_MARK}", other.code()),
    }
}

/// `text` tagged for the stemmed view in `language` (borrowed as is for English).
pub(crate) fn tagged(language: Language, text: &str) -> Cow<'_, str> {
    match language {
        Language::English => Cow::Borrowed(text),
        other => Cow::Owned(format!("{}{text}", tag(other))),
    }
}

/// The language a stemmed-view text is tagged with, and the text without its tag.
fn untag(text: &str) -> (Language, &str) {
    if let Some(rest) = text.strip_prefix(TAG_MARK)
        && let Some((code, body)) = rest.split_once(TAG_MARK)
        && let Some(language) = Language::from_code(code)
    {
        return (language, body);
    }
    (Language::English, text)
}

/// The first steps of the stemmed views of other languages than English: words (hyphenated
/// compounds also joined: [`HyphenJoinFilter`]), long ones dropped, lower-cased, possessives
/// stripped.
fn words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(WordTokenizer)
        .filter(HyphenJoinFilter)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1))
        .filter(LowerCaser)
        .filter(PossessiveFilter)
}

/// The exact view's steps, which the English stemmed view starts with: words (hyphenated
/// compounds also joined), long ones dropped, lower-cased, folded, possessives stripped,
/// scripts normalised.
fn folded_words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(WordTokenizer)
        .filter(HyphenJoinFilter)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(PossessiveFilter)
        .filter(ScriptNormalizer)
}

/// The exact analyzer: words, lower-cased, folded, possessives stripped, scripts normalised,
/// long tokens dropped.
pub fn exact_analyzer() -> TextAnalyzer {
    folded_words().build()
}

/// The stemmed analyzer of English text: the exact analyzer, then English stop words out and
/// stemming.
pub fn stemmed_analyzer() -> TextAnalyzer {
    folded_words()
        .filter(
            StopWordFilter::new(StopLanguage::English).expect("tantivy ships English stop words"),
        )
        .filter(CachedStemmer::default())
        .build()
}

/// Arabic function words, normalised as [`ScriptNormalizer`] writes them.
const ARABIC_STOP_WORDS: &[&str] = &[
    "في",
    "من",
    "على",
    "الى",
    "عن",
    "ان",
    "او",
    "ما",
    "لا",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "التي",
    "الذي",
    "الذين",
    "كل",
    "لكل",
    "اي",
    "مع",
    "قد",
    "كان",
    "هو",
    "هي",
    "ثم",
    "بين",
    "حتى",
    "لم",
    "لن",
    "عند",
    "بعض",
    "به",
    "بها",
    "له",
    "لها",
    "وفي",
    "ومن",
    "وعلى",
    "او",
    "ولا",
    "كما",
    "اذا",
];

/// The stemmed analyzer of text in `language`: its words (dictionary words for Chinese),
/// normalised, its stop words out, its Snowball stemmer; accents folded after stemming, so a
/// query typed without them still matches.
///
/// # Example
/// ```
/// use communique::analysis::{Language, stemmed_analyzer_for};
/// let mut analyzer = stemmed_analyzer_for(Language::Russian);
/// let mut stream = analyzer.token_stream("свободу выражения");
/// let mut terms = Vec::new();
/// while let Some(token) = tantivy::tokenizer::TokenStream::next(&mut stream) {
///     terms.push(token.text.clone());
/// }
/// assert_eq!(terms, ["свобод", "выражен"]);
/// ```
pub fn stemmed_analyzer_for(language: Language) -> TextAnalyzer {
    let stop = |l: StopLanguage| StopWordFilter::new(l).expect("tantivy ships these stop words");
    let own = |l: Language| language::stop_word_filter(l).expect("a list of our own");
    let latin = |l: Language, s: StopWordFilter| {
        words()
            .filter(s)
            .filter(CachedStemmer::settled(
                l.stemmer().expect("a Snowball language"),
            ))
            .filter(AsciiFoldingFilter)
            .build()
    };
    match language {
        Language::English => stemmed_analyzer(),
        Language::French => words()
            .filter(ElisionFilter)
            .filter(stop(StopLanguage::French))
            .filter(FrenchPlural)
            .filter(CachedStemmer::settled(frostem::Algorithm::French))
            .filter(AsciiFoldingFilter)
            .build(),
        Language::Spanish => words()
            .filter(own(language))
            .filter(CachedStemmer::settled(frostem::Algorithm::Spanish))
            .filter(SpanishPlural)
            .filter(AsciiFoldingFilter)
            .build(),
        Language::Portuguese => latin(language, stop(StopLanguage::Portuguese)),
        Language::German => latin(language, stop(StopLanguage::German)),
        Language::Russian => words()
            .filter(ScriptNormalizer)
            .filter(own(language))
            .filter(CachedStemmer::new(frostem::Algorithm::Russian))
            .filter(RussianShortStem)
            .filter(RussianFleetingVowel)
            .build(),
        Language::Arabic => words()
            .filter(ScriptNormalizer)
            .filter(StopWordFilter::remove(
                ARABIC_STOP_WORDS.iter().map(|w| w.to_string()),
            ))
            .filter(ArabicLightStemmer)
            .build(),
        Language::Chinese => TextAnalyzer::builder(ChineseTokenizer)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(StopWordFilter::remove(
                chinese::STOP_WORDS.iter().map(|w| w.to_string()),
            ))
            .build(),
    }
}

/// The stemmed view's tokenizer: reads the [`tag`] of a text and analyses it with that
/// language's analyzer (English when untagged). Offsets are those of the text after the tag.
#[derive(Clone)]
struct TaggedStemmer {
    english: TextAnalyzer,
    others: Vec<Option<TextAnalyzer>>,
}

impl TaggedStemmer {
    fn new() -> TaggedStemmer {
        TaggedStemmer {
            english: stemmed_analyzer(),
            others: vec![None; Language::ALL.len()],
        }
    }
}

impl Tokenizer for TaggedStemmer {
    type TokenStream<'a> = BoxTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BoxTokenStream<'a> {
        match untag(text) {
            (Language::English, body) => self.english.token_stream(body),
            (language, body) => self.others[language as usize]
                .get_or_insert_with(|| stemmed_analyzer_for(language))
                .token_stream(body),
        }
    }
}

/// Words that carry little meaning in a question or a long query, beyond the index's stop words
/// (the Snowball English list, less the words the index already drops and `us`, which names a
/// country as often as not). Compared with the exact view of a word (`what's` → `what`).
///
/// In a group of three bare words or more they are treated as stop words: they rank nothing
/// unless the group has nothing else, and phrases keep them. Rare in documents but frequent
/// in questions ("what are the…"), they would otherwise weigh like content words.
pub const QUERY_STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "its",
    "itself",
    "them",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "am",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "would",
    "should",
    "could",
    "ought",
    "cannot",
    "let",
    "because",
    "until",
    "while",
    "about",
    "against",
    "between",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "from",
    "up",
    "down",
    "out",
    "off",
    "over",
    "under",
    "again",
    "further",
    "once",
    "here",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "nor",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "can",
    "will",
    "just",
    "don't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "hasn't",
    "haven't",
    "hadn't",
    "doesn't",
    "didn't",
    "won't",
    "wouldn't",
    "shouldn't",
    "can't",
    "couldn't",
];

/// Is this exact-view word one of [`QUERY_STOP_WORDS`]?
pub fn is_query_stop_word(word: &str) -> bool {
    QUERY_STOP_WORDS.contains(&word)
}

/// Registers both analyzers with a tantivy tokenizer manager (the stemmed one reading the
/// language [`tag`] of each text).
///
/// tantivy does not store custom tokenizers in the index: this must run on every open, before
/// any writer or query touches the index. [`crate::Index`] does it for you.
pub fn register(manager: &TokenizerManager) {
    manager.register(EXACT, folded_words().filter(CountTexts).build());
    manager.register(STEMMED, TextAnalyzer::from(TaggedStemmer::new()));
}

/// How many texts the registered exact analyzer ([`register`]) has been given in this process:
/// tantivy's indexing threads analyse every exact-view value of a document they index, so a
/// writer that counts the values it queued knows how many wait in tantivy's queue (see
/// `index::writer`). Other indexes of the process count here too, so the figure is at least the
/// writer's own.
static EXACT_TEXTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The texts given to the registered exact analyzer so far (see [`EXACT_TEXTS`]).
pub(crate) fn exact_texts_analysed() -> u64 {
    EXACT_TEXTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// A filter that changes no token and counts the texts its analyzer is given in
/// [`EXACT_TEXTS`].
#[derive(Clone, Copy)]
struct CountTexts;

impl tantivy::tokenizer::TokenFilter for CountTexts {
    type Tokenizer<T: Tokenizer> = Counted<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Counted<T> {
        Counted(tokenizer)
    }
}

/// A tokenizer under [`CountTexts`].
#[derive(Clone)]
struct Counted<T>(T);

impl<T: Tokenizer> Tokenizer for Counted<T> {
    type TokenStream<'a> = T::TokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> T::TokenStream<'a> {
        EXACT_TEXTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.token_stream(text)
    }
}

/// One term of analysed text with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The normalised term, as indexed.
    pub text: String,
    /// Byte offset of the word's first byte in the analysed text.
    pub start: usize,
    /// Byte offset just past the word's last byte.
    pub end: usize,
    /// The word's position (words counted from 0, stop words included).
    pub position: usize,
}

/// Both analyzers, ready to run on any text.
///
/// # Example
/// ```
/// let mut analyzer = communique::analysis::Analyzer::new();
/// let exact: Vec<String> = analyzer.exact("Korea’s Kyïv").into_iter().map(|t| t.text).collect();
/// assert_eq!(exact, ["korea", "kyiv"]);
/// let stemmed: Vec<String> = analyzer.stemmed("the sanctions").into_iter().map(|t| t.text).collect();
/// assert_eq!(stemmed, ["sanction"]);
/// ```
#[derive(Clone)]
pub struct Analyzer {
    exact: TextAnalyzer,
    stemmed: TextAnalyzer,
    /// The stemmed analyzers of other languages, built on first use.
    others: Vec<Option<TextAnalyzer>>,
    /// Names analysed before ([`Analyzer::name`]): exact views, then stemmed views.
    names: [HashMap<String, Vec<AnalyzedToken>>; 2],
}

/// The most names an analyzer keeps analysed (the alias table has a few thousand).
const MAX_NAMES: usize = 20_000;

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer")
    }
}

impl Analyzer {
    /// Builds both analyzers.
    pub fn new() -> Analyzer {
        Analyzer {
            exact: exact_analyzer(),
            stemmed: stemmed_analyzer(),
            others: vec![None; Language::ALL.len()],
            names: Default::default(),
        }
    }

    /// The exact view of `text`, its words as written: a hyphenated compound is its parts
    /// (the index also holds the parts joined, which [`Analyzer::exact_joined`] gives).
    pub fn exact(&mut self, text: &str) -> Vec<AnalyzedToken> {
        without_joined(collect(&mut self.exact, text))
    }

    /// The exact view of `text` as the index holds it: a hyphenated compound is its parts and,
    /// at the first part's position, the parts joined ([`HyphenJoinFilter`]).
    pub fn exact_joined(&mut self, text: &str) -> Vec<AnalyzedToken> {
        collect(&mut self.exact, text)
    }

    /// The exact (or with `stemmed`, the stemmed English) view of a name that is analysed
    /// again and again, such as an alias table's: analysed once per analyzer.
    pub(crate) fn name(&mut self, name: &str, stemmed: bool) -> Vec<AnalyzedToken> {
        if let Some(tokens) = self.names[usize::from(stemmed)].get(name) {
            return tokens.clone();
        }
        let tokens = if stemmed {
            self.stemmed(name)
        } else {
            self.exact(name)
        };
        let names = &mut self.names[usize::from(stemmed)];
        if names.len() >= MAX_NAMES {
            names.clear();
        }
        names.insert(name.to_string(), tokens.clone());
        tokens
    }

    /// The stemmed view of English `text` (stop words are absent; positions keep their
    /// gaps; a hyphenated compound's joined word follows its first part, at its position).
    pub fn stemmed(&mut self, text: &str) -> Vec<AnalyzedToken> {
        collect(&mut self.stemmed, text)
    }

    /// The stemmed view of `text` in `language`.
    ///
    /// ```
    /// use communique::analysis::{Analyzer, Language};
    /// let mut analyzer = Analyzer::new();
    /// let terms = |tokens: Vec<communique::analysis::AnalyzedToken>| -> Vec<String> {
    ///     tokens.into_iter().map(|t| t.text).collect()
    /// };
    /// assert_eq!(terms(analyzer.stemmed_in(Language::French, "l'expression")), ["express"]);
    /// let chinese = terms(analyzer.stemmed_in(Language::Chinese, "发表意见的自由"));
    /// assert!(chinese.contains(&"意见".to_string()) && chinese.contains(&"自由".to_string()));
    /// ```
    pub fn stemmed_in(&mut self, language: Language, text: &str) -> Vec<AnalyzedToken> {
        if language == Language::English {
            return self.stemmed(text);
        }
        let analyzer =
            self.others[language as usize].get_or_insert_with(|| stemmed_analyzer_for(language));
        collect(analyzer, text)
    }

    /// The stemmed view of a query's `text` in `language`, each word read as the index reads
    /// a word the query gives alone: as [`Analyzer::stemmed_in`], but a word that the index
    /// also holds a second way (an Arabic word without its joined conjunction or preposition,
    /// `وحدة` as `حدة`) gives only its reading as written, which meets the text's forms with
    /// the article (`الوحدة`). A Chinese word keeps the dictionary words inside it.
    ///
    /// ```
    /// use communique::analysis::{Analyzer, Language};
    /// let mut analyzer = Analyzer::new();
    /// let terms = |tokens: Vec<communique::analysis::AnalyzedToken>| -> Vec<String> {
    ///     tokens.into_iter().map(|t| t.text).collect()
    /// };
    /// assert_eq!(terms(analyzer.stemmed_in(Language::Arabic, "وحدة")).len(), 2);
    /// assert_eq!(
    ///     terms(analyzer.stemmed_as_typed_in(Language::Arabic, "وحدة")),
    ///     terms(analyzer.stemmed_in(Language::Arabic, "الوحدة"))
    /// );
    /// ```
    pub fn stemmed_as_typed_in(&mut self, language: Language, text: &str) -> Vec<AnalyzedToken> {
        let mut tokens = self.stemmed_in(language, text);
        if language != Language::Chinese {
            tokens.dedup_by_key(|t| t.position);
        }
        tokens
    }
}

thread_local! {
    /// An analyzer per thread, kept between searches so that its stemmer's cache stays warm.
    static ANALYZER: Slot = const { Slot(std::cell::RefCell::new(None)) };
}

/// Analyzers of threads that ended, for the next new thread (building one takes a while).
static SPARE: std::sync::Mutex<Vec<Analyzer>> = std::sync::Mutex::new(Vec::new());
/// The most spare analyzers kept.
const MAX_SPARE: usize = 8;

/// A thread's analyzer; when the thread ends it goes to [`SPARE`].
struct Slot(std::cell::RefCell<Option<Analyzer>>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(analyzer) = self.0.get_mut().take() {
            let mut spare = SPARE.lock().unwrap_or_else(|p| p.into_inner());
            if spare.len() < MAX_SPARE {
                spare.push(analyzer);
            }
        }
    }
}

/// This thread's analyzer (its stemmer cache shared by the searches of the thread).
pub(crate) fn warm() -> WarmAnalyzer {
    let analyzer = ANALYZER
        .with(|slot| slot.0.borrow_mut().take())
        .or_else(|| SPARE.lock().unwrap_or_else(|p| p.into_inner()).pop())
        .unwrap_or_default();
    WarmAnalyzer(Some(analyzer))
}

/// An analyzer borrowed from the thread, given back when dropped.
pub(crate) struct WarmAnalyzer(Option<Analyzer>);

impl std::ops::Deref for WarmAnalyzer {
    type Target = Analyzer;
    fn deref(&self) -> &Analyzer {
        self.0.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for WarmAnalyzer {
    fn deref_mut(&mut self) -> &mut Analyzer {
        self.0.as_mut().expect("present until dropped")
    }
}

impl Drop for WarmAnalyzer {
    fn drop(&mut self) {
        let analyzer = self.0.take();
        // A thread being torn down has no analyzer to keep.
        let _ = ANALYZER.try_with(|slot| *slot.0.borrow_mut() = analyzer);
    }
}

fn collect(analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(AnalyzedToken {
            text: token.text.clone(),
            start: token.offset_from,
            end: token.offset_to,
            position: token.position,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> Vec<String> {
        Analyzer::new()
            .exact(text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    fn stemmed(text: &str) -> Vec<String> {
        Analyzer::new()
            .stemmed(text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn folding_and_apostrophes() {
        assert_eq!(exact("Kyïv"), ["kyiv"]);
        assert_eq!(exact("Côte d’Ivoire"), ["cote", "d'ivoire"]);
        assert_eq!(exact("Côte d'Ivoire"), ["cote", "d'ivoire"]);
        assert_eq!(
            exact("Russia's Korea’s RUSSIA’S"),
            ["russia", "korea", "russia"]
        );
        // The possessive is not part of the word's offsets either.
        let text = "Korea’s troops";
        let first = &Analyzer::new().exact(text)[0];
        assert_eq!(&text[first.start..first.end], "Korea");
        assert_eq!(exact("Türkiye São Tomé"), ["turkiye", "sao", "tome"]);
    }

    #[test]
    fn exact_view_keeps_stop_words_and_inflections() {
        assert_eq!(exact("Council of Europe"), ["council", "of", "europe"]);
        assert_eq!(exact("Security Councils"), ["security", "councils"]);
    }

    #[test]
    fn stemmed_view_drops_stop_words_and_stems() {
        assert_eq!(stemmed("Council of Europe"), ["council", "europ"]);
        assert_eq!(stemmed("secure councils"), stemmed("Security Council"));
        assert_eq!(stemmed("sanctions sanctioned"), ["sanction", "sanction"]);
        // Positions keep the gap left by the stop word.
        let positions: Vec<usize> = Analyzer::new()
            .stemmed("Council of Europe")
            .iter()
            .map(|t| t.position)
            .collect();
        assert_eq!(positions, [0, 2]);
    }

    #[test]
    fn the_cached_stemmer_stems_as_tantivy_does() {
        let text = "sanctions sanctioned nations United Nations negotiations negotiating sanctions";
        let mut tantivy_stemmer = TextAnalyzer::builder(WordTokenizer)
            .filter(LowerCaser)
            .filter(tantivy::tokenizer::Stemmer::new(StopLanguage::English))
            .build();
        let mut expected = Vec::new();
        let mut stream = tantivy_stemmer.token_stream(text);
        while let Some(token) = stream.next() {
            expected.push(token.text.clone());
        }
        let mut analyzer = Analyzer::new();
        for _ in 0..2 {
            // The second pass answers from the cache.
            let ours: Vec<String> = analyzer.stemmed(text).into_iter().map(|t| t.text).collect();
            assert_eq!(ours, expected);
        }
    }

    #[test]
    fn latin_stemmers_settle_and_english_does_not_change() {
        let mut analyzer = Analyzer::new();
        let mut stems = |language, text| -> Vec<String> {
            analyzer
                .stemmed_in(language, text)
                .into_iter()
                .map(|t| t.text)
                .collect()
        };
        // Snowball Spanish alone: `propiedad`, then `propied`, then `propi`; settled, one stem.
        assert_eq!(
            stems(Language::Spanish, "propiedades propiedad"),
            ["propi", "propi"]
        );
        // A stem that settles at once is what the stemmer gives.
        assert_eq!(stems(Language::Spanish, "torturas"), ["tortur"]);
        // English is stemmed once, as before (Porter 2 is what Cranfield was tuned on).
        let once = frostem::Stemmer::new(frostem::Algorithm::English)
            .stem("generalization")
            .into_owned();
        assert_eq!(stems(Language::English, "generalization"), [once]);
    }

    #[test]
    fn long_tokens_are_dropped_and_offsets_kept() {
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        let text = format!("before {long} after");
        let tokens = Analyzer::new().exact(&text);
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["before", "after"]);
        assert_eq!(&text[tokens[1].start..tokens[1].end], "after");
        assert_eq!(
            tokens[1].position, 2,
            "the dropped token keeps its position"
        );
        let ok = "y".repeat(MAX_TOKEN_BYTES);
        assert_eq!(exact(&ok), std::slice::from_ref(&ok));
    }
}
