//! # A deterministic scale corpus for benchmarks
//!
//! This example writes a large corpus of realistic articles by recombining real passages and
//! sentences of the public collections in `../shared/data`, so that term statistics (word
//! frequencies, passage lengths, vocabulary) stay those of diplomatic text. The same
//! `--articles` and `--seed` always give byte-identical files.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --articles 200000 --seed 1
//! #   -> bench-data/gen-200000-1/part-0000.jsonl … (git-ignored)
//! ```
//!
//! Options: `--articles N` (default 10000), `--seed S` (default 1), `--from DIR` (repeatable;
//! default `../shared/data/state-dept-press` and `../shared/data/ungd/speeches`), `--out DIR`
//! (default `bench-data/gen-N-S`). Each article has an id, a title, a date between 2010 and
//! 2024, a source and 2 to 12 paragraphs: two thirds are real passages, one third are new
//! paragraphs of 2 to 6 real sentences.

#[path = "../benches/support/generate.rs"]
mod generate;

use std::path::PathBuf;

struct Args {
    articles: usize,
    seed: u64,
    from: Vec<PathBuf>,
    out: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        articles: 10_000,
        seed: 1,
        from: Vec::new(),
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--articles" => {
                args.articles = value()?.parse().map_err(|e| format!("--articles: {e}"))?
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--from" => args.from.push(PathBuf::from(value()?)),
            "--out" => args.out = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.from.is_empty() {
        let shared = std::env::var("COMMUNIQUE_SHARED").unwrap_or_else(|_| "../shared".into());
        args.from = generate::default_sources(std::path::Path::new(&shared));
    }
    Ok(args)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!("bench-data/gen-{}-{}", args.articles, args.seed))
    });
    let generated = generate::generate(&args.from, args.articles, args.seed, &out)?;
    println!(
        "{} articles, {} passages, {:.1} MB of text in {}",
        generated.articles,
        generated.passages,
        generated.bytes as f64 / 1e6,
        out.display()
    );
    Ok(())
}
