//! Names across languages: the built-in alias table knows every state and the main
//! organisations in the six UN languages, so a name in one finds statements in the others and
//! the country facets count a Russian statement that says Россия as RUS.
//!
//! Names are compared on the exact view (lower-cased, folded, no stemming), so these tests hold
//! whatever stemming each language gets.

use communique::analysis::Analyzer;
use communique::domain::{Aliases, EntityKind, mentions};
use communique::{Article, Index, Query, SearchOptions};

/// The id of the group that `words` (as written) start with, and how many words matched.
fn found(words: &[&str]) -> Option<(String, usize)> {
    let aliases = Aliases::builtin();
    aliases
        .find(words)
        .map(|m| (aliases.groups()[m.group].id.clone(), m.words))
}

fn one(id: &str, words: usize) -> Option<(String, usize)> {
    Some((id.to_string(), words))
}

#[test]
fn russia_in_the_six_un_languages_is_one_entity() {
    for name in [
        "Russia",
        "Russie",
        "Rusia",
        "Россия",
        "РОССИЯ",
        "روسيا",
        "俄罗斯",
    ] {
        assert_eq!(found(&[name]), one("RUS", 1), "{name}");
    }
    // Chinese is written without spaces: a name is a run of ideographs, one word each.
    assert_eq!(found(&["俄", "罗", "斯", "外", "交"]), one("RUS", 3));
    // Russian names in every case; Arabic names with the conjunction و attached.
    for name in ["России", "Россию", "Россией"] {
        assert_eq!(found(&[name]), one("RUS", 1), "{name}");
    }
    assert_eq!(found(&["Российской", "Федерации"]), one("RUS", 2));
    assert_eq!(
        found(&["Организации", "Объединённых", "Наций"]),
        one("UN", 3)
    );
    assert_eq!(found(&["Совета", "Безопасности"]), one("UNSC", 2));
    assert_eq!(found(&["وروسيا"]), one("RUS", 1));
    // Names that are also everyday words are left out: "того" is "of that", not Togo.
    assert_eq!(found(&["того"]), None);
    assert_eq!(found(&["مالي"]), None);
    // Official names, as the iso-codes translations give them.
    assert_eq!(
        found(&["Российская", "Федерация", "заявила"]),
        one("RUS", 2)
    );
    assert_eq!(found(&["Federación", "Rusa"]), one("RUS", 2));
    assert_eq!(found(&["الاتحاد", "الروسي"]), one("RUS", 2));
    // Belarus ("White Russia" in Arabic) is the longer match, not Russia.
    assert_eq!(found(&["روسيا", "البيضاء"]), one("BLR", 2));
    assert_eq!(found(&["白", "俄", "罗", "斯"]), one("BLR", 4));
}

#[test]
fn the_united_nations_and_its_bodies_in_the_six_languages() {
    // ё or е: both spellings are in the table.
    for words in [
        &["Организация", "Объединённых", "Наций"][..],
        &["Организация", "Объединенных", "Наций"],
        &["Organisation", "des", "Nations", "Unies"],
        &["Naciones", "Unidas"],
        &["الأمم", "المتحدة"],
        &["الامم", "المتحدة"],
    ] {
        assert_eq!(found(words), one("UN", words.len()), "{words:?}");
    }
    assert_eq!(found(&["联", "合", "国"]), one("UN", 3));
    // The longest name wins: 联合国安理会 is the Security Council, not the UN.
    assert_eq!(found(&["联", "合", "国", "安", "理", "会"]), one("UNSC", 6));
    assert_eq!(found(&["Совет", "Безопасности", "ООН"]), one("UNSC", 3));
    assert_eq!(found(&["Conseil", "de", "sécurité"]), one("UNSC", 3));
    assert_eq!(found(&["مجلس", "الأمن"]), one("UNSC", 2));
    // Codes in other scripts, in capitals only.
    assert_eq!(found(&["ООН"]), one("UN", 1));
    assert_eq!(found(&["НАТО"]), one("NATO", 1));
    assert_eq!(found(&["OTAN"]), one("NATO", 1));
    assert_eq!(found(&["北", "约"]), one("NATO", 2));
    assert_eq!(found(&["Евросоюз"]), one("EU", 1));
    assert_eq!(found(&["الاتحاد", "الاوروبي"]), one("EU", 2));
}

