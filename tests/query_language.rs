//! The query language over whole articles (Boolean logic) and within passages (proximity), on
//! the project corpus: a real joint statement on North Korean troops in Kursk, whose
//! paragraphs name different things.

mod common;

use common::{marked, project_index};
use communique::{Hit, Query, SearchOptions};

const STATEMENT: &str =
    "Ten countries and the EU condemn North Korean troops fighting for Russia in Kursk";

fn search(query: &str, options: &SearchOptions) -> Vec<Hit> {
    let parsed: Query = query.parse().unwrap_or_else(|e| panic!("{query}: {e}"));
    project_index()
        .search(&parsed, options)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn titles(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.article.display_title()).collect()
}

fn statement<'a>(hits: &'a [Hit], query: &str) -> &'a Hit {
    hits.iter()
        .find(|h| h.article.title.as_deref() == Some(STATEMENT))
        .unwrap_or_else(|| panic!("{query}: the statement is not among {:?}", titles(hits)))
}

fn has_statement(hits: &[Hit]) -> bool {
    hits.iter()
        .any(|h| h.article.title.as_deref() == Some(STATEMENT))
}

/// The ordinals of the statement's passages holding `word` (its only hits for it).
fn ordinals(word: &str) -> Vec<usize> {
    let hits = search(word, &SearchOptions::new().limit(100).passages(10));
    let mut ordinals: Vec<usize> = statement(&hits, word)
        .passages
        .iter()
        .filter(|p| !p.highlights.is_empty())
        .map(|p| p.ordinal)
        .collect();
    ordinals.sort_unstable();
    ordinals
}

#[test]
fn and_finds_an_article_naming_each_word_in_another_paragraph() {
    // The statement names Pyongyang in its third paragraph and Zelenskyy in its fourth.
    let (pyongyang, zelenskyy) = (ordinals("Pyongyang"), ordinals("Zelenskyy"));
    assert!(
        pyongyang.iter().all(|p| !zelenskyy.contains(p)),
        "no passage holds both: {pyongyang:?} {zelenskyy:?}"
    );
    for query in [
        "Zelenskyy AND Pyongyang",
        "+Zelenskyy +Pyongyang",
        "Zelenskyy AND \"strategic partnership\"",
    ] {
        let hits = search(query, &SearchOptions::new().limit(50).passages(3));
        let hit = statement(&hits, query);
        // The passages shown hold the matched words, each highlighted where it stands.
        let shown: Vec<&str> = hit.passages.iter().flat_map(marked).collect();
        assert!(shown.contains(&"Zelenskyy"), "{query}: {shown:?}");
        assert!(
            shown.contains(&"Pyongyang") || shown.contains(&"strategic partnership"),
            "{query}: {shown:?}"
        );
        for passage in &hit.passages {
            assert!(
                !passage.highlights.is_empty(),
                "{query}: a passage without a match shown"
            );
        }
    }
}

#[test]
fn and_not_excludes_articles_that_mention_the_word_anywhere() {
    let all = SearchOptions::new().limit(100);
    let kursk = search("kursk", &all);
    let without = search("kursk AND NOT missiles", &all);
    let with = search("kursk AND missiles", &all);
    // The statement names Kursk in its first paragraph and missiles only in its second.
    assert!(has_statement(&kursk));
    assert!(has_statement(&with));
    assert!(!has_statement(&without), "{:?}", titles(&without));
    assert!(!without.is_empty());
    // Every Kursk article is in exactly one of the two.
    let mut split: Vec<&str> = titles(&without);
    split.extend(titles(&with));
    split.sort_unstable();
    let mut whole = titles(&kursk);
    whole.sort_unstable();
    assert_eq!(split, whole);
    assert_eq!(
        titles(&without),
        titles(&search("+kursk -missiles", &all)),
        "the other spelling of exclusion"
    );
    // Facets count the same articles as the search (near-duplicates included).
    for query in ["kursk AND NOT missiles", "kursk AND missiles"] {
        let hits = search(query, &all.clone().collapse(false));
        let facets = project_index()
            .facets(&query.parse().unwrap(), &SearchOptions::new())
            .unwrap();
        assert_eq!(facets.articles, hits.len() as u64, "{query}");
    }
}

