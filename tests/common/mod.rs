//! Shared fixtures for the integration tests: the project corpus, and the real collections in
//! `../shared` indexed once per test binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use communique::{Corpus, Index};

mod tree;
// Not every test binary copies folders (`dead_code` does not cover a re-export).
#[allow(unused_imports)]
pub use tree::copy_dir;

/// The project's own corpus.
pub fn project_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// `../shared` (or `$COMMUNIQUE_SHARED`). Real-data tests are `#[ignore]`d so that `cargo test`
/// runs anywhere; `.ci/run` runs them with `--ignored`, and they fail loudly without the data.
pub fn shared() -> PathBuf {
    let path = std::env::var_os("COMMUNIQUE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    assert!(
        path.join("data/ungd/speeches").is_dir() && path.join("seed").is_dir(),
        "real-data tests need ../shared (or COMMUNIQUE_SHARED) with data/ and seed/: not found at {}",
        path.display()
    );
    // Absolute, so that symbolic links to it work from anywhere.
    path.canonicalize().expect("canonical path of ../shared")
}

/// The seed article's path.
pub fn seed_file() -> PathBuf {
    shared().join("seed/000_b491b3170320ace1.txt")
}

/// A corpus folder of symbolic links to the seed, every State Department file and every UN
/// General Debate year (no SOURCE.md files).
pub fn real_corpus() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shared = shared();
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("seed")).unwrap();
        std::fs::create_dir_all(root.join("state-dept-press")).unwrap();
        std::fs::create_dir_all(root.join("ungd")).unwrap();
        std::os::unix::fs::symlink(seed_file(), root.join("seed/000_b491b3170320ace1.txt"))
            .unwrap();
        for entry in std::fs::read_dir(shared.join("data/state-dept-press")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                std::os::unix::fs::symlink(
                    &path,
                    root.join("state-dept-press")
                        .join(path.file_name().unwrap()),
                )
                .unwrap();
            }
        }
        for entry in std::fs::read_dir(shared.join("data/ungd/speeches")).unwrap() {
            let path = entry.unwrap().path();
            std::os::unix::fs::symlink(&path, root.join("ungd").join(path.file_name().unwrap()))
                .unwrap();
        }
        dir
    })
    .path()
}

/// Articles in the real corpus: the seed, 2,025 press releases, 2,903 speeches.
pub const REAL_ARTICLES: usize = 1 + 2025 + 2903;

/// The real corpus indexed once (on disk, in a temporary folder).
pub fn real_index() -> &'static Index {
    static INDEX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let index = Index::create(dir.path().join("index")).expect("create index");
            let report = index
                .update(&Corpus::new(real_corpus()))
                .expect("index the real corpus");
            assert!(report.skipped.is_empty(), "skipped: {:?}", report.skipped);
            assert_eq!(report.added, REAL_ARTICLES);
            (dir, index)
        })
        .1
}

/// The project corpus indexed once, in memory.
pub fn project_index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = Index::in_memory().expect("in-memory index");
        let report = index
            .update(&Corpus::new(project_corpus()))
            .expect("index the project corpus");
        assert!(report.skipped.is_empty(), "skipped: {:?}", report.skipped);
        index
    })
}

/// The highlighted strings of a passage.
pub fn marked(passage: &communique::Passage) -> Vec<&str> {
    passage
        .highlights
        .iter()
        .map(|r| &passage.text[r.clone()])
        .collect()
}

/// A hook on loopback that answers 500 to its first `failures` posts and 204 after, and sends
/// every body it receives.
pub fn hook(failures: usize) -> (String, std::sync::mpsc::Receiver<serde_json::Value>) {
    use std::io::{BufRead, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (bodies, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let mut stream = stream.unwrap();
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let status = if n < failures {
                "500 Internal Server Error"
            } else {
                "204 No Content"
            };
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            .unwrap();
            if bodies.send(serde_json::from_slice(&body).unwrap()).is_err() {
                break;
            }
        }
    });
    (url, received)
}
