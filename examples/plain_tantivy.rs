//! # The plain tantivy baseline
//!
//! What a user could build with tantivy alone: one document per **article** (no passages),
//! tantivy's default tokenizer (no stemming, no stop words, no exact view), BM25, `QueryParser`
//! (words OR-ed) and `SnippetGenerator` for the snippet. It is the baseline that shows what
//! communique's analysis, passages and highlighting cost and bring (`benches/compare.sh`).
//!
//! ```sh
//! cargo run --release --example plain_tantivy -- index --corpus DIR --index DIR
//! cargo run --release --example plain_tantivy -- search --index DIR [--since DATE] [--until DATE] QUERY...
//! cargo run --release --example plain_tantivy -- bench --index DIR --queries FILE --runs N
//! cargo run --release --example plain_tantivy -- trec --docs FILE --queries FILE --out FILE
//! ```
//!
//! Schema: `id` (STRING|STORED), `title` (TEXT|STORED), `date` (date, INDEXED|FAST), `text`
//! (TEXT|STORED). `index` reads every `*.jsonl` file of the corpus folder (fields `id`, `title`,
//! `date` as YYYY-MM-DD, `text`; `source` is not indexed) and prints articles, bytes of text,
//! seconds and MB/s.
//!
//! `search` prints the top 10 (`--limit`) by score as `rank<TAB>id<TAB>score<TAB>snippet`, the
//! snippet at most 150 bytes with highlights in `[..]`; exit 0 if something matched, 1 if not.
//! The query syntax is tantivy's (`+must`, `-exclude`, `"phrase"`, `AND`/`OR`); `--since` and
//! `--until` (YYYY-MM-DD, both days included) filter on the date. Tantivy's grammar reads `word~1` as a slop, not a
//! fuzzy word: here a bare `word~N` means "fuzzy, distance N" and switches
//! `QueryParser::set_field_fuzzy` on for both fields (every word of that query becomes fuzzy).
//!
//! `bench` runs each query of FILE N times in this process (after one warm-up run), each time
//! parsing it, collecting the top 10 and making their snippets as `search` does, and prints the
//! median, min and max in microseconds. A line of FILE is either a bare query or
//! `class<TAB>since<TAB>until<TAB>query` (dates are `-` or YYYY-MM-DD); `#` lines are skipped.
//!
//! `trec` indexes a JSON Lines file in memory and writes the top 100 of each query (JSON Lines
//! with `id` and `text`) as a TREC run, for `communique eval`.

use std::io::Write;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery};
use tantivy::schema::{FAST, Field, INDEXED, STORED, STRING, Schema, TEXT, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, Index, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term, doc};

type Error = Box<dyn std::error::Error>;

const USAGE: &str = "usage:
  plain_tantivy index --corpus DIR --index DIR
  plain_tantivy search --index DIR [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--limit N] QUERY...
  plain_tantivy bench --index DIR --queries FILE [--runs N]
  plain_tantivy trec --docs FILE --queries FILE --out FILE";

struct Fields {
    id: Field,
    title: Field,
    date: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        title: builder.add_text_field("title", TEXT | STORED),
        date: builder.add_date_field("date", INDEXED | FAST),
        text: builder.add_text_field("text", TEXT | STORED),
    };
    (builder.build(), fields)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (anything after the day, such as a time, is ignored) as midnight UTC.
fn parse_date(s: &str) -> Result<DateTime, Error> {
    let bad = || format!("bad date {s:?}: expected YYYY-MM-DD");
    let mut parts = s.get(..10).ok_or_else(bad)?.split('-');
    let mut next = || -> Result<i64, Error> { Ok(parts.next().ok_or_else(bad)?.parse::<i64>()?) };
    let (y, m, d) = (next()?, next()?, next()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad().into());
    }
    Ok(DateTime::from_timestamp_secs(
        days_from_civil(y, m, d) * 86_400,
    ))
}

