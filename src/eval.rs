//! Ranking evaluation: query sets, relevance judgments, TREC run files and the standard
//! metrics (nDCG@10, MAP@100, MRR@10, P@10, Recall@100), plus passage accuracy.
//!
//! Definitions follow trec_eval: gains are the judged grades (grades of 0 or less are not
//! relevant); nDCG uses the log2(rank + 1) discount and the ideal ordering of all judged
//! grades; MAP@100 divides by every relevant document of the query, retrieved or not.
//! Metrics are averaged over the queries that have at least one relevant document.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::{Error, Index, Query, Result, SearchOptions};

/// One query of a query set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalQuery {
    /// Query id (as in the judgments).
    pub id: String,
    /// The query text.
    pub text: String,
    /// Whether `text` uses the query language (`"phrases"`, `AND`…) or is plain words.
    pub syntax: bool,
}

/// Relevance judgments: grades of documents (articles) per query, and optionally the judged
/// best passage of each relevant article.
#[derive(Clone, Debug, Default)]
pub struct Judgments {
    grades: HashMap<String, HashMap<String, i32>>,
    passages: HashMap<String, HashMap<String, String>>,
}

impl Judgments {
    /// Records a grade (replacing an earlier one for the same pair).
    pub fn add(&mut self, query: &str, doc: &str, grade: i32) {
        self.grades
            .entry(query.to_string())
            .or_default()
            .insert(doc.to_string(), grade);
    }

    /// Records the judged best passage (a verbatim excerpt) of a relevant article.
    pub fn add_passage(&mut self, query: &str, doc: &str, passage: &str) {
        self.passages
            .entry(query.to_string())
            .or_default()
            .insert(doc.to_string(), passage.to_string());
    }

    /// The grade of a document for a query (0 when unjudged).
    pub fn grade(&self, query: &str, doc: &str) -> i32 {
        self.grades
            .get(query)
            .and_then(|g| g.get(doc))
            .copied()
            .unwrap_or(0)
    }

    /// Number of relevant documents (grade > 0) of a query.
    pub fn relevant(&self, query: &str) -> usize {
        self.grades
            .get(query)
            .map_or(0, |g| g.values().filter(|&&v| v > 0).count())
    }

    fn ideal(&self, query: &str) -> Vec<i32> {
        let mut grades: Vec<i32> = self
            .grades
            .get(query)
            .map(|g| g.values().copied().filter(|&v| v > 0).collect())
            .unwrap_or_default();
        grades.sort_unstable_by(|a, b| b.cmp(a));
        grades
    }
}

/// A ranked document of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// Article id.
    pub doc: String,
    /// Score.
    pub score: f32,
    /// Text of the article's best passage, when the run comes from communique.
    pub passage: Option<String>,
}

/// The ranking a system gave for one query.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Query id.
    pub query: String,
    /// Documents, best first.
    pub ranked: Vec<Ranked>,
}

/// The metrics of a run.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Metrics {
    /// Queries with at least one relevant document (the ones averaged).
    pub queries: usize,
    /// nDCG@10.
    pub ndcg_10: f64,
    /// MAP@100.
    pub map_100: f64,
    /// MRR@10.
    pub mrr_10: f64,
    /// P@10.
    pub p_10: f64,
    /// Recall@100.
    pub recall_100: f64,
    /// Among retrieved relevant articles in the top 10 that have a judged passage, the share
    /// whose best passage is the judged one.
    pub passage_accuracy: Option<f64>,
    /// Share of queries whose first hit is relevant and shows the judged passage.
    pub passage_at_1: Option<f64>,
}

fn parse_error(path: &Path, line: usize, message: impl Into<String>) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: Some(line),
        message: message.into(),
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

fn id_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a query set: JSON Lines with `id` and either `query` (in the query language) or
/// `text` (plain words), and optionally inline judgments:
/// `"relevant": [{"article": ID, "grade": 2, "passage": "verbatim excerpt"}]`.
pub fn read_queries(path: &Path) -> Result<(Vec<EvalQuery>, Judgments)> {
    let mut queries = Vec::new();
    let mut judgments = Judgments::default();
    for (index, line) in read(path)?.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| parse_error(path, number, format!("invalid JSON: {e}")))?;
        let id =
            id_of(value.get("id")).ok_or_else(|| parse_error(path, number, "no `id` field"))?;
        let (text, syntax) = match (value.get("query"), value.get("text")) {
            (Some(Value::String(q)), _) => (q.clone(), true),
            (_, Some(Value::String(t))) => (t.clone(), false),
            _ => return Err(parse_error(path, number, "no `query` or `text` field")),
        };
        if let Some(Value::Array(relevant)) = value.get("relevant") {
            for judged in relevant {
                let doc = id_of(judged.get("article"))
                    .ok_or_else(|| parse_error(path, number, "a judgment without `article`"))?;
                let grade = judged.get("grade").and_then(Value::as_i64).unwrap_or(1) as i32;
                judgments.add(&id, &doc, grade);
                if let Some(Value::String(passage)) = judged.get("passage") {
                    judgments.add_passage(&id, &doc, passage);
                }
            }
        }
        queries.push(EvalQuery { id, text, syntax });
    }
    Ok((queries, judgments))
}

