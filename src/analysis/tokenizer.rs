//! The word tokenizer: Unicode (UAX#29) word boundaries, with byte offsets and positions.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_segmentation::{UnicodeSegmentation, UnicodeWordIndices};

/// Splits text into words at Unicode (UAX#29) word boundaries.
///
/// Every word that holds a letter or a digit becomes a token whose `offset_from..offset_to` is
/// its byte range in the text and whose `position` counts words from 0. Punctuation, spaces and
/// emoji are not tokens. As UAX#29 says, `U.N.` gives `U.N` and `10,000` stays one number.
/// An English possessive ending (`'s`, `’s`) is not part of the token: `Russia’s` gives
/// `Russia`, with the offsets of `Russia`, so highlights stop before the apostrophe.
#[derive(Clone, Debug, Default)]
pub struct WordTokenizer;

/// The stream of [`WordTokenizer`] tokens over one text.
pub struct WordTokenStream<'a> {
    words: UnicodeWordIndices<'a>,
    token: Token,
    next_position: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            words: text.unicode_word_indices(),
            token: Token::default(),
            next_position: 0,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((offset, word)) = self.words.next() else {
            return false;
        };
        let word = strip_possessive(word);
        self.token.text.clear();
        self.token.text.push_str(word);
        self.token.offset_from = offset;
        self.token.offset_to = offset + word.len();
        self.token.position = self.next_position;
        self.token.position_length = 1;
        self.next_position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// `word` without a final `'s` / `’s` (any apostrophe look-alike, either case of `s`).
fn strip_possessive(word: &str) -> &str {
    let Some(stem) = word.strip_suffix(['s', 'S']) else {
        return word;
    };
    match stem.strip_suffix(['\'', '\u{2019}', '\u{2018}', '\u{02BC}', '\u{FF07}']) {
        Some(base) if !base.is_empty() => base,
        _ => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = WordTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((
                token.text.clone(),
                token.offset_from,
                token.offset_to,
                token.position,
            ));
        }
        out
    }

    #[test]
    fn offsets_are_byte_ranges_of_each_word() {
        let text = "Kyïv — Russia’s “war”, 10,000 troops; U.N. 🙂 end";
        for (word, from, to, _) in words(text) {
            assert_eq!(&text[from..to], word);
        }
        let found: Vec<String> = words(text).into_iter().map(|w| w.0).collect();
        assert_eq!(
            found,
            ["Kyïv", "Russia", "war", "10,000", "troops", "U.N", "end"]
        );
    }

    #[test]
    fn positions_count_words() {
        let positions: Vec<usize> = words("a, b. c").into_iter().map(|w| w.3).collect();
        assert_eq!(positions, [0, 1, 2]);
    }
}
