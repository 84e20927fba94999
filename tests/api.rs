//! The library through its public API, on the project corpus and (with `--ignored`, as
//! `.ci/run` does) on the real collections in `../shared`.

mod common;

use std::collections::HashSet;

use common::{marked, project_corpus, project_index, real_index};
use communique::corpus::split_passages;
use communique::index::ChangeKind;
use communique::search::{ArticleScore, ClauseKind, Ranking, View};
use communique::{Article, Corpus, Error, Index, Query, SearchOptions};

fn search(index: &Index, query: &str, options: &SearchOptions) -> Vec<communique::Hit> {
    let query: Query = query.parse().unwrap_or_else(|e| panic!("{query}: {e}"));
    index
        .search(&query, options)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn ids(hits: &[communique::Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.article.id.as_str()).collect()
}

fn in_memory(articles: &[Article]) -> Index {
    let index = Index::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for article in articles {
        writer.add(article).unwrap();
    }
    writer.commit().unwrap();
    index
}

// ---------------------------------------------------------------- corpus

#[test]
fn project_corpus_reads_every_format_cleanly() {
    let scan = Corpus::new(project_corpus()).read_all().unwrap();
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
    assert!(
        scan.articles.len() >= 30,
        "{} articles",
        scan.articles.len()
    );
    let unique: HashSet<&str> = scan.articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(unique.len(), scan.articles.len(), "ids are unique");
    for ext in [".txt", ".md", ".json", ".jsonl"] {
        assert!(
            scan.articles
                .iter()
                .any(|a| a.path.as_deref().is_some_and(|p| p.ends_with(ext))),
            "no {ext} article"
        );
    }
    for article in &scan.articles {
        assert!(
            !article.body.contains('\r'),
            "{}: CR left in the body",
            article.id
        );
        assert!(
            !article.body.starts_with('\u{feff}'),
            "{}: BOM left",
            article.id
        );
        assert!(
            article.source.is_some(),
            "{}: every project article has a source",
            article.id
        );
        if article.title.is_none() {
            // Wire copy, like the seed: no front matter, the source comes from the trailing
            // attribution, and there is no date.
            assert!(
                article
                    .source
                    .as_deref()
                    .unwrap()
                    .starts_with("Communique wire")
            );
            assert!(article.date.is_none());
        } else {
            assert!(
                article.date.is_some(),
                "{}: every titled article is dated",
                article.id
            );
        }
    }
    // A JSON Lines record without an id is known by its path and line.
    assert!(unique.contains("feeds/wire-feed-2023-2025.jsonl#1"));
    // The file with a BOM and the one with CRLF line endings keep their front matter.
    let bom = scan
        .articles
        .iter()
        .find(|a| a.id.ends_with("ofac-russian-energy-designations.txt"))
        .unwrap();
    assert!(bom.title.is_some());
    let crlf = scan
        .articles
        .iter()
        .find(|a| a.id.ends_with("hwasong-17-launch.txt"))
        .unwrap();
    assert!(crlf.title.is_some());
}

#[test]
fn passages_cover_every_body_without_overlap() {
    let scan = Corpus::new(project_corpus()).read_all().unwrap();
    for article in &scan.articles {
        let passages = split_passages(&article.body);
        assert!(!passages.is_empty());
        let mut end = 0;
        for range in &passages {
            assert!(
                article.body[end..range.start].trim().is_empty(),
                "{}: gap holds text",
                article.id
            );
            let words = article.body[range.clone()].split_whitespace().count();
            assert!(words <= 240, "{}: passage of {words} words", article.id);
            end = range.end;
        }
        assert!(article.body[end..].trim().is_empty());
    }
    // The one long paragraph of the corpus is cut into windows of whole sentences.
    let grain = scan
        .articles
        .iter()
        .find(|a| a.id.ends_with("black-sea-grain-initiative-signed.txt"))
        .unwrap();
    let long: Vec<_> = split_passages(&grain.body)
        .into_iter()
        .map(|r| &grain.body[r])
        .filter(|p| p.split_whitespace().count() >= 40)
        .collect();
    assert!(long.len() >= 3, "{long:?}");
    assert!(
        long.iter()
            .all(|p| p.ends_with('.') || p.ends_with('”') || p.ends_with('"'))
    );
}

// ---------------------------------------------------------------- search

#[test]
fn kursk_highlights_only_kursk() {
    let hits = search(project_index(), "Kursk", &SearchOptions::new());
    assert!(hits.len() >= 5);
    for hit in &hits {
        let passage = &hit.passages[0];
        assert!(!passage.highlights.is_empty(), "{}", hit.article.id);
        for word in marked(passage) {
            assert_eq!(word.to_lowercase(), "kursk");
        }
    }
    // Ranks are 1-based and scores never increase.
    assert!(
        hits.windows(2)
            .all(|w| w[0].score >= w[1].score && w[1].rank == w[0].rank + 1)
    );
}

#[test]
fn phrases_highlight_the_whole_phrase_and_nothing_else() {
    let hits = search(
        project_index(),
        "\"Security Council\"",
        &SearchOptions::new().passages(3),
    );
    assert!(hits.len() >= 5);
    for passage in hits.iter().flat_map(|h| &h.passages) {
        for word in marked(passage) {
            let normal: Vec<String> = word.split_whitespace().map(str::to_lowercase).collect();
            assert_eq!(normal, ["security", "council"], "{word:?}");
        }
    }
}

#[test]
fn exact_phrases_ignore_stop_word_gaps_and_stemming() {
    let hits = search(
        project_index(),
        "\"Council of Europe\"",
        &SearchOptions::new(),
    );
    let found = ids(&hits);
    assert!(
        found.iter().any(|id| id.contains("council-of-europe")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|id| id.contains("eu-fifteenth-package")),
        "{found:?}"
    );

    let index = in_memory(&[
        Article::new("a", "The Council adopts Europe policy today."),
        Article::new("b", "The Security Councils of two bodies met."),
        Article::new("c", "The Council of Europe met in Strasbourg."),
    ]);
    assert_eq!(
        ids(&search(
            &index,
            "\"Council of Europe\"",
            &SearchOptions::new()
        )),
        ["c"]
    );
    // A phrase the index never holds as written is searched in other word forms (round 9),
    // but only then, and never with `exact`.
    assert!(
        search(
            &index,
            "\"secure councils\"",
            &SearchOptions::new().exact(true)
        )
        .is_empty()
    );
    assert_eq!(
        ids(&search(
            &index,
            "\"secure councils\"",
            &SearchOptions::new()
        )),
        ["b"]
    );
    assert_eq!(
        ids(&search(
            &index,
            "\"Security Councils\"",
            &SearchOptions::new()
        )),
        ["b"]
    );
    // The stemmed view is for recall: bare words do find inflections.
    assert_eq!(
        ids(&search(&index, "councils", &SearchOptions::new())).len(),
        3
    );
}

#[test]
fn and_not_excludes_where_tantivy_returns_nothing() {
    let hits = search(
        project_index(),
        "kursk AND NOT missiles",
        &SearchOptions::new().limit(50),
    );
    assert!(!hits.is_empty());
    let mut analyzer = communique::analysis::Analyzer::new();
    for hit in &hits {
        let passage = &hit.passages[0];
        let stems: Vec<String> = analyzer
            .stemmed(&passage.text)
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert!(stems.iter().any(|s| s == "kursk"), "{}", hit.article.id);
        assert!(
            !stems.iter().any(|s| s == "missil"),
            "{} holds missiles",
            hit.article.id
        );
    }
    // Same answer with the other spellings of exclusion.
    assert_eq!(
        ids(&hits),
        ids(&search(
            project_index(),
            "+kursk -missiles",
            &SearchOptions::new().limit(50)
        ))
    );
}

#[test]
fn more_words_and_closer_words_rank_higher() {
    let index = in_memory(&[
        Article::new(
            "one-word",
            "Ballistic tests were reported many times this year by observers.",
        ),
        Article::new(
            "far-apart",
            "Ballistic testing was announced. Later, after a long pause and much debate among many delegations, missiles were mentioned.",
        ),
        Article::new(
            "together",
            "The launch of ballistic missiles was condemned by the council.",
        ),
    ]);
    let found = search(&index, "ballistic missiles", &SearchOptions::new());
    assert_eq!(ids(&found), ["together", "far-apart", "one-word"]);
    // Without the proximity and coverage clauses, BM25 alone still matches all three.
    let plain = Ranking {
        proximity_weight: 0.0,
        coverage_weight: 0.0,
        ..Ranking::default()
    };
    assert_eq!(
        search(
            &index,
            "ballistic missiles",
            &SearchOptions::new().ranking(plain)
        )
        .len(),
        3
    );
}

/// Issue 12: an article about the subject outranks one that mentions it once. In the project
/// corpus, the report of the Hwasong-18 test discusses the launch over three passages; the
/// trilateral statement on missile warning data names a Hwasong launch in one passage, which
/// scores higher than any single passage of the report. Ranked by its best passage alone (the
/// old default), the statement came first.
#[test]
fn an_article_about_the_subject_outranks_one_that_mentions_it_once() {
    let (about, mention) = (
        "dprk/2023-07-12-hwasong-18-launch.md",
        "trilateral-missile-warning-data",
    );
    let top = |how: ArticleScore| {
        let ranking = Ranking {
            article_score: how,
            ..Ranking::default()
        };
        let options = SearchOptions::new().passages(3).ranking(ranking);
        search(project_index(), "Hwasong launch", &options)
    };
    let old = top(ArticleScore::Best);
    assert_eq!(ids(&old)[..2], [mention, about]);
    // The statement's best passage beats each of the report's.
    assert!(old[0].passages[0].score > old[1].passages[0].score);
    let hits = search(
        project_index(),
        "Hwasong launch",
        &SearchOptions::new().passages(3),
    );
    assert_eq!(ids(&hits)[..2], [about, mention]);
    assert_eq!(ids(&hits), ids(&top(ArticleScore::default())));
    // The article's score: its best passage plus 0.3 of each of the next two.
    let report = &hits[0];
    assert_eq!(
        report.passages.len(),
        3,
        "three passages of the report match"
    );
    let scores: Vec<f32> = report.passages.iter().map(|p| p.score).collect();
    let expected = scores[0] + 0.3 * (scores[1] + scores[2]);
    assert!(
        (report.score - expected).abs() < 1e-4,
        "{scores:?} {}",
        report.score
    );
    // The passages shown are still the article's best, best first.
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(report.passages[0].text.contains("Hwasong"));
}

#[test]
fn compounds_of_words_count_word_by_word_and_names_stay_whole() {
    let index = in_memory(&[
        Article::new(
            "together",
            "The shock-sound interaction was measured in the tunnel.",
        ),
        Article::new(
            "apart",
            "Sound waves behind a shock were measured in flight.",
        ),
        Article::new("other", "Wave interaction in a laminar boundary layer."),
        Article::new(
            "name",
            "Talks on the Lachin corridor and Nagorno-Karabakh resumed.",
        ),
        Article::new(
            "half-name",
            "Karabakh and the corridor were discussed again.",
        ),
    ]);
    let marks = |hits: &[communique::Hit], id: &str| -> Vec<String> {
        let hit = hits.iter().find(|h| h.article.id == id);
        let hit = hit.unwrap_or_else(|| panic!("{id} not found in {:?}", ids(hits)));
        marked(&hit.passages[0])
            .iter()
            .map(|w| w.to_lowercase())
            .collect()
    };
    // One of several optional words: the compound's words count one by one, so the article
    // that writes them apart and inflected ranks on them too, above one with only the others.
    let query = "shock-sound wave interaction";
    let hits = search(&index, query, &SearchOptions::new());
    assert_eq!(marks(&hits, "apart"), ["sound", "waves", "shock"]);
    assert_eq!(marks(&hits, "together"), ["shock", "sound", "interaction"]);
    let rank = |id: &str| ids(&hits).iter().position(|f| *f == id);
    assert!(rank("apart") < rank("other"), "{:?}", ids(&hits));
    // As a phrase (the ranking switch off) only `waves` of that article matched.
    let whole = Ranking {
        split_compounds: false,
        ..Ranking::default()
    };
    let hits = search(&index, query, &SearchOptions::new().ranking(whole));
    assert_eq!(marks(&hits, "apart"), ["waves"]);
    // Alone, or required, a compound is a phrase: its words stand together.
    for query in [
        "shock-sound",
        "+shock-sound wave",
        "shock-sound AND interaction",
    ] {
        assert_eq!(
            ids(&search(&index, query, &SearchOptions::new())),
            ["together"],
            "{query}"
        );
    }
    // A name (capitalised) stays whole among other words.
    let hits = search(&index, "Nagorno-Karabakh corridor", &SearchOptions::new());
    assert_eq!(ids(&hits)[0], "name");
    assert_eq!(marks(&hits, "name"), ["corridor", "nagorno-karabakh"]);
    assert_eq!(marks(&hits, "half-name"), ["corridor"]);
    // A compound of more words than a query may hold stays whole (no clause explosion).
    let filler: Vec<String> = (b'a'..=b'z').map(|c| format!("q{}", c as char)).collect();
    let query = format!("shock-{0}-{0}-{0}-sound waves", filler.join("-"));
    let hits = search(&index, &query, &SearchOptions::new());
    assert_eq!(marks(&hits, "apart"), ["waves"]);
}

#[test]
fn qualifiers_prefixes_and_fuzzy_words() {
    let index = project_index();
    let hits = search(index, "title:kursk", &SearchOptions::new());
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.article.title.as_deref().unwrap().contains("Kursk"))
    );

    let hits = search(
        index,
        "source:\"Communique wire\"",
        &SearchOptions::new().limit(100),
    );
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| {
        h.article
            .source
            .as_deref()
            .unwrap()
            .starts_with("Communique wire")
    }));

    let hits = search(index, "hwason*", &SearchOptions::new());
    assert!(!hits.is_empty());
    for hit in &hits {
        for word in marked(&hit.passages[0]) {
            assert!(word.to_lowercase().starts_with("hwason"), "{word}");
        }
    }

    let hits = search(index, "Zelensky~1", &SearchOptions::new());
    assert!(!hits.is_empty());
    assert!(marked(&hits[0].passages[0]).contains(&"Zelenskyy"));
}

