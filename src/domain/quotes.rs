//! Quotations: the spans of text inside quotation marks, and who said them when the sentence
//! around the quotation names a speaker or a statement.
//!
//! Double quotation marks only: straight `"…"`, typographic `“…”`, low-high `„…“` and
//! guillemets `«…»`. Single marks are not read as quotation marks (`’` is far more often an
//! apostrophe). A quotation never crosses a paragraph, except by the press convention for a
//! quotation of several paragraphs: a paragraph left open and the next one opening again
//! continue the same quotation (each paragraph is then its own span).

use std::ops::Range;

use crate::analysis::marks;

/// A quotation in a text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Quotation {
    /// Byte range of the quoted words (inside the quotation marks).
    pub range: Range<usize>,
    /// Who said it, when the surrounding sentence says so: a name (`Mr. Nebenzia`,
    /// `Antonio Guterres`) or a statement (`the joint statement`).
    pub speaker: Option<String>,
}

impl Quotation {
    /// Does the quotation hold all of `range` (a highlight of the same text), so that the
    /// words there are quoted?
    pub fn holds(&self, range: &Range<usize>) -> bool {
        self.range.start <= range.start && range.end <= self.range.end
    }
}

/// A quotation longer than this (bytes, within one paragraph) is taken for a stray mark.
pub const MAX_QUOTATION_BYTES: usize = 4096;

/// Verbs that attribute a quotation.
const VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "added",
    "adds",
    "stated",
    "states",
    "told",
    "tells",
    "declared",
    "declares",
    "noted",
    "notes",
    "warned",
    "warns",
    "wrote",
    "writes",
    "stressed",
    "stresses",
    "urged",
    "urges",
    "insisted",
    "insists",
    "explained",
    "affirmed",
    "reaffirmed",
    "emphasized",
    "emphasised",
    "underlined",
    "announced",
    "concluded",
    "recalled",
    "called",
    "calls",
    "read",
    "reads",
    "replied",
    "asked",
    "argued",
    "described",
    "condemned",
    "pledged",
];

/// Nouns that make a speaker of a noun phrase ("the joint statement said").
const SPEAKER_NOUNS: &[&str] = &[
    "statement",
    "communique",
    "communiqué",
    "declaration",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "ministry",
    "resolution",
    "ambassador",
    "minister",
    "president",
    "letter",
    "text",
    "secretary-general",
    "envoy",
    "delegation",
    "government",
    "council",
    "office",
    "department",
    "leaders",
    "ministers",
];

/// Words that start a noun phrase.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "their", "its", "his", "her",
];

/// Small words allowed inside a name (`Ministry of Foreign Affairs`, `Ursula von der Leyen`).
const NAME_JOINERS: &[&str] = &[
    "of", "the", "de", "von", "der", "van", "al", "bin", "for", "and", "to",
];

/// Capitalised words that open a sentence or clause but are not part of a name.
const OPENERS: &[&str] = &[
    "As",
    "In",
    "On",
    "At",
    "But",
    "And",
    "When",
    "After",
    "While",
    "Today",
    "Yesterday",
    "Then",
    "Also",
    "Here",
    "There",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "We",
    "I",
    "He",
    "She",
    "They",
    "Our",
    "My",
    "His",
    "Her",
    "Their",
    "So",
    "Yet",
    "Meanwhile",
    "Later",
    "Earlier",
];

