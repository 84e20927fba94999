//! The query language: words, "phrases", `+must`, `-exclude`, `AND`, `OR`, `NOT`, parentheses,
//! `title:` and `source:` qualifiers, `word*` prefixes, `word~1` fuzzy words, and proximities
//! (`a NEAR/5 b`, `a NEAR/s b`, `a NEAR/p b`, `"a b c"~5`).
//!
//! Parsing produces a small syntax tree ([`Node`]) with the byte span of every leaf; broken
//! syntax is a [`QueryError`] that points at the position. Analysis (stemming, stop words) is
//! applied later, when the tree is compiled against an index.
//!
//! Meaning, by precedence from tightest (required and excluded clauses hold over the whole
//! article, see `articles`; a proximity within one passage):
//!
//! * `a NEAR/n b`, `a NEAR/s b`, `a NEAR/p b`: two words or phrases at most `n` words apart
//!   (any order), in one sentence, in one passage; `"a b c"~n`: the phrase's words at most `n`
//!   words apart in all, any order.
//! * `NOT x`, `-x`, `+x`: exclude or require `x`.
//! * `a AND b`: both required.
//! * `a b`: a sequence. Bare words are optional but rank (a passage holding more of them, or
//!   holding them close together, ranks higher); a quoted phrase, an `AND` chain, `+x` and a
//!   group that itself requires something are required; `-x` and `NOT x` exclude.
//! * `a OR b`: either.

use std::ops::Range;
use std::str::FromStr;

use crate::QueryError;

/// How a clause takes part in its group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occur {
    /// Optional: adds to the score when present (required only if the group has nothing
    /// required).
    Should,
    /// Required.
    Must,
    /// Excluded.
    MustNot,
}

/// What a leaf searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The passage text (the default).
    Text,
    /// The article title (`title:`).
    Title,
    /// The article source (`source:`).
    Source,
}

impl Scope {
    fn from_name(name: &str) -> Option<Scope> {
        match name.to_ascii_lowercase().as_str() {
            "text" => Some(Scope::Text),
            "title" => Some(Scope::Title),
            "source" => Some(Scope::Source),
            _ => None,
        }
    }
}

/// One node of a parsed query.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Node {
    /// A bare word, matched through the stemmed view.
    Word {
        /// The word as typed.
        text: String,
        /// What it searches.
        scope: Scope,
        /// Byte range in the query.
        span: Range<usize>,
    },
    /// A quoted phrase, matched exactly through the exact view (through the stemmed view, in
    /// other word forms, when the index never holds it as written).
    Phrase {
        /// The words between the quotes.
        text: String,
        /// What it searches.
        scope: Scope,
        /// Byte range in the query, quotes included.
        span: Range<usize>,
    },
    /// `word*`: words starting with `text`, through the exact view.
    Prefix {
        /// The prefix, without the `*`.
        text: String,
        /// What it searches.
        scope: Scope,
        /// Byte range in the query.
        span: Range<usize>,
    },
    /// `word~N`: words within `distance` edits of `text`, through the exact view.
    Fuzzy {
        /// The word, without `~N`.
        text: String,
        /// Edits allowed (0, 1 or 2).
        distance: u8,
        /// What it searches.
        scope: Scope,
        /// Byte range in the query.
        span: Range<usize>,
    },
    /// Words or phrases close together in one passage: `a NEAR/5 b`, `a NEAR/s b`,
    /// `a NEAR/p b`, `"a b c"~5`.
    Near {
        /// The operands (words, phrases, prefixes or fuzzy words), in the order typed.
        operands: Vec<Node>,
        /// How close they must be.
        within: Proximity,
        /// Byte range in the query, from the first operand to the last.
        span: Range<usize>,
    },
    /// Clauses combined.
    Group(Vec<(Occur, Node)>),
}

/// How close the operands of a [`Node::Near`] must stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proximity {
    /// At most this many other words between them, in any order (`NEAR/5`, `"…"~5`).
    Words(u32),
    /// In one sentence (`NEAR/s`).
    Sentence,
    /// In one passage (`NEAR/p`).
    Passage,
}

/// The largest distance `NEAR/n` and `"…"~n` accept.
pub const MAX_NEAR_DISTANCE: u32 = 1000;

impl Node {
    /// Whether this is a bare word of the text (no qualifier, quotes, prefix or fuzziness).
    pub(crate) fn is_bare(&self) -> bool {
        matches!(
            self,
            Node::Word {
                scope: Scope::Text,
                ..
            }
        )
    }
}

/// How many of `clauses` are bare words that are not excluded.
pub(crate) fn bare_words(clauses: &[(Occur, Node)]) -> usize {
    clauses
        .iter()
        .filter(|(o, n)| *o != Occur::MustNot && n.is_bare())
        .count()
}

