//! Query latency by class, in process, on about 1.4 million passages (190,000 generated
//! articles, 593 MB of text): the top 10 articles with their best passage and its highlights.
//!
//! `cargo bench --bench search` (generates and indexes the corpus in `bench-data/` on first
//! use: a few minutes).

mod support;

use communique::{Query, SearchOptions};
use criterion::{Criterion, criterion_group, criterion_main};

/// (class, query, options)
fn queries() -> Vec<(&'static str, &'static str, SearchOptions)> {
    let since = communique::corpus::parse_date("2020-01-01").unwrap();
    let until = communique::corpus::parse_date("2020-12-31").unwrap();
    vec![
        ("rare term", "Zaporizhzhia", SearchOptions::new()),
        ("common term", "security", SearchOptions::new()),
        ("two words", "nuclear disarmament", SearchOptions::new()),
        (
            "three words",
            "climate change financing",
            SearchOptions::new(),
        ),
        ("phrase", "\"Security Council\"", SearchOptions::new()),
        (
            "boolean with exclusion",
            "sanctions AND NOT Russia",
            SearchOptions::new(),
        ),
        ("fuzzy", "Blinkn~1", SearchOptions::new()),
        // The analyst's query language: Boolean logic over whole articles, a proximity, and a
        // misspelled name corrected without `~` (Zaporizhzhja → Zaporizhzhia).
        (
            "boolean across passages",
            "(Syria OR Yemen) AND humanitarian",
            SearchOptions::new(),
        ),
        ("proximity", "nuclear NEAR/5 weapons", SearchOptions::new()),
        (
            "corrected misspelling",
            "Zaporizhzhja",
            SearchOptions::new(),
        ),
        (
            "date filter",
            "humanitarian assistance",
            SearchOptions::new().since(since).until(until),
        ),
        // What the domain features cost: an alias expanded (DPRK → North Korea | Democratic
        // People's Republic of Korea | …) and not, an entity filter, quotations only, and no
        // collapsing of near-duplicates.
        ("alias expanded", "DPRK missile", SearchOptions::new()),
        (
            "alias off",
            "DPRK missile",
            SearchOptions::new().aliases(false),
        ),
        (
            "country filter",
            "humanitarian assistance",
            SearchOptions::new().country("UKR"),
        ),
        ("quotes only", "security", SearchOptions::new().quotes(true)),
        (
            "common term, no collapse",
            "security",
            SearchOptions::new().collapse(false),
        ),
    ]
}

fn search(c: &mut Criterion) {
    let index = support::generated_index(190_000);
    let stats = index.stats().unwrap();
    assert!(stats.passages > 1_000_000, "{} passages", stats.passages);
    let mut group = c.benchmark_group("search");
    for (class, text, options) in queries() {
        let query = Query::parse(text).unwrap();
        let options = options.limit(10);
        // Each query must find ten articles with highlighted passages, or the bench is wrong.
        let hits = index.search(&query, &options).unwrap();
        assert_eq!(hits.len(), 10, "{text}");
        assert!(
            hits.iter().all(|h| !h.passages[0].highlights.is_empty()),
            "{text}"
        );
        group.bench_function(class, |b| {
            b.iter(|| {
                let hits = index.search(&query, &options).unwrap();
                assert_eq!(hits.len(), 10);
            })
        });
    }
    // Facet counts over every article that matches.
    let query = Query::parse("Kursk").unwrap();
    let facets = index.facets(&query, &SearchOptions::new()).unwrap();
    assert!(facets.articles > 0);
    group.bench_function("facets (Kursk)", |b| {
        b.iter(|| {
            let f = index.facets(&query, &SearchOptions::new()).unwrap();
            assert_eq!(f.articles, facets.articles);
        })
    });
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