#[test]
fn date_and_source_filters() {
    let index = project_index();
    let since = communique::corpus::parse_date("2024-01-01").unwrap();
    let hits = search(
        index,
        "sanctions",
        &SearchOptions::new().since(since).limit(100),
    );
    assert!(!hits.is_empty());
    for hit in &hits {
        let date = hit
            .article
            .date
            .as_deref()
            .expect("filtered hits are dated");
        assert!(
            communique::corpus::parse_date(date).unwrap() >= since,
            "{date}"
        );
    }
    let until = communique::corpus::parse_date("2022-12-31").unwrap();
    let hits = search(
        index,
        "sanctions",
        &SearchOptions::new().until(until).limit(100),
    );
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| {
        communique::corpus::parse_date(h.article.date.as_deref().unwrap()).unwrap() <= until
    }));

    let hits = search(
        index,
        "Kursk",
        &SearchOptions::new().source("briefing notes"),
    );
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.article.source.as_deref() == Some("Communique briefing notes"))
    );
}

#[test]
fn stop_word_queries_use_the_exact_view() {
    let index = project_index();
    let hits = search(index, "\"of the\"", &SearchOptions::new());
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| {
        marked(&h.passages[0])
            .iter()
            .all(|w| w.to_lowercase() == "of the")
    }));
    let hits = search(index, "of the", &SearchOptions::new());
    assert!(!hits.is_empty());
    // In a larger query, stop words only rank through the other words.
    let with = search(index, "the Kursk", &SearchOptions::new());
    assert_eq!(
        ids(&with),
        ids(&search(index, "Kursk", &SearchOptions::new()))
    );
}

