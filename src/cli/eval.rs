//! `communique eval`: ranking quality of a query set, on a fresh in-memory index of the corpus.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use communique::corpus::PassageConfig;
use communique::eval;
use communique::search::{ArticleScore, Ranking};
use communique::{Index, SearchOptions};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Query set, JSON Lines: `id` and `query` (query language) or `text` (plain words), and
    /// optionally inline judgments (`relevant`).
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,
    /// Judgments in TREC form (`query doc grade`, or `query 0 doc grade`).
    #[arg(long, value_name = "FILE")]
    qrels: Option<PathBuf>,
    /// Evaluate this TREC run file instead of running the queries.
    #[arg(long, value_name = "FILE")]
    run: Option<PathBuf>,
    /// Write the run in TREC format.
    #[arg(long, value_name = "FILE")]
    write_run: Option<PathBuf>,
    /// Run tag in the written run file.
    #[arg(long, default_value = "communique")]
    tag: String,
    /// Print the metrics as JSON.
    #[arg(long)]
    json: bool,
    /// Articles retrieved per query.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// Weight of the proximity clauses (0 turns them off).
    #[arg(long, value_name = "W")]
    proximity: Option<f32>,
    /// Window of the proximity clauses, in words.
    #[arg(long, value_name = "N")]
    slop: Option<u32>,
    /// Weight of the all-words clause (0 turns it off).
    #[arg(long, value_name = "W")]
    coverage: Option<f32>,
    /// Weight of a title match.
    #[arg(long, value_name = "W")]
    title: Option<f32>,
    /// Match bare words through the exact view (no stemming).
    #[arg(long)]
    no_stemming: bool,
    /// Search every word as typed (no spelling correction).
    #[arg(long)]
    exact: bool,
    /// Do not expand names with the alias table (DPRK = North Korea, demonyms, transliterations).
    #[arg(long)]
    no_aliases: bool,
    /// Weight of an entity match for a word that names a country or organisation (0 searches
    /// each of its names instead).
    #[arg(long, value_name = "W")]
    entity: Option<f32>,
    /// Keep stop words in queries (through the exact view).
    #[arg(long)]
    stop_words: bool,
    /// Do not treat question words (`what`, `which`…) of long queries as stop words.
    #[arg(long)]
    no_query_stop_words: bool,
    /// Match compounds of lowercase words (`shock-sound`) as phrases, not word by word.
    #[arg(long)]
    no_split_compounds: bool,
    /// Pseudo-relevance feedback: words added from the first search's best passages.
    #[arg(long, value_name = "N")]
    feedback: Option<usize>,
    /// Passages that feed the added words.
    #[arg(long, value_name = "N")]
    feedback_passages: Option<usize>,
    /// Feedback only for queries of at least this many bare words.
    #[arg(long, value_name = "N")]
    feedback_min_words: Option<usize>,
    /// Weight of the added words.
    #[arg(long, value_name = "W")]
    feedback_weight: Option<f32>,
    /// Passage sizes: short paragraph, window target and paragraph maximum, in words
    /// (default 10,90,120).
    #[arg(long, value_name = "SHORT,TARGET,MAX")]
    passage_words: Option<String>,
    /// How an article's score is made from its passages (default: share).
    #[arg(long, value_enum)]
    article_score: Option<ArticleScoreArg>,
}

/// `--article-score`: how an article's score is made from its passages' scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ArticleScoreArg {
    /// The best passage's score (the default before issue 12's topical ranking).
    Best,
    /// The best passage's score plus 0.3 of each of the next two (the default).
    Share,
    /// The best three passages, weighted 1, 0.5, 0.25.
    Combined,
}