/// Adds every article of a JSON Lines file; returns (articles, bytes of text).
fn add_file(writer: &IndexWriter, fields: &Fields, path: &Path) -> Result<(usize, usize), Error> {
    let (mut articles, mut bytes) = (0, 0);
    for (n, line) in std::fs::read_to_string(path)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let id = match &value["id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let title = value["title"].as_str().unwrap_or("");
        let text = value["text"].as_str().unwrap_or("");
        bytes += text.len();
        articles += 1;
        let mut doc = doc!(fields.id => id, fields.title => title, fields.text => text);
        // A date that is not YYYY-MM-DD… is left out: it only serves `--since`.
        if let Some(date) = value["date"].as_str().and_then(|d| parse_date(d).ok()) {
            doc.add_date(fields.date, date);
        }
        writer.add_document(doc)?;
    }
    Ok((articles, bytes))
}

fn main() {
    match run_main() {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("plain_tantivy: {e}");
            std::process::exit(2);
        }
    }
}

#[derive(Default)]
struct Args {
    corpus: Option<PathBuf>,
    index: Option<PathBuf>,
    since: Option<String>,
    until: Option<String>,
    queries: Option<PathBuf>,
    docs: Option<PathBuf>,
    out: Option<PathBuf>,
    runs: Option<usize>,
    limit: Option<usize>,
    words: Vec<String>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, Error> {
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--corpus" => a.corpus = Some(value()?.into()),
            "--index" => a.index = Some(value()?.into()),
            "--since" => a.since = Some(value()?),
            "--until" => a.until = Some(value()?),
            "--queries" => a.queries = Some(value()?.into()),
            "--docs" => a.docs = Some(value()?.into()),
            "--out" => a.out = Some(value()?.into()),
            "--runs" => a.runs = Some(value()?.parse()?),
            "--limit" | "-n" => a.limit = Some(value()?.parse()?),
            "--" => a.words.extend(it.by_ref()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}").into());
            }
            word => a.words.push(word.to_string()),
        }
    }
    Ok(a)
}

/// Ok(false): a search that found nothing (exit 1, like `communique search`).
fn run_main() -> Result<bool, Error> {
    let mut it = std::env::args().skip(1);
    let command = it.next().unwrap_or_default();
    if command == "-h" || command == "--help" {
        println!("{USAGE}");
        return Ok(true);
    }
    let a = parse_args(it)?;
    let need = |p: Option<PathBuf>, name: &str| p.ok_or_else(|| format!("missing {name}\n{USAGE}"));
    match command.as_str() {
        "index" => index(&need(a.corpus, "--corpus")?, &need(a.index, "--index")?).map(|()| true),
        "search" => {
            if a.words.is_empty() {
                return Err(format!("missing QUERY\n{USAGE}").into());
            }
            search(
                &need(a.index, "--index")?,
                Dates::parse(a.since.as_deref(), a.until.as_deref())?,
                a.limit.unwrap_or(10),
                &a.words.join(" "),
            )
        }
        "bench" => bench(
            &need(a.index, "--index")?,
            &need(a.queries, "--queries")?,
            a.runs.unwrap_or(20),
        )
        .map(|()| true),
        "trec" => trec(
            &need(a.docs, "--docs")?,
            &need(a.queries, "--queries")?,
            &need(a.out, "--out")?,
        )
        .map(|()| true),
        _ => Err(USAGE.into()),
    }
}

fn index(corpus: &Path, path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path)?;
    let (schema, fields) = schema();
    let index = Index::create_in_dir(path, schema)?;
    let started = Instant::now();
    // The same budget as communique's writer: 128 MiB per thread, a thread per core (up to 8).
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, threads * (128 << 20))?;
    let (mut articles, mut bytes) = (0, 0);
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no .jsonl files in {}", corpus.display()).into());
    }
    for file in files {
        let (a, b) = add_file(&writer, &fields, &file)?;
        articles += a;
        bytes += b;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{articles} articles, {bytes} bytes of text ({:.1} MB) in {seconds:.2} s: {:.1} MB/s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds
    );
    Ok(())
}