#[test]
fn paging_ties_and_repeatability() {
    let index = project_index();
    let all = search(index, "sanctions", &SearchOptions::new().limit(10));
    let first = search(index, "sanctions", &SearchOptions::new().limit(5));
    let second = search(index, "sanctions", &SearchOptions::new().limit(5).offset(5));
    let paged: Vec<&str> = ids(&first).into_iter().chain(ids(&second)).collect();
    assert_eq!(ids(&all), paged);
    assert_eq!(second[0].rank, 6);
    assert_eq!(
        ids(&all),
        ids(&search(index, "sanctions", &SearchOptions::new().limit(10)))
    );
    // Equal scores are ordered by article id.
    let twins = in_memory(&[
        Article::new("b", "Identical text about Kursk."),
        Article::new("a", "Identical text about Kursk."),
        Article::new("c", "Identical text about Kursk."),
    ]);
    assert_eq!(
        ids(&search(&twins, "kursk", &SearchOptions::new())),
        ["a", "b", "c"]
    );
    assert!(search(index, "sanctions", &SearchOptions::new().offset(9_000)).is_empty());
    assert!(matches!(
        index.search(
            &"x".parse().unwrap(),
            &SearchOptions::new().offset(usize::MAX)
        ),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        index.search(&"x".parse().unwrap(), &SearchOptions::new().limit(0)),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn several_passages_per_article() {
    let index = project_index();
    let one = search(index, "Security Council", &SearchOptions::new());
    let three = search(index, "Security Council", &SearchOptions::new().passages(3));
    assert_eq!(ids(&one), ids(&three));
    assert!(three.iter().any(|h| h.passages.len() > 1));
    for (a, b) in one.iter().zip(&three) {
        assert!(b.passages.len() <= 3);
        assert_eq!(
            a.passages[0].start, b.passages[0].start,
            "the best passage comes first"
        );
        assert!(b.passages.windows(2).all(|w| w[0].score >= w[1].score));
    }
}

#[test]
fn explanations_and_json_shape() {
    let hits = search(
        project_index(),
        "ballistic missiles",
        &SearchOptions::new().limit(1).explain(true),
    );
    let explanation = hits[0].passages[0].explanation.as_ref().unwrap();
    // In our words: the words as typed and as analysed, their views and shares.
    let words: Vec<(&str, View, &str)> = explanation
        .clauses
        .iter()
        .filter(|c| c.kind == ClauseKind::Word)
        .map(|c| (c.typed.as_deref().unwrap(), c.view, c.analysed[0].as_str()))
        .collect();
    assert!(
        words.contains(&("missiles", View::Stemmed, "missil")),
        "{explanation}"
    );
    assert!(
        words.contains(&("ballistic", View::Stemmed, "ballist")),
        "{explanation}"
    );
    let shares: f32 = explanation.clauses.iter().map(|c| c.share).sum();
    assert!((shares - 1.0).abs() < 0.01, "{explanation}");
    assert!(
        !explanation.to_string().contains("TermQuery"),
        "{explanation}"
    );

    let hits = search(
        project_index(),
        "\"ballistic missiles\"",
        &SearchOptions::new().limit(50),
    );
    let wire = hits
        .iter()
        .find(|h| h.article.title.is_none())
        .expect("a wire article without a title");
    let json = serde_json::to_value(wire).unwrap();
    let keys: HashSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        HashSet::from([
            "rank",
            "score",
            "article",
            "passages",
            "duplicates",
            "corrections"
        ])
    );
    let article = json["article"].as_object().unwrap();
    for key in ["id", "title", "date", "source", "url", "path"] {
        assert!(article.contains_key(key), "article.{key} missing");
    }
    assert!(article["title"].is_null() && article["date"].is_null() && article["url"].is_null());
    let passage = &json["passages"][0];
    for key in ["text", "start", "end", "score", "highlights"] {
        assert!(passage.get(key).is_some(), "passage.{key} missing");
    }
    let (s, e) = (
        passage["highlights"][0][0].as_u64().unwrap() as usize,
        passage["highlights"][0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(
        passage["text"].as_str().unwrap()[s..e].to_lowercase(),
        "ballistic missiles"
    );
}

#[test]
fn passage_offsets_point_into_the_body() {
    let scan = Corpus::new(project_corpus()).read_all().unwrap();
    let hits = search(
        project_index(),
        "grain corridor",
        &SearchOptions::new().passages(2),
    );
    for hit in &hits {
        let article = scan
            .articles
            .iter()
            .find(|a| a.id == hit.article.id)
            .unwrap();
        for passage in &hit.passages {
            assert_eq!(&article.body[passage.start..passage.end], passage.text);
        }
    }
}

#[test]
fn queries_that_analyse_to_nothing_are_errors() {
    let index = project_index();
    for (query, message) in [
        ("🙂", "no searchable words"),
        ("k*", "too short"),
        ("\"!!!\"", "no searchable words"),
    ] {
        let err = index
            .search(&query.parse().unwrap(), &SearchOptions::new())
            .unwrap_err();
        assert!(err.to_string().contains(message), "{query}: {err}");
    }
}

#[test]
fn a_search_with_its_total_counts_what_the_search_and_the_facets_count() {
    let index = project_index();
    // Words, a phrase, a prefix, a fuzzy word, article-level logic, a proximity, a verbose
    // query (feedback words rank it, and must not make more articles match), and filters.
    let verbose = "security council members condemned missile launches by north korea \
                   and called for sanctions enforcement";
    let queries = [
        "Security Council",
        "\"Security Council\"",
        "sanction*",
        "Zelensky~1",
        "sanctions AND NOT Russia",
        "troops -Kursk",
        "Korea NEAR/5 troops",
        verbose,
    ];
    // (options, their offset)
    let variants = [
        (SearchOptions::new(), 0),
        (SearchOptions::new().quotes(true), 0),
        (SearchOptions::new().country("RUS"), 0),
        (SearchOptions::new().collapse(false).limit(3).offset(1), 1),
    ];
    let mut nonzero = 0;
    for text in queries {
        let query: Query = text.parse().unwrap();
        for (options, offset) in &variants {
            let results = index.search_with_total(&query, options).unwrap();
            let count = index.count(&query, options).unwrap();
            let facets = index.facets(&query, options).unwrap();
            assert_eq!(results.total, count, "{text} {options:?}");
            assert_eq!(results.total, facets.articles, "{text} {options:?}");
            // The same hits as a search alone.
            let alone = index.search(&query, options).unwrap();
            let key = |hits: &[communique::Hit]| -> Vec<(String, u32)> {
                hits.iter()
                    .map(|h| (h.article.id.clone(), h.score.to_bits()))
                    .collect()
            };
            assert_eq!(key(&results.hits), key(&alone), "{text} {options:?}");
            // Never more hits than articles that match (the page counts from the offset).
            assert!(
                results.hits.is_empty() || (offset + results.hits.len()) as u64 <= results.total,
                "{text} {options:?}: {} hits, total {}",
                results.hits.len(),
                results.total
            );
            nonzero += usize::from(results.total > 0);
        }
    }
    assert!(nonzero >= 20, "only {nonzero} searches match anything");
}

#[test]
fn the_total_of_an_exclusion_counts_whole_articles() {
    // "b" has a passage with Kursk and without Russia, but names Russia in another: it does
    // not match `Kursk AND NOT Russia`, and must not be counted.
    let index = in_memory(&[
        Article::new(
            "a",
            "Troops were sent to Kursk.\n\nMore troops arrived in Kursk.",
        ),
        Article::new("b", "Fighting near Kursk.\n\nRussia denied it."),
        Article::new("c", "Russia and Kursk in one passage."),
    ]);
    let options = SearchOptions::new().collapse(false);
    for (text, total, hits) in [
        ("Kursk", 3, vec!["a", "b", "c"]),
        ("Kursk AND NOT Russia", 1, vec!["a"]),
        ("Kursk -Russia", 1, vec!["a"]),
        ("Kursk AND Russia", 2, vec!["b", "c"]),
    ] {
        let query: Query = text.parse().unwrap();
        let results = index.search_with_total(&query, &options).unwrap();
        let mut found = ids(&results.hits);
        found.sort_unstable();
        assert_eq!(found, hits, "{text}");
        assert_eq!(results.total, total, "{text}");
        assert_eq!(index.count(&query, &options).unwrap(), total, "{text}");
    }
}

// ---------------------------------------------------------------- index

#[test]
fn updates_apply_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus_dir).unwrap();
    std::fs::write(
        corpus_dir.join("a.txt"),
        "---\ntitle: A\n---\nThe first statement on Kursk.",
    )
    .unwrap();
    std::fs::write(corpus_dir.join("b.txt"), "The second statement on grain.").unwrap();
    std::fs::write(
        corpus_dir.join("feed.jsonl"),
        "{\"id\": \"f1\", \"text\": \"Feed one.\"}\n",
    )
    .unwrap();
    let corpus = Corpus::new(&corpus_dir);
    let index = Index::create(dir.path().join("index")).unwrap();
    let report = index.update(&corpus).unwrap();
    assert_eq!(
        (report.added, report.unchanged, report.files_parsed),
        (3, 0, 3)
    );

    let report = index.update(&corpus).unwrap();
    assert_eq!(
        (
            report.added,
            report.updated,
            report.removed,
            report.unchanged
        ),
        (0, 0, 0, 3)
    );
    assert_eq!(
        report.files_parsed + report.files_hashed,
        0,
        "unchanged files are not read"
    );

    // A new line in a JSON Lines file adds one article; a changed file updates one.
    std::fs::write(corpus_dir.join("feed.jsonl"), "{\"id\": \"f1\", \"text\": \"Feed one.\"}\n{\"id\": \"f2\", \"text\": \"Feed two about Kursk.\"}\n").unwrap();
    std::fs::write(
        corpus_dir.join("b.txt"),
        "The second statement on grain, corrected.",
    )
    .unwrap();
    let report = index.update(&corpus).unwrap();
    assert_eq!((report.added, report.updated, report.unchanged), (1, 1, 2));
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.kind == ChangeKind::Added && c.id == "f2")
    );

    // A deleted file removes its articles; a renamed one does not duplicate.
    std::fs::remove_file(corpus_dir.join("b.txt")).unwrap();
    std::fs::rename(corpus_dir.join("a.txt"), corpus_dir.join("a2.txt")).unwrap();
    let report = index.update(&corpus).unwrap();
    assert_eq!((report.added, report.removed), (1, 2));
    let hits = search(&index, "\"first statement\"", &SearchOptions::new());
    assert_eq!(ids(&hits), ["a2.txt"]);
    assert_eq!(index.stats().unwrap().articles, 3);

    // Reopening sees the same index and manifest: nothing to do.
    drop(index);
    let index = Index::open(dir.path().join("index")).unwrap();
    let report = index.update(&corpus).unwrap();
    assert!(!report.changed());
}

