//! Token filters of our own: apostrophes and invisible characters, the normalisation that
//! Arabic and Russian readers expect, French elisions, and a stemmer with a cache.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Treats typographic apostrophes like ASCII ones (`d’Ivoire` becomes `d'Ivoire`) and drops
/// invisible format characters from words: soft hyphens, zero-width spaces and joiners,
/// direction marks and overrides, so `secu\u{ad}rity` is `security`.
///
/// (English possessives are left out of tokens by [`crate::analysis::WordTokenizer`].)
#[derive(Clone, Copy, Debug, Default)]
pub struct PossessiveFilter;

/// The apostrophe look-alikes that mean an apostrophe inside a word.
const APOSTROPHES: [char; 4] = ['\u{2019}', '\u{2018}', '\u{02BC}', '\u{FF07}'];

/// Invisible format characters (Unicode category Cf) that may sit inside a word.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// Rewrites `text` in place: apostrophe look-alikes become `'`, invisible characters go.
pub(crate) fn normalize_apostrophes(text: &mut String) {
    if text.is_ascii() {
        return;
    }
    if text.contains(APOSTROPHES) {
        *text = text.replace(APOSTROPHES, "'");
    }
    if text.contains(is_invisible) {
        text.retain(|c| !is_invisible(c));
    }
}

impl TokenFilter for PossessiveFilter {
    type Tokenizer<T: Tokenizer> = PossessiveFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PossessiveFilterWrapper<T> {
        PossessiveFilterWrapper { inner: tokenizer }
    }
}

/// [`PossessiveFilter`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct PossessiveFilterWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PossessiveFilterWrapper<T> {
    type TokenStream<'a> = PossessiveFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PossessiveFilterStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The stream of [`PossessiveFilter`].
pub struct PossessiveFilterStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for PossessiveFilterStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        normalize_apostrophes(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_apostrophes;

    fn norm(word: &str) -> String {
        let mut text = word.to_string();
        normalize_apostrophes(&mut text);
        text
    }

    #[test]
    fn apostrophes() {
        assert_eq!(norm("d’ivoire"), "d'ivoire");
        assert_eq!(norm("o‘clock"), "o'clock");
        assert_eq!(norm("plain"), "plain");
        assert_eq!(norm("secu\u{ad}rity"), "security");
        assert_eq!(norm("\u{202e}kursk\u{202c}"), "kursk");
    }
}

/// A Snowball stemmer (English, Porter 2, unless built with [`CachedStemmer::new`]),
/// remembering the stems it has computed.
///
/// Words repeat a great deal, and stemming is the costliest step of analysis: a cache of the
/// most recent words (cleared when it reaches [`CachedStemmer::CAPACITY`] entries) makes it
/// several times faster. Each clone (tantivy clones analyzers per indexing thread) has its own
/// cache, so there is no lock.
#[derive(Clone)]
pub struct CachedStemmer {
    cache: fnv::FnvHashMap<String, String>,
    algorithm: frostem::Algorithm,
    settle: bool,
}

impl Default for CachedStemmer {
    fn default() -> Self {
        CachedStemmer::new(frostem::Algorithm::English)
    }
}

impl std::fmt::Debug for CachedStemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStemmer")
            .field("cached", &self.cache.len())
            .finish()
    }
}

impl CachedStemmer {
    /// The most stems kept before the cache is cleared.
    pub const CAPACITY: usize = 200_000;

    /// A cached stemmer for one of frostem's Snowball algorithms.
    pub fn new(algorithm: frostem::Algorithm) -> CachedStemmer {
        CachedStemmer {
            cache: fnv::FnvHashMap::default(),
            algorithm,
            settle: false,
        }
    }

