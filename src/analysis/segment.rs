//! Segmentation of text into lines, paragraphs and sentences: the one definition, used by the
//! passage splitter (`corpus`), the entity and quotation finders (`domain`) and the highlighter.
//!
//! 1. **Lines.** [`lines`] gives the non-blank lines, trimmed.
//! 2. **Paragraphs.** A blank line always ends a paragraph. A single newline ends one only when
//!    the line before ends a sentence (`.`, `!`, `?`, `:` or `…`, possibly followed by a
//!    closing quote or bracket, and not after an abbreviation such as `Mr.`), or when the next
//!    line starts a list item or a heading. Otherwise the newline is a soft wrap, as in the UN
//!    verbatim records, whose lines break where the PDF did. A line that does not end a
//!    sentence runs on across blank lines too, and the furniture of a printed page (`27
//!    10-55128`) stays with the text before it.
//! 3. **Sentences.** A sentence ends at `.`, `!`, `?` or `…` (with any closing quotes or
//!    brackets after it) followed by whitespace and a word that is not lower case.
//!    Abbreviations (`U.N.`, `U.S.`, `Mr.`, `No. 5`, initials) do not end a sentence. A single
//!    sentence longer than a given number of words is cut inside, at a `;` or `,` if it has one.

use std::ops::Range;

use super::marks;

/// The sentences of `body` as trimmed byte ranges, by the rules passages use (long sentences
/// are not cut).
pub(crate) fn sentence_ranges(body: &str) -> Vec<Range<usize>> {
    paragraphs(body)
        .into_iter()
        .flat_map(|range| sentences(body, range, usize::MAX))
        .map(|s| s.start..s.end)
        .collect()
}

/// A sentence: its trimmed byte range and its number of words.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sentence {
    /// Byte offset of the sentence's first byte.
    pub(crate) start: usize,
    /// Byte offset just past its last byte.
    pub(crate) end: usize,
    /// Its number of words.
    pub(crate) words: usize,
}

/// Words that end with a period without ending a sentence (compared in lower case, without the
/// final period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "lt", "col", "maj", "capt", "cmdr",
    "adm", "sgt", "sen", "rep", "gov", "amb", "pres", "hon", "rev", "fr", "messrs", "mme", "mmes",
    "no", "nos", "art", "arts", "para", "paras", "vol", "pp", "p", "ch", "sec", "fig", "ed", "eds",
    "approx", "dept", "est", "etc", "vs", "viz", "cf", "al", "inc", "ltd", "co", "corp", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "op", "res",
];

/// Is the word that ends at a period an abbreviation that does not end a sentence?
fn is_abbreviation(word: &str, next: Option<char>) -> bool {
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() {
        return false;
    }
    // Dotted abbreviations (U.S, U.N, e.g, a.m) and single letters (initials: Antony J.).
    if word.contains('.') || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic)) {
        return true;
    }
    let lower = word.to_lowercase();
    if lower == "no" || lower == "nos" {
        // "No. 5" is a number; "he said no." ends a sentence.
        return word.starts_with('N') && next.is_some_and(|c| c.is_ascii_digit());
    }
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Marks that may follow a sentence's final stop: quotation marks, brackets, emphasis.
fn is_closer(c: char) -> bool {
    marks::closes(c) || matches!(c, '"' | '\'' | '’' | ')' | ']' | '*' | '_')
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Does this (right-trimmed) line end a sentence, so that a newline after it ends a paragraph?
fn line_ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end_matches(is_closer);
    let Some(last) = trimmed.chars().next_back() else {
        return false;
    };
    if last == ':' {
        return true;
    }
    if !is_terminator(last) {
        return false;
    }
    if last == '.' {
        let before = &trimmed[..trimmed.len() - 1];
        let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
        return !is_abbreviation(word, None);
    }
    true
}

/// Does this line start a list item or a heading?
fn starts_block(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with('#') || line.starts_with("• ") || line.starts_with("- ") {
        return true;
    }
    if line.starts_with("* ") {
        return true;
    }
    // "1. " or "(a) " list markers.
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 4 && line[digits..].starts_with(". ") {
        return true;
    }
    false
}

/// The non-blank lines of `body` as trimmed byte ranges: what paragraphs are made of, and
/// the units quotations are found in.
pub(crate) fn lines(body: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            continue;
        }
        let start = line_start + (content.len() - content.trim_start().len());
        let end = line_start + content.trim_end().len();
        out.push(start..end);
    }
    out
}

/// The paragraphs of `body` as trimmed byte ranges (rule 1 of the module's doc).
pub(crate) fn paragraphs(body: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut current: Option<Range<usize>> = None;
    let mut previous_line = "";
    for line in lines(body) {
        let (start, end) = (line.start, line.end);
        let trimmed = &body[line];
        if is_page_furniture(trimmed) {
            // A page header or footer of a printed record: it stays with the text before it,
            // and the page break around it is not a paragraph break.
            match current.as_mut() {
                Some(range) => range.end = end,
                None => current = Some(start..end),
            }
            continue;
        }
        // A line that does not end a sentence runs on into the next, even across blank lines
        // (page breaks of printed records); a heading or list item starts a paragraph.
        let content = body[start..].split('\n').next().unwrap_or("");
        let continues = current.is_some()
            && !line_ends_sentence(previous_line)
            && !starts_block(content.trim_end_matches('\r'));
        match current.as_mut() {
            Some(range) if continues => range.end = end,
            _ => {
                out.extend(current.take());
                current = Some(start..end);
            }
        }
        previous_line = trimmed;
    }
    out.extend(current);
    out
}