#[test]
fn near_counts_the_words_between_in_any_order() {
    // "condemning the deployment of North Korean soldiers to Russia": three words between.
    let options = SearchOptions::new().limit(50).passages(3);
    for (query, matches) in [
        ("deployment NEAR/3 soldiers", true),
        ("soldiers NEAR/3 deployment", true),
        ("deployment NEAR/2 soldiers", false),
        ("\"deployment soldiers\"~3", true),
        ("\"soldiers deployment\"~3", true),
        ("\"deployment soldiers\"~2", false),
        ("\"soldiers korean\"~0", true),
    ] {
        let hits = search(query, &options);
        assert_eq!(
            has_statement(&hits),
            matches,
            "{query}: {:?}",
            titles(&hits)
        );
        if matches {
            let hit = statement(&hits, query);
            let passage = &hit.passages[0];
            let shown = marked(passage);
            assert!(!shown.is_empty(), "{query}");
            // Only the words that stand close are marked, not every soldier of the passage.
            for word in &shown {
                assert!(
                    ["deployment", "soldiers", "Korean"].contains(word),
                    "{query}: {shown:?}"
                );
            }
        }
    }
}

#[test]
fn near_s_needs_one_sentence_and_near_p_one_passage() {
    let options = SearchOptions::new().limit(50);
    // "On the same day President Volodymyr Zelenskyy said that … sending North Korean units
    // into assaults in the Kursk area, and that those units were already suffering noticeable
    // losses. Ukrainian officials had first reported North Korean soldiers near the front in
    // early November, …"
    for (query, matches) in [
        ("Zelenskyy NEAR/s losses", true),
        ("Zelenskyy NEAR/s November", false),
        ("Zelenskyy NEAR/p November", true),
        ("Zelenskyy NEAR/p Pyongyang", false),
        ("Zelenskyy AND Pyongyang", true),
        ("(Zelenskyy NEAR/s assaults) AND NOT missiles", false),
        ("(Zelenskyy NEAR/s assaults) AND missiles", true),
        ("(Zelenskyy NEAR/s November) OR Pyongyang", true),
    ] {
        let hits = search(query, &options);
        assert_eq!(
            has_statement(&hits),
            matches,
            "{query}: {:?}",
            titles(&hits)
        );
    }
    let hits = search("Zelenskyy NEAR/s losses", &options.clone().passages(2));
    let passage = &statement(&hits, "NEAR/s").passages[0];
    assert_eq!(marked(passage), ["Zelenskyy", "losses"]);
}

#[test]
fn proximity_errors_point_at_the_column() {
    for (query, column, message) in [
        ("A NEAR/ B", 3, "needs a distance"),
        ("NEAR/5 B", 1, "before it"),
        ("\"a b\"~x", 7, "not `x`"),
        ("\"a b\"~", 7, "needs a distance"),
        ("a NEAR/q b", 8, "not a proximity"),
        ("a NEAR/5", 3, "after it"),
        ("(a b) NEAR/5 c", 7, "not a group"),
        ("a NEAR/5 b NEAR/5 c", 12, "combine several with AND"),
        ("\"kursk\"~2", 1, "at least two words"),
    ] {
        let err = query.parse::<Query>().expect_err(query);
        assert_eq!(err.column(), column, "{query}: {err}");
        assert!(err.message.contains(message), "{query}: {}", err.message);
    }
}

