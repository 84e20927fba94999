//! Highlighting: the byte ranges of exactly what matched in a passage, and excerpts of long
//! passages trimmed around them.
//!
//! A passage is analysed again with the same analyzers as the index, so a highlight is always
//! a whole word (or a whole phrase occurrence) that the index matched: a stemmed word in any
//! inflection, a phrase only where its words stand together in order, the words a prefix or a
//! fuzzy word expanded to, and nothing from an excluded clause.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::query::Proximity;
use crate::analysis::{AnalyzedToken, Analyzer, Language};

/// What to highlight, derived from the compiled query.
#[derive(Clone, Debug, Default)]
pub(crate) struct Highlighter {
    /// Stemmed-view terms of bare words.
    pub stems: HashSet<String>,
    /// Exact-view words (prefix and fuzzy expansions, stop words searched on their own).
    pub words: HashSet<String>,
    /// Phrases: exact-view words with their offsets from the first.
    pub phrases: Vec<Vec<(usize, String)>>,
    /// Phrases searched in other word forms: stemmed-view terms with their offsets from the
    /// first.
    pub stem_phrases: Vec<Vec<(usize, String)>>,
    /// Proximities: marked only where their operands stand close enough.
    pub near: Vec<NearRule>,
}

/// What a [`Node::Near`](super::Node::Near) matches: each operand's marks, and how close they
/// must stand. One rule decides both whether a passage holds the proximity and what is
/// highlighted in it.
#[derive(Clone, Debug)]
pub(crate) struct NearRule {
    /// What each operand matches.
    pub operands: Vec<Highlighter>,
    /// How close they must be.
    pub within: Proximity,
}

/// A passage analysed once: its text, its exact view and (when needed) its stemmed view.
struct Analysed<'a> {
    text: &'a str,
    exact: Vec<AnalyzedToken>,
    /// The exact view as the index holds it: with the joined words of hyphenated compounds
    /// (`cooperation` for `co-operation`), which a query's word finds.
    joined: Vec<AnalyzedToken>,
    stemmed: Vec<AnalyzedToken>,
}

impl<'a> Analysed<'a> {
    /// `text` in `language`, with its stemmed view only when `stems` asks for it.
    fn new(analyzer: &mut Analyzer, language: Language, text: &'a str, stems: bool) -> Self {
        let stemmed = if stems {
            analyzer.stemmed_in(language, text)
        } else {
            Vec::new()
        };
        let joined = analyzer.exact_joined(text);
        let exact = crate::analysis::without_joined(joined.clone());
        Analysed {
            text,
            exact,
            joined,
            stemmed,
        }
    }
}

/// One match of an operand in a passage: its first and last word positions, its byte range.
struct Occurrence {
    first: usize,
    last: usize,
    operand: usize,
    range: Range<usize>,
}

impl NearRule {
    /// The byte ranges of the operands where they stand close enough in `text` (empty if they
    /// never do).
    pub(crate) fn matches(
        &self,
        analyzer: &mut Analyzer,
        language: Language,
        text: &str,
    ) -> Vec<Range<usize>> {
        self.matches_in(&Analysed::new(analyzer, language, text, self.needs_stems()))
    }

    fn needs_stems(&self) -> bool {
        self.operands.iter().any(Highlighter::needs_stems)
    }