#[test]
fn every_state_has_names_in_the_six_un_languages() {
    let aliases = Aliases::builtin();
    let mut analyzer = Analyzer::new();
    let script = |name: &str, range: std::ops::RangeInclusive<char>| {
        name.chars().any(|c| range.contains(&c))
    };
    let countries: Vec<_> = aliases
        .groups()
        .iter()
        .filter(|g| g.kind == EntityKind::Country)
        .collect();
    assert!(countries.len() >= 193, "{} states", countries.len());
    for group in countries {
        let names = &group.names;
        assert!(
            names.iter().any(|n| script(n, 'А'..='я')),
            "{}: no Russian name in {names:?}",
            group.id
        );
        assert!(
            names.iter().any(|n| script(n, '\u{0621}'..='\u{064A}')),
            "{}: no Arabic name",
            group.id
        );
        assert!(
            names.iter().any(|n| script(n, '\u{4E00}'..='\u{9FFF}')),
            "{}: no Chinese name",
            group.id
        );
        // Every name is found as itself, as a run of words (Chinese ones too).
        for name in names {
            let tokens = analyzer.exact(name);
            let words: Vec<&str> = tokens.iter().map(|t| &name[t.start..t.end]).collect();
            let hit = aliases.find(&words);
            assert!(
                hit.is_some_and(|m| m.words == words.len()),
                "{}: {name:?} ({} words) is not found whole",
                group.id,
                words.len()
            );
        }
    }
}

#[test]
fn entities_are_recognised_in_running_text_of_every_script() {
    let aliases = Aliases::builtin();
    let mut analyzer = Analyzer::new();
    let ids = |text: &str, analyzer: &mut Analyzer| -> Vec<(String, String)> {
        mentions(aliases, analyzer, text)
            .into_iter()
            .map(|m| {
                (
                    aliases.groups()[m.group].id.clone(),
                    text[m.range].to_string(),
                )
            })
            .collect()
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        ids(
            "Россия отвергла эти обвинения, а Организация Объединённых Наций призвала к диалогу.",
            &mut analyzer
        ),
        pairs(&[("RUS", "Россия"), ("UN", "Организация Объединённых Наций")])
    );
    assert_eq!(
        ids(
            "Делегация России выступила в Совете Безопасности против резолюции.",
            &mut analyzer
        ),
        pairs(&[("RUS", "России"), ("UNSC", "Совете Безопасности")])
    );
    assert_eq!(
        ids(
            "俄罗斯外交部表示，联合国安理会将于下周就乌克兰局势举行会议。",
            &mut analyzer
        ),
        pairs(&[
            ("RUS", "俄罗斯"),
            ("UNSC", "联合国安理会"),
            ("UKR", "乌克兰")
        ])
    );
    assert_eq!(
        ids(
            "رحبت الأمم المتحدة بالاتفاق، وقالت روسيا إنها ستدعمه في مجلس الأمن.",
            &mut analyzer
        ),
        pairs(&[
            ("UN", "الأمم المتحدة"),
            ("RUS", "روسيا"),
            ("UNSC", "مجلس الأمن")
        ])
    );
    assert_eq!(
        ids(
            "La Russie et les États-Unis se sont opposés au Conseil de sécurité.",
            &mut analyzer
        ),
        pairs(&[
            ("RUS", "Russie"),
            ("USA", "États-Unis"),
            ("UNSC", "Conseil de sécurité")
        ])
    );
}

