//! Hyphenated compounds: `co-operation` is also the word `cooperation`, so that both
//! spellings meet.
//!
//! The word tokenizer cuts a compound at its hyphens (UAX#29), and the parts stay words of
//! their own (`operation` still finds `co-operation`). [`HyphenJoinFilter`] adds one more
//! token: the parts written together, at the position of the first part (as Lucene's
//! `WordDelimiterGraphFilter` places its catenated word), its byte range the whole compound.
//! A query word written either way then finds text written either way, through both views.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::AnalyzedToken;

/// The characters that join the parts of a compound: hyphen-minus, hyphen, non-breaking hyphen.
const HYPHENS: [char; 3] = ['-', '\u{2010}', '\u{2011}'];

/// After the parts of a hyphenated compound of letters (`co-operation`, `non-self-governing`,
/// `кто-либо`), a token of the parts joined (`cooperation`), at the first part's position,
/// covering the compound's bytes. Parts holding a digit or another symbol (`2024-12-16`,
/// `U.S.-led`) are not joined. Must run right after the tokenizer, which it reads the text of.
#[derive(Clone, Copy, Debug, Default)]
pub struct HyphenJoinFilter;

impl TokenFilter for HyphenJoinFilter {
    type Tokenizer<T: Tokenizer> = HyphenJoinWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> HyphenJoinWrapper<T> {
        HyphenJoinWrapper { inner: tokenizer }
    }
}

/// [`HyphenJoinFilter`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct HyphenJoinWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for HyphenJoinWrapper<T> {
    type TokenStream<'a> = HyphenJoinStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        HyphenJoinStream {
            text,
            tail: self.inner.token_stream(text),
            queue: Vec::new(),
            ahead: None,
            current: Token::default(),
        }
    }
}

/// The stream of [`HyphenJoinFilter`].
pub struct HyphenJoinStream<'a, T> {
    text: &'a str,
    tail: T,
    /// Tokens of the last compound not yet given, in reverse order.
    queue: Vec<Token>,
    /// A token read past the end of a compound, given next.
    ahead: Option<Token>,
    current: Token,
}

/// Whether a token may be a part of a compound: letters only.
fn is_part(token: &Token) -> bool {
    !token.text.is_empty() && token.text.chars().all(char::is_alphabetic)
}

impl<T: TokenStream> HyphenJoinStream<'_, T> {
    fn pull(&mut self) -> Option<Token> {
        if let Some(token) = self.ahead.take() {
            return Some(token);
        }
        self.tail.advance().then(|| self.tail.token().clone())
    }

    /// Whether `next` follows `previous` after exactly one hyphen.
    fn hyphen_between(&self, previous: &Token, next: &Token) -> bool {
        let gap = self
            .text
            .get(previous.offset_to..next.offset_from)
            .unwrap_or("");
        let mut chars = gap.chars();
        chars.next().is_some_and(|c| HYPHENS.contains(&c)) && chars.next().is_none()
    }
}

impl<T: TokenStream> TokenStream for HyphenJoinStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(token) = self.queue.pop() {
            self.current = token;
            return true;
        }
        let Some(first) = self.pull() else {
            return false;
        };
        if !is_part(&first) {
            self.current = first;
            return true;
        }
        let mut parts = vec![first];
        while let Some(next) = self.pull() {
            let last = parts.last().expect("a first part");
            if is_part(&next) && self.hyphen_between(last, &next) {
                parts.push(next);
            } else {
                self.ahead = Some(next);
                break;
            }
        }
        let mut parts = parts.into_iter();
        let first = parts.next().expect("a first part");
        let rest: Vec<Token> = parts.collect();
        if let Some(last) = rest.last() {
            let mut joined = first.clone();
            joined.offset_to = last.offset_to;
            for part in &rest {
                joined.text.push_str(&part.text);
            }
            // Given in order: the first part, the joined word, the other parts.
            self.queue.extend(rest.into_iter().rev());
            self.queue.push(joined);
        }
        self.current = first;
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Whether `text` is one hyphenated compound (letters, joined by single hyphens), as the
/// joined word of [`HyphenJoinFilter`] covers.
pub(crate) fn is_compound(text: &str) -> bool {
    let mut parts = text.split(HYPHENS);
    let parts_ok = parts
        .by_ref()
        .all(|part| !part.is_empty() && part.chars().all(char::is_alphabetic));
    parts_ok && text.contains(HYPHENS)
}

