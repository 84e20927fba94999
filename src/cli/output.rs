//! What the command prints: hits (colour or JSON Lines), update reports, statistics, errors.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use communique::index::{Stats, UpdateReport};
use communique::{Error, Hit, Passage};

const TITLE: Style = Style::new().bold();
const META: Style = Style::new().dimmed();
const MATCH: Style = AnsiColor::Red.on_default().bold();
const RANK: Style = AnsiColor::Green.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();

/// Hits for people: rank, title (or lead), date, source, id, then each passage with its
/// highlights in colour, trimmed around them; with `quotes`, who said the matched words.
pub fn print_hits(hits: &[Hit], max_chars: usize, quotes: bool) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    for (i, hit) in hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        print_heading(&mut out, hit)?;
        for passage in &hit.passages {
            print_passage(&mut out, passage, max_chars)?;
            let speakers = if quotes {
                speakers(passage)
            } else {
                Vec::new()
            };
            if !speakers.is_empty() {
                writeln!(out, "      {META}— {}{META:#}", speakers.join("; "))?;
            }
            if let Some(explanation) = &passage.explanation {
                for line in explanation.to_string().lines() {
                    writeln!(out, "      {META}{line}{META:#}")?;
                }
            }
        }
    }
    out.flush()
}

/// A hit's first two lines: rank and title; date, source, id and copies.
fn print_heading(out: &mut impl Write, hit: &Hit) -> std::io::Result<()> {
    let article = &hit.article;
    writeln!(
        out,
        "{RANK}{:>2}.{RANK:#} {TITLE}{}{TITLE:#}",
        hit.rank,
        article.display_title()
    )?;
    let mut meta: Vec<&str> = Vec::new();
    if let Some(date) = &article.date {
        meta.push(date_only(date));
    }
    if let Some(source) = &article.source {
        meta.push(source);
    }
    meta.push(&article.id);
    let also = match hit.duplicates {
        0 => String::new(),
        1 => " · also in 1 other article".to_string(),
        n => format!(" · also in {n} other articles"),
    };
    writeln!(out, "    {META}{}{also}{META:#}", meta.join(" · "))
}

/// A passage on one line, its highlights in colour, trimmed to about `max_chars` around them
/// (whole with 0).
fn print_passage(out: &mut impl Write, passage: &Passage, max_chars: usize) -> std::io::Result<()> {
    // 0 shows the whole passage.
    let excerpt = passage.excerpt(if max_chars == 0 {
        usize::MAX
    } else {
        max_chars
    });
    write!(out, "    ")?;
    if excerpt.cut_before {
        write!(out, "…")?;
    }
    let mut at = 0;
    for range in &excerpt.highlights {
        write!(out, "{}", flat(&excerpt.text[at..range.start]))?;
        write!(
            out,
            "{MATCH}{}{MATCH:#}",
            flat(&excerpt.text[range.clone()])
        )?;
        at = range.end;
    }
    write!(out, "{}", flat(&excerpt.text[at..]))?;
    if excerpt.cut_after {
        write!(out, "…")?;
    }
    writeln!(out)
}

/// Who said the matched words of a passage: the speakers of the quotations that hold a
/// highlight, each once, in order.
fn speakers(passage: &Passage) -> Vec<&str> {
    let mut speakers: Vec<&str> = Vec::new();
    for quote in &passage.quotes {
        let matched = passage.highlights.iter().any(|h| quote.holds(h));
        if let Some(speaker) = quote.speaker.as_deref()
            && matched
            && !speakers.contains(&speaker)
        {
            speakers.push(speaker);
        }
    }
    speakers
}

/// Newlines and tabs shown as spaces, so a passage is one line.
fn flat(text: &str) -> String {
    text.replace(['\n', '\t', '\r'], " ")
}