#[test]
#[ignore = "needs the real collections in ../shared (COMMUNIQUE_SHARED)"]
fn real_and_finds_a_release_naming_the_words_in_different_paragraphs() {
    // "Reported Massacre in Mali" names Mali in its first and third paragraphs and the Wagner
    // Group only in its second.
    let id = "https://www.state.gov/reported-massacre-in-mali/";
    let run = |query: &str| -> Vec<Hit> {
        let parsed: Query = query.parse().unwrap();
        common::real_index()
            .search(&parsed, &SearchOptions::new().limit(100).passages(2))
            .unwrap_or_else(|e| panic!("{query}: {e}"))
    };
    let found = |hits: &[Hit]| hits.iter().find(|h| h.article.id == id).cloned();
    let hit = found(&run("Wagner AND Mali")).expect("Wagner AND Mali finds the release");
    let shown: Vec<&str> = hit.passages.iter().flat_map(marked).collect();
    assert!(shown.contains(&"Wagner"), "{shown:?}");
    assert!(shown.contains(&"Mali"), "{shown:?}");
    assert!(
        found(&run("Wagner NEAR/p Mali")).is_none(),
        "not in one passage"
    );
    assert!(found(&run("Wagner AND NOT Mali")).is_none());
    assert!(found(&run("Wagner NEAR/p Malian")).is_some());
}

/// The articles a query finds, as ids.
fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.article.id.as_str()).collect()
}

#[test]
fn a_misspelled_name_finds_what_the_right_spelling_finds_and_says_so() {
    let all = SearchOptions::new().limit(100);
    for (typed, meant) in [
        ("Kursc", "Kursk"),
        ("Pyongyan", "Pyongyang"),
        ("Grosi", "Grossi"),
        ("sanctoins", "sanctions"),
    ] {
        let right = search(meant, &all);
        let corrected = search(typed, &all);
        assert!(!right.is_empty(), "{meant}");
        assert_eq!(ids(&corrected), ids(&right), "{typed} -> {meant}");
        let corrections = &corrected[0].corrections;
        assert_eq!(corrections.len(), 1, "{typed}: {corrections:?}");
        assert_eq!(corrections[0].typed, typed);
        assert_eq!(corrections[0].searched, [meant.to_lowercase()]);
        assert!(!corrections[0].kept, "{typed} matches nothing as typed");
        // Highlighted is the word of the text.
        let shown: Vec<&str> = corrected[0]
            .passages
            .iter()
            .flat_map(common::marked)
            .collect();
        assert!(
            shown.iter().any(|w| w.eq_ignore_ascii_case(meant)),
            "{typed}: {shown:?}"
        );
        // As typed, nothing.
        assert!(
            search(typed, &all.clone().exact(true)).is_empty(),
            "{typed} --exact"
        );
    }
}

#[test]
fn a_corrected_word_still_spells_an_alias_with_its_neighbours() {
    // `Security Council` is a name of the UNSC: corrected, `Secutity Council` is that name too,
    // so it finds the passages that say "U.N. Security Council" or "UNSC".
    let all = SearchOptions::new().limit(100);
    let right = search("Security Council", &all);
    let corrected = search("Secutity Council", &all);
    assert_eq!(ids(&corrected), ids(&right));
    assert_eq!(corrected[0].corrections[0].searched, ["security"]);
    let exact = search("Secutity Council", &all.clone().exact(true));
    assert!(exact.iter().all(|h| h.corrections.is_empty()));
    assert_ne!(
        ids(&exact),
        ids(&right),
        "as typed, only `Council` is searched"
    );
}