    /// [`NearRule::matches`] on a text analysed once.
    fn matches_in(&self, analysed: &Analysed<'_>) -> Vec<Range<usize>> {
        let (text, tokens) = (analysed.text, &analysed.exact);
        let mut found = Vec::new();
        for (operand, marks) in self.operands.iter().enumerate() {
            let ranges = marks.ranges(analysed);
            if ranges.is_empty() {
                return Vec::new();
            }
            // A one-word operand that matched a compound's joined word (`co-operation` as
            // `cooperation`) stands where the index puts that word: at its first part alone.
            let one_word = marks.phrases.is_empty() && marks.stem_phrases.is_empty();
            for range in ranges {
                let joined = one_word
                    && text
                        .get(range.clone())
                        .is_some_and(crate::analysis::is_compound);
                let spanning = analysed
                    .stemmed
                    .iter()
                    .chain(&analysed.joined)
                    .find(|t| joined && t.start == range.start && t.end == range.end);
                if let Some(token) = spanning {
                    found.push(Occurrence {
                        first: token.position,
                        last: token.position,
                        operand,
                        range,
                    });
                    continue;
                }
                let first = tokens.partition_point(|t| t.start < range.start);
                let last = tokens.partition_point(|t| t.start < range.end);
                let (Some(first), Some(last)) = (tokens.get(first), tokens.get(last.max(1) - 1))
                else {
                    continue;
                };
                found.push(Occurrence {
                    first: first.position,
                    last: last.position.max(first.position),
                    operand,
                    range,
                });
            }
        }
        if self.within == Proximity::Passage {
            return merge(found.into_iter().map(|o| o.range).collect());
        }
        let sentences = match self.within {
            Proximity::Sentence => crate::analysis::segment::sentence_ranges(text),
            _ => Vec::new(),
        };
        let sentence = |o: &Occurrence| sentences.partition_point(|s| s.end <= o.range.start);
        found.sort_by_key(|o| (o.first, o.last));
        // For each occurrence, the shortest run ending there that holds every operand: the
        // closest any set of operands stands (two pointers).
        let k = self.operands.len();
        let mut count = vec![0usize; k];
        let mut covered = 0;
        let mut left = 0;
        let mut ranges = Vec::new();
        for right in 0..found.len() {
            count[found[right].operand] += 1;
            if count[found[right].operand] == 1 {
                covered += 1;
            }
            while covered == k && count[found[left].operand] > 1 {
                count[found[left].operand] -= 1;
                left += 1;
            }
            if covered < k {
                continue;
            }
            let run = &found[left..=right];
            let close = match self.within {
                Proximity::Words(n) => {
                    let last = run.iter().map(|o| o.last).max().unwrap_or(0);
                    let span = last + 1 - run[0].first;
                    // The words the operands themselves take (the shortest of each).
                    let mut own = vec![usize::MAX; k];
                    for o in run {
                        own[o.operand] = own[o.operand].min(o.last + 1 - o.first);
                    }
                    let own: usize = own.iter().filter(|&&n| n != usize::MAX).sum();
                    span.saturating_sub(own) <= n as usize
                }
                _ => run.iter().all(|o| sentence(o) == sentence(&run[0])),
            };
            if close {
                ranges.extend(run.iter().map(|o| o.range.clone()));
            }
        }
        merge(ranges)
    }
}

impl Highlighter {
    /// Adds what `other` highlights.
    pub(crate) fn extend(&mut self, other: Highlighter) {
        self.stems.extend(other.stems);
        self.words.extend(other.words);
        self.phrases.extend(other.phrases);
        self.stem_phrases.extend(other.stem_phrases);
        self.near.extend(other.near);
    }

    /// Adds a phrase of exact-view tokens (nothing if there are none).
    pub(crate) fn add_phrase(&mut self, tokens: &[crate::analysis::AnalyzedToken]) {
        self.phrases.extend(relative_phrase(tokens));
    }

    /// Adds a phrase of stemmed-view tokens (nothing if there are none).
    pub(crate) fn add_stem_phrase(&mut self, tokens: &[crate::analysis::AnalyzedToken]) {
        self.stem_phrases.extend(relative_phrase(tokens));
    }

    /// The highlights in `text`, a passage in `language`: sorted, non-overlapping byte ranges
    /// on character boundaries.
    pub(crate) fn highlight(
        &self,
        analyzer: &mut Analyzer,
        language: Language,
        text: &str,
    ) -> Vec<Range<usize>> {
        if self.stems.is_empty()
            && self.words.is_empty()
            && self.phrases.is_empty()
            && self.stem_phrases.is_empty()
            && self.near.is_empty()
        {
            return Vec::new();
        }
        self.ranges(&Analysed::new(analyzer, language, text, self.needs_stems()))
    }

    /// Whether highlighting needs the stemmed view.
    fn needs_stems(&self) -> bool {
        !self.stems.is_empty()
            || !self.stem_phrases.is_empty()
            || self.near.iter().any(NearRule::needs_stems)
    }

