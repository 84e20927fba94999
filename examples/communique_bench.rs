//! # In-process query latency of communique, for `benches/compare.sh`
//!
//! The counterpart of `plain_tantivy bench`, `fts5.py bench` and `xapian.py bench`: the same
//! queries file, the same measure (each query run N times in this process after one warm-up;
//! median, min and max in microseconds of a search that returns the top 10 articles with their
//! best passage and its highlights, as `communique search` prints them).
//!
//! ```sh
//! cargo run --release --example communique_bench -- --index DIR --queries FILE --runs 50
//! ```
//!
//! With `--cpu`, the figures are the process's CPU time per search instead of the wall-clock
//! time: on a machine shared with other work, what load changes least.
//!
//! A line of FILE is `class<TAB>since<TAB>until<TAB>query` (dates `-` or YYYY-MM-DD, `until`
//! counting its whole day) or a bare query; `#` lines are skipped. A fifth column `no-aliases`
//! searches without alias expansion.

use std::time::Instant;

use communique::{Index, Query, SearchOptions};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let (mut index, mut queries, mut runs, mut cpu) = (None, None, 20usize, false);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--index" => index = Some(value()?),
            "--queries" => queries = Some(value()?),
            "--runs" => runs = value()?.parse()?,
            "--cpu" => cpu = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let usage = "usage: communique_bench --index DIR --queries FILE [--runs N] [--cpu]";
    let index = Index::open(index.ok_or(usage)?)?;
    println!("class\tmedian_us\tmin_us\tmax_us\thits\tquery");
    for line in std::fs::read_to_string(queries.ok_or(usage)?)?.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (class, since, until, text, flags) = match cols[..] {
            [class, since, until, text] => (class, since, until, text, ""),
            [class, since, until, text, flags] => (class, since, until, text, flags),
            _ => ("-", "-", "-", line, ""),
        };
        let mut options = SearchOptions::new()
            .limit(10)
            .aliases(flags != "no-aliases");
        if since != "-" && !since.is_empty() {
            options = options.since(communique::corpus::parse_date(since)?);
        }
        if until != "-" && !until.is_empty() {
            let day = communique::corpus::parse_date(until)?;
            options = options.until(day.checked_add(jiff::SignedDuration::from_secs(86_399))?);
        }
        let query: Query = text.parse()?;
        let hits = index.search(&query, &options)?.len(); // warm-up
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let (started, cpu_started) = (Instant::now(), cpu_time());
            let hits = index.search(&query, &options)?;
            times.push(if cpu {
                (cpu_time() - cpu_started) * 1e6
            } else {
                started.elapsed().as_secs_f64() * 1e6
            });
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
            "{class}\t{median:.1}\t{:.1}\t{:.1}\t{hits}\t{text}",
            times[0],
            times[n - 1]
        );
    }
    Ok(())
}

/// The CPU time of this process so far, in seconds.
fn cpu_time() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}
