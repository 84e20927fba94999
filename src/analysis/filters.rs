//! Token filters of our own: apostrophes and invisible characters.

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

/// The English (Porter 2) stemmer, remembering the stems it has computed.
///
/// Words repeat a great deal, and stemming is the costliest step of analysis: a cache of the
/// most recent words (cleared when it reaches [`CachedStemmer::CAPACITY`] entries) makes it
/// several times faster. Each clone (tantivy clones analyzers per indexing thread) has its own
/// cache, so there is no lock.
#[derive(Clone, Default)]
pub struct CachedStemmer {
    cache: fnv::FnvHashMap<String, String>,
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
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerWrapper<T> {
        CachedStemmerWrapper {
            inner: tokenizer,
            cache: self.cache,
        }
    }
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerWrapper<T> {
    inner: T,
    cache: fnv::FnvHashMap<String, String>,
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
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// The stream of [`CachedStemmer`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut fnv::FnvHashMap<String, String>,
    stemmer: frostem::Stemmer,
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
            let stem = self.stemmer.stem(&token.text).into_owned();
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
