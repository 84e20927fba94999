//! `communique search`: rank passages, print hits.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use communique::{Error, Index, Query, SearchOptions};

use super::{Paths, index, output};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", +must, -exclude, AND, OR, NOT, (groups), title:, source:,
    /// prefix*, fuzzy~1. Several arguments are joined with spaces.
    #[arg(required_unless_present = "like", value_name = "QUERY")]
    query: Vec<String>,
    /// Instead of a query: the articles most like the article with this id (by its most
    /// distinctive words; the article and its near-duplicates left out).
    #[arg(long, value_name = "ARTICLE_ID", conflicts_with_all = ["query", "quotes"])]
    like: Option<String>,
    /// How many articles to show.
    #[arg(long, short = 'n', default_value_t = 10)]
    limit: usize,
    /// Skip this many articles first.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Show up to this many passages of each article.
    #[arg(long, default_value_t = 1, value_name = "N")]
    passages: usize,
    #[command(flatten)]
    filters: Filters,
    /// Print JSON Lines, one hit per line.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV (a header row, then one row per hit with its best passage).
    #[arg(long)]
    csv: bool,
    /// Show why each passage matched (score breakdown).
    #[arg(long)]
    explain: bool,
    /// Search only inside quotations (what was said), and name who said it.
    #[arg(long)]
    quotes: bool,
    /// How an article's score is made from its passages: `share` (the default: its best
    /// passage plus 0.3 of each of the next two), `best` (its best passage alone) or
    /// `combined` (its best three, weighted 1, 0.5, 0.25).
    #[arg(long, value_enum, value_name = "HOW")]
    article_score: Option<super::eval::ArticleScoreArg>,
    /// Show every copy of a syndicated statement (by default near-duplicates are collapsed).
    #[arg(long)]
    no_collapse: bool,
    /// Trim passages longer than this many characters around their highlights (0: never).
    #[arg(long, default_value_t = 360, value_name = "CHARS")]
    max_chars: usize,
}

/// Filters and query expansion, shared by `search`, `facets` and `timeline`.
#[derive(Debug, Args)]
pub struct Filters {
    /// Only articles dated on or after this date (2024-12-16, 2024-12, 2024 or RFC 3339).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only articles dated on or before this date (a day, month or year counts whole).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Only articles whose source contains these words.
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// Only articles in this language (en, fr, es, ru, ar, zh, de, pt…); the query is then
    /// analysed in that language alone.
    #[arg(long, value_name = "CODE")]
    lang: Option<String>,
    /// Only articles that mention this country (ISO alpha-3 code: KOR, PRK, USA). Repeatable.
    #[arg(long, value_name = "CODE")]
    country: Vec<String>,
    /// Only articles that mention this organisation (UNSC, NATO, EU, G7…). Repeatable.
    #[arg(long, value_name = "ID")]
    org: Vec<String>,
    /// Only joint statements signed by this country or organisation. Repeatable.
    #[arg(long, value_name = "ID")]
    signatory: Vec<String>,
    /// Do not expand names with the alias table (DPRK = North Korea…).
    #[arg(long)]
    no_aliases: bool,
    /// Expand names with this alias table instead of the built-in one (format of data/aliases.tsv).
    #[arg(long, value_name = "FILE")]
    aliases: Option<std::path::PathBuf>,
    /// Search every word as typed: no correction of a word the index does not hold to its
    /// closest spelling (Kursc -> Kursk).
    #[arg(long)]
    exact: bool,
}

impl Filters {
    /// The search options these filters give.
    pub fn options(&self) -> anyhow::Result<SearchOptions> {
        let mut options = SearchOptions::new()
            .aliases(!self.no_aliases)
            .exact(self.exact);
        if let Some(since) = &self.since {
            let t = communique::corpus::parse_date(since)
                .map_err(|m| anyhow::anyhow!("--since: {m}"))?;
            options = options.since(t);
        }
        if let Some(until) = &self.until {
            let t = end_of(until).map_err(|m| anyhow::anyhow!("--until: {m}"))?;
            options = options.until(t);
        }
        if let Some(source) = &self.source {
            options = options.source(source.clone());
        }
        if let Some(lang) = &self.lang {
            anyhow::ensure!(
                communique::analysis::normalize_code(lang).is_some(),
                "--lang: `{lang}` is not a language code (expected e.g. `fr`, `ru` or `zh-Hans`)"
            );
            options = options.lang(lang);
        }
        for code in &self.country {
            options = options.country(code);
        }
        for id in &self.org {
            options = options.org(id);
        }
        for id in &self.signatory {
            options = options.signatory(id);
        }
        if let Some(path) = &self.aliases {
            let table = communique::domain::Aliases::from_file(path)?;
            options = options.alias_table(std::sync::Arc::new(table));
        }
        Ok(options)
    }
}

