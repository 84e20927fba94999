//! Score explanations for `--explain`, in the engine's words: each clause of the query that
//! matched a passage, with its view (stemmed, exact, title, quotation), the word as typed and
//! as analysed, its share of the passage's score, and the alias or spelling correction that
//! added it. Read from tantivy's explanation tree (its numbers are the scores), named with
//! what the compiled query knows (its words, aliases and corrections).

use serde::Serialize;

use super::correct::Correction;
use super::options::Ranking;
use crate::analysis::Analyzer;
use crate::index::Fields;

/// Why a passage scored what it did ([`SearchOptions::explain`](crate::SearchOptions::explain)).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The passage's score.
    pub score: f32,
    /// The clauses that matched, the largest share first.
    pub clauses: Vec<ClauseScore>,
}

/// Which view of the text a clause searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// The stemmed view of the passage text (`sanctions` finds "sanctioned").
    Stemmed,
    /// The exact view of the passage text (phrases, codes, prefixes, fuzzy words).
    Exact,
    /// The article's title (either view).
    Title,
    /// Only the text inside quotations (`--quotes`).
    Quotation,
    /// The entities the indexer recognised in the passage (`country:PRK` for "North Korea").
    Entity,
    /// Another field (the source).
    Other,
}

impl View {
    fn name(self) -> &'static str {
        match self {
            View::Stemmed => "stemmed",
            View::Exact => "exact",
            View::Title => "title",
            View::Quotation => "quotation",
            View::Entity => "entity",
            View::Other => "other",
        }
    }
}

/// What kind of clause it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClauseKind {
    /// One word (BM25 of its term).
    Word,
    /// A phrase: a quoted phrase, or a name of several words from the alias table.
    Phrase,
    /// Two neighbouring query words close together ([`Ranking::proximity_weight`]).
    Proximity,
    /// Every word of the query in the passage ([`Ranking::coverage_weight`]).
    Coverage,
}