/// Reads judgments in TREC form: `query doc grade` or `query 0 doc grade` per line
/// (whitespace-separated); a header line is skipped.
pub fn read_qrels(path: &Path) -> Result<Judgments> {
    let mut judgments = Judgments::default();
    for (index, line) in read(path)?.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (query, doc, grade) = match fields.as_slice() {
            [] => continue,
            [q, d, g] | [q, _, d, g] => (*q, *d, *g),
            _ => return Err(parse_error(path, index + 1, "expected `query doc grade`")),
        };
        match grade.parse::<i32>() {
            Ok(grade) => judgments.add(query, doc, grade),
            Err(_) if index == 0 => continue, // a header
            Err(_) => {
                return Err(parse_error(
                    path,
                    index + 1,
                    format!("grade `{grade}` is not a number"),
                ));
            }
        }
    }
    Ok(judgments)
}

/// Reads a TREC run file (`query Q0 doc rank score tag`).
pub fn read_run(path: &Path) -> Result<Vec<Run>> {
    let mut runs: Vec<Run> = Vec::new();
    let mut by_query: HashMap<String, usize> = HashMap::new();
    for (index, line) in read(path)?.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [query, _, doc, _, score, ..] = fields.as_slice() else {
            return Err(parse_error(
                path,
                index + 1,
                "expected `query Q0 doc rank score tag`",
            ));
        };
        let score: f32 = score.parse().map_err(|_| {
            parse_error(path, index + 1, format!("score `{score}` is not a number"))
        })?;
        let slot = *by_query.entry(query.to_string()).or_insert_with(|| {
            runs.push(Run {
                query: query.to_string(),
                ranked: Vec::new(),
            });
            runs.len() - 1
        });
        runs[slot].ranked.push(Ranked {
            doc: doc.to_string(),
            score,
            passage: None,
        });
    }
    for run in &mut runs {
        run.ranked
            .sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.doc.cmp(&b.doc)));
    }
    Ok(runs)
}