#[test]
fn a_touched_file_costs_a_hash_not_a_reindex() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "Some statement.").unwrap();
    let corpus = Corpus::new(dir.path());
    let index = Index::in_memory().unwrap();
    index.update(&corpus).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let report = index.update(&corpus).unwrap();
    assert_eq!(
        (report.files_hashed, report.files_parsed, report.unchanged),
        (1, 0, 1)
    );
    assert!(!report.changed());
}

#[test]
fn bad_files_are_skipped_with_their_path_and_the_rest_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("good.txt"), "A good statement on sanctions.").unwrap();
    std::fs::write(root.join("latin1.txt"), b"Caf\xe9 diplomacy").unwrap();
    std::fs::write(root.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(root.join("empty.md"), "").unwrap();
    std::fs::write(root.join("broken.json"), "{\"text\": \"unterminated").unwrap();
    std::fs::write(
        root.join("lines.jsonl"),
        "{\"id\": \"ok\", \"text\": \"Fine line.\"}\nnot json\n",
    )
    .unwrap();
    std::fs::write(
        root.join("odd-date.txt"),
        "---\ndate: last Tuesday\n---\nDated oddly.",
    )
    .unwrap();
    let index = Index::in_memory().unwrap();
    let report = index.update(&Corpus::new(root)).unwrap();
    assert_eq!(report.added, 3, "good.txt, the valid line, odd-date.txt");
    let messages: Vec<String> = report.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    for (file, needle) in [
        ("latin1.txt", "not valid UTF-8"),
        ("image.txt", "binary"),
        ("empty.md", "empty"),
        ("broken.json", "invalid JSON"),
        ("lines.jsonl:2", "invalid JSON"),
    ] {
        assert!(
            messages
                .iter()
                .any(|m| m.contains(file) && m.contains(needle)),
            "{file}: {messages:#?}"
        );
    }
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.to_string().contains("odd-date.txt:2"))
    );
}

#[test]
fn writer_api_adds_replaces_removes() {
    let index = Index::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    writer.add(&Article::new("x", "Kursk statement.")).unwrap();
    assert!(matches!(
        writer.add(&Article::new("x", "again")),
        Err(Error::InvalidArgument(_))
    ));
    writer.commit().unwrap();
    assert!(index.contains("x").unwrap());

    let mut writer = index.writer().unwrap();
    writer
        .replace(&Article::new("x", "Grain statement."))
        .unwrap();
    writer.commit().unwrap();
    assert!(search(&index, "kursk", &SearchOptions::new()).is_empty());
    assert_eq!(ids(&search(&index, "grain", &SearchOptions::new())), ["x"]);

    let mut writer = index.writer().unwrap();
    assert!(writer.remove("x").unwrap());
    assert!(!writer.remove("never-there").unwrap());
    // Nothing is visible before the commit.
    assert!(index.contains("x").unwrap());
    writer.commit().unwrap();
    assert!(!index.contains("x").unwrap());
    assert!(matches!(
        writer_empty_article(&index),
        Err(Error::InvalidArgument(_))
    ));
}

fn writer_empty_article(index: &Index) -> communique::Result<()> {
    index.writer()?.add(&Article::new("empty", "  "))
}

#[test]
fn one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::create(dir.path()).unwrap();
    let other = Index::open(dir.path()).unwrap();
    let _writer = index.writer().unwrap();
    match other.writer() {
        Err(Error::Locked { path }) => assert_eq!(path, dir.path()),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("expected Locked, got a second writer"),
    }
}

#[test]
fn missing_and_foreign_indexes_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Index::open(dir.path().join("none")),
        Err(Error::IndexMissing { .. })
    ));
    // A tantivy index that communique did not write.
    let mut builder = tantivy::schema::Schema::builder();
    builder.add_text_field("body", tantivy::schema::TEXT);
    let foreign = tantivy::Index::create_in_dir(dir.path(), builder.build()).unwrap();
    drop(foreign);
    let err = Index::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::IncompatibleIndex { .. }), "{err}");
    assert!(err.to_string().contains("index --rebuild"), "{err}");
    // The message names the folder as a path, so an index kept in `index/` does not read
    // "index index was written…".
    let named = format!("the index in `{}` was written by", dir.path().display());
    assert!(err.to_string().starts_with(&named), "{err}");
}

