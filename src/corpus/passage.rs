//! Splitting an article body into passages: paragraphs, cut into windows of whole sentences.
//!
//! A passage is what search ranks and shows. The rules:
//!
//! 1. **Paragraphs and sentences** are those of [`crate::analysis`]'s segmentation rules
//!    (`analysis/segment.rs`): a blank line, or a newline after a line that ends a sentence,
//!    ends a paragraph; a newline inside a sentence is a soft wrap, as in the UN verbatim
//!    records, whose lines break where the PDF did. Abbreviations (`U.N.`, `U.S.`, `Mr.`,
//!    `No. 5`, initials) do not end a sentence.
//! 2. **Short paragraphs join a neighbour.** A paragraph of fewer than
//!    [`PassageConfig::short_paragraph_words`] words (a dateline, a speaker label such as
//!    `MR PRICE:`, a sign-off) joins the paragraph after it, or the one before if it is last.
//! 3. **Long paragraphs become windows.** A paragraph of more than
//!    [`PassageConfig::max_words`] words is cut at sentence boundaries into windows of about
//!    [`PassageConfig::target_words`] words. Only a single sentence longer than
//!    [`PassageConfig::max_sentence_words`] words is cut inside, at a `;` or `,` if it has one.
//!
//! Passages never overlap and cover every non-blank byte of the body: what lies between two
//! passages is whitespace only. Each passage is trimmed of surrounding whitespace.

use std::ops::Range;

use crate::analysis::segment::{Sentence, paragraphs, sentences};

/// Sizes that shape passages. [`PassageConfig::default`] is what the index uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassageConfig {
    /// Paragraphs with fewer words than this join a neighbour.
    pub short_paragraph_words: usize,
    /// Paragraphs with more words than this are cut into windows.
    pub max_words: usize,
    /// The size windows aim for when a paragraph is cut.
    pub target_words: usize,
    /// Sentences longer than this are cut inside (at a `;` or `,` when possible).
    pub max_sentence_words: usize,
}

impl Default for PassageConfig {
    fn default() -> Self {
        PassageConfig {
            short_paragraph_words: 10,
            max_words: 120,
            target_words: 90,
            max_sentence_words: 240,
        }
    }
}

/// Splits `body` into passages with the default sizes; returns their byte ranges in order.
///
/// # Example
/// ```
/// let body = "WASHINGTON\n\nThe U.N. Security Council met on Monday. Mr. Smith spoke.\n\nA second paragraph follows here, long enough to stand alone as a passage.";
/// let passages = communique::corpus::split_passages(body);
/// assert_eq!(passages.len(), 2);
/// assert!(body[passages[0].clone()].starts_with("WASHINGTON"));
/// assert!(body[passages[0].clone()].ends_with("Mr. Smith spoke."));
/// ```
pub fn split_passages(body: &str) -> Vec<Range<usize>> {
    split_passages_with(body, &PassageConfig::default())
}

/// Splits `body` into passages with the given sizes.
pub fn split_passages_with(body: &str, config: &PassageConfig) -> Vec<Range<usize>> {
    let paragraphs: Vec<Vec<Sentence>> = paragraphs(body)
        .into_iter()
        .map(|range| sentences(body, range, config.max_sentence_words))
        .filter(|sentences| !sentences.is_empty())
        .collect();
    let units = join_short(paragraphs, config.short_paragraph_words);
    let mut out = Vec::new();
    for unit in units {
        windows(&unit, config, &mut out);
    }
    out
}

