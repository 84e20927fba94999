//! The deterministic scale-corpus generator, shared by the benches and
//! `examples/gen_corpus.rs`: realistic articles recombined from real passages and sentences.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use communique::Corpus;
use communique::corpus::split_passages;

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

/// What was generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generated {
    /// Articles written.
    pub articles: usize,
    /// Passages they make, as communique cuts them.
    pub passages: usize,
    /// Bytes of article text.
    pub bytes: usize,
}

/// The default sources: the press releases and the UN speeches of `shared`.
pub fn default_sources(shared: &Path) -> Vec<PathBuf> {
    vec![
        shared.join("data/state-dept-press"),
        shared.join("data/ungd/speeches"),
    ]
}

/// Writes `articles` articles made from `sources` into `out` as JSON Lines files of 10,000
/// articles (`part-0000.jsonl`, …). The same arguments always give the same bytes.
pub fn generate(
    sources: &[PathBuf],
    articles: usize,
    seed: u64,
    out: &Path,
) -> Result<Generated, Box<dyn std::error::Error>> {
    let mut passages: Vec<String> = Vec::new();
    let mut sentence_pool: Vec<String> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    let mut sources_pool: Vec<String> = Vec::new();
    for from in sources {
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
                sources_pool.push(source);
            }
        }
    }
    if passages.is_empty() || sentence_pool.is_empty() {
        return Err("no source text: give folders with articles".into());
    }
    if titles.is_empty() {
        titles.push("Statement".into());
    }
    if sources_pool.is_empty() {
        sources_pool.push("Generated".into());
    }
    std::fs::create_dir_all(out)?;
    let mut rng = Rng::new(seed);
    let mut generated = Generated {
        articles,
        passages: 0,
        bytes: 0,
    };
    let per_file = 10_000;
    for part in 0..articles.div_ceil(per_file) {
        let path = out.join(format!("part-{part:04}.jsonl"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for i in part * per_file..((part + 1) * per_file).min(articles) {
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
                "id": format!("gen-{seed}-{i}"),
                "title": rng.pick(&titles),
                "date": date,
                "source": rng.pick(&sources_pool),
                "text": body,
            });
            generated.bytes += body.len();
            generated.passages += split_passages(&body).len();
            serde_json::to_writer(&mut file, &record)?;
            file.write_all(b"\n")?;
        }
        file.flush()?;
    }
    Ok(generated)
}
