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

use std::io::Write;
use std::path::PathBuf;

use communique::{Corpus, split_passages};

/// SplitMix64: small, fast, and stable across versions (unlike a library's default RNG).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

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
        args.from = vec![
            PathBuf::from(&shared).join("data/state-dept-press"),
            PathBuf::from(&shared).join("data/ungd/speeches"),
        ];
    }
    Ok(args)
}

/// Sentences of a passage, cut after `. ` followed by a capital letter (good enough to mix).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 1..bytes.len().saturating_sub(1) {
        if bytes[i - 1] == b'.' && bytes[i] == b' ' && bytes[i + 1].is_ascii_uppercase() {
            let sentence = text[start..i].trim();
            if sentence.split_whitespace().count() >= 6 {
                out.push(sentence.replace('\n', " "));
            }
            start = i + 1;
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let mut passages: Vec<String> = Vec::new();
    let mut sentence_pool: Vec<String> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for from in &args.from {
        let scan = Corpus::new(from).read_all()?;
        for article in scan.articles {
            for range in split_passages(&article.body) {
                let text = article.body[range].replace('\n', " ");
                sentence_pool.extend(sentences(&text));
                passages.push(text);
            }
            if let Some(title) = article.title {
                titles.push(title);
            }
            if let Some(source) = article.source {
                sources.push(source);
            }
        }
    }
    if passages.is_empty() {
        return Err("no source text: give --from DIR with articles".into());
    }
    if titles.is_empty() {
        titles.push("Statement".into());
    }
    if sources.is_empty() {
        sources.push("Generated".into());
    }
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!("bench-data/gen-{}-{}", args.articles, args.seed))
    });
    std::fs::create_dir_all(&out)?;

    let mut rng = Rng::new(args.seed);
    let (mut bytes, mut passage_count) = (0usize, 0usize);
    let per_file = 10_000;
    for part in 0..args.articles.div_ceil(per_file) {
        let path = out.join(format!("part-{part:04}.jsonl"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for i in part * per_file..((part + 1) * per_file).min(args.articles) {
            let paragraphs = 2 + rng.below(11);
            let mut body = String::new();
            for p in 0..paragraphs {
                if p > 0 {
                    body.push_str("\n\n");
                }
                if rng.below(3) < 2 {
                    body.push_str(rng.pick(passages.as_slice()).as_str());
                } else {
                    let count = 2 + rng.below(5);
                    let mixed: Vec<&str> = (0..count)
                        .map(|_| rng.pick(&sentence_pool).as_str())
                        .collect();
                    body.push_str(&mixed.join(" "));
                }
            }
            let day = rng.below(15 * 365);
            let date = jiff::civil::date(2010, 1, 1)
                .checked_add(jiff::Span::new().days(day as i64))?
                .to_string();
            let record = serde_json::json!({
                "id": format!("gen-{}-{i}", args.seed),
                "title": rng.pick(&titles),
                "date": date,
                "source": rng.pick(&sources),
                "text": body,
            });
            bytes += body.len();
            passage_count += split_passages(&body).len();
            serde_json::to_writer(&mut file, &record)?;
            file.write_all(b"\n")?;
        }
        file.flush()?;
    }
    println!(
        "{} articles, {} passages, {:.1} MB of text in {}",
        args.articles,
        passage_count,
        bytes as f64 / 1e6,
        out.display()
    );
    Ok(())
}
