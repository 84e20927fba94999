//! Analysis throughput: the exact and stemmed analyzers, passage splitting, and the domain
//! work done at index time (entity mentions over the alias table, quotations, near-duplicate
//! fingerprints), in MB/s of real text (all of `../shared/data/state-dept-press`, about 10 MB).
//!
//! `cargo bench --bench analysis`

mod support;

use communique::Corpus;
use communique::analysis::Analyzer;
use communique::corpus::split_passages;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn analysis(c: &mut Criterion) {
    let scan = Corpus::new(support::shared().join("data/state-dept-press"))
        .read_all()
        .expect("read the press releases");
    let texts: Vec<String> = scan.articles.into_iter().map(|a| a.body).collect();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let mut analyzer = Analyzer::new();
    // Counted once, asserted on every iteration: a bench that analyses nothing fails.
    let exact_tokens: usize = texts.iter().map(|t| analyzer.exact(t).len()).sum();
    let stemmed_tokens: usize = texts.iter().map(|t| analyzer.stemmed(t).len()).sum();
    let passages: usize = texts.iter().map(|t| split_passages(t).len()).sum();
    assert!(exact_tokens > 1_000_000 && stemmed_tokens < exact_tokens);
    let aliases = communique::domain::Aliases::builtin();
    let mentions: usize = texts
        .iter()
        .map(|t| communique::domain::mentions(aliases, &mut analyzer, t).len())
        .sum();
    let quotations: usize = texts
        .iter()
        .map(|t| communique::domain::quotations(t).len())
        .sum();
    let fingerprints: usize = texts
        .iter()
        .map(|t| communique::domain::fingerprints(&mut analyzer, t).len())
        .sum();
    assert!(
        mentions > 1_000 && quotations > 100 && fingerprints > 1_000,
        "{mentions} mentions, {quotations} quotations, {fingerprints} fingerprints"
    );

    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("exact view", |b| {
        b.iter(|| {
            let n: usize = texts.iter().map(|t| analyzer.exact(t).len()).sum();
            assert_eq!(n, exact_tokens);
        })
    });
    group.bench_function("stemmed view", |b| {
        b.iter(|| {
            let n: usize = texts.iter().map(|t| analyzer.stemmed(t).len()).sum();
            assert_eq!(n, stemmed_tokens);
        })
    });
    group.bench_function("passage splitting", |b| {
        b.iter(|| {
            let n: usize = texts.iter().map(|t| split_passages(t).len()).sum();
            assert_eq!(n, passages);
        })
    });
    group.bench_function("entity mentions", |b| {
        b.iter(|| {
            let n: usize = texts
                .iter()
                .map(|t| communique::domain::mentions(aliases, &mut analyzer, t).len())
                .sum();
            assert_eq!(n, mentions);
        })
    });
    group.bench_function("quotations", |b| {
        b.iter(|| {
            let n: usize = texts
                .iter()
                .map(|t| communique::domain::quotations(t).len())
                .sum();
            assert_eq!(n, quotations);
        })
    });
    group.bench_function("near-duplicate fingerprints", |b| {
        b.iter(|| {
            let n: usize = texts
                .iter()
                .map(|t| communique::domain::fingerprints(&mut analyzer, t).len())
                .sum();
            assert_eq!(n, fingerprints);
        })
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
