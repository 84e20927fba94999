//! Shared pieces of the benches: the real collections of `../shared` as a corpus folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared` (or `$COMMUNIQUE_SHARED`), made absolute; panics with a clear message if absent.
pub fn shared() -> PathBuf {
    let path = std::env::var_os("COMMUNIQUE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    assert!(
        path.join("data/ungd/speeches").is_dir(),
        "the benches need ../shared (or COMMUNIQUE_SHARED) with data/: not found at {}",
        path.display()
    );
    path.canonicalize().expect("canonical path of ../shared")
}

/// Articles in [`real_corpus`]: the seed, 2,025 press releases, 2,903 speeches.
pub const REAL_ARTICLES: usize = 1 + 2025 + 2903;

/// A temporary corpus folder of symbolic links to the seed, the State Department files and the
/// UN speeches, with an empty, writable `incoming/` folder for new articles.
pub fn real_corpus() -> tempfile::TempDir {
    let shared = shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for sub in ["seed", "state-dept-press", "ungd", "incoming"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    let link = |from: &Path, to: PathBuf| std::os::unix::fs::symlink(from, to).unwrap();
    link(
        &shared.join("seed/000_b491b3170320ace1.txt"),
        root.join("seed/000_b491b3170320ace1.txt"),
    );
    for entry in std::fs::read_dir(shared.join("data/state-dept-press")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            link(
                &path,
                root.join("state-dept-press")
                    .join(path.file_name().unwrap()),
            );
        }
    }
    for entry in std::fs::read_dir(shared.join("data/ungd/speeches")).unwrap() {
        let path = entry.unwrap().path();
        link(&path, root.join("ungd").join(path.file_name().unwrap()));
    }
    dir
}

pub mod generate;

/// A generated corpus of `articles` articles (seed 1) in `bench-data/`, made on first use.
pub fn generated_corpus(articles: usize) -> PathBuf {
    generated_corpus_seeded(articles, 1)
}

/// A generated corpus of `articles` articles with this seed in `bench-data/`, made on first use.
pub fn generated_corpus_seeded(articles: usize, seed: u64) -> PathBuf {
    let out =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("bench-data/gen-{articles}-{seed}"));
    if !out.join("part-0000.jsonl").is_file() {
        generate::generate(&generate::default_sources(&shared()), articles, seed, &out)
            .expect("generate the bench corpus");
    }
    out
}

/// Bytes of article text in a generated corpus (what indexing throughput is measured against).
pub fn text_bytes(corpus: &Path) -> u64 {
    communique::Corpus::new(corpus)
        .read_all()
        .expect("read the corpus")
        .articles
        .iter()
        .map(|a| a.body.len() as u64)
        .sum()
}

/// The index of a generated corpus in `bench-data/`, built on first use (and reused: delete
/// the folder to rebuild it).
pub fn generated_index(articles: usize) -> communique::Index {
    let corpus = generated_corpus(articles);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("bench-data/index-{articles}-1"));
    if !path.join("meta.json").is_file() {
        let index = communique::Index::create(&path).expect("create the bench index");
        index
            .update(&communique::Corpus::new(&corpus))
            .expect("index the bench corpus");
    }
    communique::Index::open(&path).expect("open the bench index")
}