#[test]
fn phrases_exclusions_codes_and_known_words_are_never_corrected() {
    let index = common::project_index();
    let options = SearchOptions::new();
    for query in [
        "\"Kursc region\"",
        "kursk -missils",
        "KURSC",
        "Kursk",
        "troops",
        "Kyiv",
        "Kiev",
        "Kursc~0",
        "Kurs*",
    ] {
        let parsed: Query = query.parse().unwrap();
        let found = index.corrections(&parsed, &options).unwrap();
        // A phrase that the index never holds as written is searched in other word forms
        // (and says so), never respelled.
        let respelled = found
            .iter()
            .any(|c| c.kind == communique::search::CorrectionKind::Spelling);
        assert!(!respelled, "{query}: {found:?}");
        assert_eq!(
            found.is_empty(),
            query != "\"Kursc region\"",
            "{query}: {found:?}"
        );
    }
    // A proximity's operand is corrected to one word.
    let hits = search("Kursc NEAR/5 troops", &SearchOptions::new());
    assert!(!hits.is_empty());
    assert_eq!(hits[0].corrections[0].searched, ["kursk"]);
    assert!(search("Kursc NEAR/5 troops", &SearchOptions::new().exact(true)).is_empty());
}

#[test]
fn transliterations_in_the_alias_table_are_one_name_without_correction() {
    let all = SearchOptions::new().limit(100);
    let right = search("Zelenskyy", &all);
    assert!(!right.is_empty());
    for typed in ["Zelensky", "Zelenskiy", "Zelenskyi"] {
        for options in [all.clone(), all.clone().exact(true)] {
            let found = search(typed, &options);
            assert_eq!(ids(&found), ids(&right), "{typed}");
            assert!(
                found[0].corrections.is_empty(),
                "{typed}: an alias, not a guess"
            );
        }
    }
}

#[test]
fn armed_groups_are_one_name_however_they_are_transliterated() {
    // The State Department writes "Hizballah" and "ISIS"; UN speakers "Hezbollah" and "Da'esh".
    let index = communique::Index::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for (id, text) in [
        (
            "state",
            "The United States is designating two Hizballah financiers operating in Guinea.",
        ),
        (
            "ungd",
            "Hezbollah continues to arm itself in defiance of resolution 1701.",
        ),
        ("isis", "The coalition to defeat ISIS met in Rome."),
        ("daesh", "Da'esh still holds ground in the Sahel."),
        (
            "other",
            "The financiers of the reconstruction met in Guinea.",
        ),
    ] {
        writer.add(&communique::Article::new(id, text)).unwrap();
    }
    writer.commit().unwrap();
    let ids_of = |query: &str, options: &SearchOptions| {
        let parsed: Query = query.parse().unwrap();
        let mut ids: Vec<String> = index
            .search(&parsed, options)
            .unwrap()
            .into_iter()
            .map(|h| h.article.id)
            .collect();
        ids.sort();
        ids
    };
    let options = SearchOptions::new().limit(10);
    assert_eq!(ids_of("Hezbollah", &options), ["state", "ungd"]);
    assert_eq!(ids_of("Hizballah", &options), ["state", "ungd"]);
    assert_eq!(ids_of("Daesh", &options), ["daesh", "isis"]);
    let parsed: Query = "Hezbollah".parse().unwrap();
    let hits = index.search(&parsed, &options).unwrap();
    let state = hits.iter().find(|h| h.article.id == "state").unwrap();
    assert_eq!(marked(&state.passages[0]), ["Hizballah"]);
    // Without the alias table each spelling is only itself.
    assert_eq!(
        ids_of("Hezbollah", &options.clone().aliases(false).exact(true)),
        ["ungd"]
    );
}

/// The briefing notes say "Ukrainian forces" and never name Ukraine.
const BRIEFING: &str = "dprk/2024-12-16-briefing-notes-kursk-statement.txt";

