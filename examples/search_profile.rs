//! # Where the time of one `/api/search` request goes, in process
//!
//! ```text
//! cargo run --release --example search_profile -- --index DIR [--runs 50] [--query TEXT]
//!     [--since DATE] [--until DATE]
//! ```
//!
//! With `--query`, only that query (default options, or the dates given) is timed: for `perf
//! record`.
//!
//! For each request of the `serve_load` mix (the same queries and options), one thread times,
//! over `--runs` runs after a warm-up: the search alone (`Index::search`: compile, candidates,
//! rescore, collapse, and the page's passages read and highlighted), the count alone
//! (`Index::count`: compile, and one pass over every matching passage), both one after the
//! other (what a request did before), and `Index::search_with_total` (one compilation, one
//! view of the index, the count from the same plan: what a request does now). Medians in
//! microseconds, and the sum over the mix.

use std::time::Instant;

use communique::{Index, Query, SearchOptions};

type Error = Box<dyn std::error::Error>;

/// The mix of `examples/serve_load.rs`, as queries and options.
fn mix() -> Result<Vec<(&'static str, SearchOptions)>, Error> {
    let date = communique::corpus::parse_date;
    Ok(vec![
        ("Kursk", SearchOptions::new()),
        ("\"Security Council\"", SearchOptions::new()),
        ("ballistic missiles North Korea", SearchOptions::new()),
        ("sanction* AND NOT Russia", SearchOptions::new()),
        ("climate change", SearchOptions::new().limit(20)),
        ("Zelensky~1", SearchOptions::new()),
        ("\"human rights\"", SearchOptions::new().country("UKR")),
        ("nuclear weapons", SearchOptions::new().offset(10)),
        ("grain corridor", SearchOptions::new().since(date("2022")?)),
        ("refugees", SearchOptions::new().passages(3)),
        ("title:Ukraine", SearchOptions::new()),
        ("(Syria OR Yemen) AND humanitarian", SearchOptions::new()),
        ("development goals", SearchOptions::new().org("UN")),
        ("\"General Assembly\" reform", SearchOptions::new()),
        ("democracy", SearchOptions::new().source("Spokesperson")),
        (
            "terrorism",
            SearchOptions::new().until(
                date("2015")?.checked_add(jiff::SignedDuration::from_secs(365 * 86_400 - 1))?,
            ),
        ),
    ])
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    }
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    std::hint::black_box(f());
    let times = (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    median(times)
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let (mut index, mut runs, mut only) = (None, 50usize, None);
    let mut options = SearchOptions::new();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--index" => index = Some(value()?),
            "--runs" => runs = value()?.parse()?,
            "--query" => only = Some(value()?),
            "--since" => options = options.since(communique::corpus::parse_date(&value()?)?),
            "--until" => options = options.until(communique::corpus::parse_date(&value()?)?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let usage = "usage: search_profile --index DIR [--runs N] [--query TEXT] [--since DATE] \
                 [--until DATE]";
    let index = Index::open(index.ok_or(usage)?)?;
    if let Some(text) = only {
        let query: Query = text.parse()?;
        let micros = time(runs, || index.search(&query, &options).map(|h| h.len()));
        println!("{micros:.0} µs (median of {runs})\t{text}");
        return Ok(());
    }
    println!("search_us\tcount_us\tsearch+count_us\tsearch_with_total_us\ttotal\tquery");
    let mut sums = [0.0; 4];
    for (text, options) in mix()? {
        let query: Query = text.parse()?;
        let total = index.search_with_total(&query, &options)?.total;
        let figures = [
            time(runs, || index.search(&query, &options).map(|h| h.len())),
            time(runs, || index.count(&query, &options)),
            time(runs, || {
                let hits = index.search(&query, &options).map(|h| h.len());
                (hits, index.count(&query, &options))
            }),
            time(runs, || {
                index.search_with_total(&query, &options).map(|r| r.total)
            }),
        ];
        for (sum, figure) in sums.iter_mut().zip(figures) {
            *sum += figure;
        }
        println!(
            "{:.0}\t{:.0}\t{:.0}\t{:.0}\t{total}\t{text}",
            figures[0], figures[1], figures[2], figures[3]
        );
    }
    println!(
        "{:.0}\t{:.0}\t{:.0}\t{:.0}\t-\tsum over the mix",
        sums[0], sums[1], sums[2], sums[3]
    );
    Ok(())
}