/// Whether `tokens[at]` is the joined word of a compound: the next token (its second part)
/// starts inside it, after its start; or, when a filter dropped the parts after the first
/// (`built-in` in the stemmed view, whose `in` is a stop word), the token before it is its
/// first part: same start, same position, shorter.
pub(crate) fn is_joined(tokens: &[AnalyzedToken], at: usize) -> bool {
    let Some(token) = tokens.get(at) else {
        return false;
    };
    let second_part_inside = tokens
        .get(at + 1)
        .is_some_and(|next| next.start > token.start && next.start < token.end);
    let after_first_part = at
        .checked_sub(1)
        .and_then(|before| tokens.get(before))
        .is_some_and(|first| {
            first.start == token.start && first.end < token.end && first.position == token.position
        });
    second_part_inside || after_first_part
}

/// `tokens` (a view of a text) without the joined words of its compounds: the words as
/// written, for a phrase, whose positions are those of the parts.
pub(crate) fn without_joined(tokens: Vec<AnalyzedToken>) -> Vec<AnalyzedToken> {
    if tokens.len() < 2 {
        return tokens;
    }
    let joined: Vec<bool> = (0..tokens.len()).map(|at| is_joined(&tokens, at)).collect();
    tokens
        .into_iter()
        .zip(joined)
        .filter(|(_, joined)| !joined)
        .map(|(token, _)| token)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::WordTokenizer;
    use tantivy::tokenizer::TextAnalyzer;

    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut analyzer = TextAnalyzer::builder(WordTokenizer)
            .filter(HyphenJoinFilter)
            .build();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(
                text[token.offset_from..token.offset_to].replace(HYPHENS, ""),
                token.text
            );
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
    fn a_compound_is_also_its_parts_joined() {
        let found = tokens("international co-operation, and non-self-governing land");
        let words: Vec<(&str, usize)> = found.iter().map(|t| (t.0.as_str(), t.3)).collect();
        assert_eq!(
            words,
            [
                ("international", 0),
                ("co", 1),
                ("cooperation", 1),
                ("operation", 2),
                ("and", 3),
                ("non", 4),
                ("nonselfgoverning", 4),
                ("self", 5),
                ("governing", 6),
                ("land", 7),
            ]
        );
        // The joined word covers the compound's bytes.
        assert_eq!((found[2].1, found[2].2), (14, 26));
    }

    #[test]
    fn only_letters_joined_by_one_hyphen() {
        let joined = |text: &str| tokens(text).len() > text.split([' ', '-']).count();
        assert!(!joined("2024-12-16"));
        assert!(!joined("co - operation"));
        assert!(!joined("co--operation"));
        assert!(!joined("A4-format"));
        assert!(joined("кто-либо"));
        assert!(joined("self\u{2010}determination"));
    }

    #[test]
    fn compounds_are_letters_joined_by_hyphens() {
        assert!(is_compound("co-operation") && is_compound("Minister\u{2010}Designate"));
        assert!(!is_compound("cooperation") && !is_compound("co--operation"));
        assert!(!is_compound("COVID-19") && !is_compound("co- operation"));
    }

    #[test]
    fn phrases_leave_the_joined_word_out() {
        let mut analyzer = crate::analysis::Analyzer::new();
        let tokens = analyzer.exact_joined("international co-operation");
        assert!(is_joined(&tokens, 2) && !is_joined(&tokens, 1));
        let words: Vec<String> = without_joined(tokens).into_iter().map(|t| t.text).collect();
        assert_eq!(words, ["international", "co", "operation"]);
    }

    #[test]
    fn a_joined_word_is_known_when_a_filter_dropped_its_last_part() {
        // The stemmed view drops the stop word `in`: the joined word has no second part
        // after it, and must still be left out (positions then only increase).
        let mut analyzer = crate::analysis::Analyzer::new();
        let tokens = analyzer.stemmed("a built-in safeguard");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["built", "builtin", "safeguard"]);
        assert!(is_joined(&tokens, 1) && !is_joined(&tokens, 0) && !is_joined(&tokens, 2));
        let words: Vec<String> = without_joined(tokens).into_iter().map(|t| t.text).collect();
        assert_eq!(words, ["built", "safeguard"]);
        // As proptest found it: the only parts `b` and the stop word `a`.
        let words: Vec<String> = without_joined(analyzer.stemmed("b-A "))
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, ["b"]);
    }
}