/// One clause's part of a passage's score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClauseScore {
    /// What kind of clause.
    pub kind: ClauseKind,
    /// The view it searched.
    pub view: View,
    /// The word (or phrase) as typed in the query, when the clause comes from one.
    pub typed: Option<String>,
    /// The terms as analysed and searched (empty for a phrase, whose terms tantivy does not
    /// report).
    pub analysed: Vec<String>,
    /// The clause's points in the passage's score (its boosts applied).
    pub score: f32,
    /// Its share of the passage's score (0 to 1).
    pub share: f32,
    /// What added the clause beyond the words typed: `alias DPRK → North Korean` (the name
    /// that matched; for a phrase, the alias's first names), `correction Kursc → kursk`, or
    /// `feedback` (words of the best passages of a first
    /// search, for a verbose query).
    pub added_by: Option<String>,
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "score {:.3}", self.score)?;
        for clause in &self.clauses {
            let what = match clause.kind {
                ClauseKind::Word => "word",
                ClauseKind::Phrase => "phrase",
                ClauseKind::Proximity => "words close together",
                ClauseKind::Coverage => "every word present",
            };
            write!(
                f,
                "{:>5.1}%  {:.3}  {what} in the {} view",
                clause.share * 100.0,
                clause.score,
                clause.view.name()
            )?;
            if let Some(typed) = &clause.typed {
                write!(f, ": {typed}")?;
            }
            if !clause.analysed.is_empty() {
                write!(f, " (as {})", clause.analysed.join(", "))?;
            }
            if let Some(added) = &clause.added_by {
                write!(f, ", added by {added}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// What the compiled query knows about its words, to name the clauses of an explanation.
pub(crate) struct Namer<'a> {
    pub fields: &'a Fields,
    pub ranking: &'a Ranking,
    /// The query's words and phrases as typed.
    pub typed: &'a [String],
    /// The alias expansions (`DPRK → North Korea | DPRK | …`).
    pub expansions: &'a [String],
    pub corrections: &'a [Correction],
    /// Searching inside quotations only.
    pub quotes: bool,
}

/// A node of tantivy's explanation, read from its JSON.
type Json = serde_json::Value;

fn value(node: &Json) -> f32 {
    node.get("value").and_then(Json::as_f64).unwrap_or(0.0) as f32
}

fn description(node: &Json) -> &str {
    node.get("description").and_then(Json::as_str).unwrap_or("")
}

fn details(node: &Json) -> &[Json] {
    node.get("details")
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The (field id, text) of a term query's explanation.
fn term_of(node: &Json) -> Option<(u32, String)> {
    let context = node.get("context")?.as_array()?;
    let line = context
        .iter()
        .filter_map(Json::as_str)
        .find(|line| line.starts_with("Term="))?;
    // `Term=Term(field=4, type=Str, "kursk")`
    let rest = line.split("field=").nth(1)?;
    let (id, rest) = rest.split_once(',')?;
    let text = rest.split_once('"')?.1.strip_suffix("\")")?;
    Some((id.trim().parse().ok()?, text.replace("\\\"", "\"")))
}

impl Namer<'_> {
    /// The explanation of a passage scored `score`, from tantivy's `explanation`.
    pub(crate) fn explain(&self, explanation: &tantivy::query::Explanation) -> Explanation {
        let json: Json = serde_json::from_str(&explanation.to_pretty_json()).unwrap_or_default();
        let score = value(&json);
        let mut clauses = Vec::new();
        let mut analyzer = Analyzer::new();
        self.walk(&json, 1.0, None, &mut analyzer, &mut clauses);
        for clause in &mut clauses {
            clause.share = if score > 0.0 {
                clause.score / score
            } else {
                0.0
            };
        }
        clauses.sort_by(|a, b| b.score.total_cmp(&a.score));
        Explanation { score, clauses }
    }

    /// Collects the clauses under `node`, whose points in the score are its value times
    /// `scale` (what its ancestors make of it: a boost multiplies, a sum keeps, a maximum
    /// takes a share).
    fn walk(
        &self,
        node: &Json,
        scale: f32,
        boost: Option<f32>,
        analyzer: &mut Analyzer,
        out: &mut Vec<ClauseScore>,
    ) {
        let description = description(node);
        let points = value(node) * scale;
        if description.starts_with("TermQuery") {
            if let Some((field, text)) = term_of(node) {
                out.push(self.word(field, text, points, analyzer));
            }
            return;
        }
        if description.starts_with("Phrase") {
            let proximity = boost.is_some_and(|b| (b - self.ranking.proximity_weight).abs() < 1e-6);
            let (kind, view) = if proximity {
                (ClauseKind::Proximity, View::Stemmed)
            } else {
                (ClauseKind::Phrase, self.text_view(View::Exact))
            };
            let (typed, added_by) = match kind {
                ClauseKind::Phrase => self.phrase_origin(),
                _ => (None, None),
            };
            out.push(ClauseScore {
                kind,
                view,
                typed,
                analysed: Vec::new(),
                score: points,
                share: 0.0,
                added_by,
            });
            return;
        }
        let children = details(node);
        if let Some(factor) = description
            .strip_prefix("Boost x")
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|f| f.parse::<f32>().ok())
        {
            let coverage = (factor - self.ranking.coverage_weight).abs() < 1e-6
                && children.len() == 1
                && description_of_all_terms(&children[0]);
            if coverage {
                let analysed = details(&children[0])
                    .iter()
                    .filter_map(term_of)
                    .map(|(_, text)| text)
                    .collect();
                out.push(ClauseScore {
                    kind: ClauseKind::Coverage,
                    view: self.text_view(View::Stemmed),
                    typed: None,
                    analysed,
                    score: points,
                    share: 0.0,
                    added_by: None,
                });
                return;
            }
            for child in children {
                self.walk(child, scale * factor, Some(factor), analyzer, out);
            }
            return;
        }
        // A sum keeps each child's points; a maximum (an alias's names) gives each its
        // proportional share of what the node scored.
        let sum: f32 = children.iter().map(value).sum();
        let ratio = if sum > 0.0 { value(node) / sum } else { 0.0 };
        for child in children {
            self.walk(child, scale * ratio, None, analyzer, out);
        }
    }

    /// The view of text clauses: the quotation view when searching quotations.
    fn text_view(&self, view: View) -> View {
        if self.quotes { View::Quotation } else { view }
    }

    fn view_of(&self, field: u32) -> View {
        let f = self.fields;
        let is = |x: tantivy::schema::Field| x.field_id() == field;
        if is(f.stem) {
            View::Stemmed
        } else if is(f.exact) {
            View::Exact
        } else if is(f.title_stem) || is(f.title_exact) {
            View::Title
        } else if is(f.quote_stem) || is(f.quote_exact) {
            View::Quotation
        } else if is(f.mentions) {
            View::Entity
        } else {
            View::Other
        }
    }

    /// A word clause: its view, and the typed word, alias or correction it came from.
    fn word(&self, field: u32, term: String, points: f32, analyzer: &mut Analyzer) -> ClauseScore {
        let view = self.view_of(field);
        // In every language that writes the text's script: `страну` is the typed word of the
        // Russian stem `стран` (and a Latin word never loads the Chinese dictionary).
        let analyses = |analyzer: &mut Analyzer, text: &str| -> bool {
            let script = crate::analysis::script_of(text);
            analyzer.exact(text).iter().any(|t| t.text == term)
                || crate::analysis::Language::ALL
                    .iter()
                    .filter(|l| l.reads(script))
                    .any(|l| analyzer.stemmed_in(*l, text).iter().any(|t| t.text == term))
        };
        let mut typed = None;
        let mut added_by = None;
        if let Some(correction) = self
            .corrections
            .iter()
            .find(|c| c.searched.iter().any(|word| analyses(analyzer, word)))
        {
            typed = Some(correction.typed.clone());
            added_by = Some(format!(
                "correction {} → {}",
                correction.typed,
                correction.searched.join(" | ")
            ));
        } else if let Some(word) = self.typed.iter().find(|w| analyses(analyzer, w)) {
            typed = Some(word.clone());
        }
        if typed.is_none() || added_by.is_none() {
            // A name of an alias the query's words spelled: said so, unless it is the word as
            // typed.
            for expansion in self.expansions {
                let Some((matched, names)) = expansion.split_once(" → ") else {
                    continue;
                };
                let typed_self = typed.is_some() && analyses(analyzer, matched);
                if typed_self {
                    continue;
                }
                // An entity term is listed as is (`country:PRK`).
                let named = names.split(" | ").find(|name| {
                    *name == term || analyses(analyzer, name.trim_end_matches(" (weak)"))
                });
                if let Some(name) = named {
                    typed = Some(matched.to_string());
                    added_by = Some(format!("alias {matched} → {name}"));
                    break;
                }
            }
        }
        if typed.is_none() && added_by.is_none() && self.ranking.feedback_terms > 0 {
            added_by = Some("feedback".to_string());
        }
        ClauseScore {
            kind: ClauseKind::Word,
            view,
            typed,
            analysed: vec![term],
            score: points,
            share: 0.0,
            added_by,
        }
    }

    /// The typed phrase and alias of a phrase clause, when the query leaves no doubt: one
    /// alias expansion (its names of several words are phrases), or else one typed phrase.
    fn phrase_origin(&self) -> (Option<String>, Option<String>) {
        let phrases: Vec<&String> = self.typed.iter().filter(|t| t.contains(' ')).collect();
        match (self.expansions, phrases.as_slice()) {
            ([expansion], []) => (
                expansion.split(" → ").next().map(str::to_string),
                Some(short_alias(expansion)),
            ),
            (_, [phrase]) => (Some((*phrase).clone()), None),
            _ => (None, None),
        }
    }
}

/// An alias expansion with its first names (`alias DPRK → North Korea | DPRK | D.P.R.K. | …`):
/// a phrase clause does not say which of its names of several words matched.
fn short_alias(expansion: &str) -> String {
    let (matched, names) = expansion.split_once(" → ").unwrap_or((expansion, ""));
    let names: Vec<&str> = names.split(" | ").collect();
    let more = if names.len() > 3 { " | …" } else { "" };
    format!(
        "alias {matched} → {}{more}",
        names[..names.len().min(3)].join(" | ")
    )
}

/// Whether every child of `node` is a term query (the coverage clause's conjunction).
fn description_of_all_terms(node: &Json) -> bool {
    let children = details(node);
    !children.is_empty()
        && children
            .iter()
            .all(|c| description(c).starts_with("TermQuery"))
}