/// Is this line the furniture of a printed page, such as `27 10-55128` or
/// `21/09/2011 A/66/PV.11` in the UN verbatim records?
fn is_page_furniture(line: &str) -> bool {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    if tokens.is_empty() || tokens.len() > 3 {
        return false;
    }
    let symbol = |t: &str| t.starts_with("A/") && t.contains("/PV.");
    let numeric = |t: &str| {
        t.chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '/')
    };
    let document_number = |t: &str| {
        t.split_once('-').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
        })
    };
    tokens.iter().all(|t| symbol(t) || numeric(t))
        && tokens.iter().any(|t| symbol(t) || document_number(t))
}

/// The number of words in `text`: runs of non-space that hold a letter or a digit.
pub(crate) fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// The sentences of one paragraph.
pub(crate) fn sentences(
    body: &str,
    range: Range<usize>,
    max_sentence_words: usize,
) -> Vec<Sentence> {
    let text = &body[range.clone()];
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_terminator(c) {
            continue;
        }
        // Take the run of terminators and closers: `?!`, `."`, `.)”`.
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if is_terminator(d) || is_closer(d) {
                end = j + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let rest = &text[end..];
        let Some(first) = rest.chars().next() else {
            break;
        };
        if !first.is_whitespace() {
            continue;
        }
        let next = rest.trim_start().chars().next();
        if next.is_some_and(|n| n.is_lowercase()) {
            continue;
        }
        if c == '.' {
            let word = text[start..i]
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or("");
            if is_abbreviation(word, next) {
                continue;
            }
        }
        push_sentence(&mut out, range.start, text, start..end, max_sentence_words);
        start = end;
    }
    push_sentence(
        &mut out,
        range.start,
        text,
        start..text.len(),
        max_sentence_words,
    );
    out
}

/// Adds the sentence `text[range]` (trimmed), cut inside if it is absurdly long.
fn push_sentence(
    out: &mut Vec<Sentence>,
    base: usize,
    text: &str,
    range: Range<usize>,
    max_words: usize,
) {
    let piece = &text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if trimmed.is_empty() {
        return;
    }
    let start = range.start + lead;
    let words = count_words(trimmed);
    if words <= max_words {
        out.push(Sentence {
            start: base + start,
            end: base + start + trimmed.len(),
            words,
        });
        return;
    }
    // Cut a run-on sentence into pieces of at most `max_words` words, preferring the last `;`
    // or `,` before the limit.
    let mut piece_start = 0;
    let mut count = 0;
    let mut last_clause: Option<usize> = None;
    let mut in_word = false;
    let mut word_has_alnum = false;
    for (i, c) in trimmed.char_indices() {
        if c.is_whitespace() {
            if in_word && word_has_alnum {
                count += 1;
            }
            in_word = false;
            word_has_alnum = false;
            if count >= max_words {
                let cut = last_clause.unwrap_or(i);
                let text_piece = trimmed[piece_start..cut].trim_end();
                let words = count_words(text_piece);
                out.push(Sentence {
                    start: base + start + piece_start,
                    end: base + start + piece_start + text_piece.len(),
                    words,
                });
                piece_start = cut + trimmed[cut..].len() - trimmed[cut..].trim_start().len();
                count = trimmed.get(piece_start..i).map_or(0, count_words);
                last_clause = None;
            }
        } else {
            in_word = true;
            word_has_alnum |= c.is_alphanumeric();
            if matches!(c, ';' | ',') && count * 2 >= max_words {
                last_clause = Some(i + 1);
            }
        }
    }
    let tail = trimmed[piece_start..].trim();
    if !tail.is_empty() {
        out.push(Sentence {
            start: base + start + piece_start,
            end: base + start + piece_start + tail.len(),
            words: count_words(tail),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        sentences(text, 0..text.len(), 240)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let text = "The U.N. Security Council met. Mr. Smith and Antony J. Blinken spoke about Resolution No. 5 and the U.S. position. He said no. Then it ended.";
        assert_eq!(
            texts(text),
            [
                "The U.N. Security Council met.",
                "Mr. Smith and Antony J. Blinken spoke about Resolution No. 5 and the U.S. position.",
                "He said no.",
                "Then it ended."
            ]
        );
    }

    #[test]
    fn quotes_close_sentences() {
        let text = "“We condemn it,” he said. “It is illegal.” The vote followed.";
        assert_eq!(
            texts(text),
            [
                "“We condemn it,” he said.",
                "“It is illegal.”",
                "The vote followed."
            ]
        );
    }

    #[test]
    fn page_furniture_is_recognised() {
        for line in [
            "27 10-55128",
            "10-55122 46",
            "21/09/2011 A/66/PV.11",
            "9/23 10-54959",
        ] {
            assert!(is_page_furniture(line), "{line}");
        }
        for line in ["2020-2030.", "1999", "Kursk 10-12", "the 10-year plan"] {
            assert!(!is_page_furniture(line), "{line}");
        }
    }
}
