//! The word tokenizer: Unicode (UAX#29) word boundaries, with byte offsets and positions.
//!
//! Most diplomatic text is ASCII, and the general UAX#29 segmenter is slow (about 40 MB/s).
//! So the text is cut at ASCII whitespace, which never falls inside a word, and each piece that
//! is pure ASCII is segmented by a small state machine implementing the UAX#29 word rules for
//! ASCII (WB5 to WB13b); any other piece goes to `unicode-segmentation`. A property test checks
//! that both give the same words (but for a combining mark right after a space, which UAX#29
//! glues to the space: here the word starts at the mark).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_segmentation::UnicodeSegmentation;

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
    text: &'a str,
    /// Where the next piece (between ASCII whitespace) starts.
    cursor: usize,
    /// Words of the current non-ASCII piece, found by `unicode-segmentation`.
    pending: Vec<(usize, &'a str)>,
    pending_next: usize,
    /// The current ASCII piece being scanned: (start, end, next byte to scan).
    ascii: Option<(usize, usize, usize)>,
    token: Token,
    next_position: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            text,
            cursor: 0,
            pending: Vec::new(),
            pending_next: 0,
            ascii: None,
            token: Token::default(),
            next_position: 0,
        }
    }
}

/// UAX#29 word-break classes of the ASCII characters that matter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Numeric,
    ExtendNumLet,
    MidLetter,
    MidNum,
    MidNumLet,
    Other,
}

fn class(byte: u8) -> Class {
    match byte {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Numeric,
        b'_' => Class::ExtendNumLet,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidNumLet,
        _ => Class::Other,
    }
}

fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// The end of the word that starts at `start` in `bytes` (all ASCII), by WB5 to WB13b.
fn ascii_word_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start + 1;
    while end < bytes.len() {
        let previous = class(bytes[end - 1]);
        let current = class(bytes[end]);
        let joins = |c: Class| matches!(c, Class::Letter | Class::Numeric | Class::ExtendNumLet);
        if joins(previous) && joins(current) {
            end += 1;
            continue;
        }
        // Letter (MidLetter | MidNumLet) Letter, Numeric (MidNum | MidNumLet) Numeric.
        if end + 1 < bytes.len() {
            let next = class(bytes[end + 1]);
            let letters = previous == Class::Letter
                && matches!(current, Class::MidLetter | Class::MidNumLet)
                && next == Class::Letter;
            let numbers = previous == Class::Numeric
                && matches!(current, Class::MidNum | Class::MidNumLet)
                && next == Class::Numeric;
            if letters || numbers {
                end += 2;
                continue;
            }
        }
        break;
    }
    end
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

impl<'a> WordTokenStream<'a> {
    /// The next word, as (byte offset, word).
    fn next_word(&mut self) -> Option<(usize, &'a str)> {
        loop {
            if let Some((start, end, at)) = self.ascii {
                let bytes = &self.text.as_bytes()[..end];
                let mut i = at;
                while i < end {
                    let c = class(bytes[i]);
                    if matches!(c, Class::Letter | Class::Numeric | Class::ExtendNumLet) {
                        let word_end = ascii_word_end(bytes, i);
                        self.ascii = Some((start, end, word_end));
                        let word = &self.text[i..word_end];
                        if word.bytes().any(|b| b.is_ascii_alphanumeric()) {
                            return Some((i, word));
                        }
                        i = word_end;
                    } else {
                        i += 1;
                    }
                }
                self.ascii = None;
            }
            if self.pending_next < self.pending.len() {
                self.pending_next += 1;
                return Some(self.pending[self.pending_next - 1]);
            }
            // The next piece between ASCII whitespace.
            let bytes = self.text.as_bytes();
            let mut start = self.cursor;
            while start < bytes.len() && is_ascii_space(bytes[start]) {
                start += 1;
            }
            if start >= bytes.len() {
                return None;
            }
            let mut end = start;
            let mut ascii = true;
            while end < bytes.len() && !is_ascii_space(bytes[end]) {
                ascii &= bytes[end].is_ascii();
                end += 1;
            }
            self.cursor = end;
            if ascii {
                self.ascii = Some((start, end, start));
            } else {
                self.pending.clear();
                self.pending_next = 0;
                self.pending.extend(
                    self.text[start..end]
                        .unicode_word_indices()
                        .map(|(offset, word)| (start + offset, word)),
                );
            }
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((offset, word)) = self.next_word() else {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// What `unicode-segmentation` alone gives (possessives stripped the same way). One
    /// deliberate difference: UAX#29 glues a space to a combining mark that follows it
    /// (`" \u{dd6}"` is one word); we leave the space out of the word.
    fn reference(text: &str) -> Vec<(String, usize)> {
        text.unicode_word_indices()
            .map(|(offset, word)| {
                let trimmed = word.trim_start_matches(|c: char| c.is_ascii_whitespace());
                let offset = offset + word.len() - trimmed.len();
                (strip_possessive(trimmed).to_string(), offset)
            })
            .collect()
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
    fn ascii_rules_match_uax29() {
        for text in [
            "U.S. e.g. 3.5% 10,000; a:b 1:2 __init__ _ x_1 o'clock 'tis rock'n'roll",
            "Security Council's 2024-12-16 No.5 U.S.-led A/RES/77/1 e-mail a.b.c.",
            "..., ''' ::: a. .a 1. .1 a' 'a a: :a 1,2,3 1;2 a,b",
        ] {
            let ours: Vec<(String, usize)> = words(text).into_iter().map(|w| (w.0, w.1)).collect();
            assert_eq!(ours, reference(text), "{text}");
        }
    }

    #[test]
    fn positions_count_words() {
        let positions: Vec<usize> = words("a, b. c").into_iter().map(|w| w.3).collect();
        assert_eq!(positions, [0, 1, 2]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn same_words_as_unicode_segmentation(text in "([a-zA-Z0-9_.,;:'\\- ]|\\PC|’|é|\u{200d}|\u{ad}|\u{a0}){0,80}") {
            let ours: Vec<(String, usize)> = words(&text).into_iter().map(|w| (w.0, w.1)).collect();
            prop_assert_eq!(ours, reference(&text));
        }
    }
}
