//! Arbitrary bytes as an article file in every format the corpus reads: reading must never
//! panic, and every article's passages must keep the invariants `split_passages` documents.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use communique::corpus::split_passages;
use communique::Corpus;
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: &[&str] = &["txt", "md", "json", "jsonl"];

/// A temporary folder for this process, created once and removed by nobody (it is small and
/// lives in the OS temp dir).
fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("communique-fuzz-article-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    })
}

fn check_passages(body: &str) {
    let passages = split_passages(body);
    let mut prev_end = 0usize;
    for (i, p) in passages.iter().enumerate() {
        assert!(p.start < p.end, "passage {i} {p:?} is empty or reversed");
        assert!(p.end <= body.len(), "passage {i} {p:?} past the body ({})", body.len());
        assert!(p.start >= prev_end, "passage {i} {p:?} overlaps or precedes the one before (end {prev_end})");
        assert!(body.is_char_boundary(p.start) && body.is_char_boundary(p.end),
            "passage {i} {p:?} not on char boundaries");
        let gap = &body[prev_end..p.start];
        assert!(gap.chars().all(char::is_whitespace),
            "non-whitespace between passages before passage {i} {p:?}: {gap:?}");
        let text = &body[p.clone()];
        assert_eq!(text, text.trim(), "passage {i} {p:?} not trimmed");
        prev_end = p.end;
    }
    let tail = &body[prev_end..];
    assert!(tail.chars().all(char::is_whitespace),
        "non-whitespace after the last passage (from {prev_end}): {tail:?}");
}

fuzz_target!(|data: &[u8]| {
    let dir = dir();
    for ext in EXTENSIONS {
        std::fs::write(dir.join(format!("input.{ext}")), data).expect("write input");
    }
    let Ok(scan) = Corpus::new(dir).read_all() else {
        return;
    };
    for article in &scan.articles {
        check_passages(&article.body);
    }
    // The raw text too, whatever the parsers made of it.
    if let Ok(s) = std::str::from_utf8(data) {
        check_passages(s);
    }
});