    /// A cached stemmer that stems its own stems until they no longer change (at most
    /// [`CachedStemmer::SETTLE_ROUNDS`] times).
    ///
    /// Snowball's stemmers are not idempotent: Spanish makes `propiedad` of `propiedades`
    /// but `propied` of `propiedad` (it reads the final `-ad` as a verb ending only when it
    /// ends the word), so the plural and the singular would never meet. Stemming again until
    /// the stem settles sends both to `propi` (`propiedad`, `propied`, `propi`).
    ///
    /// ```
    /// use communique::analysis::CachedStemmer;
    /// use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream};
    /// let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
    ///     .filter(CachedStemmer::settled(frostem::Algorithm::Spanish))
    ///     .build();
    /// let mut stems = Vec::new();
    /// let mut stream = analyzer.token_stream("propiedades propiedad");
    /// while let Some(token) = stream.next() {
    ///     stems.push(token.text.clone());
    /// }
    /// assert_eq!(stems, ["propi", "propi"]);
    /// ```
    pub fn settled(algorithm: frostem::Algorithm) -> CachedStemmer {
        CachedStemmer {
            settle: true,
            ..CachedStemmer::new(algorithm)
        }
    }

    /// The most times a settled stemmer stems a word.
    pub const SETTLE_ROUNDS: usize = 3;
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerWrapper<T> {
        CachedStemmerWrapper {
            inner: tokenizer,
            cache: self.cache,
            algorithm: self.algorithm,
            settle: self.settle,
        }
    }
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerWrapper<T> {
    inner: T,
    cache: fnv::FnvHashMap<String, String>,
    algorithm: frostem::Algorithm,
    settle: bool,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerWrapper<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.cache.len() >= CachedStemmer::CAPACITY {
            self.cache.clear();
        }
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            stemmer: frostem::Stemmer::new(self.algorithm),
            settle: self.settle,
        }
    }
}

/// The stream of [`CachedStemmer`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut fnv::FnvHashMap<String, String>,
    stemmer: frostem::Stemmer,
    settle: bool,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
        } else {
            let mut stem = self.stemmer.stem(&token.text).into_owned();
            if self.settle {
                for _ in 1..CachedStemmer::SETTLE_ROUNDS {
                    let again = self.stemmer.stem(&stem);
                    if again == stem {
                        break;
                    }
                    stem = again.into_owned();
                }
            }
            self.cache
                .insert(std::mem::take(&mut token.text), stem.clone());
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Rewrites a word the way its readers expect it to be compared, whatever the language of the
/// document: Arabic without short vowels and other diacritics (harakat, superscript alef),
/// without tatweel (`ـ`), with the alef forms `أ إ آ ٱ` read as `ا`; Russian `ё` read as `е`.
/// ASCII words pass untouched.
pub(crate) fn normalize_script(text: &mut String) {
    if text.is_ascii() {
        return;
    }
    let needs = text.chars().any(|c| {
        matches!(
            c,
            '\u{064B}'
                ..='\u{065F}'
                    | '\u{0670}'
                    | '\u{0640}'
                    | '\u{0622}'
                    | '\u{0623}'
                    | '\u{0625}'
                    | '\u{0671}'
                    | 'ё'
                    | 'Ё'
        )
    });
    if !needs {
        return;
    }
    *text = text
        .chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
        .map(|c| match c {
            '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' => '\u{0627}',
            'ё' => 'е',
            'Ё' => 'Е',
            c => c,
        })
        .collect();
}

/// A token filter that reads Arabic without diacritics and tatweel, with the alef forms
/// `أ إ آ ٱ` as `ا`, and Russian `ё` as `е`; ASCII words pass untouched.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScriptNormalizer;

/// French elisions: the article or pronoun before an apostrophe goes (`l'homme` → `homme`,
/// `d'expression` → `expression`, `qu'il` → `il`). Apostrophes must be ASCII already
/// ([`PossessiveFilter`] runs first).
#[derive(Clone, Copy, Debug, Default)]
pub struct ElisionFilter;

const ELISIONS: [&str; 12] = [
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
];

fn strip_elision(text: &mut String) {
    if let Some((head, rest)) = text.split_once('\'')
        && !rest.is_empty()
        && ELISIONS.contains(&head)
    {
        *text = rest.to_string();
    }
}

/// Arabic prefixes: the article `ال` and the particles joined to it (`وال`, `بال`, `كال`,
/// `فال`, `لل`), and the conjunction `و` before a longer word, go before stemming, so that
/// `والتعبير`, `التعبير` and `تعبير` are one word (the Snowball stemmer alone leaves `و`
/// and reads `بطالة` and `البطالة` differently).
#[derive(Clone, Copy, Debug, Default)]
pub struct ArabicPrefixFilter;

fn strip_arabic_prefix(text: &mut String) {
    const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
    let chars = text.chars().count();
    for prefix in ARTICLES {
        if let Some(rest) = text.strip_prefix(prefix)
            && rest.chars().count() >= 2
        {
            *text = rest.to_string();
            return;
        }
    }
    if chars > 3
        && let Some(rest) = text.strip_prefix('و')
    {
        *text = rest.to_string();
    }
}

macro_rules! word_filter {
    ($filter:ident, $wrapper:ident, $stream:ident, $apply:expr) => {
        impl TokenFilter for $filter {
            type Tokenizer<T: Tokenizer> = $wrapper<T>;

            fn transform<T: Tokenizer>(self, tokenizer: T) -> $wrapper<T> {
                $wrapper { inner: tokenizer }
            }
        }

        /// The filter applied to a tokenizer.
        #[derive(Clone, Debug)]
        pub struct $wrapper<T> {
            inner: T,
        }

        impl<T: Tokenizer> Tokenizer for $wrapper<T> {
            type TokenStream<'a> = $stream<T::TokenStream<'a>>;

            fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
                $stream {
                    tail: self.inner.token_stream(text),
                }
            }
        }

        /// The stream of the filter.
        pub struct $stream<T> {
            tail: T,
        }

        impl<T: TokenStream> TokenStream for $stream<T> {
            /// A word the filter empties (an Arabic diacritic alone) is dropped.
            fn advance(&mut self) -> bool {
                while self.tail.advance() {
                    $apply(&mut self.tail.token_mut().text);
                    if !self.tail.token().text.is_empty() {
                        return true;
                    }
                }
                false
            }

            fn token(&self) -> &Token {
                self.tail.token()
            }

            fn token_mut(&mut self) -> &mut Token {
                self.tail.token_mut()
            }
        }
    };
}

