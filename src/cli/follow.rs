//! `communique follow`: saved searches, and what is new for them since you last looked.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use communique::follow::{Follows, NewMatch};
use communique::{Error, Index, Query};

use super::search::{Filters, open_or_build};
use super::{Paths, output};

#[derive(Debug, Args)]
pub struct FollowArgs {
    #[command(subcommand)]
    command: FollowCommand,
}

#[derive(Debug, Subcommand)]
enum FollowCommand {
    /// Save a search: from now on, articles that arrive or change and match it are news.
    Add {
        /// Its name (letters, digits, `-`, `_`, `.`): `follow news NAME`, `/feeds/NAME.atom`.
        name: String,
        /// The query, in the query language of `search`.
        #[arg(required = true, value_name = "QUERY")]
        query: Vec<String>,
        #[command(flatten)]
        filters: Filters,
        /// Match inside quotations only.
        #[arg(long)]
        quotes: bool,
    },
    /// The saved searches, each with its count of unread news.
    List {
        /// Print JSON Lines, one saved search per line.
        #[arg(long)]
        json: bool,
    },
    /// Remove a saved search and its news.
    Remove {
        /// Its name.
        name: String,
    },
    /// The news of one saved search (or of all) since the last read, then marks them read.
    News {
        /// Only this saved search.
        name: Option<String>,
        /// Show every match reported since the search was saved, read or not.
        #[arg(long)]
        all: bool,
        /// Print JSON Lines: one hit per line, with the saved search's name.
        #[arg(long)]
        json: bool,
        /// Show at most this many articles per saved search.
        #[arg(long, short = 'n', default_value_t = 100)]
        limit: usize,
        /// Trim passages longer than this many characters around their highlights (0: never).
        #[arg(long, default_value_t = 360, value_name = "CHARS")]
        max_chars: usize,
    },
}

pub fn run(paths: &Paths, args: FollowArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        FollowCommand::Add {
            name,
            query,
            filters,
            quotes,
        } => {
            let text = query.join(" ");
            // Refuse a broken query before building or opening anything.
            Query::parse(&text).map_err(Error::from)?;
            let options = filters.options()?.quotes(quotes);
            let index = open_or_build(paths)?;
            let follows = Follows::of(&index)?;
            follows.catch_up(&index)?;
            follows.add(&index, &name, &text, &options)?;
            eprintln!(
                "communique: saved `{name}`; articles that arrive or change and match it are news \
                 (`communique follow news {name}`)"
            );
            Ok(ExitCode::SUCCESS)
        }
        FollowCommand::List { json } => {
            let index = Index::open(&paths.index)?;
            let follows = Follows::of(&index)?;
            follows.catch_up(&index)?;
            let list = follows.list()?;
            let mut out = std::io::stdout().lock();
            for summary in &list {
                if json {
                    serde_json::to_writer(&mut out, summary)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "{:<20} {:>4} unread  {}",
                        summary.search.name, summary.unread, summary.search.query
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        FollowCommand::Remove { name } => {
            let index = Index::open(&paths.index)?;
            if Follows::of(&index)?.remove(&name)? {
                eprintln!("communique: removed `{name}`");
                Ok(ExitCode::SUCCESS)
            } else {
                Err(Error::InvalidArgument(format!("no saved search named `{name}`")).into())
            }
        }
        FollowCommand::News {
            name,
            all,
            json,
            limit,
            max_chars,
        } => news(paths, name.as_deref(), all, json, limit, max_chars),
    }
}

fn news(
    paths: &Paths,
    name: Option<&str>,
    all: bool,
    json: bool,
    limit: usize,
    max_chars: usize,
) -> anyhow::Result<ExitCode> {
    let index = Index::open(&paths.index)?;
    let follows = Follows::of(&index)?;
    follows.catch_up(&index)?;
    let news = follows.news(name, all)?;
    let mut shown = 0;
    for summary in follows.list()? {
        let search = summary.search;
        let mine: Vec<NewMatch> = news
            .iter()
            .filter(|m| m.search == search.name)
            .cloned()
            .collect();
        if mine.is_empty() {
            continue;
        }
        let hits = follows.hits(&index, &search, &mine, limit)?;
        if json {
            let mut out = std::io::stdout().lock();
            for hit in &hits {
                let mut value = serde_json::to_value(hit)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("search".into(), search.name.clone().into());
                }
                serde_json::to_writer(&mut out, &value)?;
                writeln!(out)?;
            }
        } else {
            let mut out = anstream::stdout().lock();
            if shown > 0 {
                writeln!(out)?;
            }
            writeln!(
                out,
                "== {} ({} new): {}",
                search.name,
                mine.len(),
                search.query
            )?;
            drop(out);
            output::print_hits(&hits, max_chars, search.filters.quotes)?;
        }
        shown += hits.len();
        follows.mark_read(&mine)?;
    }
    Ok(if shown == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// After a commit of `index`, `watch` or `serve`: evaluate the saved searches, if any, on what
/// changed, and say on stderr how many news there are.
pub fn catch_up(index: &Index) -> anyhow::Result<Vec<NewMatch>> {
    let Ok(follows) = Follows::of(index) else {
        return Ok(Vec::new());
    };
    let news = follows.catch_up(index)?;
    if !news.is_empty() {
        let searches: std::collections::BTreeSet<&str> =
            news.iter().map(|m| m.search.as_str()).collect();
        let searches: Vec<&str> = searches.into_iter().collect();
        eprintln!(
            "communique: {} new {} for saved searches ({}): `communique follow news`",
            news.len(),
            if news.len() == 1 { "match" } else { "matches" },
            searches.join(", ")
        );
    }
    Ok(news)
}
