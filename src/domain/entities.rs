//! Entities: the countries and organisations a text mentions (longest match over the alias
//! table), and the signatories of a joint statement where the text names them.

use std::collections::BTreeSet;
use std::ops::Range;

use super::aliases::{Aliases, EntityKind, Strength};
use super::facet::Facet;
use crate::analysis::Analyzer;

/// A mention of an entity in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// Index of the group in [`Aliases::groups`].
    pub group: usize,
    /// Byte range of the mention in the text.
    pub range: Range<usize>,
}

/// The countries and organisations (not places, not weak equivalents) mentioned in `text`,
/// longest match first, left to right.
pub fn mentions(aliases: &Aliases, analyzer: &mut Analyzer, text: &str) -> Vec<Mention> {
    mentions_in(aliases, text, &analyzer.exact(text))
}

/// [`mentions`] over the exact-view tokens of `text`, already analysed.
pub(crate) fn mentions_in(
    aliases: &Aliases,
    text: &str,
    tokens: &[crate::analysis::AnalyzedToken],
) -> Vec<Mention> {
    let originals: Vec<&str> = tokens.iter().map(|t| &text[t.start..t.end]).collect();
    let normalized: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let mut key = String::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        // Words must follow each other (no gap left by a dropped token); a name is matched on
        // at most MAX_NAME_WORDS words, so the window never looks further.
        let mut run = 1;
        while run < super::aliases::MAX_NAME_WORDS
            && i + run < tokens.len()
            && tokens[i + run].position == tokens[i + run - 1].position + 1
        {
            run += 1;
        }
        let window = run;
        match aliases.find_normalized(
            &originals[i..i + window],
            &normalized[i..i + window],
            &mut key,
        ) {
            Some(found) => {
                let kind = aliases.group_at(found.group).map(|g| g.kind);
                if found.strength == Strength::Strong
                    && kind.is_some_and(|k| k != EntityKind::Place)
                {
                    out.push(Mention {
                        group: found.group,
                        range: tokens[i].start..tokens[i + found.words - 1].end,
                    });
                }
                i += found.words;
            }
            None => i += 1,
        }
    }
    out
}

/// Words that say a sentence lists who signed or endorsed a statement.
const SIGNING: &[&str] = &[
    "signed",
    "signatories",
    "signatory",
    "cosigned",
    "co-signed",
    "endorsed",
    "undersigned",
];

/// Verbs that say who issued a joint statement, in a sentence that names one.
const ISSUING: &[&str] = &["issued", "released", "adopted", "published", "agreed"];

/// Entity facets of an article: its countries and organisations, and the signatories: the
/// countries and organisations that a sentence says signed: at least two named before
/// `signed`, `endorsed`… ("A, B and C signed the statement"), before `issued` or `released` in
/// a sentence about a joint statement, or after `signed by`.
pub fn article_facets(aliases: &Aliases, analyzer: &mut Analyzer, body: &str) -> BTreeSet<Facet> {
    let found = mentions(aliases, analyzer, body);
    article_facets_of(aliases, analyzer, body, &found)
}

/// [`article_facets`] with the body's mentions already found.
pub(crate) fn article_facets_of(
    aliases: &Aliases,
    analyzer: &mut Analyzer,
    body: &str,
    found: &[Mention],
) -> BTreeSet<Facet> {
    let mut facets: BTreeSet<Facet> = found
        .iter()
        .filter_map(|m| aliases.group_at(m.group).and_then(Facet::of_group))
        .collect();
    if !SIGNING
        .iter()
        .any(|w| body.contains(w) || body.contains(&w.to_uppercase()))
    {
        return facets;
    }
    for sentence in crate::analysis::segment::sentence_ranges(body) {
        let text = &body[sentence.clone()];
        let tokens = analyzer.exact(text);
        let joint = tokens.windows(2).any(|w| {
            w[0].text == "joint"
                && matches!(
                    w[1].text.as_str(),
                    "statement" | "declaration" | "communique"
                )
        });
        let Some(at) = tokens.iter().position(|t| {
            SIGNING.contains(&t.text.as_str()) || (joint && ISSUING.contains(&t.text.as_str()))
        }) else {
            continue;
        };
        // "A, B and C signed the statement": the names before the word; "signed by A and B":
        // the names after it. (Not "The signatories said they condemned Russia".)
        let by = tokens.get(at + 1).is_some_and(|t| t.text == "by");
        let cut = sentence.start
            + if by {
                tokens[at + 1].end
            } else {
                tokens[at].start
            };
        let named: BTreeSet<usize> = found
            .iter()
            .filter(|m| m.range.start >= sentence.start && m.range.end <= sentence.end)
            .filter(|m| {
                if by {
                    m.range.start >= cut
                } else {
                    m.range.end <= cut
                }
            })
            .map(|m| m.group)
            .collect();
        if named.len() >= 2 {
            for group in named {
                if let Some(group) = aliases.group_at(group) {
                    facets.insert(Facet::Signatory(group.id.clone()));
                }
            }
        }
    }
    facets
}

/// Entity facets of one passage: its countries and organisations.
pub fn passage_facets(aliases: &Aliases, analyzer: &mut Analyzer, text: &str) -> BTreeSet<Facet> {
    mentions(aliases, analyzer, text)
        .into_iter()
        .filter_map(|m| aliases.group_at(m.group).and_then(Facet::of_group))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_match_and_codes_in_capitals() {
        let aliases = Aliases::builtin();
        let mut analyzer = Analyzer::new();
        let text = "The UN Security Council met as the United States, the DPRK and the U.S. envoy to \
                    the European Union spoke; us, it, Pyongyang and Kyiv are not entities here.";
        let found: Vec<(&str, &str)> = mentions(aliases, &mut analyzer, text)
            .iter()
            .map(|m| {
                (
                    aliases.groups()[m.group].id.as_str(),
                    &text[m.range.clone()],
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("UNSC", "UN Security Council"),
                ("USA", "United States"),
                ("PRK", "DPRK"),
                ("USA", "U.S"),
                ("EU", "European Union")
            ]
        );
    }

    #[test]
    fn signatories_of_a_joint_statement() {
        let aliases = Aliases::builtin();
        let mut analyzer = Analyzer::new();
        let body = "Ministers met.\nThe foreign ministers of Australia, Canada, France, Germany, Italy, Japan, \
                    South Korea, New Zealand, the United Kingdom, the United States and the high \
                    representative of the European bloc for foreign policy signed the statement.\n\
                    The signatories said Russia and North Korea were to blame.\n\
                    A later text was signed by Chile and Peru.";
        let facets = article_facets(aliases, &mut analyzer, body);
        let signatories: Vec<&str> = facets
            .iter()
            .filter_map(|f| match f {
                Facet::Signatory(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            signatories,
            [
                "AUS", "CAN", "CHL", "DEU", "EU", "FRA", "GBR", "ITA", "JPN", "KOR", "NZL", "PER",
                "USA"
            ]
        );
        assert!(facets.contains(&Facet::Country("RUS".into())));
        assert!(facets.contains(&Facet::Country("PRK".into())));
        assert!(!facets.contains(&Facet::Signatory("RUS".into())));
    }
}
