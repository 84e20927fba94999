//! What 1,000 saved searches add to each commit, at two index sizes.
//!
//! `cargo bench --bench follow` (needs `../shared`). The saved searches are made from the
//! words and phrases of the diplomatic development queries (`eval/diplomatic/queries.jsonl`).
//! Batches of 1, 100 and 1,000 new articles (generated from real passages, another seed than
//! the index's) are committed into the real-corpus index (about 5,000 articles) and into a
//! generated one of 20,000; the figure is the time of `Follows::catch_up` after each commit,
//! the median of three batches of each size. `FOLLOW_BENCH_REAL_ONLY=1` stops after the real
//! corpus (to profile it with `perf record`).

mod support;

use std::time::{Duration, Instant};

use communique::follow::Follows;
use communique::{Article, Corpus, Index, SearchOptions};

const SAVED: usize = 1000;
const BATCHES: [usize; 3] = [1, 100, 1000];
const REPEATS: usize = 3;

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let queries = saved_queries();
    let incoming = support::generated_corpus_seeded(3400, 2);
    let mut fresh = Corpus::new(&incoming)
        .read_all()
        .expect("read new articles")
        .articles;
    fresh.truncate(BATCHES.iter().sum::<usize>() * REPEATS);

    let real_dir = support::real_corpus();
    let real = tempfile::tempdir().unwrap();
    let real_index = Index::create(real.path().join("index")).unwrap();
    real_index.update(&Corpus::new(real_dir.path())).unwrap();
    println!("index size          batch  commit (median)  saved searches (median)  new matches");
    measure("real, ~5,000", &real_index, &queries, &fresh);
    if std::env::var_os("FOLLOW_BENCH_REAL_ONLY").is_some() {
        return;
    }

    let big = tempfile::tempdir().unwrap();
    let big_index = Index::create(big.path().join("index")).unwrap();
    big_index
        .update(&Corpus::new(support::generated_corpus(20_000)))
        .unwrap();
    measure("generated, 20,000", &big_index, &queries, &fresh);
}

fn measure(label: &str, index: &Index, queries: &[String], fresh: &[Article]) {
    let follows = Follows::of(index).unwrap();
    let started = Instant::now();
    // Past the distinct queries, the same ones again with a date filter.
    let since = communique::corpus::parse_date("2022-01-01").unwrap();
    for i in 0..SAVED {
        let query = &queries[i % queries.len()];
        let options = if i < queries.len() {
            SearchOptions::new()
        } else {
            SearchOptions::new().since(since)
        };
        follows
            .add(index, &format!("s{i:04}"), query, &options)
            .unwrap();
    }
    eprintln!(
        "{label}: saved {SAVED} searches in {:.1?}",
        started.elapsed()
    );
    let mut next = fresh.iter();
    for batch in BATCHES {
        let mut commits = Vec::new();
        let mut catch_ups = Vec::new();
        let mut found = 0;
        for _ in 0..REPEATS {
            let mut writer = index.writer().unwrap();
            for article in next.by_ref().take(batch) {
                let mut article = article.clone();
                article.id = format!("new/{}", article.id);
                writer.replace(&article).unwrap();
            }
            let start = Instant::now();
            writer.commit().unwrap();
            commits.push(start.elapsed());
            let start = Instant::now();
            found += follows.catch_up(index).unwrap().len();
            catch_ups.push(start.elapsed());
        }
        println!(
            "{label:<19} {batch:>5}  {:>15.1?}  {:>23.1?}  {:>11}",
            median(commits),
            median(catch_ups),
            found / REPEATS
        );
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Up to 1,000 distinct queries: each development query, then its words, its neighbouring pairs
/// and its two-word phrases, round-robin over the queries.
fn saved_queries() -> Vec<String> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/diplomatic/queries.jsonl"),
    )
    .unwrap();
    let mut lists: Vec<Vec<String>> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let query = value["query"].as_str().unwrap().to_string();
        let words: Vec<&str> = query
            .split_whitespace()
            .filter(|w| w.chars().all(char::is_alphanumeric) && w.len() > 3)
            .collect();
        let mut list = vec![query.clone()];
        list.extend(words.iter().map(|w| w.to_string()));
        for pair in words.windows(2) {
            list.push(format!("{} {}", pair[0], pair[1]));
            list.push(format!("\"{} {}\"", pair[0], pair[1]));
        }
        lists.push(list);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for round in 0.. {
        let mut any = false;
        for list in &lists {
            if let Some(query) = list.get(round) {
                any = true;
                if seen.insert(query.clone()) {
                    out.push(query.clone());
                }
                if out.len() == SAVED {
                    return out;
                }
            }
        }
        if !any {
            break;
        }
    }
    out
}