#[test]
fn a_country_finds_its_demonym_and_the_demonym_its_country() {
    let all = SearchOptions::new().limit(100).passages(5);
    let hits = search("Ukraine", &all);
    let briefing = hits
        .iter()
        .find(|h| h.article.id == BRIEFING)
        .unwrap_or_else(|| panic!("Ukraine: not among {:?}", ids(&hits)));
    let shown: Vec<&str> = briefing.passages.iter().flat_map(common::marked).collect();
    assert!(shown.contains(&"Ukrainian"), "{shown:?}");
    // Without the alias table, `Ukraine` is only the word.
    assert!(!ids(&search("Ukraine", &all.clone().aliases(false))).contains(&BRIEFING));
    // And the other way: `Ukrainian` finds the articles that say Ukraine.
    let ukrainian = search("Ukrainian", &all);
    let ukraine = search("Ukraine", &all);
    let sorted = |hits: &[Hit]| {
        let mut ids: Vec<String> = hits.iter().map(|h| h.article.id.clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(sorted(&ukrainian), sorted(&ukraine));
}

#[test]
fn country_facets_count_a_demonym_as_a_mention() {
    // Filtering by the country's code lets in the article that only says "Ukrainian".
    let hits = search("Kursk", &SearchOptions::new().limit(100).country("UKR"));
    assert!(ids(&hits).contains(&BRIEFING), "{:?}", ids(&hits));
    // "Japanese" alone does not make Russia: the filter is the country of the adjective.
    let hits = search("Kursk", &SearchOptions::new().limit(100).country("JPN"));
    assert!(!ids(&hits).contains(&BRIEFING));
}

/// A release of `../shared/data/state-dept-press` by id: its title and paragraphs.
fn release(file: &str, id: &str) -> (String, Vec<String>) {
    let path = common::shared().join("data/state-dept-press").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|value| value["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in {}", path.display()));
    let paragraphs = line["text"].as_str().unwrap().split("\n\n");
    (
        line["title"].as_str().unwrap().to_string(),
        paragraphs.map(str::to_string).collect(),
    )
}

#[test]
#[ignore = "needs the real collections in ../shared (COMMUNIQUE_SHARED)"]
fn an_excluded_name_or_phrase_in_the_title_leaves_the_article_out() {
    // "EU Sanctions on Russia and Shipments To and From Kaliningrad", copied with only its
    // paragraphs that do not name Russia (as a syndicated excerpt does), and a release on
    // sanctions against the Houthis' financiers that never names Russia.
    let (title, paragraphs) = release(
        "2022-07.jsonl",
        "https://www.state.gov/eu-sanctions-on-russia-and-shipments-to-and-from-kaliningrad/",
    );
    let excerpt: Vec<String> = paragraphs
        .into_iter()
        .filter(|p| !p.contains("Russia") && !p.contains("Kaliningrad"))
        .collect();
    assert!(
        excerpt.iter().any(|p| p.contains("sanctions")),
        "{excerpt:?}"
    );
    let (houthis, body) = release(
        "2021-06.jsonl",
        "https://www.state.gov/u-s-sanctions-international-network-enriching-houthis-in-yemen/",
    );
    let index = communique::Index::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for (id, title, body) in [
        ("excerpt", &title, excerpt.join("\n\n")),
        ("houthis", &houthis, body.join("\n\n")),
    ] {
        let article = communique::Article::new(id, body).with_title(title.as_str());
        writer.add(&article).unwrap();
    }
    writer.commit().unwrap();
    let found = |query: &str| -> Vec<String> {
        let parsed: Query = query.parse().unwrap();
        let hits = index.search(&parsed, &SearchOptions::new()).unwrap();
        let mut ids: Vec<String> = hits.into_iter().map(|h| h.article.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(found("sanctions"), ["excerpt", "houthis"]);
    // Russia is in the excerpt's title alone; `Russian` is a name of the same country.
    for query in [
        "sanctions AND NOT Russia",
        "sanctions -Russia",
        "sanctions AND NOT Russian",
        "sanctions AND NOT \"Shipments To and From Kaliningrad\"",
        "sanctions -\"EU sanctions\"",
    ] {
        assert_eq!(found(query), ["houthis"], "{query}");
    }
    // What the title does not name leaves it in.
    assert_eq!(found("sanctions AND NOT Moscow"), ["excerpt", "houthis"]);
    assert_eq!(
        found("sanctions AND NOT \"sanctions on Iran\""),
        ["excerpt", "houthis"]
    );
}
