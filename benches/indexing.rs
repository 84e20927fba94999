//! Indexing throughput (MB/s of article text, and articles/s) at three corpus sizes, to show how
//! the cost grows: a full build on disk with positions and stored passages.
//!
//! `cargo bench --bench indexing` (generates its corpora in `bench-data/` on first use).

mod support;

use communique::{Corpus, Index};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

fn indexing(c: &mut Criterion) {
    let mut group = c.benchmark_group("indexing");
    group.sample_size(10);
    for articles in [2_000usize, 10_000, 40_000] {
        let corpus_dir = support::generated_corpus(articles);
        let corpus = Corpus::new(&corpus_dir);
        let bytes = support::text_bytes(&corpus_dir);
        group.throughput(Throughput::Bytes(bytes));
        group.measurement_time(std::time::Duration::from_secs(articles as u64 / 400 + 20));
        group.bench_function(format!("{articles} articles"), |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |dir| {
                    let index = Index::create(dir.path().join("index")).unwrap();
                    let report = index.update(&corpus).unwrap();
                    assert_eq!(report.added, articles);
                    dir
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, indexing);
criterion_main!(benches);