pub fn run(paths: &super::Paths, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let (queries, inline) = eval::read_queries(&args.queries)?;
    // Judgments from a qrels file, else those inline in the query set.
    let judgments = match &args.qrels {
        Some(qrels) => eval::read_qrels(qrels)?,
        None => inline,
    };
    let runs = match &args.run {
        Some(run) => eval::read_run(run)?,
        None => search_runs(paths, &args, &queries)?,
    };
    if let Some(path) = &args.write_run {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        eval::write_trec(&runs, &args.tag, &mut file)?;
        file.flush()?;
    }
    print_metrics(&eval::evaluate(&runs, &judgments), args.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Indexes the corpus in memory (with the passage sizes asked for) and runs every query.
fn search_runs(
    paths: &super::Paths,
    args: &EvalArgs,
    queries: &[eval::EvalQuery],
) -> anyhow::Result<Vec<eval::Run>> {
    let passages = match &args.passage_words {
        Some(spec) => parse_passages(spec)?,
        None => PassageConfig::default(),
    };
    let index = Index::in_memory_with_passages(passages)?;
    let report = index.update(&paths.open_corpus())?;
    anyhow::ensure!(
        report.added > 0,
        "no articles in {}",
        paths.corpus.display()
    );
    let options = SearchOptions::new()
        .limit(args.limit)
        .ranking(ranking(args))
        .exact(args.exact)
        .aliases(!args.no_aliases)
        // Every document is judged on its own: copies are not collapsed.
        .collapse(false);
    Ok(eval::run(&index, queries, &options)?)
}

/// The ranking of the defaults with the variants asked for.
fn ranking(args: &EvalArgs) -> Ranking {
    let defaults = Ranking::default();
    Ranking {
        proximity_weight: args.proximity.unwrap_or(defaults.proximity_weight),
        proximity_slop: args.slop.unwrap_or(defaults.proximity_slop),
        coverage_weight: args.coverage.unwrap_or(defaults.coverage_weight),
        title_weight: args.title.unwrap_or(defaults.title_weight),
        stemming: !args.no_stemming,
        stop_words: args.stop_words,
        query_stop_words: !args.no_query_stop_words,
        split_compounds: !args.no_split_compounds,
        feedback_terms: args.feedback.unwrap_or(defaults.feedback_terms),
        feedback_passages: args.feedback_passages.unwrap_or(defaults.feedback_passages),
        feedback_min_words: args
            .feedback_min_words
            .unwrap_or(defaults.feedback_min_words),
        feedback_weight: args.feedback_weight.unwrap_or(defaults.feedback_weight),
        article_score: args
            .article_score
            .map_or(defaults.article_score, ArticleScoreArg::score),
        entity_weight: args.entity.unwrap_or(defaults.entity_weight),
    }
}

impl ArticleScoreArg {
    /// The library's article score for this choice.
    pub fn score(self) -> ArticleScore {
        match self {
            ArticleScoreArg::Best => ArticleScore::Best,
            ArticleScoreArg::Share => ArticleScore::default(),
            ArticleScoreArg::Combined => ArticleScore::Decay {
                passages: 3,
                decay: 0.5,
            },
        }
    }
}

fn print_metrics(metrics: &eval::Metrics, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, metrics)?;
        writeln!(out)?;
        return Ok(());
    }
    write!(
        out,
        "nDCG@10 {:.4}  MAP@100 {:.4}  MRR@10 {:.4}  P@10 {:.4}  R@100 {:.4}",
        metrics.ndcg_10, metrics.map_100, metrics.mrr_10, metrics.p_10, metrics.recall_100
    )?;
    if let (Some(accuracy), Some(first)) = (metrics.passage_accuracy, metrics.passage_at_1) {
        write!(
            out,
            "  passage accuracy {accuracy:.4}  passage@1 {first:.4}"
        )?;
    }
    writeln!(out, "  ({} queries)", metrics.queries)?;
    Ok(())
}

fn parse_passages(spec: &str) -> anyhow::Result<PassageConfig> {
    let numbers: Vec<usize> = spec
        .split(',')
        .map(|n| n.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .with_context(|| {
            format!("--passage-words `{spec}`: expected three numbers, like 10,90,120")
        })?;
    let [short, target, max] = numbers[..] else {
        anyhow::bail!("--passage-words `{spec}`: expected three numbers, like 10,90,120");
    };
    anyhow::ensure!(
        short < target && target <= max,
        "--passage-words: need SHORT < TARGET <= MAX"
    );
    Ok(PassageConfig {
        short_paragraph_words: short,
        target_words: target,
        max_words: max,
        ..PassageConfig::default()
    })
}