/// Runs every query through the index: the top `options.limit` articles, ranked as a search
/// with `options` ranks them, with their best passage.
pub fn run(index: &Index, queries: &[EvalQuery], options: &SearchOptions) -> Result<Vec<Run>> {
    let mut runs = Vec::with_capacity(queries.len());
    for query in queries {
        let parsed = if query.syntax {
            Query::parse(&query.text)?
        } else {
            Query::words(&query.text)?
        };
        let hits = match index.search(&parsed, options) {
            Ok(hits) => hits,
            // A query that analyses to nothing (only punctuation) retrieves nothing.
            Err(Error::Query(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
        let ranked: Vec<Ranked> = hits
            .into_iter()
            .map(|hit| Ranked {
                doc: hit.article.id,
                score: hit.score,
                passage: hit.passages.into_iter().next().map(|p| p.text),
            })
            .collect();
        runs.push(Run {
            query: query.id.clone(),
            ranked,
        });
    }
    Ok(runs)
}

/// Writes runs in TREC format: `query Q0 doc rank score tag`.
pub fn write_trec(runs: &[Run], tag: &str, out: &mut impl Write) -> std::io::Result<()> {
    for run in runs {
        for (rank, ranked) in run.ranked.iter().enumerate() {
            writeln!(
                out,
                "{} Q0 {} {} {:.6} {tag}",
                run.query,
                ranked.doc,
                rank + 1,
                ranked.score
            )?;
        }
    }
    Ok(())
}

/// Does a passage shown for an article hold the judged excerpt (or overlap it by its first or
/// last five words)?
fn shows(passage: &str, judged: &str) -> bool {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (passage, judged) = (flat(passage), flat(judged));
    if passage.contains(&judged) {
        return true;
    }
    let words: Vec<&str> = judged.split(' ').collect();
    let n = words.len().min(5);
    passage.contains(&words[..n].join(" ")) || passage.contains(&words[words.len() - n..].join(" "))
}

/// Computes the metrics of `runs` against `judgments`.
pub fn evaluate(runs: &[Run], judgments: &Judgments) -> Metrics {
    let by_query: HashMap<&str, &Run> = runs.iter().map(|r| (r.query.as_str(), r)).collect();
    let mut metrics = Metrics::default();
    let (mut shown, mut judged_shown, mut first_right, mut with_passages) = (0, 0, 0, 0);
    let mut queries: Vec<&String> = judgments.grades.keys().collect();
    queries.sort();
    for query in queries {
        let relevant = judgments.relevant(query);
        if relevant == 0 {
            continue;
        }
        metrics.queries += 1;
        let empty = Vec::new();
        let ranked = by_query.get(query.as_str()).map_or(&empty, |r| &r.ranked);
        let grade = |i: usize| {
            ranked
                .get(i)
                .map_or(0, |r| judgments.grade(query, &r.doc))
                .max(0)
        };

        let dcg: f64 = (0..10)
            .map(|i| f64::from(grade(i)) / (i as f64 + 2.0).log2())
            .sum();
        let idcg: f64 = judgments
            .ideal(query)
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, &g)| f64::from(g) / (i as f64 + 2.0).log2())
            .sum();
        metrics.ndcg_10 += if idcg > 0.0 { dcg / idcg } else { 0.0 };

        let mut hits = 0;
        let mut precision_sum = 0.0;
        for i in 0..ranked.len().min(100) {
            if grade(i) > 0 {
                hits += 1;
                precision_sum += f64::from(hits) / (i as f64 + 1.0);
            }
        }
        metrics.map_100 += precision_sum / relevant as f64;
        metrics.recall_100 += f64::from(hits) / relevant as f64;
        metrics.p_10 += (0..10).filter(|&i| grade(i) > 0).count() as f64 / 10.0;
        metrics.mrr_10 += (0..10)
            .find(|&i| grade(i) > 0)
            .map_or(0.0, |i| 1.0 / (i as f64 + 1.0));

        if let Some(passages) = judgments.passages.get(query.as_str()) {
            with_passages += 1;
            for (i, ranked) in ranked.iter().take(10).enumerate() {
                if let (Some(judged), Some(text)) = (passages.get(&ranked.doc), &ranked.passage) {
                    judged_shown += 1;
                    if shows(text, judged) {
                        shown += 1;
                        if i == 0 {
                            first_right += 1;
                        }
                    }
                }
            }
        }
    }
    let n = metrics.queries.max(1) as f64;
    metrics.ndcg_10 /= n;
    metrics.map_100 /= n;
    metrics.mrr_10 /= n;
    metrics.p_10 /= n;
    metrics.recall_100 /= n;
    if with_passages > 0 {
        metrics.passage_accuracy = Some(if judged_shown > 0 {
            f64::from(shown) / f64::from(judged_shown)
        } else {
            0.0
        });
        metrics.passage_at_1 = Some(f64::from(first_right) / f64::from(with_passages));
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(docs: &[&str]) -> Vec<Run> {
        vec![Run {
            query: "q".into(),
            ranked: docs
                .iter()
                .enumerate()
                .map(|(i, d)| Ranked {
                    doc: d.to_string(),
                    score: 10.0 - i as f32,
                    passage: None,
                })
                .collect(),
        }]
    }

    #[test]
    fn metrics_match_hand_computed_values() {
        let mut judgments = Judgments::default();
        judgments.add("q", "a", 2);
        judgments.add("q", "b", 1);
        judgments.add("q", "x", -1);
        judgments.add("q", "z", 1); // never retrieved
        let m = evaluate(&run(&["x", "a", "c", "b"]), &judgments);
        assert_eq!(m.queries, 1);
        // Relevant at ranks 2 and 4: AP = (1/2 + 2/4) / 3.
        assert!((m.map_100 - (0.5 + 0.5) / 3.0).abs() < 1e-9);
        assert!((m.mrr_10 - 0.5).abs() < 1e-9);
        assert!((m.p_10 - 0.2).abs() < 1e-9);
        assert!((m.recall_100 - 2.0 / 3.0).abs() < 1e-9);
        let dcg = 2.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        assert!((m.ndcg_10 - dcg / idcg).abs() < 1e-9);
        // A perfect run scores 1.
        let perfect = evaluate(&run(&["a", "b", "z"]), &judgments);
        assert!((perfect.ndcg_10 - 1.0).abs() < 1e-9 && (perfect.map_100 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn passages_are_matched_by_excerpt() {
        assert!(shows(
            "One. The judged   passage is here. Two.",
            "The judged passage is here."
        ));
        assert!(shows(
            "… and then the judged passage is here",
            "the judged passage is here and goes on"
        ));
        assert!(!shows(
            "Something else entirely.",
            "The judged passage is here."
        ));
    }
}
