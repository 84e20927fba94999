//! Chinese word segmentation: the `jieba` dictionary segmenter as a tantivy tokenizer, with
//! byte offsets that the highlighter uses like any other.

use std::sync::OnceLock;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The segmenter, with the dictionary that `jieba-rs` ships (loaded once, on first use: an
/// index without Chinese never loads it).
fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// Splits Chinese text into dictionary words, in jieba's search mode: a long word also gives
/// the dictionary words inside it, at the same position (`发表意见` gives `发表`, `意见` and
/// `发表意见`), so that a query for `意见` finds it. Words of other scripts in the text come
/// out whole; punctuation and spaces are not tokens.
#[derive(Clone, Debug, Default)]
pub struct ChineseTokenizer;

/// The stream of [`ChineseTokenizer`] tokens over one text.
pub struct ChineseTokenStream {
    tokens: std::vec::IntoIter<Token>,
    token: Token,
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream {
        let mut tokens: Vec<Token> = Vec::new();
        let mut position = 0;
        let mut covered = 0;
        for word in jieba().cut_for_search(text, true) {
            if !word.word.chars().any(char::is_alphanumeric) {
                continue;
            }
            // A word inside the last one (search mode gives the parts, then the whole) shares
            // its position.
            if word.byte_start >= covered && !tokens.is_empty() {
                position += 1;
            }
            covered = covered.max(word.byte_end);
            tokens.push(Token {
                offset_from: word.byte_start,
                offset_to: word.byte_end,
                position,
                text: word.word.to_string(),
                position_length: 1,
            });
        }
        ChineseTokenStream {
            tokens: tokens.into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for ChineseTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.token = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The words of a Chinese query, as the segmenter cuts it (no overlapping parts), without
/// punctuation and stop words.
pub(crate) fn segment(text: &str) -> Vec<String> {
    jieba()
        .cut(text, true)
        .into_iter()
        .filter(|w| w.word.chars().any(char::is_alphanumeric) && !STOP_WORDS.contains(&w.word))
        .map(|w| w.word.to_lowercase())
        .collect()
}

/// Function words of Chinese that carry no topic: the particles, conjunctions and pronouns most
/// frequent in documents.
pub const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "是", "在", "对", "于", "其", "之", "这", "那", "就", "都",
    "而", "也", "被", "把", "所", "以", "为", "并", "等", "中", "上", "下", "着", "个", "一个",
    "我们", "他们", "它", "他", "她", "我", "你", "该", "此", "从", "向", "由", "则",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_byte_offsets() {
        let text = "人人有权享有主张和发表意见的自由;UN 2024";
        let mut tokenizer = ChineseTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(&text[token.offset_from..token.offset_to], token.text);
            words.push(token.text.clone());
        }
        assert!(words.contains(&"意见".to_string()), "{words:?}");
        assert!(words.contains(&"自由".to_string()), "{words:?}");
        assert!(words.contains(&"UN".to_string()), "{words:?}");
        assert!(!words.iter().any(|w| w == ";" || w == " "), "{words:?}");
    }
}