/// A statement in each UN language that names Russia, and two that do not.
fn statements() -> Index {
    let articles = [
        Article::new(
            "en",
            "Russia rejected the accusations at the Security Council on Monday.",
        ),
        Article::new(
            "ru",
            "Россия отвергла эти обвинения. Организация Объединённых Наций призвала стороны к диалогу.",
        ),
        Article::new(
            "ar",
            "قالت روسيا إنها ترفض هذه الاتهامات، ودعت الأمم المتحدة الطرفين إلى الحوار.",
        ),
        Article::new("zh", "俄罗斯拒绝了这些指控。联合国呼吁各方进行对话。"),
        Article::new(
            "fr",
            "La Russie a rejeté ces accusations devant le Conseil de sécurité.",
        ),
        Article::new(
            "es",
            "Rusia rechazó las acusaciones ante el Consejo de Seguridad.",
        ),
        Article::new("ru-other", "Китай и Индия подписали торговое соглашение."),
        Article::new("en-other", "The weather in Geneva was mild all week."),
    ];
    let index = Index::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for article in &articles {
        writer.add(article).unwrap();
    }
    writer.commit().unwrap();
    index
}

fn search(index: &Index, query: &str, options: &SearchOptions) -> Vec<communique::Hit> {
    let query: Query = query.parse().unwrap();
    index.search(&query, options).unwrap()
}

fn sorted_ids(hits: &[communique::Hit]) -> Vec<String> {
    let mut ids: Vec<String> = hits.iter().map(|h| h.article.id.clone()).collect();
    ids.sort();
    ids
}

#[test]
fn a_name_in_one_language_finds_statements_in_all_six() {
    let index = statements();
    let everywhere = ["ar", "en", "es", "fr", "ru", "zh"];
    for query in ["Russia", "Россия", "俄罗斯", "روسيا", "Russie"] {
        let hits = search(&index, query, &SearchOptions::new());
        assert_eq!(sorted_ids(&hits), everywhere, "{query}");
    }
    // The highlight is the name as the statement writes it.
    let hits = search(&index, "Russia", &SearchOptions::new());
    for hit in &hits {
        let passage = &hit.passages[0];
        let marked: Vec<&str> = passage
            .highlights
            .iter()
            .map(|h| &passage.text[h.clone()])
            .collect();
        let expected = match hit.article.id.as_str() {
            "en" => "Russia",
            "ru" => "Россия",
            "ar" => "روسيا",
            "zh" => "俄罗斯",
            "fr" => "Russie",
            "es" => "Rusia",
            other => panic!("unexpected hit {other}"),
        };
        assert_eq!(marked, [expected], "{}", hit.article.id);
    }
    // Without the alias table, a name in one script finds only its own language. (The Latin
    // spellings are no longer apart without it: the query is analysed in every language of the
    // index, and French settled stemming makes `russ` of both `Russia` and `Russie`.)
    for (name, only) in [("Россия", "ru"), ("俄罗斯", "zh"), ("روسيا", "ar")] {
        let plain = search(&index, name, &SearchOptions::new().aliases(false));
        assert_eq!(sorted_ids(&plain), [only], "{name}");
    }
    // The UN in Russian finds the Arabic and the Chinese statements that name it.
    let hits = search(
        &index,
        "\"Организация Объединённых Наций\"",
        &SearchOptions::new(),
    );
    assert_eq!(sorted_ids(&hits), ["ru"], "a phrase is never expanded");
    let hits = search(&index, "ООН", &SearchOptions::new());
    assert_eq!(sorted_ids(&hits), ["ar", "ru", "zh"]);
}

#[test]
fn a_name_ranks_the_statements_in_its_own_script_first() {
    // Each statement names Russia once, in a passage of about the same length: the name as the
    // reader typed it (its script) comes first, its translations after.
    let index = statements();
    for (query, first) in [("Россия", "ru"), ("روسيا", "ar"), ("俄罗斯", "zh")] {
        let hits = search(&index, query, &SearchOptions::new());
        assert_eq!(hits.len(), 6, "{query}");
        assert_eq!(hits[0].article.id, first, "{query}");
        assert!(hits[0].score > hits[1].score, "{query}");
    }
    let hits = search(&index, "Russia", &SearchOptions::new());
    let mut latin: Vec<&str> = hits[..3].iter().map(|h| h.article.id.as_str()).collect();
    latin.sort();
    assert_eq!(latin, ["en", "es", "fr"]);
}