/// `2022-03-01T02:29:37+00:00` shown as `2022-03-01`.
fn date_only(date: &str) -> &str {
    date.get(..10)
        .filter(|d| d.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or(date)
}

/// Hits as JSON Lines, one per line, in rank order.
pub fn print_hits_json(hits: &[Hit]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for hit in hits {
        serde_json::to_writer(&mut out, hit)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

/// The columns of `--csv` (and of the service's `format=csv`), one row per hit.
pub const CSV_HEADER: [&str; 10] = [
    "rank",
    "score",
    "id",
    "title",
    "date",
    "source",
    "url",
    "duplicates",
    "passage_start",
    "passage",
];

/// Hits as CSV (RFC 4180, a header row first): one row per hit with its best passage, for
/// people who continue in a spreadsheet.
pub fn write_hits_csv(out: impl Write, hits: &[Hit]) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER)?;
    for hit in hits {
        let article = &hit.article;
        let passage = hit.passages.first();
        writer.write_record([
            hit.rank.to_string().as_str(),
            &hit.score.to_string(),
            &article.id,
            article.title.as_deref().unwrap_or(""),
            article.date.as_deref().unwrap_or(""),
            article.source.as_deref().unwrap_or(""),
            article.url.as_deref().unwrap_or(""),
            &hit.duplicates.to_string(),
            &passage.map(|p| p.start.to_string()).unwrap_or_default(),
            &passage.map(|p| flat(&p.text)).unwrap_or_default(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// The line `watch` and `serve` print after a batch: when, how many events, what changed.
pub fn batch_line(
    now: impl std::fmt::Display,
    events: usize,
    report: &UpdateReport,
    took: std::time::Duration,
) -> String {
    format!(
        "[{now}] batch of {events} events: added {}, updated {}, removed {}, unchanged {}, skipped {} ({} ms)",
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.skipped.len(),
        took.as_millis()
    )
}

/// Every skipped file (and warning) on stderr, with why.
pub fn print_skipped(report: &UpdateReport) -> std::io::Result<()> {
    let mut err = anstream::stderr().lock();
    for warning in &report.warnings {
        writeln!(err, "{WARN}warning{WARN:#}: {warning}")?;
    }
    for skipped in &report.skipped {
        writeln!(err, "{ERROR}skipped{ERROR:#}: {skipped}")?;
    }
    Ok(())
}

/// The update report: one summary line (and the changes for a dry run), or JSON.
pub fn print_update_report(report: &UpdateReport, json: bool) -> anyhow::Result<()> {
    if json {
        let value = serde_json::json!({
            "dry_run": report.dry_run,
            "added": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "unchanged": report.unchanged,
            "skipped": report.skipped.iter().map(error_json).collect::<Vec<_>>(),
            "warnings": report.warnings.iter().map(|w| serde_json::json!({
                "path": w.path, "line": w.line, "message": w.message,
            })).collect::<Vec<_>>(),
            "changes": report.changes,
            "files": report.files,
            "files_parsed": report.files_parsed,
            "files_hashed": report.files_hashed,
        });
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    print_skipped(report)?;
    let mut out = anstream::stdout().lock();
    if report.dry_run {
        for change in &report.changes {
            let verb = match change.kind {
                communique::index::ChangeKind::Added => "add",
                communique::index::ChangeKind::Updated => "update",
                communique::index::ChangeKind::Removed => "remove",
            };
            writeln!(out, "would {verb} {}", change.id)?;
        }
    }
    writeln!(
        out,
        "{}added {}, updated {}, removed {}, unchanged {}, skipped {}",
        if report.dry_run { "dry run: " } else { "" },
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.skipped.len()
    )?;
    Ok(())
}

fn error_json(error: &Error) -> serde_json::Value {
    match error {
        Error::Parse {
            path,
            line,
            message,
        } => {
            serde_json::json!({ "path": path, "line": line, "message": message })
        }
        Error::Io { path, source } => {
            serde_json::json!({ "path": path, "line": null, "message": source.to_string() })
        }
        other => serde_json::json!({ "path": null, "line": null, "message": other.to_string() }),
    }
}

/// Index figures for people, or JSON.
pub fn print_stats(stats: &Stats, json: bool) -> anyhow::Result<()> {
    if json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, stats)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut out = anstream::stdout().lock();
    let none = "-".to_string();
    writeln!(out, "{TITLE}articles{TITLE:#}        {}", stats.articles)?;
    writeln!(out, "{TITLE}passages{TITLE:#}        {}", stats.passages)?;
    writeln!(
        out,
        "{TITLE}distinct terms{TITLE:#}  {}",
        stats.distinct_terms
    )?;
    writeln!(
        out,
        "{TITLE}size on disk{TITLE:#}    {}",
        human_bytes(stats.size_bytes)
    )?;
    writeln!(out, "{TITLE}segments{TITLE:#}        {}", stats.segments)?;
    writeln!(
        out,
        "{TITLE}last update{TITLE:#}     {}",
        stats.updated.as_ref().unwrap_or(&none)
    )?;
    writeln!(
        out,
        "{TITLE}dates{TITLE:#}           {} to {} ({} undated)",
        stats.first_date.as_deref().map(date_only).unwrap_or("-"),
        stats.last_date.as_deref().map(date_only).unwrap_or("-"),
        stats.undated
    )?;
    writeln!(
        out,
        "{TITLE}sources{TITLE:#}         {} (most frequent first)",
        stats.sources.len()
    )?;
    const SHOWN: usize = 10;
    for (source, count) in stats.sources.iter().take(SHOWN) {
        writeln!(out, "  {count:>7}  {source}")?;
    }
    if stats.sources.len() > SHOWN {
        let rest: u64 = stats.sources[SHOWN..].iter().map(|(_, c)| c).sum();
        writeln!(
            out,
            "  {rest:>7}  {META}in {} other sources (--json lists all){META:#}",
            stats.sources.len() - SHOWN
        )?;
    }
    let languages: Vec<String> = stats
        .languages
        .iter()
        .map(|(code, count)| format!("{code} {count}"))
        .collect();
    writeln!(
        out,
        "{TITLE}languages{TITLE:#}       {}",
        if languages.is_empty() {
            "-".to_string()
        } else {
            languages.join(", ")
        }
    )?;
    Ok(())
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Prints an error on stderr; a query error shows the query with a caret under the position.
pub fn print_error(err: &anyhow::Error) {
    let mut stderr = anstream::stderr().lock();
    // The chain of causes, leaving out a cause whose text the message before already holds
    // (the library's errors name their source in their own message).
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
    }
    let _ = writeln!(stderr, "{ERROR}communique{ERROR:#}: {}", parts.join(": "));
    let query_error = err.chain().find_map(|cause| {
        cause
            .downcast_ref::<Error>()
            .and_then(|e| match e {
                Error::Query(q) => Some(q),
                _ => None,
            })
            .or_else(|| cause.downcast_ref::<communique::QueryError>())
    });
    if let Some(q) = query_error {
        // The query around the position (at most 30 characters either side), on one line.
        let chars: Vec<char> = q
            .query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let at = (q.column() - 1).min(chars.len());
        let from = at.saturating_sub(30);
        let to = (at + 30).min(chars.len());
        let before = if from > 0 { "…" } else { "" };
        let after = if to < chars.len() { "…" } else { "" };
        let shown: String = chars[from..to].iter().collect();
        let _ = writeln!(stderr, "  {before}{shown}{after}");
        let _ = writeln!(
            stderr,
            "  {}^",
            " ".repeat(before.chars().count() + at - from)
        );
    }
}