/// The quotations in `text`, in order, with their speakers.
///
/// ```
/// use communique::domain::quotations;
///
/// let text = "“We will not be intimidated,” said Mr. Stoltenberg. Others stayed silent.";
/// let found = quotations(text);
/// assert_eq!(&text[found[0].range.clone()], "We will not be intimidated,");
/// assert_eq!(found[0].speaker.as_deref(), Some("Mr. Stoltenberg"));
/// ```
pub fn quotations(text: &str) -> Vec<Quotation> {
    let mut out = Vec::new();
    // A quotation never crosses a line break but by the continuation rule.
    let paragraphs = crate::analysis::segment::lines(text);
    // A span left open at the end of the previous paragraph, kept only if this one reopens.
    let mut pending: Option<(Range<usize>, Range<usize>)> = None;
    for paragraph in paragraphs {
        let para = &text[paragraph.clone()];
        let mut open: Option<usize> = None;
        let mut first_char = true;
        let mut chars = para.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let at = paragraph.start + i;
            if first_char && !c.is_whitespace() {
                first_char = false;
                if let Some((span, para_range)) = pending.take()
                    && (marks::opens(c) || c == marks::STRAIGHT)
                {
                    push(&mut out, text, span, para_range);
                }
            }
            let straight = c == marks::STRAIGHT;
            if open.is_none() {
                let before = para[..i].chars().next_back();
                let after = chars.peek().map(|&(_, c)| c);
                let can_open = marks::opens(c)
                    || (straight
                        && before.is_none_or(|b| b.is_whitespace() || "([{—–-:/".contains(b))
                        && after.is_some_and(|a| !a.is_whitespace()));
                if can_open {
                    open = Some(at + c.len_utf8());
                }
            } else if let Some(start) = open
                && (marks::closes(c) || straight)
            {
                if at - start <= MAX_QUOTATION_BYTES {
                    push(&mut out, text, start..at, paragraph.clone());
                }
                open = None;
            }
        }
        pending = open
            .filter(|&start| paragraph.end - start <= MAX_QUOTATION_BYTES)
            .map(|start| (start..paragraph.end, paragraph.clone()));
    }
    out
}

fn push(out: &mut Vec<Quotation>, text: &str, span: Range<usize>, paragraph: Range<usize>) {
    let quoted = &text[span.clone()];
    let trimmed_start = span.start + (quoted.len() - quoted.trim_start().len());
    let trimmed_end = span.end - (quoted.len() - quoted.trim_end().len());
    if trimmed_start >= trimmed_end
        || !text[trimmed_start..trimmed_end]
            .chars()
            .any(char::is_alphanumeric)
    {
        return;
    }
    let speaker = speaker(text, paragraph, span.clone());
    out.push(Quotation {
        range: trimmed_start..trimmed_end,
        speaker,
    });
}

/// The speaker of the quotation at `span` in `paragraph`: from the words after the closing
/// mark up to the end of that sentence (`…,” said X.`, `…,” X said.`), else from the words
/// before the opening mark in its sentence (`X said: “…`, `According to X, “…`).
fn speaker(text: &str, paragraph: Range<usize>, span: Range<usize>) -> Option<String> {
    let after_start =
        (span.end + text[span.end..].chars().next().map_or(0, char::len_utf8)).min(paragraph.end);
    let after = &text[after_start..paragraph.end];
    let after = &after[..sentence_end(after)];
    let before = &text[paragraph.start..span.start];
    let before = before[..before
        .len()
        .saturating_sub(before.chars().next_back().map_or(0, char::len_utf8))]
        .trim_end();
    let before = &before[sentence_start(before)..];
    from_after(after).or_else(|| from_before(before))
}

/// The end of the first sentence of `text` (by the rules passages use), or its end.
fn sentence_end(text: &str) -> usize {
    crate::analysis::segment::sentence_ranges(text)
        .first()
        .map_or(text.len(), |s| s.end)
}

/// The start of the last sentence of `text` (by the rules passages use).
fn sentence_start(text: &str) -> usize {
    crate::analysis::segment::sentence_ranges(text)
        .last()
        .map_or(0, |s| s.start)
}

/// Words with their surrounding punctuation removed, and whether a comma or stop followed.
fn words(text: &str) -> Vec<(&str, bool)> {
    text.split_whitespace()
        .map(|w| {
            let trimmed = w.trim_matches(|c: char| {
                !c.is_alphanumeric() && c != '.' && c != '-' && c != '’' && c != '\''
            });
            let trimmed = trimmed.trim_start_matches(['.', '-']);
            let ends =
                w.ends_with([',', ';', ':', ')']) || (w.ends_with('.') && !is_title(trimmed));
            (
                trimmed.trim_end_matches(|c: char| c == '.' && !is_title(trimmed)),
                ends,
            )
        })
        .filter(|(w, _)| !w.is_empty())
        .collect()
}

fn is_title(word: &str) -> bool {
    matches!(
        word,
        "Mr." | "Ms." | "Mrs." | "Dr." | "St." | "Sr." | "Jr." | "Gen." | "Col." | "Amb." | "Prof."
    ) || (word.len() <= 4
        && word.ends_with('.')
        && word.chars().next().is_some_and(char::is_uppercase))
}