word_filter!(
    ScriptNormalizer,
    ScriptNormalizerWrapper,
    ScriptNormalizerStream,
    normalize_script
);
word_filter!(
    ArabicPrefixFilter,
    ArabicPrefixFilterWrapper,
    ArabicPrefixFilterStream,
    strip_arabic_prefix
);
word_filter!(
    ElisionFilter,
    ElisionFilterWrapper,
    ElisionFilterStream,
    strip_elision
);

#[cfg(test)]
mod script_tests {
    use super::*;

    fn norm(word: &str) -> String {
        let mut text = word.to_string();
        normalize_script(&mut text);
        text
    }

    #[test]
    fn arabic_and_russian_normalisation() {
        // Diacritics and tatweel go; the alef forms are one.
        assert_eq!(norm("حُرِّيَّة"), "حرية");
        assert_eq!(norm("حـــرية"), "حرية");
        assert_eq!(norm("أحرار"), "احرار");
        assert_eq!(norm("إعلان"), "اعلان");
        assert_eq!(norm("آراء"), "اراء");
        assert_eq!(norm("ещё"), "еще");
        assert_eq!(norm("Ёлка"), "Елка");
        assert_eq!(norm("plain"), "plain");
        assert_eq!(norm("Kyïv"), "Kyïv");
    }

    #[test]
    fn arabic_prefixes() {
        for (word, expected) in [
            ("والتعبير", "تعبير"),
            ("التعبير", "تعبير"),
            ("للتعذيب", "تعذيب"),
            ("البطالة", "بطالة"),
            ("وضمير", "ضمير"),
            ("ولد", "ولد"),
            ("ال", "ال"),
        ] {
            let mut text = word.to_string();
            strip_arabic_prefix(&mut text);
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn french_elisions() {
        for (word, expected) in [
            ("l'homme", "homme"),
            ("d'expression", "expression"),
            ("qu'il", "il"),
            ("jusqu'au", "au"),
            ("aujourd'hui", "aujourd'hui"),
            ("l'", "l'"),
        ] {
            let mut text = word.to_string();
            strip_elision(&mut text);
            assert_eq!(text, expected);
        }
    }
}