// ---------------------------------------------------------------- real data (../shared)

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_kursk_finds_the_seed_passage_first() {
    let hits = search(real_index(), "Kursk", &SearchOptions::new());
    let top = &hits[0];
    assert_eq!(top.article.id, "seed/000_b491b3170320ace1.txt");
    assert_eq!(top.article.source.as_deref(), Some("VOA (A2 Televizion)"));
    let passage = &top.passages[0];
    assert!(
        passage
            .text
            .contains("killed or wounded at least 30 North Korean soldiers"),
        "{}",
        passage.text
    );
    assert_eq!(marked(passage), ["Kursk"]);
    // Without a title, the listing shows the first words of the lead.
    assert!(
        top.article
            .display_title()
            .starts_with("Ten countries and the European Union")
    );
}

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_security_council_highlights_exactly_the_phrase() {
    let hits = search(
        real_index(),
        "\"Security Council\"",
        &SearchOptions::new().limit(20).passages(2),
    );
    assert_eq!(hits.len(), 20);
    for passage in hits.iter().flat_map(|h| &h.passages) {
        assert!(!passage.highlights.is_empty());
        for word in marked(passage) {
            let normal: Vec<String> = word.split_whitespace().map(str::to_lowercase).collect();
            assert_eq!(normal, ["security", "council"], "{word:?}");
        }
    }
    let seed = search(
        real_index(),
        "\"Security Council\" Pyongyang",
        &SearchOptions::new(),
    );
    assert_eq!(seed[0].article.id, "seed/000_b491b3170320ace1.txt");
    let marks = marked(&seed[0].passages[0]);
    assert!(
        marks.contains(&"Security Council") && marks.contains(&"Pyongyang"),
        "{marks:?}"
    );
}

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_spot_checks() {
    let index = real_index();
    let stats = index.stats().unwrap();
    assert_eq!(stats.articles as usize, common::REAL_ARTICLES);
    assert_eq!(
        stats.first_date.as_deref().map(|d| &d[..7]),
        Some("2021-05")
    );
    assert_eq!(stats.sources[0].0, "Office of the Spokesperson");

    // State Department releases: the G7 statement on the DPRK's ICBM launch.
    let hits = search(
        index,
        "G7 intercontinental ballistic missile DPRK",
        &SearchOptions::new().limit(5),
    );
    assert!(
        hits.iter()
            .any(|h| h.article.title.as_deref().is_some_and(|t| t.contains("G7")))
    );
    // UN speeches on the grain deal, all from 2022 onwards.
    let hits = search(
        index,
        "\"Black Sea Grain Initiative\"",
        &SearchOptions::new().limit(10),
    );
    assert_eq!(hits.len(), 10);
    assert!(hits.iter().all(|h| h.article.id.starts_with("ungd/202")));
    // Date filters work on the press releases; undated speeches drop out.
    let since = communique::corpus::parse_date("2022-02-24").unwrap();
    let hits = search(
        index,
        "Ukraine invasion",
        &SearchOptions::new().since(since),
    );
    assert!(
        hits.iter()
            .all(|h| h.article.id.starts_with("https://www.state.gov/"))
    );
    // Excluding works at scale.
    let hits = search(
        index,
        "Kursk AND NOT Stalingrad",
        &SearchOptions::new().limit(50),
    );
    assert!(
        hits.iter()
            .all(|h| !h.passages[0].text.contains("Stalingrad"))
    );
}

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_un_speeches_give_whole_sentences() {
    // The UN verbatim records break lines where the PDF did: a passage must still end where a
    // sentence ends, never in the middle of a line.
    let corpus = Corpus::new(common::shared().join("data/ungd/speeches"));
    let scan = corpus.read_all().unwrap();
    assert_eq!(scan.articles.len(), 2903);
    let (mut passages, mut unfinished) = (0usize, Vec::new());
    for article in &scan.articles {
        for range in split_passages(&article.body) {
            passages += 1;
            let mut text = article.body[range.clone()].trim_end_matches(['*', '_', ' ']);
            // Page footers of the printed record may follow the last sentence.
            while let Some((before, last_line)) = text.rsplit_once('\n')
                && last_line.split_whitespace().all(|t| {
                    t.chars()
                        .all(|c| c.is_ascii_digit() || "-/.APV".contains(c))
                })
                && last_line.split_whitespace().any(|t| {
                    t.contains("/PV.")
                        || t.split_once('-').is_some_and(|(a, b)| {
                            a.len() == 2
                                && b.len() == 5
                                && (a.to_owned() + b).bytes().all(|c| c.is_ascii_digit())
                        })
                })
            {
                text = before.trim_end();
            }
            let last = text.chars().last().unwrap();
            let ends_sentence = ".!?:;\"”’')]…".contains(last);
            if !ends_sentence && range.end < article.body.trim_end().len() {
                let tail: String = text
                    .chars()
                    .rev()
                    .take(60)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                unfinished.push(format!("{}: …{tail}", article.id));
            }
        }
    }
    let share = unfinished.len() as f64 / passages as f64;
    assert!(
        share < 0.001,
        "{} of {passages} passages stop mid-sentence, e.g. {:#?}",
        unfinished.len(),
        &unfinished[..unfinished.len().min(10)]
    );
    // Every passage of the French 2012 speech (PDF line breaks, BOM) starts a sentence.
    let france = scan
        .articles
        .iter()
        .find(|a| a.id == "2012/FRA_67_2012.txt")
        .unwrap();
    for range in split_passages(&france.body) {
        let first = france.body[range].chars().next().unwrap();
        assert!(
            first.is_uppercase() || first.is_ascii_digit() || "“\"(".contains(first),
            "{first}"
        );
    }
}

// ---------------------------------------------------------------- rebuild

fn write_corpus(root: &std::path::Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(root).unwrap();
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
    }
}

#[test]
fn rebuild_swaps_a_fresh_index_in() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    write_corpus(&corpus_dir, &[("a.txt", "An old statement on Kursk.")]);
    let path = dir.path().join("index");
    let old = Index::create(&path).unwrap();
    old.update(&Corpus::new(&corpus_dir)).unwrap();

    std::fs::remove_file(corpus_dir.join("a.txt")).unwrap();
    write_corpus(&corpus_dir, &[("b.txt", "A new statement on grain.")]);
    let (fresh, report) =
        Index::rebuild(&path, &Corpus::new(&corpus_dir), &Default::default()).unwrap();
    assert_eq!(
        (report.added, report.removed),
        (1, 0),
        "a fresh build adds everything"
    );
    assert_eq!(
        ids(&search(&fresh, "grain", &SearchOptions::new())),
        ["b.txt"]
    );
    assert!(search(&fresh, "kursk", &SearchOptions::new()).is_empty());
    // A search that had the old index open keeps answering from it.
    assert_eq!(
        ids(&search(&old, "kursk", &SearchOptions::new())),
        ["a.txt"]
    );
    // Nothing is left beside the index.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The next update is incremental again.
    assert!(!fresh.update(&Corpus::new(&corpus_dir)).unwrap().changed());
}

#[test]
fn rebuild_repairs_damaged_and_incompatible_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    write_corpus(&corpus_dir, &[("a.txt", "A statement on Kursk.")]);
    let corpus = Corpus::new(&corpus_dir);
    let path = dir.path().join("index");
    Index::create(&path).unwrap().update(&corpus).unwrap();

    // An index written by another schema version.
    let meta = path.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let marker = format!(
        "communique_schema\\\":{}",
        communique::index::SCHEMA_VERSION
    );
    assert!(text.contains(&marker), "{text}");
    std::fs::write(&meta, text.replace(&marker, "communique_schema\\\":999")).unwrap();
    let err = Index::open(&path).unwrap_err();
    assert!(matches!(err, Error::IncompatibleIndex { .. }), "{err}");
    assert!(err.to_string().contains("index --rebuild"));
    Index::rebuild(&path, &corpus, &Default::default()).unwrap();
    assert!(Index::open(&path).unwrap().contains("a.txt").unwrap());

    // A damaged one: meta.json is garbage.
    std::fs::write(&meta, "{ not json").unwrap();
    assert!(Index::open(&path).is_err());
    let (index, _) = Index::rebuild(&path, &corpus, &Default::default()).unwrap();
    assert!(index.contains("a.txt").unwrap());
}