/// A parsed query.
///
/// # Example
/// ```
/// use communique::Query;
///
/// let query: Query = "kursk AND NOT missiles".parse()?;
/// assert_eq!(query.as_str(), "kursk AND NOT missiles");
///
/// let err = "\"Security Council".parse::<Query>().unwrap_err();
/// assert_eq!(err.position, 0);
/// assert!(err.message.contains("closing quote"));
/// # Ok::<(), communique::QueryError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    text: String,
    root: Node,
}

impl Query {
    /// Parses a query.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        text.parse()
    }

    /// A query of plain words with no syntax: each whitespace-separated word is a bare word
    /// (optional, ranked), whatever it holds (quotes, `AND`, `*`…). For natural-language
    /// questions and test collections. The first [`MAX_QUERY_TERMS`] words are kept.
    ///
    /// ```
    /// let query = communique::Query::words("what (similarity) laws \"apply\" AND why")?;
    /// assert_eq!(query.as_str(), "what (similarity) laws \"apply\" AND why");
    /// # Ok::<(), communique::QueryError>(())
    /// ```
    pub fn words(text: &str) -> Result<Query, QueryError> {
        let mut clauses = Vec::new();
        let mut offset = 0;
        for word in text.split_whitespace().take(MAX_QUERY_TERMS) {
            let start = offset + text[offset..].find(word).unwrap_or(0);
            offset = start + word.len();
            clauses.push((
                Occur::Should,
                Node::Word {
                    text: word.to_string(),
                    scope: Scope::Text,
                    span: start..offset,
                },
            ));
        }
        if clauses.is_empty() {
            return Err(QueryError::new(text, 0, "empty query"));
        }
        Ok(Query {
            text: text.to_string(),
            root: simplify(clauses),
        })
    }

    /// Bare words (not excluded, not qualified) at the top level of the query.
    pub fn bare_words(&self) -> usize {
        match &self.root {
            Node::Group(clauses) => bare_words(clauses),
            node => usize::from(node.is_bare()),
        }
    }

    /// The query as typed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The syntax tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The same query as typed, with another tree (a corrected one).
    pub(crate) fn with_root(&self, root: Node) -> Query {
        Query {
            text: self.text.clone(),
            root,
        }
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 4096;
/// The most leaves (words, phrases, prefixes, fuzzy words) a query may hold.
pub const MAX_QUERY_TERMS: usize = 64;
/// Parentheses may nest this deep.
const MAX_DEPTH: usize = 32;

impl FromStr for Query {
    type Err = QueryError;

    fn from_str(text: &str) -> Result<Query, QueryError> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(QueryError::new(
                text,
                MAX_QUERY_BYTES,
                format!(
                    "query is {} bytes long; the limit is {MAX_QUERY_BYTES}",
                    text.len()
                ),
            ));
        }
        let tokens = lex(text)?;
        if tokens.is_empty() {
            return Err(QueryError::new(text, 0, "empty query"));
        }
        let leaves = tokens.iter().filter(|t| t.is_leaf()).count();
        if leaves > MAX_QUERY_TERMS {
            let position = tokens
                .iter()
                .filter(|t| t.is_leaf())
                .nth(MAX_QUERY_TERMS)
                .map_or(0, |t| t.span.start);
            return Err(QueryError::new(
                text,
                position,
                format!("query has {leaves} terms; the limit is {MAX_QUERY_TERMS}"),
            ));
        }
        let mut parser = Parser {
            text,
            tokens,
            at: 0,
            depth: 0,
        };
        let root = parser.or_expr()?;
        if let Some(token) = parser.peek() {
            let message = match token.kind {
                Kind::RParen => "unmatched closing parenthesis".to_string(),
                _ => format!("unexpected {}", token.describe()),
            };
            return Err(QueryError::new(text, token.span.start, message));
        }
        Ok(Query {
            text: text.to_string(),
            root,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Word(String),
    Phrase(String),
    Prefix(String),
    Fuzzy(String, u8),
    /// A phrase with `~n`: its words within `n` positions, any order.
    NearPhrase(String, u32),
    Near(Proximity),
    Field(Scope),
    LParen,
    RParen,
    And,
    Or,
    Not,
    Plus,
    Minus,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    span: Range<usize>,
}

impl Token {
    fn is_leaf(&self) -> bool {
        matches!(
            self.kind,
            Kind::Word(_)
                | Kind::Phrase(_)
                | Kind::Prefix(_)
                | Kind::Fuzzy(..)
                | Kind::NearPhrase(..)
        )
    }

    fn describe(&self) -> String {
        match &self.kind {
            Kind::Word(w) | Kind::Prefix(w) | Kind::Fuzzy(w, _) => format!("word `{w}`"),
            Kind::Phrase(_) | Kind::NearPhrase(..) => "phrase".into(),
            Kind::Near(_) => "`NEAR`".into(),
            Kind::Field(_) => "field qualifier".into(),
            Kind::LParen => "`(`".into(),
            Kind::RParen => "`)`".into(),
            Kind::And => "`AND`".into(),
            Kind::Or => "`OR`".into(),
            Kind::Not => "`NOT`".into(),
            Kind::Plus => "`+`".into(),
            Kind::Minus => "`-`".into(),
        }
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

use crate::analysis::marks;

fn is_open_quote(c: char) -> bool {
    c == marks::STRAIGHT || marks::opens(c)
}

fn is_close_quote(c: char) -> bool {
    c == marks::STRAIGHT || marks::closes(c)
}

fn is_delimiter(c: char) -> bool {
    is_space(c) || c == '(' || c == ')' || is_open_quote(c) || is_close_quote(c)
}

fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if is_space(c) {
            chars.next();
        } else if c == '(' || c == ')' {
            chars.next();
            let kind = if c == '(' { Kind::LParen } else { Kind::RParen };
            tokens.push(Token {
                kind,
                span: start..start + 1,
            });
        } else if is_open_quote(c) {
            tokens.push(lex_phrase(text, &mut chars)?);
        } else if is_close_quote(c) {
            // Not an opening quote either (`”`, `»`): a word would stop before it at once.
            return Err(QueryError::new(
                text,
                start,
                format!("this closing quote `{c}` has no opening quote"),
            ));
        } else if (c == '+' || c == '-') && starts_clause(&tokens, text, start) {
            tokens.push(lex_sign(text, &mut chars)?);
        } else {
            lex_word(text, &mut chars, &mut tokens)?;
        }
    }
    Ok(tokens)
}

/// The characters of a query still to lex, with their byte offsets.
type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// A quoted phrase, from its opening quote (the next character) to its closing one.
fn lex_phrase(text: &str, chars: &mut Chars<'_>) -> Result<Token, QueryError> {
    let (start, quote) = chars.next().expect("an opening quote");
    let inner_start = start + quote.len_utf8();
    let mut end = None;
    for (i, d) in chars.by_ref() {
        if is_close_quote(d) {
            end = Some((i, i + d.len_utf8()));
            break;
        }
    }
    let Some((inner_end, after)) = end else {
        return Err(QueryError::new(
            text,
            start,
            "this quote has no closing quote: close the phrase with `\"`",
        ));
    };
    let phrase = &text[inner_start..inner_end];
    if phrase.trim().is_empty() {
        return Err(QueryError::new(text, start, "empty phrase"));
    }
    if let Some(&(tilde, '~')) = chars.peek() {
        chars.next();
        let digits_start = tilde + 1;
        let mut digits_end = digits_start;
        while let Some(&(i, d)) = chars.peek() {
            if is_delimiter(d) {
                break;
            }
            digits_end = i + d.len_utf8();
            chars.next();
        }
        let digits = &text[digits_start..digits_end];
        let distance = near_distance(text, digits_start, digits, "`\"…\"~`")?;
        return Ok(Token {
            kind: Kind::NearPhrase(phrase.to_string(), distance),
            span: start..digits_end,
        });
    }
    Ok(Token {
        kind: Kind::Phrase(phrase.to_string()),
        span: start..after,
    })
}

/// The distance after `NEAR/` or a phrase's `~` (`digits`, at `position`): a number up to
/// [`MAX_NEAR_DISTANCE`].
fn near_distance(text: &str, position: usize, digits: &str, what: &str) -> Result<u32, QueryError> {
    if digits.is_empty() {
        return Err(QueryError::new(
            text,
            position,
            format!("{what} needs a distance in words after it, such as 5"),
        ));
    }
    match digits.parse::<u32>() {
        Ok(n) if n <= MAX_NEAR_DISTANCE && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        Ok(_) => Err(QueryError::new(
            text,
            position,
            format!("the distance {digits} is over the limit of {MAX_NEAR_DISTANCE} words"),
        )),
        Err(_) => Err(QueryError::new(
            text,
            position,
            format!("{what} needs a distance in words, not `{digits}`"),
        )),
    }
}

/// A `+` or `-` (the next character) that starts a clause: it must be followed by one.
fn lex_sign(text: &str, chars: &mut Chars<'_>) -> Result<Token, QueryError> {
    let (start, c) = chars.next().expect("a sign");
    match chars.peek() {
        Some(&(_, d)) if !is_space(d) && d != ')' => {}
        _ => {
            return Err(QueryError::new(
                text,
                start,
                format!("`{c}` must be followed by a word, a phrase or a group, with no space"),
            ));
        }
    }
    let kind = if c == '+' { Kind::Plus } else { Kind::Minus };
    Ok(Token {
        kind,
        span: start..start + 1,
    })
}

/// A word, up to the next space, parenthesis or quote; or a field qualifier (`title:`), which
/// ends at its colon.
fn lex_word(text: &str, chars: &mut Chars<'_>, tokens: &mut Vec<Token>) -> Result<(), QueryError> {
    let Some(&(start, _)) = chars.peek() else {
        return Ok(());
    };
    let mut end = start;
    while let Some(&(i, d)) = chars.peek() {
        if is_delimiter(d) {
            break;
        }
        end = i + d.len_utf8();
        chars.next();
        // A field qualifier ends the word at its colon: `title:"…"`, `title:(…)`.
        if d == ':'
            && let Some(scope) = Scope::from_name(&text[start..i])
        {
            let followed = chars.peek().is_some_and(|&(_, n)| !is_space(n) && n != ')');
            if !followed {
                return Err(QueryError::new(
                    text,
                    start,
                    format!(
                        "`{}` must be followed by a word, a phrase or a group, with no space",
                        &text[start..end]
                    ),
                ));
            }
            tokens.push(Token {
                kind: Kind::Field(scope),
                span: start..end,
            });
            return Ok(());
        }
    }
    if end > start {
        tokens.push(word_token(text, start..end)?);
    }
    Ok(())
}

/// Is a `+` or `-` at `position` a prefix operator (at the start of a clause)?
fn starts_clause(tokens: &[Token], text: &str, position: usize) -> bool {
    let before = text[..position].chars().next_back();
    match before {
        None => true,
        Some(c) if is_space(c) || c == '(' => true,
        Some(_) => matches!(tokens.last().map(|t| &t.kind), Some(Kind::Field(_))),
    }
}

fn word_token(text: &str, span: Range<usize>) -> Result<Token, QueryError> {
    let word = &text[span.clone()];
    let kind = match word {
        "AND" | "&&" => Kind::And,
        "OR" | "||" => Kind::Or,
        "NOT" => Kind::Not,
        _ if word.starts_with("NEAR/") => {
            let rest = &word["NEAR/".len()..];
            let at = span.start + "NEAR/".len();
            match rest {
                "s" | "S" => Kind::Near(Proximity::Sentence),
                "p" | "P" => Kind::Near(Proximity::Passage),
                "" => {
                    return Err(QueryError::new(
                        text,
                        span.start,
                        "`NEAR/` needs a distance: NEAR/5 (within 5 words), NEAR/s (same \
                         sentence) or NEAR/p (same passage)",
                    ));
                }
                _ if rest.bytes().all(|b| b.is_ascii_digit()) => {
                    Kind::Near(Proximity::Words(near_distance(text, at, rest, "`NEAR/`")?))
                }
                _ => {
                    return Err(QueryError::new(
                        text,
                        at,
                        format!(
                            "`NEAR/{rest}` is not a proximity: use NEAR/5 (within 5 words), \
                             NEAR/s (same sentence) or NEAR/p (same passage)"
                        ),
                    ));
                }
            }
        }
        _ => {
            // Unknown qualifiers: `name:value` where `name` is a plain word.
            if let Some((name, rest)) = word.split_once(':')
                && !name.is_empty()
                && name.chars().all(char::is_alphabetic)
                && !rest.is_empty()
                && !rest.starts_with('/')
            {
                return Err(QueryError::new(
                    text,
                    span.start,
                    format!("unknown field `{name}`: the fields are title, source and text"),
                ));
            }
            if let Some(tilde) = word.rfind('~') {
                let base = &word[..tilde];
                let digits = &word[tilde + 1..];
                let distance = match digits {
                    "" => 1,
                    "0" => 0,
                    "1" => 1,
                    "2" => 2,
                    _ => {
                        return Err(QueryError::new(
                            text,
                            span.start + tilde,
                            format!("fuzzy distance must be 0, 1 or 2, not `{digits}`"),
                        ));
                    }
                };
                check_plain(text, span.start, base)?;
                Kind::Fuzzy(base.to_string(), distance)
            } else if let Some(base) = word.strip_suffix('*') {
                check_plain(text, span.start, base)?;
                Kind::Prefix(base.to_string())
            } else {
                check_plain(text, span.start, word)?;
                Kind::Word(word.to_string())
            }
        }
    };
    Ok(Token { kind, span })
}

/// A word must not be empty and may hold `*` and `~` only at its end.
fn check_plain(text: &str, start: usize, word: &str) -> Result<(), QueryError> {
    if word.is_empty() || !word.chars().any(char::is_alphanumeric) {
        if word.is_empty() {
            return Err(QueryError::new(
                text,
                start,
                "`*` or `~` needs a word before it",
            ));
        }
        return Ok(());
    }
    if let Some(i) = word.find(['*', '?']) {
        return Err(QueryError::new(
            text,
            start + i,
            "wildcards are only supported at the end of a word (`negotiat*`)",
        ));
    }
    if let Some(i) = word.find('~') {
        return Err(QueryError::new(
            text,
            start + i,
            "`~` may only end a word (`kursk~1`)",
        ));
    }
    Ok(())
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

/// A prefix on a clause: `+`, `-` or `NOT`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Modifier {
    None,
    Require,
    Exclude,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn error(&self, position: usize, message: impl Into<String>) -> QueryError {
        QueryError::new(self.text, position, message)
    }

    fn end(&self) -> usize {
        self.text.len()
    }

    /// `seq (OR seq)*`
    fn or_expr(&mut self) -> Result<Node, QueryError> {
        let mut alternatives = vec![self.seq()?];
        while let Some(token) = self.peek() {
            if token.kind != Kind::Or {
                break;
            }
            let or = self.next().expect("peeked");
            match self.peek() {
                None => return Err(self.error(or.span.start, "`OR` needs something after it")),
                Some(t) if matches!(t.kind, Kind::Or | Kind::And | Kind::RParen) => {
                    return Err(self.error(
                        t.span.start,
                        format!("unexpected {} after `OR`", t.describe()),
                    ));
                }
                _ => {}
            }
            alternatives.push(self.seq()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().expect("one")
        } else {
            Node::Group(
                alternatives
                    .into_iter()
                    .map(|n| (Occur::Should, n))
                    .collect(),
            )
        })
    }

    /// `and_expr+`, up to `)`, `OR` or the end.
    fn seq(&mut self) -> Result<Node, QueryError> {
        let mut clauses = Vec::new();
        while let Some(token) = self.peek() {
            match token.kind {
                Kind::RParen | Kind::Or => break,
                Kind::And => {
                    let position = token.span.start;
                    return Err(self.error(position, "`AND` needs something before it"));
                }
                _ => {}
            }
            let (modifier, node) = self.and_expr()?;
            let occur = match modifier {
                Modifier::Require => Occur::Must,
                Modifier::Exclude => Occur::MustNot,
                Modifier::None if requires(&node) => Occur::Must,
                Modifier::None => Occur::Should,
            };
            push_clause(&mut clauses, occur, node);
        }
        if clauses.is_empty() {
            let position = self.peek().map_or(self.end(), |t| t.span.start);
            let message = match self.peek() {
                Some(t) if t.kind == Kind::Or => "`OR` needs something before it".to_string(),
                Some(t) if t.kind == Kind::RParen => "empty parentheses".to_string(),
                _ => "expected a word, a phrase or a group".to_string(),
            };
            return Err(self.error(position, message));
        }
        Ok(simplify(clauses))
    }

    /// `unary (AND unary)*`
    fn and_expr(&mut self) -> Result<(Modifier, Node), QueryError> {
        let first = self.unary()?;
        let mut operands = vec![first];
        while let Some(token) = self.peek() {
            if token.kind != Kind::And {
                break;
            }
            let and = self.next().expect("peeked");
            match self.peek() {
                None => return Err(self.error(and.span.start, "`AND` needs something after it")),
                Some(t) if matches!(t.kind, Kind::Or | Kind::And | Kind::RParen) => {
                    return Err(self.error(
                        t.span.start,
                        format!("unexpected {} after `AND`", t.describe()),
                    ));
                }
                _ => {}
            }
            operands.push(self.unary()?);
        }
        if operands.len() == 1 {
            return Ok(operands.pop().expect("one"));
        }
        let mut clauses = Vec::new();
        for (modifier, node) in operands {
            let occur = if modifier == Modifier::Exclude {
                Occur::MustNot
            } else {
                Occur::Must
            };
            push_clause(&mut clauses, occur, node);
        }
        Ok((Modifier::None, Node::Group(clauses)))
    }

    /// `(NOT | + | -) primary | primary`
    fn unary(&mut self) -> Result<(Modifier, Node), QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error(self.end(), "expected a word, a phrase or a group"));
        };
        let modifier = match token.kind {
            Kind::Not | Kind::Minus => Modifier::Exclude,
            Kind::Plus => Modifier::Require,
            _ => return Ok((Modifier::None, self.near()?)),
        };
        self.next();
        match self.peek() {
            None => Err(self.error(
                token.span.start,
                format!("{} needs something after it", token.describe()),
            )),
            Some(t) if matches!(t.kind, Kind::Not | Kind::Plus | Kind::Minus) => Err(self.error(
                t.span.start,
                format!("{} cannot follow {}", t.describe(), token.describe()),
            )),
            Some(t) if matches!(t.kind, Kind::And | Kind::Or | Kind::RParen) => Err(self.error(
                t.span.start,
                format!("unexpected {} after {}", t.describe(), token.describe()),
            )),
            _ => Ok((modifier, self.near()?)),
        }
    }

    /// `primary (NEAR/… primary)?`: two operands, each a word, a phrase, a prefix or a fuzzy
    /// word.
    fn near(&mut self) -> Result<Node, QueryError> {
        let left = self.primary(Scope::Text)?;
        let Some(Token {
            kind: Kind::Near(within),
            span: near_span,
        }) = self.peek().cloned()
        else {
            return Ok(left);
        };
        self.next();
        let operand = |node: &Node| {
            matches!(
                node,
                Node::Word { .. } | Node::Phrase { .. } | Node::Prefix { .. } | Node::Fuzzy { .. }
            )
        };
        if !operand(&left) {
            return Err(self.error(
                near_span.start,
                "`NEAR` needs a word or a phrase before it, not a group",
            ));
        }
        match self.peek() {
            Some(t)
                if matches!(
                    t.kind,
                    Kind::Word(_) | Kind::Phrase(_) | Kind::Prefix(_) | Kind::Fuzzy(..)
                ) => {}
            Some(t) => {
                return Err(self.error(
                    t.span.start,
                    format!(
                        "`NEAR` needs a word or a phrase after it, not {}",
                        t.describe()
                    ),
                ));
            }
            None => {
                return Err(self.error(near_span.start, "`NEAR` needs a word or a phrase after it"));
            }
        }
        let right = self.primary(Scope::Text)?;
        if let Some(t) = self.peek()
            && matches!(t.kind, Kind::Near(_))
        {
            return Err(self.error(
                t.span.start,
                "`NEAR` joins two words or phrases: combine several with AND, as in \
                 `(a NEAR/5 b) AND (b NEAR/5 c)`",
            ));
        }
        let span = span_of(&left).start..span_of(&right).end;
        Ok(Node::Near {
            operands: vec![left, right],
            within,
            span,
        })
    }

    /// A word, a phrase, a prefix, a fuzzy word, a `"…"~n` proximity, a field qualifier and
    /// what it qualifies, or a group in parentheses (in `scope` unless qualified).
    fn primary(&mut self, scope: Scope) -> Result<Node, QueryError> {
        let Some(token) = self.next() else {
            return Err(self.error(self.end(), "expected a word, a phrase or a group"));
        };
        let span = token.span.clone();
        match token.kind {
            Kind::Word(text) => Ok(Node::Word { text, scope, span }),
            Kind::Phrase(text) => Ok(Node::Phrase { text, scope, span }),
            Kind::Prefix(text) => Ok(Node::Prefix { text, scope, span }),
            Kind::Fuzzy(text, distance) => Ok(Node::Fuzzy {
                text,
                distance,
                scope,
                span,
            }),
            Kind::NearPhrase(words, distance) => self.near_phrase(&words, distance, span),
            Kind::Near(_) => {
                Err(self.error(span.start, "`NEAR` needs a word or a phrase before it"))
            }
            Kind::Field(inner) => self.qualified(inner, span),
            Kind::LParen => self.parenthesised(scope, span),
            Kind::RParen => Err(self.error(span.start, "unmatched closing parenthesis")),
            Kind::And | Kind::Or | Kind::Not | Kind::Plus | Kind::Minus => Err(self.error(
                span.start,
                format!("unexpected {}", token_describe(&token.kind)),
            )),
        }
    }

    /// `"w1 w2 …"~distance` at `span`: each word of the phrase, exact, anywhere within
    /// `distance` of the others.
    fn near_phrase(
        &self,
        words: &str,
        distance: u32,
        span: Range<usize>,
    ) -> Result<Node, QueryError> {
        let inner = span.start + 1;
        let mut operands = Vec::new();
        let mut offset = 0;
        for word in words.split_whitespace() {
            let at = offset + words[offset..].find(word).unwrap_or(0);
            offset = at + word.len();
            operands.push(Node::Phrase {
                text: word.to_string(),
                scope: Scope::Text,
                span: inner + at..inner + offset,
            });
        }
        if operands.len() < 2 {
            return Err(self.error(
                span.start,
                "`\"…\"~n` needs at least two words between the quotes",
            ));
        }
        Ok(Node::Near {
            operands,
            within: Proximity::Words(distance),
            span,
        })
    }

    /// What a field qualifier at `span` qualifies: the word, phrase or group after it, in
    /// `scope`.
    fn qualified(&mut self, scope: Scope, span: Range<usize>) -> Result<Node, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(
                Kind::Word(_) | Kind::Phrase(_) | Kind::Prefix(_) | Kind::Fuzzy(..) | Kind::LParen,
            ) => self.primary(scope),
            _ => Err(self.error(
                span.start,
                "a field qualifier must be followed by a word, a phrase or a group",
            )),
        }
    }

    /// The group after an opening parenthesis at `span`, up to its closing one, in `scope`.
    fn parenthesised(&mut self, scope: Scope, span: Range<usize>) -> Result<Node, QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                span.start,
                format!("parentheses nest deeper than {MAX_DEPTH}"),
            ));
        }
        let inner = self.or_expr()?;
        self.depth -= 1;
        match self.next() {
            Some(t) if t.kind == Kind::RParen => Ok(with_scope(inner, scope)),
            _ => Err(self.error(span.start, "this parenthesis is never closed")),
        }
    }
}

