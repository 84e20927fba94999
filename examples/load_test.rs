//! Load test: searches in a loop on several threads while `watch` takes in new articles.
//!
//! ```text
//! cargo run --release --example load_test -- --threads 8 --seconds 60 --articles 1000
//! ```
//!
//! The corpus is a copy of `corpus/` in a temporary folder. One thread runs
//! [`Index::watch`] on it (what `communique watch` runs); another copies `--articles` new
//! articles in at a steady pace over the first two thirds of the run, each with a unique
//! marker word; `--threads` threads search in a loop. Every answer is checked: no error,
//! every highlight inside its passage and on the query's words, the number of indexed articles
//! never going down; at the end every marker is found exactly once. It prints throughput,
//! latency (min/median/p99/max), the batches applied and the process's resident memory over
//! time, and exits non-zero if anything was wrong.

#[path = "../tests/common/tree.rs"]
mod tree;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use communique::index::{WatchEvent, WatchOptions};
use communique::{Corpus, Index, Query, SearchOptions};

struct Args {
    threads: usize,
    seconds: u64,
    articles: usize,
}

const USAGE: &str = "usage: load_test [--threads N] [--seconds N] [--articles N]";

fn args() -> Result<Args, String> {
    let mut args = Args {
        threads: 8,
        seconds: 60,
        articles: 1000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        let value = it.next().unwrap_or_default();
        let number: u64 = value
            .parse()
            .map_err(|_| format!("{flag} needs a number, not {value:?}\n{USAGE}"))?;
        match flag.as_str() {
            "--threads" => args.threads = number as usize,
            "--seconds" => args.seconds = number,
            "--articles" => args.articles = number as usize,
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

/// Resident memory of this process, in MiB: all of it, and the anonymous part (the heap; the
/// rest is the index's files mapped in, which grows with the index).
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("RssAnon:"))
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

const QUERIES: &[(&str, &[&str])] = &[
    ("Kursk", &["kursk"]),
    ("\"Security Council\"", &["security council"]),
    ("grain corridor", &["grain", "corridor", "corridors"]),
    ("sanctions -oil", &["sanctions", "sanction", "sanctioned"]),
    ("ballistic missiles", &["ballistic", "missiles", "missile"]),
];

fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let work = tempfile::tempdir().unwrap();
    let corpus_dir: PathBuf = work.path().join("corpus");
    tree::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        &corpus_dir,
    );
    let sources = Corpus::new(&corpus_dir).read_all().unwrap().articles;
    let index = Arc::new(Index::create(work.path().join("index")).unwrap());
    let first = index.update(&Corpus::new(&corpus_dir)).unwrap();
    let base = first.added;
    println!(
        "start: {base} articles indexed; {} threads search for {} s while {} articles arrive",
        args.threads, args.seconds, args.articles
    );

    let stop = Arc::new(AtomicBool::new(false));
    let stop_watch = Arc::new(AtomicBool::new(false));
    let batches = Arc::new(AtomicUsize::new(0));
    let watcher = {
        let index = index.clone();
        let corpus = corpus_dir.clone();
        let stop_watch = stop_watch.clone();
        let batches = batches.clone();
        std::thread::spawn(move || {
            index
                .watch(
                    &Corpus::new(&corpus),
                    &WatchOptions::default(),
                    &stop_watch,
                    |event| match event {
                        WatchEvent::Batch { .. } => {
                            batches.fetch_add(1, Ordering::Relaxed);
                        }
                        WatchEvent::Failed(e) => eprintln!("watch: {e}"),
                        _ => {}
                    },
                )
                .unwrap();
        })
    };

    let started = Instant::now();
    let duration = Duration::from_secs(args.seconds);
    let feeder = {
        let corpus = corpus_dir.join("arrivals");
        let count = args.articles;
        let pace = duration * 2 / 3 / count.max(1) as u32;
        std::thread::spawn(move || {
            std::fs::create_dir_all(&corpus).unwrap();
            for n in 0..count {
                let source = &sources[n % sources.len()];
                let text = format!(
                    "---\ntitle: Arrival {n}\ndate: 2025-06-{:02}\n---\n{}\n\nThe marker loadmarker{n} closes this copy.",
                    n % 28 + 1,
                    source.body
                );
                // Written whole, then renamed: the watcher never sees half a file.
                let tmp = corpus.join(format!(".a{n:05}.tmp"));
                std::fs::write(&tmp, text).unwrap();
                std::fs::rename(&tmp, corpus.join(format!("a{n:05}.txt"))).unwrap();
                std::thread::sleep(pace);
            }
        })
    };

    let searches = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let wrong = Arc::new(Mutex::new(Vec::<String>::new()));
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let mut workers = Vec::new();
    for t in 0..args.threads {
        let index = index.clone();
        let stop = stop.clone();
        let searches = searches.clone();
        let errors = errors.clone();
        let wrong = wrong.clone();
        let latencies = latencies.clone();
        workers.push(std::thread::spawn(move || {
            let mut mine = Vec::new();
            let mut i = t;
            // What this thread has seen: it must never go back to an older commit.
            let mut seen = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let (text, words) = QUERIES[i % QUERIES.len()];
                i += 1;
                let query = Query::parse(text).unwrap();
                let begin = Instant::now();
                let result = index.search(&query, &SearchOptions::new().limit(10));
                mine.push(begin.elapsed().as_micros() as u64);
                searches.fetch_add(1, Ordering::Relaxed);
                match result {
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        wrong.lock().unwrap().push(format!("{text}: {e}"));
                    }
                    Ok(hits) => {
                        if hits.is_empty() {
                            wrong.lock().unwrap().push(format!("{text}: no hit"));
                        }
                        for hit in &hits {
                            for p in &hit.passages {
                                for h in &p.highlights {
                                    let marked = p.text.get(h.clone()).map(str::to_lowercase);
                                    let ok = marked.as_deref().is_some_and(|m| {
                                        words.iter().any(|w| m == *w || m.starts_with(w))
                                    });
                                    if !ok {
                                        wrong.lock().unwrap().push(format!(
                                            "{text}: highlight {h:?} = {marked:?} in {}",
                                            hit.article.id
                                        ));
                                    }
                                }
                            }
                        }
                    }
                }
                if i % 16 == 0 {
                    let now = index.stats().map(|s| s.articles).unwrap_or(0);
                    if now < seen {
                        wrong
                            .lock()
                            .unwrap()
                            .push(format!("article count went down: {seen} -> {now}"));
                    }
                    seen = seen.max(now);
                }
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }

    let mut memory = Vec::new();
    while started.elapsed() < duration {
        std::thread::sleep(Duration::from_secs(1));
        memory.push(rss_mib());
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    feeder.join().unwrap();
    // Let the last batch land, then stop the watcher after its commit.
    let deadline = Instant::now() + Duration::from_secs(30);
    while index.stats().unwrap().articles < (base + args.articles) as u64
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(200));
    }
    stop_watch.store(true, Ordering::Relaxed);
    watcher.join().unwrap();

    // Every arrival is there exactly once.
    let mut missing = Vec::new();
    for n in 0..args.articles {
        let query = Query::parse(&format!("loadmarker{n}")).unwrap();
        let hits = index
            .search(&query, &SearchOptions::new().collapse(false))
            .unwrap();
        if hits.len() != 1 || hits[0].article.id != format!("arrivals/a{n:05}.txt") {
            missing.push(n);
        }
    }

    let mut all = latencies.lock().unwrap().clone();
    all.sort_unstable();
    let total = searches.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "searches: {total} in {secs:.1} s ({:.0}/s over {} threads)",
        total as f64 / secs,
        args.threads
    );
    println!(
        "latency ms: min {:.2}, median {:.2}, p99 {:.2}, max {:.2}",
        percentile(&all, 0.0),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        percentile(&all, 1.0)
    );
    println!(
        "watch: {} batches applied; {} articles at the end (expected {})",
        batches.load(Ordering::Relaxed),
        index.stats().unwrap().articles,
        base + args.articles
    );
    // Articles arrive during the first two thirds; the last third only searches.
    let third = memory.len() / 3;
    let last = &memory[memory.len() - third..];
    let mean = |s: &[(f64, f64)], anon: bool| {
        s.iter().map(|m| if anon { m.1 } else { m.0 }).sum::<f64>() / s.len().max(1) as f64
    };
    let heap = last.iter().map(|m| m.1);
    let (heap_low, heap_high) = (
        heap.clone().fold(f64::MAX, f64::min),
        heap.fold(0.0, f64::max),
    );
    println!(
        "RSS MiB (all / heap): first third {:.0} / {:.0}, last third {:.0} / {:.0}; heap over the last third (no arrivals) from {:.0} to {:.0}",
        mean(&memory[..third], false),
        mean(&memory[..third], true),
        mean(last, false),
        mean(last, true),
        heap_low,
        heap_high,
    );
    let wrong = wrong.lock().unwrap();
    println!(
        "errors: {}; wrong answers: {}; arrivals not found exactly once: {}",
        errors.load(Ordering::Relaxed),
        wrong.len(),
        missing.len()
    );
    for w in wrong.iter().take(10) {
        println!("  {w}");
    }
    if !wrong.is_empty() || !missing.is_empty() {
        std::process::exit(1);
    }
}
