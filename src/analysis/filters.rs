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