fn token_describe(kind: &Kind) -> String {
    Token {
        kind: kind.clone(),
        span: 0..0,
    }
    .describe()
}

/// The byte range of a leaf or a proximity in the query (`0..0` for a group).
fn span_of(node: &Node) -> Range<usize> {
    match node {
        Node::Word { span, .. }
        | Node::Phrase { span, .. }
        | Node::Prefix { span, .. }
        | Node::Fuzzy { span, .. }
        | Node::Near { span, .. } => span.clone(),
        Node::Group(_) => 0..0,
    }
}

/// Applies a field qualifier to every leaf of a group that has none of its own.
fn with_scope(node: Node, scope: Scope) -> Node {
    if scope == Scope::Text {
        return node;
    }
    match node {
        Node::Word {
            text,
            scope: Scope::Text,
            span,
        } => Node::Word { text, scope, span },
        Node::Phrase {
            text,
            scope: Scope::Text,
            span,
        } => Node::Phrase { text, scope, span },
        Node::Prefix {
            text,
            scope: Scope::Text,
            span,
        } => Node::Prefix { text, scope, span },
        Node::Fuzzy {
            text,
            distance,
            scope: Scope::Text,
            span,
        } => Node::Fuzzy {
            text,
            distance,
            scope,
            span,
        },
        Node::Group(clauses) => Node::Group(
            clauses
                .into_iter()
                .map(|(occur, node)| (occur, with_scope(node, scope)))
                .collect(),
        ),
        other => other,
    }
}