#[test]
fn rebuild_waits_for_no_one_and_keeps_other_writers_out() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    write_corpus(&corpus_dir, &[("a.txt", "A statement.")]);
    let path = dir.path().join("index");
    let index = Index::create(&path).unwrap();
    let _writer = index.writer().unwrap();
    let err = Index::rebuild(&path, &Corpus::new(&corpus_dir), &Default::default()).unwrap_err();
    assert!(matches!(err, Error::Locked { .. }), "{err}");
}

// ---------------------------------------------------------------- domain: aliases, entities

#[test]
fn aliases_expand_bare_words_and_never_phrases() {
    let index = in_memory(&[
        Article::new(
            "unsc",
            "The Security Council met on the situation in Myanmar today.",
        ),
        Article::new("kiev", "Talks were held in Kiev with the foreign minister."),
        Article::new(
            "us",
            "The United States announced new measures against the regime.",
        ),
        Article::new("pronoun", "Let us hope the talks succeed, said the envoy."),
    ]);
    let found = search(&index, "UNSC", &SearchOptions::new());
    assert_eq!(ids(&found), ["unsc"]);
    assert_eq!(marked(&found[0].passages[0]), ["Security Council"]);
    assert!(search(&index, "UNSC", &SearchOptions::new().aliases(false)).is_empty());
    // A quoted phrase stays exact.
    assert!(search(&index, "\"UNSC\"", &SearchOptions::new()).is_empty());
    assert_eq!(
        ids(&search(&index, "Kyiv", &SearchOptions::new())),
        ["kiev"]
    );
    // Codes match in capitals only: "US" is the country, "us" the pronoun.
    assert_eq!(
        ids(&search(&index, "US measures", &SearchOptions::new())),
        ["us"]
    );
    assert!(ids(&search(&index, "us hope", &SearchOptions::new())).contains(&"pronoun"));
    let explained = search(&index, "UNSC", &SearchOptions::new().explain(true));
    let explanation = explained[0].passages[0].explanation.as_ref().unwrap();
    let added: Vec<&str> = explanation
        .clauses
        .iter()
        .filter_map(|c| c.added_by.as_deref())
        .collect();
    assert!(
        added.iter().any(|a| a.starts_with("alias UNSC → ")),
        "{explanation}"
    );
    // A table of one's own replaces the built-in one.
    let table = communique::domain::Aliases::parse("X\torg\tThe Council\tTC\t\n").unwrap();
    let custom = SearchOptions::new().alias_table(std::sync::Arc::new(table));
    assert!(search(&index, "UNSC", &custom).is_empty());
}

#[test]
fn entity_facets_filters_and_timelines() {
    let index = project_index();
    // The ten-country statement names its signatories.
    let hits = search(
        index,
        "Kursk",
        &SearchOptions::new().signatory("KOR").limit(50),
    );
    assert!(
        hits.iter()
            .any(|h| h.article.id.ends_with("ten-country-statement-kursk.txt"))
    );
    let facets = index
        .facets(&Query::parse("Kursk").unwrap(), &SearchOptions::new())
        .unwrap();
    assert!(facets.articles >= 5);
    let countries: Vec<&str> = facets.countries.iter().map(|c| c.0.as_str()).collect();
    assert!(
        countries.contains(&"PRK") && countries.contains(&"RUS"),
        "{countries:?}"
    );
    assert!(facets.years.iter().any(|y| y.0 == "2024"));
    // Filters: every hit mentions the country (its facets say so).
    let hits = search(
        index,
        "sanctions",
        &SearchOptions::new().country("PRK").limit(100),
    );
    assert!(!hits.is_empty());
    let scan = Corpus::new(project_corpus()).read_all().unwrap();
    let aliases = communique::domain::Aliases::builtin();
    let mut analyzer = communique::analysis::Analyzer::new();
    for hit in &hits {
        let article = scan
            .articles
            .iter()
            .find(|a| a.id == hit.article.id)
            .unwrap();
        let named: Vec<&str> = communique::domain::mentions(aliases, &mut analyzer, &article.body)
            .iter()
            .map(|m| aliases.groups()[m.group].id.as_str())
            .collect();
        assert!(
            named.contains(&"PRK"),
            "{} does not mention North Korea",
            hit.article.id
        );
    }
    let all = search(index, "sanctions", &SearchOptions::new().limit(100)).len();
    assert!(hits.len() < all);
    let org = search(index, "veto", &SearchOptions::new().org("UNSC").limit(100));
    assert!(!org.is_empty());
    let months = index
        .timeline(
            &Query::parse("\"grain corridor\" OR \"Black Sea Grain Initiative\"").unwrap(),
            &SearchOptions::new(),
            communique::search::Period::Year,
        )
        .unwrap();
    assert!(
        months.iter().any(|(year, n)| year == "2022" && *n > 0),
        "{months:?}"
    );
}

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_dprk_troops_kursk_finds_the_seed_which_never_says_dprk() {
    let index = real_index();
    let hits = search(index, "DPRK troops Kursk", &SearchOptions::new());
    assert_eq!(hits[0].article.id, "seed/000_b491b3170320ace1.txt");
    assert!(
        !std::fs::read_to_string(common::seed_file())
            .unwrap()
            .contains("DPRK")
    );
    let facets = index
        .facets(
            &Query::parse("\"killed or wounded\" Kursk").unwrap(),
            &SearchOptions::new(),
        )
        .unwrap();
    let signatories: Vec<&str> = facets.signatories.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        signatories,
        [
            "AUS", "CAN", "DEU", "EU", "FRA", "GBR", "ITA", "JPN", "KOR", "NZL", "USA"
        ],
        "ten countries and the EU's high representative"
    );
}

// ---------------------------------------------------------------- quotations

#[test]
fn quotes_search_only_inside_quotations_and_name_the_speaker() {
    let index = in_memory(&[
        Article::new(
            "said",
            "The ministers met in Brussels on Monday.\n\n\
             “The deployment to the Kursk region is a dangerous escalation,” said Ms. Kallas, \
             the High Representative.\n\nThe talks ended late.",
        ),
        Article::new(
            "reported",
            "Troops were seen in the Kursk region on Monday, the ministry reported, and officials \
             called the move “a dangerous escalation” without naming anyone.",
        ),
        Article::new(
            "unquoted",
            "The Kursk region saw heavy fighting, and the ministers spoke of escalation.",
        ),
    ]);
    // Everywhere: all three articles.
    assert_eq!(search(&index, "Kursk", &SearchOptions::new()).len(), 3);
    // Inside quotations: only where Kursk is in what was said.
    let hits = search(&index, "Kursk", &SearchOptions::new().quotes(true));
    assert_eq!(ids(&hits), ["said"]);
    let passage = &hits[0].passages[0];
    assert_eq!(marked(passage), ["Kursk"]);
    assert_eq!(passage.quotes.len(), 1);
    assert_eq!(passage.quotes[0].speaker.as_deref(), Some("Ms. Kallas"));
    // Every highlight lies inside a quotation, and words outside them are not highlighted.
    let hits = search(
        &index,
        "dangerous escalation ministers",
        &SearchOptions::new().quotes(true),
    );
    assert_eq!(ids(&hits).len(), 2);
    for hit in &hits {
        let passage = &hit.passages[0];
        for h in &passage.highlights {
            assert!(
                passage
                    .quotes
                    .iter()
                    .any(|q| q.range.start <= h.start && h.end <= q.range.end),
                "{:?} outside the quotations of {:?}",
                &passage.text[h.clone()],
                passage.text
            );
        }
        assert!(!marked(passage).contains(&"ministers"));
    }
    // A phrase inside a quotation; none across its edge.
    assert_eq!(
        ids(&search(
            &index,
            "\"dangerous escalation\"",
            &SearchOptions::new().quotes(true)
        ))
        .len(),
        2
    );
    assert!(
        search(
            &index,
            "\"escalation said\"",
            &SearchOptions::new().quotes(true)
        )
        .is_empty()
    );
}