pub fn run(paths: &Paths, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let options = args
        .filters
        .options()?
        .limit(args.limit)
        .offset(args.offset)
        .passages(args.passages)
        .explain(args.explain)
        .quotes(args.quotes)
        .collapse(!args.no_collapse);
    let options = match args.article_score {
        Some(how) => options.ranking(communique::search::Ranking {
            article_score: how.score(),
            ..Default::default()
        }),
        None => options,
    };
    let index = open_or_build(paths)?;
    let hits = match &args.like {
        Some(id) => {
            let words = index.like_query(id)?;
            eprintln!("communique: articles like `{id}`, by its words: {words}");
            index.similar(id, &options)?.hits
        }
        None => {
            let text = args.query.join(" ");
            let query: Query = text.parse().map_err(Error::from)?;
            let hits = index.search(&query, &options)?;
            let corrections = match hits.first() {
                Some(hit) => hit.corrections.clone(),
                None => index.corrections(&query, &options)?,
            };
            for correction in &corrections {
                eprintln!("communique: {correction}; --exact to search as typed");
            }
            hits
        }
    };
    if args.json {
        output::print_hits_json(&hits)?;
    } else if args.csv {
        output::write_hits_csv(std::io::stdout().lock(), &hits)?;
    } else {
        output::print_hits(&hits, args.max_chars, args.quotes)?;
    }
    let code = if hits.is_empty() {
        // Standard output stays empty for scripts (grep's convention); a person is told.
        match &args.like {
            Some(id) => eprintln!("communique: no article is like `{id}`"),
            None => eprintln!("communique: nothing matches `{}`", args.query.join(" ")),
        }
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends right after a search: letting go of the index would unmap and free
    // every segment's files one by one (6 % of a rare-term search from the shell at 1.4 M
    // passages), which the kernel does at once when the process exits. Nothing is written.
    std::mem::forget(index);
    Ok(code)
}

/// The last second of a day, month or year given as a date; a date-time as is.
pub fn end_of(text: &str) -> Result<jiff::Timestamp, String> {
    let start = communique::corpus::parse_date(text)?;
    let text = text.trim();
    let span = match text.len() {
        4 => jiff::Span::new().years(1),
        7 => jiff::Span::new().months(1),
        10 => jiff::Span::new().days(1),
        _ => return Ok(start),
    };
    let next = start
        .to_zoned(jiff::tz::TimeZone::UTC)
        .checked_add(span)
        .map_err(|e| e.to_string())?;
    Ok(next.timestamp() - jiff::Span::new().seconds(1))
}

/// Opens the index, building it from the corpus on first use.
pub fn open_or_build(paths: &Paths) -> anyhow::Result<Index> {
    match Index::open(&paths.index) {
        Ok(index) => Ok(index),
        Err(Error::IndexMissing { .. }) => {
            eprintln!(
                "communique: no index in {}; building it from {} (first use)",
                paths.index.display(),
                paths.corpus.display()
            );
            let corpus = paths.open_corpus();
            let index = Index::open_or_create(&paths.index)
                .with_context(|| format!("cannot create the index in {}", paths.index.display()))?;
            let report = index::update_with_progress(&index, &corpus, false)?;
            output::print_skipped(&report)?;
            eprintln!(
                "communique: indexed {} articles from {}",
                report.added,
                paths.corpus.display()
            );
            Ok(index)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::end_of;

    #[test]
    fn until_covers_the_whole_period() {
        assert_eq!(
            end_of("2024-12-16").unwrap().to_string(),
            "2024-12-16T23:59:59Z"
        );
        assert_eq!(
            end_of("2024-02").unwrap().to_string(),
            "2024-02-29T23:59:59Z"
        );
        assert_eq!(end_of("2024").unwrap().to_string(), "2024-12-31T23:59:59Z");
        assert_eq!(
            end_of("2024-12-16T10:00:00Z").unwrap().to_string(),
            "2024-12-16T10:00:00Z"
        );
    }
}
