//! Token filters of our own: apostrophe normalisation and English possessives.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Treats typographic apostrophes like ASCII ones and strips English possessives.
///
/// `Korea’s` and `Korea's` both become `Korea`; `d’Ivoire` becomes `d'Ivoire`. Runs after
/// lower-casing and folding in our analyzers, but works on any case.
#[derive(Clone, Copy, Debug, Default)]
pub struct PossessiveFilter;

/// The apostrophe look-alikes that mean an apostrophe inside a word.
const APOSTROPHES: [char; 4] = ['\u{2019}', '\u{2018}', '\u{02BC}', '\u{FF07}'];

/// Rewrites `text` in place: apostrophe look-alikes become `'`, and a final `'s` goes.
pub(crate) fn normalize_apostrophes(text: &mut String) {
    if text.contains(APOSTROPHES) {
        *text = text.replace(APOSTROPHES, "'");
    }
    if text.len() > 2 && (text.ends_with("'s") || text.ends_with("'S")) {
        text.truncate(text.len() - 2);
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
    fn possessives_and_apostrophes() {
        assert_eq!(norm("russia's"), "russia");
        assert_eq!(norm("korea’s"), "korea");
        assert_eq!(norm("d’ivoire"), "d'ivoire");
        assert_eq!(norm("o'clock"), "o'clock");
        // A lone "'s" is not a possessive of anything.
        assert_eq!(norm("'s"), "'s");
    }
}