// ---------------------------------------------------------------- near-duplicates

const JOINT_STATEMENT: &str = "We, the foreign ministers of the countries listed below, \
    condemn in the strongest terms the deployment of troops to the Kursk region. The transfer \
    of ballistic missiles and munitions violates several resolutions of the Security Council.\n\n\
    We call on all states to stop such transfers and to respect the resolutions in full, and \
    we will continue to support the people of the country under attack for as long as it \
    takes. We also welcome the work of the panel and the monitoring team on this matter.";

#[test]
fn near_duplicates_collapse_into_one_hit_that_counts_them() {
    let copy = format!("BRUSSELS, 17 December (Wire) — {JOINT_STATEMENT}\n\nEditing by the desk.");
    let report = format!(
        "{}\n\nThe statement read in full:\n\n{JOINT_STATEMENT}\n\n{}",
        "Officials met in the capital on Monday to discuss the situation at the border. ".repeat(8),
        "Analysts said the text broke little new ground but showed unity among allies. ".repeat(8)
    );
    let other = "The ministers discussed troops, missiles and the Kursk region at length and \
        said that the Security Council must act. They agreed to meet again next month to review \
        the resolutions and to hear from the panel of experts on the transfers. No statement was \
        adopted, and several delegations asked for more time to consult their capitals.";
    let index = in_memory(&[
        Article::new("statement", JOINT_STATEMENT).with_title("Joint statement"),
        Article::new("copy", copy.as_str()).with_title("Ministers condemn deployment"),
        Article::new("other", other),
    ]);
    // Added in a later commit: found through the index, not the writer's batch.
    let mut writer = index.writer().unwrap();
    writer
        .add(&Article::new("report", report.as_str()))
        .unwrap();
    writer.commit().unwrap();

    let hits = search(&index, "Kursk", &SearchOptions::new());
    assert_eq!(hits.len(), 2, "{:?}", ids(&hits));
    let cluster = hits.iter().find(|h| h.article.id != "other").unwrap();
    assert_eq!(cluster.duplicates, 2);
    assert_eq!(
        hits.iter()
            .find(|h| h.article.id == "other")
            .unwrap()
            .duplicates,
        0
    );
    // Ranks stay 1, 2 after collapsing.
    assert_eq!(hits.iter().map(|h| h.rank).collect::<Vec<_>>(), [1, 2]);

    let all = search(&index, "Kursk", &SearchOptions::new().collapse(false));
    let mut all_ids = ids(&all);
    all_ids.sort();
    assert_eq!(all_ids, ["copy", "other", "report", "statement"]);

    // Removing the first of the cluster keeps the others together.
    let mut writer = index.writer().unwrap();
    writer.remove("statement").unwrap();
    writer.commit().unwrap();
    let hits = search(&index, "Kursk", &SearchOptions::new());
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().any(|h| h.duplicates == 1));
}

/// The State Department releases, read once.
fn real_press_releases() -> Vec<Article> {
    let scan = Corpus::new(common::shared().join("data/state-dept-press"))
        .read_all()
        .unwrap();
    scan.articles
        .into_iter()
        .filter(|a| a.path.as_deref().is_some_and(|p| p.ends_with(".jsonl")))
        .collect()
}

/// The first `n` words of the `ordinal`-th passage of `article`, as a phrase query.
fn phrase_from(article: &Article, ordinal: usize, n: usize) -> String {
    let passages = split_passages(&article.body);
    let text = &article.body[passages[ordinal.min(passages.len() - 1)].clone()];
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .take(n)
        .collect();
    format!("\"{}\"", words.join(" "))
}

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_near_duplicates_collapse_and_distinct_releases_do_not() {
    let releases = real_press_releases();
    let by_id = |suffix: &str| {
        releases
            .iter()
            .find(|a| a.id.ends_with(suffix))
            .unwrap_or_else(|| panic!("no release {suffix}"))
    };
    // The collection holds the same press availability under two addresses.
    let index = real_index();
    let first = by_id("secretary-antony-j-blinken-at-a-press-availability-15/");
    let query = phrase_from(first, 4, 10);
    let all = search(index, &query, &SearchOptions::new().collapse(false));
    let twins: Vec<&str> = ids(&all)
        .into_iter()
        .filter(|id| id.contains("at-a-press-availability-1"))
        .collect();
    assert_eq!(twins.len(), 2, "{query}: {:?}", ids(&all));
    let collapsed = search(index, &query, &SearchOptions::new());
    let shown: Vec<&communique::Hit> = collapsed
        .iter()
        .filter(|h| twins.contains(&h.article.id.as_str()))
        .collect();
    assert_eq!(shown.len(), 1, "{:?}", ids(&collapsed));
    assert!(shown[0].duplicates >= 1);

    // Built copies: a release republished under another headline and dateline, and quoted
    // whole inside a report made of two other releases; and two releases from one template
    // (a list of arms for Ukraine) that are different announcements.
    let original = releases
        .iter()
        .find(|a| {
            let words = a.body.split_whitespace().count();
            (300..600).contains(&words) && a.id.contains("/joint-statement")
        })
        .expect("a joint statement of 300 to 600 words");
    // Two releases left out of the index, so that the report contains only one indexed text.
    let filler_a = &releases[400].body;
    let filler_b = &releases[500].body;
    let copy = format!(
        "GENEVA (Wire) — The following statement was released today.\n\n{}\n\nReporting by the desk.",
        original.body
    );
    let report = format!("{filler_a}\n\n{}\n\n{filler_b}", original.body);
    let template_a = by_id(
        "biden-harris-administration-announces-550-million-in-new-u-s-military-assistance-for-ukraine/",
    );
    let template_b =
        by_id("biden-harris-administration-announces-new-u-s-military-assistance-for-ukraine/");
    let mut articles: Vec<Article> = releases
        .iter()
        .take(150)
        .filter(|a| a.id != original.id && a.id != template_a.id && a.id != template_b.id)
        .cloned()
        .collect();
    articles.push(original.clone());
    articles.push(Article::new("built/copy", copy.as_str()).with_title("Wire copy"));
    articles.push(Article::new("built/report", report.as_str()).with_title("Report"));
    articles.push(template_a.clone());
    articles.push(template_b.clone());
    let index = in_memory(&articles);
    let query = phrase_from(original, 1, 8);
    let hits = search(&index, &query, &SearchOptions::new());
    assert_eq!(hits.len(), 1, "{query}: {:?}", ids(&hits));
    assert_eq!(hits[0].duplicates, 2);
    assert_eq!(
        search(&index, &query, &SearchOptions::new().collapse(false)).len(),
        3
    );
    let hits = search(
        &index,
        "military assistance Ukraine",
        &SearchOptions::new().limit(50),
    );
    for template in [template_a, template_b] {
        let hit = hits
            .iter()
            .find(|h| h.article.id == template.id)
            .unwrap_or_else(|| panic!("{} collapsed: {:?}", template.id, ids(&hits)));
        assert_eq!(hit.duplicates, 0, "{}", template.id);
    }
}

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_quotations_name_their_speaker() {
    let hits = search(
        real_index(),
        "\"veto accountability\"",
        &SearchOptions::new().quotes(true).limit(3),
    );
    let passage = &hits[0].passages[0];
    assert_eq!(marked(passage), ["veto accountability"], "{passage:?}");
    let quote = passage
        .quotes
        .iter()
        .find(|q| passage.text[q.range.clone()].contains("veto accountability"))
        .expect("the quotation");
    assert!(
        quote
            .speaker
            .as_deref()
            .is_some_and(|s| s.ends_with("Linda Thomas-Greenfield")),
        "{quote:?}"
    );
}