fn capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn is_verb(word: &str) -> bool {
    VERBS.contains(&word.to_lowercase().as_str())
}

/// `said Mr. Nebenzia` or `Mr. Nebenzia said` or `the statement said`, at the start of the
/// words after the closing mark.
fn from_after(after: &str) -> Option<String> {
    let words = words(after);
    let first = words.first()?;
    if is_verb(first.0) {
        if first.1 {
            return None;
        }
        return name_forward(&words[1..]);
    }
    // A name or noun phrase, then a verb.
    let verb = words.iter().take(8).position(|(w, _)| is_verb(w))?;
    if verb == 0 || words[..verb].iter().any(|(_, stop)| *stop) {
        return None;
    }
    name_backward(&words[..verb])
}

/// `X said: “…`, `X said that “…`, `X called it “…`, `According to X, “…`.
fn from_before(before: &str) -> Option<String> {
    let words = words(before);
    if let Some(at) = words
        .windows(2)
        .position(|w| w[0].0.eq_ignore_ascii_case("according") && w[1].0 == "to")
    {
        return name_forward(&words[at + 2..]);
    }
    let n = words.len();
    // The verb among the last four words ("said", "said that", "called it", "said the").
    let verb = (n.saturating_sub(4)..n)
        .rev()
        .find(|&i| is_verb(words[i].0))?;
    if verb == 0 {
        return None;
    }
    name_backward(&words[..verb])
}

/// A name reading forward: capitalised words (with titles and joiners), or a noun phrase.
fn name_forward(words: &[(&str, bool)]) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for (i, &(word, stop)) in words.iter().enumerate().take(8) {
        let lower = word.to_lowercase();
        let takes = capitalized(word)
            || (!out.is_empty()
                && NAME_JOINERS.contains(&lower.as_str())
                && words.get(i + 1).is_some_and(|(w, _)| capitalized(w)))
            || (out.is_empty() && DETERMINERS.contains(&lower.as_str()));
        if !takes {
            // "the joint statement": determiners and adjectives up to a speaker noun.
            if out
                .first()
                .is_some_and(|f| DETERMINERS.contains(&f.to_lowercase().as_str()))
                && !out.iter().any(|w| capitalized(w))
            {
                out.push(word);
                if SPEAKER_NOUNS.contains(&lower.as_str()) {
                    return Some(out.join(" "));
                }
                if out.len() > 4 {
                    return None;
                }
                if stop {
                    return None;
                }
                continue;
            }
            break;
        }
        out.push(word);
        if stop {
            break;
        }
    }
    finish(out)
}

