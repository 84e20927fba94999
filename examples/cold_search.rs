//! # What a search from the shell pays that a warm one does not
//!
//! ```text
//! cargo run --release --example cold_search -- INDEX QUERY
//! ```
//!
//! In a fresh process: opens the index, runs the query, then runs it again, and prints three
//! times in microseconds on standard error (open, first search, second search) and the hits
//! found. Run it many times and take medians: the first search pays what the process has not
//! yet touched (pages of the index and of the program, the document store's blocks, caches
//! built on first use), the second only the work (BENCHMARKS.md, "A search's first time").

use std::time::Instant;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let (Some(index), Some(text)) = (args.next(), args.next()) else {
        return Err("usage: cold_search INDEX QUERY".into());
    };
    let started = Instant::now();
    let index = communique::Index::open(std::path::Path::new(&index))?;
    let opened = Instant::now();
    let query: communique::Query = text.parse()?;
    let options = communique::SearchOptions::new();
    let first = index.search(&query, &options)?.len();
    let searched = Instant::now();
    let second = index.search(&query, &options)?.len();
    let again = Instant::now();
    eprintln!(
        "{} {} {} {}",
        (opened - started).as_micros(),
        (searched - opened).as_micros(),
        (again - searched).as_micros(),
        first.max(second)
    );
    // The process ends here, as the command-line search does (see `cli/search.rs`).
    std::mem::forget(index);
    Ok(())
}