    /// [`Highlighter::highlight`] on a text analysed once.
    fn ranges(&self, analysed: &Analysed<'_>) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        for rule in &self.near {
            ranges.extend(rule.matches_in(analysed));
        }
        if !self.stems.is_empty() {
            for token in &analysed.stemmed {
                if self.stems.contains(&token.text) {
                    ranges.push(token.start..token.end);
                }
            }
        }
        for token in &analysed.joined {
            if self.words.contains(&token.text) {
                ranges.push(token.start..token.end);
            }
        }
        // Phrases in the exact view as the index holds it, a compound's joined word at its
        // first part's position: `and cooperation` stands in `and Co-operation`.
        phrase_ranges(&analysed.joined, &self.phrases, &mut ranges);
        phrase_ranges(&analysed.stemmed, &self.stem_phrases, &mut ranges);
        merge(ranges)
    }
}

/// Adds to `ranges` where each of `phrases` stands whole in `tokens` (a view of a passage):
/// from its first word to its last, what lies between included.
fn phrase_ranges(
    tokens: &[AnalyzedToken],
    phrases: &[Vec<(usize, String)>],
    ranges: &mut Vec<Range<usize>>,
) {
    if phrases.is_empty() {
        return;
    }
    // Several tokens may share a position (a compound's joined word, an Arabic word's other
    // stems): a phrase's word may be any of them.
    let mut by_position: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, t) in tokens.iter().enumerate() {
        by_position.entry(t.position).or_default().push(i);
    }
    for phrase in phrases {
        let Some((first_offset, first_word)) = phrase.first() else {
            continue;
        };
        for token in tokens {
            if token.text != *first_word || token.position < *first_offset {
                continue;
            }
            let base = token.position - first_offset;
            let mut end = token.end;
            let whole = phrase.iter().all(|(offset, word)| {
                by_position
                    .get(&(base + offset))
                    .and_then(|at| at.iter().map(|&i| &tokens[i]).find(|t| t.text == *word))
                    .is_some_and(|t| {
                        end = end.max(t.end);
                        true
                    })
            });
            if whole {
                ranges.push(token.start..end);
            }
        }
    }
}

/// Sorts ranges and merges those that overlap.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start < last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// A stretch of a passage, with the highlights that fall in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    /// The text shown.
    pub text: String,
    /// Highlights, as byte ranges in `text`.
    pub highlights: Vec<Range<usize>>,
    /// Text was cut before the excerpt.
    pub cut_before: bool,
    /// Text was cut after the excerpt.
    pub cut_after: bool,
}

/// The part of `text` of at most `max_chars` characters that holds the most highlights, cut at
/// word boundaries, with the highlights moved into it.
pub(crate) fn excerpt(text: &str, highlights: &[Range<usize>], max_chars: usize) -> Excerpt {
    let total = text.chars().count();
    if total <= max_chars {
        return Excerpt {
            text: text.to_string(),
            highlights: highlights.to_vec(),
            cut_before: false,
            cut_after: false,
        };
    }
    // Byte offset of every character, and the end.
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let char_at = |byte: usize| offsets.partition_point(|&o| o < byte);
    // Try windows that start a little before each highlight; keep the one holding most.
    let lead = max_chars / 5;
    let mut best = (0usize, 0usize); // (count, start char)
    for h in highlights {
        let start = char_at(h.start).saturating_sub(lead).min(total - max_chars);
        let end_byte = offsets[start + max_chars];
        let start_byte = offsets[start];
        let count = highlights
            .iter()
            .filter(|r| r.start >= start_byte && r.end <= end_byte)
            .count();
        if count > best.0 {
            best = (count, start);
        }
    }
    let mut start = offsets[best.1];
    let mut end = offsets[(best.1 + max_chars).min(total)];
    // Cut at word boundaries. A highlight cut by an edge pulls the edge out to take it whole;
    // otherwise the start moves forward past a partial word and the end moves back.
    if let Some(h) = highlights.iter().find(|h| h.start < start && start < h.end) {
        start = h.start;
    } else if start > 0
        && !text[..start].ends_with(char::is_whitespace)
        && let Some(space) = text[start..end].find(char::is_whitespace)
    {
        start += space;
    }
    if let Some(h) = highlights.iter().find(|h| h.start < end && end < h.end) {
        end = h.end;
    } else if end < text.len()
        && !text[end..].starts_with(char::is_whitespace)
        && let Some(space) = text[start..end].rfind(char::is_whitespace)
    {
        end = start + space;
    }
    let slice = &text[start..end];
    let trimmed_start = start + (slice.len() - slice.trim_start().len());
    let trimmed_end = trimmed_start + slice.trim().len();
    Excerpt {
        text: text[trimmed_start..trimmed_end].to_string(),
        highlights: highlights
            .iter()
            .filter(|h| h.start >= trimmed_start && h.end <= trimmed_end)
            .map(|h| h.start - trimmed_start..h.end - trimmed_start)
            .collect(),
        cut_before: trimmed_start > 0,
        cut_after: trimmed_end < text.len(),
    }
}