/// A name reading backward from just before a verb.
fn name_backward(words: &[(&str, bool)]) -> Option<String> {
    let last = words.last()?;
    let lower = last.0.to_lowercase();
    if SPEAKER_NOUNS.contains(&lower.as_str()) && !capitalized(last.0) {
        // A noun phrase: back to its determiner.
        let start = words.len().saturating_sub(5);
        let at = (start..words.len())
            .rev()
            .find(|&i| DETERMINERS.contains(&words[i].0.to_lowercase().as_str()))?;
        return Some(
            words[at..]
                .iter()
                .map(|(w, _)| *w)
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    let mut out: Vec<&str> = Vec::new();
    for (i, &(word, stop)) in words.iter().enumerate().rev().take(8) {
        if stop && !out.is_empty() {
            break;
        }
        let lower = word.to_lowercase();
        // A joiner needs a capitalised word just before it (`von der Leyen`).
        let joiner = NAME_JOINERS.contains(&lower.as_str())
            && !out.is_empty()
            && words[i.saturating_sub(2)..i]
                .iter()
                .any(|(w, _)| capitalized(w));
        if capitalized(word) || joiner {
            out.push(word);
        } else {
            break;
        }
    }
    out.reverse();
    finish(out)
}

fn finish(mut out: Vec<&str>) -> Option<String> {
    while out
        .last()
        .is_some_and(|w| NAME_JOINERS.contains(&w.to_lowercase().as_str()))
    {
        out.pop();
    }
    while out.first().is_some_and(|w| {
        NAME_JOINERS.contains(&w.to_lowercase().as_str())
            || DETERMINERS.contains(&w.to_lowercase().as_str())
            || OPENERS.contains(w)
    }) {
        out.remove(0);
    }
    // Pronouns and sentence openers are not speakers.
    if out.is_empty()
        || (out.len() == 1
            && matches!(
                out[0],
                "He" | "She" | "They" | "It" | "We" | "I" | "The" | "This" | "But" | "And"
            ))
    {
        return None;
    }
    Some(out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quotation_holds_the_highlights_inside_its_marks_only() {
        let text = "He said “we condemn the attack” today.";
        let quote = &quotations(text)[0];
        let at = |word: &str| {
            let start = text.find(word).unwrap();
            start..start + word.len()
        };
        assert!(quote.holds(&at("we")) && quote.holds(&at("attack")));
        assert!(quote.holds(&quote.range));
        assert!(!quote.holds(&at("said")) && !quote.holds(&at("today")));
        // A highlight that runs out of the quotation is not quoted.
        assert!(!quote.holds(&(quote.range.start..quote.range.end + 1)));
    }

    fn found(text: &str) -> Vec<(&str, Option<String>)> {
        quotations(text)
            .into_iter()
            .map(|q| (&text[q.range], q.speaker))
            .collect()
    }

    #[test]
    fn marks_of_every_kind() {
        assert_eq!(
            found(
                "He called it “a beacon of hope” and left. The \"sanctions regime\" ended; « la paix » reste."
            ),
            [
                ("a beacon of hope", None),
                ("sanctions regime", None),
                ("la paix", None),
            ]
        );
        // An apostrophe is not a quotation mark, nor is an inch mark inside a word.
        assert!(found("Korea’s troops and the 12\" gun ‘reckless’.").is_empty());
    }

    #[test]
    fn speakers_after_and_before() {
        let cases = [
            (
                "“We will respond,” said Mr. Nebenzia, Russia’s ambassador.",
                "Mr. Nebenzia",
            ),
            (
                "“We will respond,” Antonio Guterres said on Tuesday.",
                "Antonio Guterres",
            ),
            (
                "“The transfers are illegal,” the joint statement said.",
                "the joint statement",
            ),
            (
                "The Secretary-General said: “This is a beacon of hope.”",
                "Secretary-General",
            ),
            (
                "According to the Ministry of Foreign Affairs, “talks will resume”.",
                "Ministry of Foreign Affairs",
            ),
            (
                "Ursula von der Leyen told reporters that “Europe stands united”.",
                "Ursula von der Leyen",
            ),
            (
                "Its isolation grew. As U.S. Ambassador to the United Nations Linda \
                 Thomas-Greenfield stated after the vote, “Russia cannot veto the UN Charter. \
                 Russia cannot, and will not, veto accountability.”",
                "U.S. Ambassador to the United Nations Linda Thomas-Greenfield",
            ),
            (
                "“The corridor must stay open,” said the Secretary-General on Monday.",
                "Secretary-General",
            ),
        ];
        for (text, speaker) in cases {
            let quotes = found(text);
            assert_eq!(quotes.len(), 1, "{text}");
            assert_eq!(quotes[0].1.as_deref(), Some(speaker), "{text}");
        }
        // A pronoun, or no verb: no speaker.
        assert_eq!(found("“We will respond,” he said.")[0].1, None);
        assert_eq!(
            found("The panel used the words “grave concern” twice.")[0].1,
            None
        );
    }

    #[test]
    fn quotations_over_several_paragraphs_and_stray_marks() {
        let text = "“The first paragraph of a long quotation\n\n“goes on here,” the minister said.\n\nA stray “mark never closes\n\nNext paragraph.";
        let quotes = found(text);
        assert_eq!(
            quotes.iter().map(|q| q.0).collect::<Vec<_>>(),
            ["The first paragraph of a long quotation", "goes on here,"]
        );
        assert_eq!(quotes[1].1.as_deref(), Some("the minister"));
    }

    #[test]
    fn ranges_are_on_char_boundaries_whatever_the_text() {
        for text in [
            "“",
            "\"\"",
            "« »",
            "“é”",
            "\"a\" \"",
            "„Frieden“ sagte er",
            "“x\n“y",
        ] {
            for q in quotations(text) {
                assert!(text.is_char_boundary(q.range.start) && text.is_char_boundary(q.range.end));
                assert!(q.range.start < q.range.end && q.range.end <= text.len());
            }
        }
    }
}
