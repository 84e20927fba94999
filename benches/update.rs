//! Incremental updates against a full build, on the real collections (about 5,000 articles):
//! adding, changing and deleting one article must cost a small fraction of a full build.
//!
//! `cargo bench --bench update` (needs `../shared`).

mod support;
#[path = "../tests/common/tree.rs"]
mod tree;

use std::time::{Duration, Instant};

use communique::{Corpus, Index};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

const CHANGED_ARTICLE: &str = "---\ntitle: New statement, corrected\ndate: 2024-12-16\n---\nForeign ministers of eleven countries condemned the deployment of North Korean troops to the Kursk and Belgorod regions.";
const NEW_ARTICLE: &str = "---\ntitle: New statement\ndate: 2024-12-16\n---\nForeign ministers of ten countries condemned the deployment of North Korean troops to the Kursk region.";

fn update(c: &mut Criterion) {
    let corpus_dir = support::real_corpus();
    let corpus = Corpus::new(corpus_dir.path());
    let incoming = corpus_dir.path().join("incoming");

    let mut group = c.benchmark_group("update");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("full build", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let index = Index::create(dir.path().join("index")).unwrap();
                let report = index.update(&corpus).unwrap();
                assert_eq!(report.added, support::REAL_ARTICLES);
                dir
            },
            BatchSize::PerIteration,
        )
    });

    let dir = tempfile::tempdir().unwrap();
    let index = Index::create(dir.path().join("index")).unwrap();
    assert_eq!(index.update(&corpus).unwrap().added, support::REAL_ARTICLES);
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(20));

    group.bench_function("add 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let file = incoming.join("new.txt");
                std::fs::write(&file, NEW_ARTICLE).unwrap();
                let start = Instant::now();
                let report = index.update(&corpus).unwrap();
                total += start.elapsed();
                assert_eq!(report.added, 1);
                std::fs::remove_file(&file).unwrap();
                assert_eq!(index.update(&corpus).unwrap().removed, 1);
            }
            total
        })
    });

    let changing = incoming.join("changing.txt");
    std::fs::write(&changing, NEW_ARTICLE).unwrap();
    index.update(&corpus).unwrap();
    let mut revision = 0u64;
    group.bench_function("change 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                revision += 1;
                std::fs::write(&changing, format!("{NEW_ARTICLE}\n\nRevision {revision}."))
                    .unwrap();
                let start = Instant::now();
                let report = index.update(&corpus).unwrap();
                total += start.elapsed();
                assert_eq!(report.updated, 1);
            }
            total
        })
    });

    group.bench_function("delete 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                std::fs::remove_file(&changing).unwrap();
                let start = Instant::now();
                let report = index.update(&corpus).unwrap();
                total += start.elapsed();
                assert_eq!(report.removed, 1);
                std::fs::write(&changing, NEW_ARTICLE).unwrap();
                assert_eq!(index.update(&corpus).unwrap().added, 1);
            }
            total
        })
    });

    group.bench_function("no change", |b| {
        b.iter(|| {
            let report = index.update(&corpus).unwrap();
            assert!(!report.changed());
        })
    });
    group.finish();
}