/// Does this node require something by itself (so that, in a sequence, it is required)?
fn requires(node: &Node) -> bool {
    match node {
        Node::Word { .. } | Node::Prefix { .. } | Node::Fuzzy { .. } => false,
        Node::Phrase { .. } | Node::Near { .. } => true,
        Node::Group(clauses) => {
            clauses.iter().any(|(o, _)| *o == Occur::Must)
                || (clauses.iter().all(|(o, _)| *o == Occur::Should)
                    && clauses.iter().all(|(_, n)| requires(n)))
                || clauses.iter().all(|(o, _)| *o == Occur::MustNot)
        }
    }
}

/// Adds a clause, lifting the clauses of a purely negative group (`a (NOT b)` is `a -b`).
fn push_clause(clauses: &mut Vec<(Occur, Node)>, occur: Occur, node: Node) {
    match node {
        Node::Group(inner)
            if occur == Occur::Must && inner.iter().all(|(o, _)| *o == Occur::MustNot) =>
        {
            clauses.extend(inner);
        }
        node => clauses.push((occur, node)),
    }
}

/// One clause that is not excluded stands for itself.
fn simplify(mut clauses: Vec<(Occur, Node)>) -> Node {
    if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
        return clauses.pop().expect("one").1;
    }
    Node::Group(clauses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        text.parse::<Query>()
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .root
    }

    fn error(text: &str) -> QueryError {
        text.parse::<Query>().expect_err(text)
    }

    fn word(text: &str, start: usize) -> Node {
        Node::Word {
            text: text.into(),
            scope: Scope::Text,
            span: start..start + text.len(),
        }
    }

    #[test]
    fn bare_words_are_optional_phrases_required() {
        assert_eq!(
            parse("kursk \"Security Council\""),
            Node::Group(vec![
                (Occur::Should, word("kursk", 0)),
                (
                    Occur::Must,
                    Node::Phrase {
                        text: "Security Council".into(),
                        scope: Scope::Text,
                        span: 6..24
                    }
                ),
            ])
        );
        assert_eq!(parse("kursk"), word("kursk", 0));
    }

    #[test]
    fn and_not_excludes() {
        let expected = Node::Group(vec![
            (Occur::Must, word("kursk", 0)),
            (Occur::MustNot, word("missiles", 14)),
        ]);
        assert_eq!(parse("kursk AND NOT missiles"), expected);
        assert_eq!(
            parse("kursk -missiles"),
            Node::Group(vec![
                (Occur::Should, word("kursk", 0)),
                (Occur::MustNot, word("missiles", 7)),
            ])
        );
        // A purely negative group in a sequence is lifted: `a (NOT b)` is `a -b`.
        assert_eq!(
            parse("kursk (NOT missiles)"),
            Node::Group(vec![
                (Occur::Should, word("kursk", 0)),
                (Occur::MustNot, word("missiles", 11)),
            ])
        );
    }

    #[test]
    fn precedence_and_groups() {
        // AND binds tighter than a sequence; the AND chain is required.
        assert_eq!(
            parse("a AND b c"),
            Node::Group(vec![
                (
                    Occur::Must,
                    Node::Group(vec![
                        (Occur::Must, word("a", 0)),
                        (Occur::Must, word("b", 6))
                    ])
                ),
                (Occur::Should, word("c", 8)),
            ])
        );
        assert_eq!(
            parse("a OR b"),
            Node::Group(vec![
                (Occur::Should, word("a", 0)),
                (Occur::Should, word("b", 5))
            ])
        );
        assert_eq!(
            parse("+a -b"),
            Node::Group(vec![
                (Occur::Must, word("a", 1)),
                (Occur::MustNot, word("b", 4))
            ])
        );
    }

    #[test]
    fn qualifiers_prefixes_and_fuzzy() {
        assert_eq!(
            parse("title:kursk"),
            Node::Word {
                text: "kursk".into(),
                scope: Scope::Title,
                span: 6..11
            }
        );
        let Node::Group(clauses) = parse("source:(VOA OR Reuters)") else {
            panic!("a group")
        };
        assert!(clauses.iter().all(|(_, n)| matches!(
            n,
            Node::Word {
                scope: Scope::Source,
                ..
            }
        )));
        assert_eq!(
            parse("negotiat*"),
            Node::Prefix {
                text: "negotiat".into(),
                scope: Scope::Text,
                span: 0..9
            }
        );
        assert_eq!(
            parse("kursk~1"),
            Node::Fuzzy {
                text: "kursk".into(),
                distance: 1,
                scope: Scope::Text,
                span: 0..7
            }
        );
        assert!(matches!(parse("Kursk-region"), Node::Word { .. }));
        assert!(matches!(parse("U.S.-led"), Node::Word { .. }));
    }

    #[test]
    fn broken_syntax_points_at_the_position() {
        let cases = [
            ("\"Security Council", 0, "closing quote"),
            ("(kursk", 0, "never closed"),
            ("kursk)", 5, "unmatched"),
            ("AND", 0, "before it"),
            ("kursk AND", 6, "after it"),
            ("kursk OR", 6, "after it"),
            ("OR kursk", 0, "before it"),
            ("NOT", 0, "after it"),
            ("kursk NOT NOT x", 10, "cannot follow"),
            ("()", 1, "empty parentheses"),
            ("foo:bar", 0, "unknown field `foo`"),
            ("kursk~3", 5, "fuzzy distance"),
            ("ku*rsk", 2, "end of a word"),
            ("title: kursk", 0, "must be followed"),
            ("kursk - missiles", 6, "must be followed"),
            ("\"\"", 0, "empty phrase"),
            ("", 0, "empty query"),
            ("   ", 0, "empty query"),
            ("a AND OR b", 6, "after `AND`"),
        ];
        for (query, position, message) in cases {
            let err = error(query);
            assert_eq!(err.position, position, "{query}: {err}");
            assert!(err.message.contains(message), "{query}: {}", err.message);
        }
    }

    #[test]
    fn typographic_quotes_and_limits() {
        assert!(matches!(parse("“Security Council”"), Node::Phrase { .. }));
        let long = "word ".repeat(MAX_QUERY_TERMS + 1);
        assert!(error(&long).message.contains("the limit is"));
        let huge = "x".repeat(MAX_QUERY_BYTES + 1);
        assert!(error(&huge).message.contains("bytes long"));
        let deep = format!("{}x{}", "(".repeat(40), ")".repeat(40));
        assert!(error(&deep).message.contains("nest deeper"));
        // Column counts characters, not bytes.
        let err = error("Kyïv (x");
        assert_eq!((err.position, err.column()), (6, 6));
        // A closing quote that opens nothing (found by the highlight fuzz target: the lexer
        // looped on it forever).
        for (query, column) in [("”", 1), ("kursk »", 7), ("Kursk” troops", 6)] {
            let err = error(query);
            assert!(
                err.message.contains("has no opening quote"),
                "{query}: {err:?}"
            );
            assert_eq!(err.column(), column, "{query}");
        }
    }

    #[test]
    fn proximities_bind_tighter_than_not_and_and() {
        let near = |left: Node, right: Node, within, span: Range<usize>| Node::Near {
            operands: vec![left, right],
            within,
            span,
        };
        assert_eq!(
            parse("kursk NEAR/5 troops"),
            near(
                word("kursk", 0),
                word("troops", 13),
                Proximity::Words(5),
                0..19
            )
        );
        assert_eq!(
            parse("NOT a NEAR/s b AND c"),
            Node::Group(vec![
                (
                    Occur::MustNot,
                    near(word("a", 4), word("b", 13), Proximity::Sentence, 4..14)
                ),
                (Occur::Must, word("c", 19)),
            ])
        );
        // A proximity in a sequence is required, like a phrase.
        let Node::Group(clauses) = parse("x a NEAR/p b") else {
            panic!("a group")
        };
        assert_eq!(clauses[1].0, Occur::Must);
        let Node::Near {
            operands, within, ..
        } = parse("\"north korean troops\"~5")
        else {
            panic!("a proximity")
        };
        assert_eq!(within, Proximity::Words(5));
        let words: Vec<_> = operands
            .iter()
            .map(|n| match n {
                Node::Phrase { text, span, .. } => (text.as_str(), span.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            words,
            [("north", 1..6), ("korean", 7..13), ("troops", 14..20)]
        );
        // `NEAR` without a slash is a word.
        assert!(matches!(parse("NEAR"), Node::Word { .. }));
        assert!(error("a NEAR/1001 b").message.contains("over the limit"));
    }

    #[test]
    fn urls_and_colons_are_words() {
        assert!(matches!(parse("https://example.org"), Node::Word { .. }));
        assert!(matches!(parse("16:00"), Node::Word { .. }));
        assert!(matches!(parse("Note: kursk"), Node::Group(_)));
    }
}