/// Joins paragraphs shorter than `short` words to the next paragraph (or the previous one for
/// the last).
fn join_short(paragraphs: Vec<Vec<Sentence>>, short: usize) -> Vec<Vec<Sentence>> {
    let mut out: Vec<Vec<Sentence>> = Vec::new();
    let mut pending: Vec<Sentence> = Vec::new();
    for paragraph in paragraphs {
        let words: usize = paragraph.iter().map(|s| s.words).sum();
        pending.extend(paragraph);
        let pending_words: usize = pending.iter().map(|s| s.words).sum();
        if words >= short || pending_words >= short * 3 {
            out.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        match out.last_mut() {
            Some(last) => last.extend(pending),
            None => out.push(pending),
        }
    }
    out
}

/// Cuts one paragraph (a run of sentences) into windows and appends their ranges to `out`.
fn windows(unit: &[Sentence], config: &PassageConfig, out: &mut Vec<Range<usize>>) {
    let total: usize = unit.iter().map(|s| s.words).sum();
    if total <= config.max_words || unit.len() == 1 {
        out.push(unit[0].start..unit[unit.len() - 1].end);
        return;
    }
    let count = total.div_ceil(config.target_words).clamp(2, unit.len());
    // Cut after the sentence whose cumulative word count is closest to each ideal cut.
    let mut cumulative = Vec::with_capacity(unit.len());
    let mut sum = 0;
    for sentence in unit {
        sum += sentence.words;
        cumulative.push(sum);
    }
    let mut first = 0;
    for window in 1..count {
        let ideal = total * window / count;
        // Candidates: cut after sentence i, for i in first..len-1 (leave at least one sentence).
        let last_allowed = unit.len() - 1 - (count - 1 - window).min(unit.len() - 1);
        if first >= last_allowed {
            break;
        }
        let best = (first..last_allowed)
            .min_by_key(|&i| cumulative[i].abs_diff(ideal))
            .unwrap_or(first);
        out.push(unit[first].start..unit[best].end);
        first = best + 1;
    }
    out.push(unit[first].start..unit[unit.len() - 1].end);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::segment::count_words;

    fn texts(body: &str) -> Vec<&str> {
        split_passages(body).into_iter().map(|r| &body[r]).collect()
    }

    fn assert_covers(body: &str, passages: &[Range<usize>]) {
        let mut previous_end = 0;
        for range in passages {
            assert!(range.start >= previous_end, "passages overlap");
            assert!(
                body[previous_end..range.start].trim().is_empty(),
                "gap holds text: {:?}",
                &body[previous_end..range.start]
            );
            assert_eq!(body[range.clone()].trim(), &body[range.clone()]);
            previous_end = range.end;
        }
        assert!(body[previous_end..].trim().is_empty());
    }

    #[test]
    fn one_paragraph_per_line_when_lines_end_sentences() {
        let body = "Ten countries and the European Union condemned the deployment of troops to the region on Monday.\nUkraine said its forces had killed or wounded at least thirty soldiers in the Kursk region.\n";
        let found = texts(body);
        assert_eq!(found.len(), 2);
        assert!(found[1].starts_with("Ukraine"));
    }

    #[test]
    fn soft_wrapped_lines_join() {
        let body = "France is a permanent member of the Security Council and\ntherefore has duties that it takes seriously in every session of this Assembly.\nThe next paragraph starts here and it is long enough to be a passage of its own.";
        let found = texts(body);
        assert_eq!(found.len(), 2);
        assert!(found[0].contains("Council and\ntherefore"));
    }

    #[test]
    fn page_breaks_inside_a_sentence_do_not_end_it() {
        let body = "the creation of the United Nations heralded hope for global peace, security and \n \n \n27 10-55128 \n \nrespect for human dignity. Today, the United Nations remains the most effective body.\n\nOffice of the Spokesperson\n\nThe below is attributable to the Spokesperson and is long enough to stand alone.";
        let found = texts(body);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].ends_with("effective body."));
        assert!(found[1].starts_with("Office of the Spokesperson"));
    }

    #[test]
    fn page_furniture_is_transparent() {
        let body = "a real possibility to make the United \n \n \n29 10-54833 \n \nNations stronger than before, as all agree.\n \n10-54833 30\n \nA new paragraph begins here with enough words to be a passage.";
        let found = texts(body);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("United \n \n \n29 10-54833 \n \nNations"));
        assert!(found[0].ends_with("10-54833 30"));
        let body =
            "as refusing to allow entry to \n\nUnited Nations observers, which it should allow.";
        assert_eq!(texts(body).len(), 1);
        let body = "getting ready to drive the regime from power, \n\n\n\u{c}\nAfghanistan was isolated from the region and the world.";
        assert_eq!(texts(body).len(), 1);
    }

    #[test]
    fn short_paragraphs_join_the_next() {
        let body = "MR PRICE:\n\nGood afternoon, everyone. We have several announcements at the top today about the talks.\n\nQUESTION: Thanks.\n\nA final answer with enough words in it to be a passage of its own here.";
        let found = texts(body);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("MR PRICE:\n\nGood afternoon"));
        assert!(found[1].starts_with("QUESTION: Thanks.\n\nA final answer"));
        assert_covers(body, &split_passages(body));
    }

    #[test]
    fn a_short_last_paragraph_joins_the_previous() {
        let body = "A first paragraph with plenty of words to stand as its own passage here.\n\nThank you.";
        let found = texts(body);
        assert_eq!(found.len(), 1);
        assert!(found[0].ends_with("Thank you."));
    }

    #[test]
    fn long_paragraphs_become_windows_of_whole_sentences() {
        let sentence =
            "The delegates discussed the situation in the region at great length today. ";
        let body = sentence.repeat(30); // 360 words
        let passages = split_passages(&body);
        assert_eq!(passages.len(), 4);
        for range in &passages {
            let text = &body[range.clone()];
            let words = count_words(text);
            assert!((40..=120).contains(&words), "{words} words");
            assert!(text.ends_with('.'));
            assert!(text.starts_with("The delegates"));
        }
        assert_covers(&body, &passages);
    }

    #[test]
    fn run_on_sentences_are_cut() {
        let body = "word, ".repeat(600);
        let passages = split_passages(&body);
        assert!(passages.len() >= 3);
        for range in &passages {
            assert!(count_words(&body[range.clone()]) <= 240);
        }
        assert_covers(&body, &passages);
    }

    #[test]
    fn crlf_and_blank_bodies() {
        assert!(split_passages("").is_empty());
        assert!(split_passages(" \n\n \t").is_empty());
        let body = "One line here.\r\nAnother line.\r\n";
        assert_covers(body, &split_passages(body));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Text made of words, punctuation, quotes, abbreviations, page furniture and line breaks.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z]{1,12}",
            Just("U.N.".to_string()),
            Just("Mr.".to_string()),
            Just("No. 5".to_string()),
            Just("Kyïv".to_string()),
            Just("Côte d’Ivoire".to_string()),
            Just("“quoted.”".to_string()),
            Just("27 10-55128".to_string()),
            Just("—".to_string()),
            Just("\u{c}".to_string()),
            "[.!?:;,]",
            "\\PC{1,3}",
        ];
        let separator = prop_oneof![
            4 => Just(" ".to_string()),
            1 => Just("\n".to_string()),
            1 => Just("\n\n".to_string()),
            1 => Just(". ".to_string()),
            1 => Just(" \n \n".to_string()),
        ];
        proptest::collection::vec((piece, separator), 0..400)
            .prop_map(|parts| parts.into_iter().map(|(p, s)| p + &s).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn passages_cover_the_body_without_gap_or_overlap(body in text()) {
            let passages = split_passages(&body);
            let mut end = 0;
            for range in &passages {
                prop_assert!(body.is_char_boundary(range.start) && body.is_char_boundary(range.end));
                prop_assert!(range.start >= end, "overlap");
                prop_assert!(range.start < range.end, "empty passage");
                prop_assert!(body[end..range.start].trim().is_empty(), "gap holds text");
                prop_assert_eq!(body[range.clone()].trim(), &body[range.clone()]);
                end = range.end;
            }
            prop_assert!(body[end..].trim().is_empty(), "text after the last passage");
            if body.chars().any(char::is_alphanumeric) {
                prop_assert!(!passages.is_empty());
            }
        }

        #[test]
        fn tokens_are_char_aligned_slices_in_order(body in text()) {
            let mut analyzer = crate::analysis::Analyzer::new();
            for tokens in [analyzer.exact(&body), analyzer.stemmed(&body)] {
                let mut previous: Option<(usize, usize)> = None;
                // The joined word of a compound overlaps its parts (see `HyphenJoinFilter`).
                let parts = crate::analysis::without_joined(tokens.clone());
                for token in parts {
                    prop_assert!(body.is_char_boundary(token.start) && body.is_char_boundary(token.end));
                    prop_assert!(token.start < token.end && token.end <= body.len());
                    prop_assert!(!token.text.is_empty());
                    if let Some((end, position)) = previous {
                        prop_assert!(token.start >= end && token.position > position);
                    }
                    previous = Some((token.end, token.position));
                }
            }
        }
    }
}