/// A phrase's tokens with their positions counted from its first word (`None` if it has none).
fn relative_phrase(tokens: &[crate::analysis::AnalyzedToken]) -> Option<Vec<(usize, String)>> {
    let first = tokens.first()?;
    Some(
        tokens
            .iter()
            .map(|t| (t.position - first.position, t.text.clone()))
            .collect(),
    )
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    fn marked(highlighter: &Highlighter, text: &str) -> Vec<String> {
        highlighter
            .highlight(&mut Analyzer::new(), Language::English, text)
            .into_iter()
            .map(|r| text[r].to_string())
            .collect()
    }

    #[test]
    fn stems_match_every_inflection() {
        let h = Highlighter {
            stems: ["sanction".to_string()].into(),
            ..Highlighter::default()
        };
        assert_eq!(
            marked(&h, "Sanctions were imposed; the sanctioned firms."),
            ["Sanctions", "sanctioned"]
        );
    }

    #[test]
    fn phrases_only_where_whole() {
        let h = Highlighter {
            phrases: vec![vec![(0, "security".into()), (1, "council".into())]],
            ..Highlighter::default()
        };
        let text =
            "The Security Council met. Security matters; the council voted. UN Security  Council.";
        assert_eq!(marked(&h, text), ["Security Council", "Security  Council"]);
    }

    #[test]
    fn a_phrase_finds_a_compound_by_its_joined_word_as_the_index_does() {
        // The index holds `cooperation` at the position of `Co`, so the phrase `and
        // cooperation` matches this passage; it is highlighted there (NEAR's text rule reads
        // the same ranges: the property test of `near.rs` found them disagreeing).
        let h = Highlighter {
            phrases: vec![vec![(0, "and".into()), (1, "cooperation".into())]],
            ..Highlighter::default()
        };
        let text = "the Organization for Security and Co-operation in Europe";
        assert_eq!(marked(&h, text), ["and Co-operation"]);
        let parts = Highlighter {
            phrases: vec![vec![(0, "co".into()), (1, "operation".into())]],
            ..Highlighter::default()
        };
        assert_eq!(marked(&parts, text), ["Co-operation"]);
    }

    #[test]
    fn phrase_with_stop_words_is_exact() {
        let h = Highlighter {
            phrases: vec![vec![
                (0, "council".into()),
                (1, "of".into()),
                (2, "europe".into()),
            ]],
            ..Highlighter::default()
        };
        assert_eq!(
            marked(
                &h,
                "The Council of Europe. The Council adopts Europe policy."
            ),
            ["Council of Europe"]
        );
    }

    #[test]
    fn excerpts_keep_highlights_and_char_boundaries() {
        let text = "Кремль ".repeat(30) + "Kursk region " + &"слово ".repeat(30);
        let start = text.find("Kursk").unwrap();
        let highlights = vec![start..start + 5];
        let e = excerpt(&text, &highlights, 60);
        assert!(e.text.chars().count() <= 60);
        assert!(e.cut_before && e.cut_after);
        assert_eq!(&e.text[e.highlights[0].clone()], "Kursk");
        // A highlight cut by the window's edge is taken whole.
        let text = "aaaa bbbb cccc dddd Kursk eeee";
        let e = excerpt(text, &[20..25], 22);
        assert_eq!(&e.text[e.highlights[0].clone()], "Kursk");
        assert!(e.text.ends_with("Kursk") || e.text.contains("Kursk "));
        let short = excerpt("short text", &[0..5], 60);
        assert_eq!(short.text, "short text");
    }
}