/// 1 and 100 new articles into the large generated index (190,000 articles, 1.4 million
/// passages), on a copy of it.
fn update_large(c: &mut Criterion) {
    let corpus_dir = support::generated_corpus(190_000);
    let original = support::generated_index(190_000);
    drop(original);
    let work = tempfile::tempdir().unwrap();
    let index_dir = work.path().join("index");
    tree::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data/index-190000-1"),
        &index_dir,
    );
    // The corpus: links to the generated files, and a writable folder for new ones.
    let corpus_root = work.path().join("corpus");
    std::fs::create_dir_all(corpus_root.join("incoming")).unwrap();
    for entry in std::fs::read_dir(&corpus_dir).unwrap() {
        let path = entry.unwrap().path();
        std::os::unix::fs::symlink(&path, corpus_root.join(path.file_name().unwrap())).unwrap();
    }
    let corpus = Corpus::new(&corpus_root);
    let index = Index::open(&index_dir).unwrap();
    assert!(!index.update(&corpus).unwrap().changed());
    // The first commit that changes the manifest of an index written before the manifest log
    // writes the manifest whole (the migration; a compaction costs the same), the second
    // appends to the log.
    let file = corpus_root.join("incoming/first.jsonl");
    let line = serde_json::json!({"id": "first", "title": "New", "text": NEW_ARTICLE});
    std::fs::write(&file, line.to_string()).unwrap();
    let start = Instant::now();
    assert_eq!(index.update(&corpus).unwrap().added, 1);
    let first = start.elapsed();
    std::fs::remove_file(&file).unwrap();
    let start = Instant::now();
    assert_eq!(index.update(&corpus).unwrap().removed, 1);
    eprintln!(
        "first update after opening: {first:.1?}; the next (a removal): {:.1?}",
        start.elapsed()
    );
    let worst = std::cell::Cell::new(Duration::ZERO);
    let timed = |start: Instant| {
        let took = start.elapsed();
        worst.set(worst.get().max(took));
        took
    };

    let mut group = c.benchmark_group("update-large");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(30));
    for count in [1usize, 100] {
        group.bench_function(format!("add {count} articles"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let file = corpus_root.join("incoming/new.jsonl");
                    let lines: Vec<String> = (0..count)
                        .map(|i| {
                            serde_json::json!({"id": format!("new-{i}"), "title": "New", "date": "2024-12-16", "text": NEW_ARTICLE})
                                .to_string()
                        })
                        .collect();
                    std::fs::write(&file, lines.join("\n")).unwrap();
                    let start = Instant::now();
                    let report = index.update(&corpus).unwrap();
                    total += timed(start);
                    assert_eq!(report.added, count);
                    std::fs::remove_file(&file).unwrap();
                    let start = Instant::now();
                    assert_eq!(index.update(&corpus).unwrap().removed, count);
                    timed(start);
                }
                total
            })
        });
        eprintln!(
            "add {count} articles: worst single update (adds and removals) {:.1?}",
            worst.take()
        );
    }
    // One article changed, then removed: the file written first (not timed), then rewritten
    // with another text (timed), then deleted (timed).
    let file = corpus_root.join("incoming/changing.jsonl");
    let version = |text: &str| {
        serde_json::json!({"id": "changing", "title": "New", "date": "2024-12-16", "text": text})
            .to_string()
    };
    group.bench_function("change 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                std::fs::write(&file, version(NEW_ARTICLE)).unwrap();
                assert_eq!(index.update(&corpus).unwrap().added, 1);
                std::fs::write(&file, version(CHANGED_ARTICLE)).unwrap();
                let start = Instant::now();
                assert_eq!(index.update(&corpus).unwrap().updated, 1);
                total += timed(start);
                std::fs::remove_file(&file).unwrap();
                assert_eq!(index.update(&corpus).unwrap().removed, 1);
            }
            total
        })
    });
    eprintln!("change 1 article: worst single update {:.1?}", worst.take());
    group.bench_function("remove 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                std::fs::write(&file, version(NEW_ARTICLE)).unwrap();
                assert_eq!(index.update(&corpus).unwrap().added, 1);
                std::fs::remove_file(&file).unwrap();
                let start = Instant::now();
                assert_eq!(index.update(&corpus).unwrap().removed, 1);
                total += timed(start);
            }
            total
        })
    });
    eprintln!("remove 1 article: worst single update {:.1?}", worst.take());
    // The library's writer: one article added and committed (the manifest gains no file).
    group.bench_function("writer: add 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let article = communique::Article::new("writer-new", NEW_ARTICLE);
                let start = Instant::now();
                let mut writer = index.writer().unwrap();
                writer.add(&article).unwrap();
                writer.commit().unwrap();
                total += timed(start);
                let mut writer = index.writer().unwrap();
                assert!(writer.remove("writer-new").unwrap());
                writer.commit().unwrap();
            }
            total
        })
    });
    eprintln!("writer: worst single commit {:.1?}", worst.take());
    // The writer again: an article replaced by another text, then one removed, each committed.
    let writer_do = |change: &dyn Fn(&mut communique::index::Writer<'_>)| {
        let start = Instant::now();
        let mut writer = index.writer().unwrap();
        change(&mut writer);
        writer.commit().unwrap();
        timed(start)
    };
    let add = |w: &mut communique::index::Writer<'_>| {
        w.add(&communique::Article::new("writer-new", NEW_ARTICLE))
            .unwrap()
    };
    group.bench_function("writer: replace 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                writer_do(&add);
                total += writer_do(&|w| {
                    w.replace(&communique::Article::new("writer-new", CHANGED_ARTICLE))
                        .unwrap()
                });
                writer_do(&|w| assert!(w.remove("writer-new").unwrap()));
            }
            total
        })
    });
    eprintln!("writer, replace: worst single commit {:.1?}", worst.take());
    group.bench_function("writer: remove 1 article", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                writer_do(&add);
                total += writer_do(&|w| assert!(w.remove("writer-new").unwrap()));
            }
            total
        })
    });
    group.finish();
    eprintln!("writer, remove: worst single commit {:.1?}", worst.take());
}

criterion_group!(benches, update, update_large);
criterion_main!(benches);