fn open(path: &Path) -> Result<(Index, Searcher, Fields), Error> {
    let index = Index::open_in_dir(path)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let (_, fields) = schema();
    let searcher = reader.searcher();
    Ok((index, searcher, fields))
}

/// Splits off a bare `word~N` (outside quotes) as a fuzzy distance: `("word", Some(N))`.
fn fuzzy_distance(query: &str) -> (String, Option<u8>) {
    let mut distance = None;
    let mut in_quotes = false;
    let mut out = String::with_capacity(query.len());
    for (i, token) in query.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let quotes = token.matches('"').count();
        if !in_quotes
            && quotes == 0
            && let Some((word, n)) = token.rsplit_once('~')
        {
            let n = if n.is_empty() {
                Some(1)
            } else {
                n.parse::<u8>().ok()
            };
            if let (Some(n), false) = (n, word.is_empty()) {
                distance = Some(distance.map_or(n, |d: u8| d.max(n)));
                out.push_str(word);
                continue;
            }
        }
        if quotes % 2 == 1 {
            in_quotes = !in_quotes;
        }
        out.push_str(token);
    }
    (out, distance)
}

/// A date filter: from `since` (included) to the end of `until`'s day.
#[derive(Clone, Copy, Default)]
struct Dates {
    since: Option<DateTime>,
    until: Option<DateTime>,
}

impl Dates {
    fn parse(since: Option<&str>, until: Option<&str>) -> Result<Dates, Error> {
        let day = |d: Option<&str>| match d {
            None | Some("" | "-") => Ok(None),
            Some(d) => parse_date(d).map(Some),
        };
        Ok(Dates {
            since: day(since)?,
            until: day(until)?,
        })
    }

    fn query(&self, field: Field) -> Option<Box<dyn Query>> {
        if self.since.is_none() && self.until.is_none() {
            return None;
        }
        let lower = self.since.map_or(Bound::Unbounded, |t| {
            Bound::Included(Term::from_field_date_for_search(field, t))
        });
        let upper = self.until.map_or(Bound::Unbounded, |t| {
            let next_day = DateTime::from_timestamp_secs(t.into_timestamp_secs() + 86_400);
            Bound::Excluded(Term::from_field_date_for_search(field, next_day))
        });
        Some(Box::new(ConstScoreQuery::new(
            Box::new(RangeQuery::new(lower, upper)),
            0.0,
        )))
    }
}

fn build_query(
    index: &Index,
    fields: &Fields,
    query: &str,
    dates: Dates,
) -> Result<Box<dyn Query>, Error> {
    let (query, fuzzy) = fuzzy_distance(query);
    // Conjunction by default stays off: bare words are OR-ed.
    let mut parser = QueryParser::for_index(index, vec![fields.title, fields.text]);
    if let Some(distance) = fuzzy {
        parser.set_field_fuzzy(fields.title, false, distance, true);
        parser.set_field_fuzzy(fields.text, false, distance, true);
    }
    let parsed = parser.parse_query(&query)?;
    Ok(match dates.query(fields.date) {
        None => parsed,
        Some(filter) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, parsed),
            (Occur::Must, filter),
        ])),
    })
}

struct Hit {
    score: f32,
    id: String,
    snippet: String,
}