// ---------------------------------------------------------------- more like this

#[test]
fn more_like_a_kursk_statement_is_another_kursk_statement_not_itself_or_its_copy() {
    let index = project_index();
    let id = "dprk/2024-12-16-ten-country-statement-kursk.txt";
    let copy = "dprk/2024-12-17-wire-copy-kursk-statement.md";
    // The words it searches are the statement's own subject.
    let words = index.like_query(id).unwrap();
    let words: Vec<&str> = words.as_str().split(' ').collect();
    assert_eq!(words.len(), communique::search::SIMILAR_TERMS, "{words:?}");
    assert!(
        words[..5].contains(&"kursk") && words[..5].contains(&"korean"),
        "{words:?}"
    );
    for collapse in [true, false] {
        let results = index
            .similar(id, &SearchOptions::new().limit(10).collapse(collapse))
            .unwrap();
        let found = ids(&results.hits);
        assert!(!found.contains(&id) && !found.contains(&copy), "{found:?}");
        // The most similar is another statement about the North Korean troops in Kursk.
        let best = &results.hits[0];
        let title = best.article.title.as_deref().unwrap_or_default();
        assert!(title.contains("Kursk"), "{found:?}: {title}");
        assert!(results.total as usize >= results.hits.len());
    }
    // Ranked like a search: scores never rise, and the passages shown are highlighted.
    let results = index.similar(id, &SearchOptions::new()).unwrap();
    assert!(
        results.hits.windows(2).all(|w| w[0].score >= w[1].score),
        "{:?}",
        ids(&results.hits)
    );
    assert!(!results.hits[0].passages[0].highlights.is_empty());
    // The copy's own most similar article is not the statement it copies either.
    let from_copy = index.similar(copy, &SearchOptions::new()).unwrap();
    let found = ids(&from_copy.hits);
    assert!(!found.contains(&id) && !found.contains(&copy), "{found:?}");
}

#[test]
fn more_like_an_unknown_article_names_the_id() {
    let index = project_index();
    let err = index
        .similar("dprk/no-such-article.txt", &SearchOptions::new())
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownArticle { id } if id == "dprk/no-such-article.txt"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("dprk/no-such-article.txt"),
        "{err}"
    );
    assert!(index.like_query("").is_err());
}

#[test]
fn explain_names_the_word_its_view_and_the_alias_or_correction_that_added_it() {
    let index = project_index();
    let options = SearchOptions::new().limit(3).explain(true);
    for hit in search(index, "Kursk", &options) {
        let explanation = hit.passages[0].explanation.as_ref().unwrap();
        let text = explanation
            .clauses
            .iter()
            .find(|c| c.view == View::Stemmed)
            .unwrap();
        assert_eq!(text.typed.as_deref(), Some("Kursk"), "{explanation}");
        assert_eq!(text.analysed, ["kursk"]);
        assert!(text.added_by.is_none() && text.share > 0.0, "{explanation}");
        let shown = explanation.to_string();
        assert!(
            shown.contains("word in the stemmed view: Kursk (as kursk)"),
            "{shown}"
        );
    }
    // DPRK finds "North Korean troops" through the alias table, and says so.
    let hits = search(index, "DPRK troops", &options);
    let alias: Vec<_> = hits
        .iter()
        .flat_map(|h| &h.passages[0].explanation.as_ref().unwrap().clauses)
        .filter(|c| c.typed.as_deref() == Some("DPRK"))
        .filter_map(|c| c.added_by.as_deref())
        .collect();
    assert!(!alias.is_empty(), "{hits:?}");
    assert!(
        alias.iter().all(|a| a.starts_with("alias DPRK → ")),
        "{alias:?}"
    );
    // A misspelling: the correction that searched the word.
    let hits = search(index, "Kursc", &options);
    let clause = &hits[0].passages[0].explanation.as_ref().unwrap().clauses[0];
    assert_eq!(clause.typed.as_deref(), Some("Kursc"));
    assert_eq!(clause.added_by.as_deref(), Some("correction Kursc → kursk"));
    // --json carries it.
    let json = serde_json::to_value(&hits[0]).unwrap();
    assert_eq!(
        json["passages"][0]["explanation"]["clauses"][0]["view"],
        "stemmed"
    );
}

#[test]
fn watch_follows_files_and_folders_moved_and_agrees_with_a_whole_update() {
    use communique::index::{WatchEvent, WatchOptions};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    std::fs::create_dir_all(root.join("2024")).unwrap();
    std::fs::write(
        root.join("2024/a.txt"),
        "Troops were sent to the Kursk region.",
    )
    .unwrap();
    std::fs::write(root.join("2024/b.txt"), "The grain corridor reopened.").unwrap();
    std::fs::write(root.join("c.txt"), "Envoys met in Doha on Monday.").unwrap();
    let corpus = Corpus::new(&root);
    let index = Index::create(dir.path().join("index")).unwrap();
    let options = WatchOptions {
        debounce: Duration::from_millis(100),
        ..WatchOptions::default()
    };
    let stop = AtomicBool::new(false);
    let failures = std::sync::Mutex::new(Vec::new());
    let looked_at = std::sync::Mutex::new(Vec::new());
    // Waits until `ready` holds of the index (the watcher applies batches meanwhile).
    let wait = |what: &str, ready: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !ready() {
            assert!(start.elapsed() < Duration::from_secs(30), "never: {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let has = |id: &str| index.contains(id).unwrap();
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            index.watch(&corpus, &options, &stop, |event| match event {
                WatchEvent::Failed(e) => failures.lock().unwrap().push(e.to_string()),
                WatchEvent::Batch { report, .. } => looked_at.lock().unwrap().push(report.files),
                _ => {}
            })
        });
        wait("the first batch", &|| has("2024/a.txt") && has("c.txt"));
        // A folder renamed: its files' path ids move with it.
        std::fs::rename(root.join("2024"), root.join("2025")).unwrap();
        wait("the renamed folder", &|| {
            has("2025/a.txt") && has("2025/b.txt") && !has("2024/a.txt") && !has("2024/b.txt")
        });
        // A file moved into a folder, and one changed in place.
        std::fs::rename(root.join("c.txt"), root.join("2025/c.txt")).unwrap();
        std::fs::write(
            root.join("2025/a.txt"),
            "Troops were sent to the Kursk and Belgorod regions.",
        )
        .unwrap();
        wait("the moved and changed files", &|| {
            has("2025/c.txt")
                && !has("c.txt")
                && !search(&index, "Belgorod", &SearchOptions::new()).is_empty()
        });
        stop.store(true, Ordering::SeqCst);
        watcher.join().unwrap().unwrap();
    });
    assert!(failures.into_inner().unwrap().is_empty());
    // The first batch looked at the whole corpus, the others only where the change was.
    let looked_at = looked_at.into_inner().unwrap();
    assert_eq!(looked_at[0], 3);
    assert!(
        looked_at[1..].iter().all(|&files| files < 3),
        "{looked_at:?}"
    );
    let hits = search(&index, "Kursk", &SearchOptions::new());
    assert_eq!(ids(&hits), ["2025/a.txt"]);
    // What the batches did by parts, a whole update confirms: nothing left to do.
    let report = index.update(&corpus).unwrap();
    assert!(!report.changed(), "{report:?}");
    assert_eq!(index.stats().unwrap().articles, 3);
}