#[test]
fn country_facets_count_every_language() {
    let index = statements();
    let everything = Query::parse("Russia OR Китай OR weather").unwrap();
    let facets = index.facets(&everything, &SearchOptions::new()).unwrap();
    let count = |list: &[(String, u64)], id: &str| {
        list.iter()
            .find(|(k, _)| k == id)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    assert_eq!(facets.articles, 8);
    assert_eq!(count(&facets.countries, "RUS"), 6, "{:?}", facets.countries);
    assert_eq!(count(&facets.countries, "CHN"), 1);
    assert_eq!(count(&facets.countries, "IND"), 1);
    assert_eq!(count(&facets.orgs, "UN"), 3, "{:?}", facets.orgs);
    assert_eq!(count(&facets.orgs, "UNSC"), 3);
    // The country filter sees the Russian statement through Россия.
    let hits = search(&index, "обвинения", &SearchOptions::new().country("RUS"));
    assert_eq!(sorted_ids(&hits), ["ru"]);
    let hits = search(&index, "соглашение", &SearchOptions::new().country("RUS"));
    assert!(hits.is_empty());
}

/// Statements that name North Korea three ways, one on South Korea, one that names only its
/// capital (a weak equivalent).
fn korea_statements() -> Index {
    let articles = [
        (
            "nk",
            "North Korea launched a ballistic missile over the Sea of Japan on Tuesday.",
        ),
        (
            "dprk",
            "The Democratic People's Republic of Korea must abandon its nuclear programme, the \
             Council said.",
        ),
        ("kndr", "КНДР провела испытание баллистической ракеты."),
        (
            "rok",
            "The Republic of Korea welcomed the talks held in Seoul.",
        ),
        (
            "capital",
            "The talks in Pyongyang ended without an agreement.",
        ),
    ];
    let index = Index::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for (id, body) in articles {
        writer.add(&Article::new(id, body)).unwrap();
    }
    writer.commit().unwrap();
    index
}

fn marks(hit: &communique::Hit) -> Vec<&str> {
    let passage = &hit.passages[0];
    passage
        .highlights
        .iter()
        .map(|h| &passage.text[h.clone()])
        .collect()
}

#[test]
fn a_country_alias_searches_the_entity_the_indexer_recognised_and_highlights_its_names() {
    let index = korea_statements();
    let entity = SearchOptions::new()
        .explain(true)
        .ranking(communique::search::Ranking {
            entity_weight: 1.5,
            ..Default::default()
        });
    let hits = search(&index, "DPRK", &entity);
    assert_eq!(sorted_ids(&hits), ["capital", "dprk", "kndr", "nk"]);
    for hit in &hits {
        let expected = match hit.article.id.as_str() {
            "nk" => "North Korea",
            "dprk" => "Democratic People's Republic of Korea",
            "kndr" => "КНДР",
            "capital" => "Pyongyang",
            other => panic!("unexpected hit {other}"),
        };
        assert_eq!(marks(hit), [expected], "{}", hit.article.id);
    }
    // The explanation says the entity matched, and which alias searched it.
    let nk = hits.iter().find(|h| h.article.id == "nk").unwrap();
    let explanation = nk.passages[0].explanation.as_ref().unwrap();
    let clause = &explanation.clauses[0];
    assert_eq!(
        clause.view,
        communique::search::View::Entity,
        "{explanation}"
    );
    assert_eq!(clause.analysed, ["country:PRK"]);
    assert_eq!(clause.typed.as_deref(), Some("DPRK"));
    assert_eq!(clause.added_by.as_deref(), Some("alias DPRK → country:PRK"));
    // Searching every name as a phrase (entity weight 0, the default) finds the same
    // statements with the same highlights.
    let by_names = search(&index, "DPRK", &SearchOptions::new());
    assert_eq!(sorted_ids(&by_names), sorted_ids(&hits));
    for hit in &by_names {
        let same = hits
            .iter()
            .find(|h| h.article.id == hit.article.id)
            .unwrap();
        assert_eq!(marks(hit), marks(same), "{}", hit.article.id);
    }
    // Inside quotations only, where the indexer's mentions do not apply, the names are searched.
    assert!(search(&index, "DPRK", &SearchOptions::new().quotes(true)).is_empty());
}