/// Top `limit` articles with a snippet each.
fn top(
    index: &Index,
    searcher: &Searcher,
    fields: &Fields,
    query: &str,
    dates: Dates,
    limit: usize,
) -> Result<Vec<Hit>, Error> {
    let query = build_query(index, fields, query, dates)?;
    let hits = searcher.search(&*query, &TopDocs::with_limit(limit).order_by_score())?;
    let mut snippets = SnippetGenerator::create(searcher, &*query, fields.text)?;
    snippets.set_max_num_chars(150);
    let mut out = Vec::with_capacity(hits.len());
    for (score, address) in hits {
        let doc: TantivyDocument = searcher.doc(address)?;
        let id = doc
            .get_first(fields.id)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let snippet = snippets.snippet_from_doc(&doc);
        let fragment = snippet.fragment();
        let mut marked = String::with_capacity(fragment.len() + 16);
        let mut at = 0;
        for r in snippet.highlighted() {
            marked.push_str(&fragment[at..r.start]);
            marked.push('[');
            marked.push_str(&fragment[r.clone()]);
            marked.push(']');
            at = r.end;
        }
        marked.push_str(&fragment[at..]);
        out.push(Hit {
            score,
            id,
            snippet: marked.replace(['\n', '\r', '\t'], " "),
        });
    }
    Ok(out)
}

fn search(path: &Path, dates: Dates, limit: usize, query: &str) -> Result<bool, Error> {
    let (index, searcher, fields) = open(path)?;
    let hits = top(&index, &searcher, &fields, query, dates, limit)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (rank, hit) in hits.iter().enumerate() {
        let r = writeln!(
            out,
            "{}\t{}\t{:.3}\t{}",
            rank + 1,
            hit.id,
            hit.score,
            hit.snippet
        );
        if r.is_err() {
            break; // a closed pipe is not an error
        }
    }
    let _ = out.flush();
    Ok(!hits.is_empty())
}

fn bench(path: &Path, queries: &Path, runs: usize) -> Result<(), Error> {
    let (index, searcher, fields) = open(path)?;
    println!("class\tmedian_us\tmin_us\tmax_us\thits\tquery");
    for line in std::fs::read_to_string(queries)?.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (class, dates, query) = match cols[..] {
            [class, since, until, query] => (class, Dates::parse(Some(since), Some(until))?, query),
            _ => ("-", Dates::default(), line),
        };
        let hits = top(&index, &searcher, &fields, query, dates, 10)?.len(); // warm-up
        let mut times: Vec<f64> = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let hits = top(&index, &searcher, &fields, query, dates, 10)?;
            times.push(started.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(hits);
        }
        times.sort_by(f64::total_cmp);
        let n = times.len();
        let median = if n % 2 == 1 {
            times[n / 2]
        } else {
            (times[n / 2 - 1] + times[n / 2]) / 2.0
        };
        println!(
            "{class}\t{median:.1}\t{:.1}\t{:.1}\t{hits}\t{query}",
            times[0],
            times[n - 1]
        );
    }
    Ok(())
}

fn trec(docs: &Path, queries: &Path, out: &Path) -> Result<(), Error> {
    let (schema, fields) = schema();
    let index = Index::create_in_ram(schema);
    let mut writer: IndexWriter = index.writer(128 << 20)?;
    add_file(&writer, &fields, docs)?;
    writer.commit()?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let parser = QueryParser::for_index(&index, vec![fields.title, fields.text]);
    let mut out = std::io::BufWriter::new(std::fs::File::create(out)?);
    for line in std::fs::read_to_string(queries)?.lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let qid = match &value["id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // Plain words, as the other baselines get them: no query syntax.
        let words: Vec<String> = value["text"]
            .as_str()
            .unwrap_or("")
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let (query, _) = parser.parse_query_lenient(&words.join(" "));
        let hits = searcher.search(&query, &TopDocs::with_limit(100).order_by_score())?;
        for (rank, (score, address)) in hits.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc
                .get_first(fields.id)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            writeln!(out, "{qid} Q0 {id} {} {score:.6} plain-tantivy", rank + 1)?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(
            parse_date("2024-12-16").unwrap().into_timestamp_secs(),
            1_734_307_200
        );
    }

    #[test]
    fn fuzzy() {
        assert_eq!(fuzzy_distance("Kazakstan~1"), ("Kazakstan".into(), Some(1)));
        assert_eq!(fuzzy_distance("\"a b\"~1 c"), ("\"a b\"~1 c".into(), None));
        assert_eq!(fuzzy_distance("a"), ("a".into(), None));
    }
}
