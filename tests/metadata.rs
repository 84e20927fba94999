//! Metadata where it lives: a corpus folder's `communique.toml` (or `--metadata FILE`) reads
//! the title, date, speaker… of files that do not say them, from their paths and a table beside
//! them; and (with `--ignored`, as `.ci/run` does) the shipped `data/ungd.communique.toml` on the
//! real UN General Debate speeches.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use communique::corpus::Warning;
use communique::search::Period;
use communique::{Corpus, Error, Index, Query, SearchOptions};
use predicates::prelude::*;

const SPEECH_BLR: &str = "Mr. President, Ladies and gentlemen, Belarus calls for dialogue on \
                          security in Europe and for an end to unilateral sanctions.";
const SPEECH_FRA: &str = "Monsieur le Président, France will defend multilateralism and the \
                          Paris Agreement on climate.";

const TOML: &str = r#"# speeches/<year>/<ISO3>_<session>_<year>.txt and a table of speakers
[[files]]
under = "speeches"
pattern = "{year}/{iso3}_{session}_{year}.txt"
table = { file = "speakers.csv", key = { "Year" = "{year}", "ISO Code" = "{iso3}" } }

[files.fields]
title = ["{iso3|name}, UN General Debate {year}", "{Country}, UN General Debate {year}"]
date = "{year}-09"
source = "{Speaker}, {Post}"
speaker = "{Speaker}"
post = "{Post}"
"#;

const CSV: &str = "Year,Session,ISO Code,Country,Speaker,Post,\n\
                   2020,75,BLR,Republic of Belarus ,Mr. Vladimir Makei,Minister for Foreign Affairs,\n\
                   2019,74,FRA,France,\"Jean-Yves\nLe Drian\",Minister for Europe and Foreign Affairs,\n";

/// A corpus folder: two speeches with a row each, one without a row, a README the rule does
/// not read, and one file in the rule's folder that its pattern does not match.
fn corpus(with_toml: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for year in ["2019", "2020"] {
        std::fs::create_dir_all(root.join("speeches").join(year)).unwrap();
    }
    std::fs::write(root.join("speeches/2020/BLR_75_2020.txt"), SPEECH_BLR).unwrap();
    std::fs::write(root.join("speeches/2019/FRA_74_2019.txt"), SPEECH_FRA).unwrap();
    std::fs::write(
        root.join("speeches/2020/PRT_75_2020.txt"),
        "Mr. President, Portugal supports the Secretary-General.",
    )
    .unwrap();
    std::fs::write(
        root.join("speeches/2020/notes.txt"),
        "Notes on the 2020 session, which met in a hybrid format.",
    )
    .unwrap();
    std::fs::write(
        root.join("README.md"),
        "---\ntitle: About these speeches\n---\nThe General Debate corpus.",
    )
    .unwrap();
    std::fs::write(root.join("speakers.csv"), CSV).unwrap();
    if with_toml {
        std::fs::write(root.join("communique.toml"), TOML).unwrap();
    }
    dir
}

fn article<'a>(scan: &'a communique::corpus::CorpusScan, id: &str) -> &'a communique::Article {
    scan.articles
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no article {id}"))
}

fn messages(warnings: &[Warning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn a_folder_declares_how_to_read_its_metadata() {
    let dir = corpus(true);
    let scan = Corpus::new(dir.path()).read_all().unwrap();
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    assert_eq!(scan.articles.len(), 5, "every file is indexed");

    let blr = article(&scan, "speeches/2020/BLR_75_2020.txt");
    assert_eq!(
        blr.title.as_deref(),
        Some("Belarus, UN General Debate 2020")
    );
    assert_eq!(blr.date.as_deref(), Some("2020-09"));
    assert_eq!(
        blr.source.as_deref(),
        Some("Mr. Vladimir Makei, Minister for Foreign Affairs")
    );
    assert_eq!(blr.metadata["speaker"], "Mr. Vladimir Makei");
    assert_eq!(blr.metadata["post"], "Minister for Foreign Affairs");
    assert_eq!(blr.body, SPEECH_BLR, "the text is untouched");

    // A cell over two lines is one name.
    let fra = article(&scan, "speeches/2019/FRA_74_2019.txt");
    assert_eq!(fra.metadata["speaker"], "Jean-Yves Le Drian");
    assert_eq!(fra.date.as_deref(), Some("2019-09"));

    // No row in the table: what the path gives is kept, the rest is left out and said.
    let prt = article(&scan, "speeches/2020/PRT_75_2020.txt");
    assert_eq!(
        prt.title.as_deref(),
        Some("Portugal, UN General Debate 2020")
    );
    assert_eq!(prt.date.as_deref(), Some("2020-09"));
    assert_eq!(prt.source, None);
    assert!(!prt.metadata.contains_key("speaker"));

    // Outside the rule's folder: as before. Inside it but not matching: indexed, with a warning.
    let readme = article(&scan, "README.md");
    assert_eq!(readme.title.as_deref(), Some("About these speeches"));
    assert_eq!(readme.date, None);
    let notes = article(&scan, "speeches/2020/notes.txt");
    assert_eq!(notes.title, None);

    let warnings = messages(&scan.warnings);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    let toml = dir.path().join("communique.toml");
    assert_eq!(
        warnings[0],
        format!(
            "{}:5: no row of speakers.csv has ISO Code = \"PRT\", Year = \"2020\": \
             \"speeches/2020/PRT_75_2020.txt\" is indexed without post, source, speaker",
            toml.display()
        )
    );
    assert_eq!(
        warnings[1],
        format!(
            "{}:4: pattern \"{{year}}/{{iso3}}_{{session}}_{{year}}.txt\" does not match \
             \"speeches/2020/notes.txt\": the file is indexed without the fields of this rule",
            toml.display()
        )
    );
}

#[test]
fn what_a_file_says_itself_wins() {
    let dir = corpus(true);
    std::fs::write(
        dir.path().join("speeches/2020/BLR_75_2020.txt"),
        format!("---\ntitle: Statement by Belarus\ndate: 2020-09-26\n---\n{SPEECH_BLR}"),
    )
    .unwrap();
    let scan = Corpus::new(dir.path()).read_all().unwrap();
    let blr = article(&scan, "speeches/2020/BLR_75_2020.txt");
    assert_eq!(blr.title.as_deref(), Some("Statement by Belarus"));
    assert_eq!(blr.date.as_deref(), Some("2020-09-26"));
    assert_eq!(blr.metadata["speaker"], "Mr. Vladimir Makei");
}

/// The error of reading a corpus whose `communique.toml` is `toml`.
fn error_of(toml: &str) -> String {
    let dir = corpus(false);
    std::fs::write(dir.path().join("communique.toml"), toml).unwrap();
    let err = Corpus::new(dir.path()).read_all().unwrap_err();
    assert!(matches!(err, Error::Parse { .. }), "{err:?}");
    let text = err.to_string();
    let path = dir.path().join("communique.toml").display().to_string();
    text.strip_prefix(&path)
        .unwrap_or_else(|| panic!("{text} does not name {path}"))
        .to_string()
}

#[test]
fn a_bad_metadata_file_names_its_line() {
    let bad_field = TOML.replace("{Speaker}, {Post}", "{Spaeker}, {Post}");
    assert_eq!(
        error_of(&bad_field),
        ":10: field \"source\": {Spaeker} is neither a field of the pattern \
         \"{year}/{iso3}_{session}_{year}.txt\" nor a column of speakers.csv"
    );
    let bad_column = TOML.replace("\"ISO Code\" =", "\"ISO\" =");
    let message = error_of(&bad_column);
    assert!(
        message.starts_with(":5: table speakers.csv has no column \"ISO\""),
        "{message}"
    );
    let bad_key = TOML.replace("\"Year\" = \"{year}\"", "\"Year\" = \"{yaer}\"");
    assert!(
        error_of(&bad_key).starts_with(":5: key \"Year\": {yaer} is not a field of the pattern")
    );
    let unclosed = TOML.replace("{session}_{year}.txt", "{session_{year}.txt");
    assert!(error_of(&unclosed).starts_with(":4: pattern: "));
    let side_by_side = TOML.replace("{iso3}_{session}", "{iso3}{session}");
    assert!(error_of(&side_by_side).contains("two fields side by side"));
    let syntax = TOML.replace("under = \"speeches\"", "under = speeches");
    assert!(
        error_of(&syntax).starts_with(":3: "),
        "{}",
        error_of(&syntax)
    );
    let unknown = TOML.replace("under =", "folder =");
    assert!(error_of(&unknown).contains("unknown field `folder`"));
    let reserved = TOML.replace("post = ", "body = ");
    assert!(error_of(&reserved).contains("\"body\" cannot be set from metadata"));
    // A missing table names the table.
    let dir = corpus(true);
    std::fs::remove_file(dir.path().join("speakers.csv")).unwrap();
    let err = Corpus::new(dir.path()).read_all().unwrap_err().to_string();
    assert!(err.contains("speakers.csv"), "{err}");
}

#[test]
fn a_metadata_file_outside_a_read_only_corpus() {
    // The corpus without a toml; the toml somewhere else, its table read from the corpus.
    let dir = corpus(false);
    let elsewhere = tempfile::tempdir().unwrap();
    let toml = elsewhere.path().join("speeches.toml");
    std::fs::write(&toml, TOML).unwrap();
    let scan = Corpus::new(dir.path())
        .with_metadata(&toml)
        .read_all()
        .unwrap();
    let blr = article(&scan, "speeches/2020/BLR_75_2020.txt");
    assert_eq!(
        blr.title.as_deref(),
        Some("Belarus, UN General Debate 2020")
    );
    assert!(scan.warnings[0].path == toml, "{:?}", scan.warnings);
    // Without it, the speech has no title and no date.
    let plain = Corpus::new(dir.path()).read_all().unwrap();
    let blr = article(&plain, "speeches/2020/BLR_75_2020.txt");
    assert_eq!((blr.title.as_deref(), blr.date.as_deref()), (None, None));
    // A metadata file that is not there is an error, not a silent default.
    let err = Corpus::new(dir.path())
        .with_metadata(elsewhere.path().join("missing.toml"))
        .read_all()
        .unwrap_err();
    assert!(err.to_string().contains("missing.toml"), "{err}");
}

#[test]
fn a_json_lines_table_is_joined_and_not_indexed() {
    let dir = corpus(false);
    std::fs::write(
        dir.path().join("speakers.jsonl"),
        "{\"year\": 2020, \"iso\": \"BLR\", \"name\": \"Vladimir Makei\"}\n\
         {\"year\": 2019, \"iso\": \"FRA\", \"name\": null}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("communique.toml"),
        r#"[[files]]
under = "speeches"
pattern = "{iso3}_{session}_{year}.txt"
table = { file = "speakers.jsonl", key = { year = "{year}", iso = "{iso3}" } }
fields = { speaker = "{name}", session = "{session}" }
"#,
    )
    .unwrap();
    let scan = Corpus::new(dir.path()).read_all().unwrap();
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    assert_eq!(scan.articles.len(), 5, "the table is not an article");
    let blr = article(&scan, "speeches/2020/BLR_75_2020.txt");
    assert_eq!(blr.metadata["speaker"], "Vladimir Makei");
    assert_eq!(blr.metadata["session"], "75");
    let fra = article(&scan, "speeches/2019/FRA_74_2019.txt");
    assert!(!fra.metadata.contains_key("speaker"));
}

#[test]
fn dates_from_metadata_reach_since_and_the_timeline() {
    let dir = corpus(true);
    let index = Index::in_memory().unwrap();
    let report = index.update(&Corpus::new(dir.path())).unwrap();
    assert_eq!(report.added, 5);
    assert_eq!(report.warnings.len(), 2);
    let query = Query::parse("President OR Notes OR corpus").unwrap();
    let since = communique::corpus::parse_date("2020").unwrap();
    let hits = index
        .search(&query, &SearchOptions::new().since(since))
        .unwrap();
    let mut ids: Vec<&str> = hits.iter().map(|h| h.article.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "speeches/2020/BLR_75_2020.txt",
            "speeches/2020/PRT_75_2020.txt"
        ]
    );
    let blr = &hits
        .iter()
        .find(|h| h.article.id.contains("BLR"))
        .unwrap()
        .article;
    assert_eq!(
        blr.title.as_deref(),
        Some("Belarus, UN General Debate 2020")
    );
    assert_eq!(blr.date.as_deref(), Some("2020-09"));
    let months = index
        .timeline(&query, &SearchOptions::new(), Period::Month)
        .unwrap();
    let months: Vec<(&str, u64)> = months.iter().map(|(m, n)| (m.as_str(), *n)).collect();
    assert_eq!(months.first(), Some(&("2019-09", 1)));
    assert_eq!(months.last(), Some(&("2020-09", 2)));
    // The speaker is searchable as the source.
    let hits = index
        .search(&query, &SearchOptions::new().source("Makei"))
        .unwrap();
    assert_eq!(hits.len(), 1);
}

#[test]
fn an_update_reads_the_files_again_when_their_metadata_changes() {
    let dir = corpus(true);
    let corpus = Corpus::new(dir.path());
    let index = Index::in_memory().unwrap();
    index.update(&corpus).unwrap();
    let report = index.update(&corpus).unwrap();
    assert_eq!((report.updated, report.unchanged), (0, 5));

    // The table changes (and is newer than the speeches): the speech it speaks of is updated.
    let table = dir.path().join("speakers.csv");
    std::fs::write(
        &table,
        CSV.replace("Mr. Vladimir Makei", "Mr. Vladimir V. Makei"),
    )
    .unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&table)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let report = index.update(&corpus).unwrap();
    assert_eq!((report.updated, report.unchanged), (1, 4), "{report:?}");
    let hits = index
        .search(&Query::parse("sanctions").unwrap(), &SearchOptions::new())
        .unwrap();
    assert_eq!(
        hits[0].article.source.as_deref(),
        Some("Mr. Vladimir V. Makei, Minister for Foreign Affairs")
    );
}

/// The binary with a clean environment.
fn communique(corpus: &Path, index: &Path) -> Command {
    let mut cmd = Command::cargo_bin("communique").unwrap();
    cmd.env_remove("NO_COLOR")
        .env_remove("COMMUNIQUE_CORPUS")
        .env_remove("COMMUNIQUE_INDEX")
        .env_remove("COMMUNIQUE_METADATA")
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .arg("--color")
        .arg("never")
        .timeout(std::time::Duration::from_secs(300));
    cmd
}

#[test]
fn the_command_line_takes_a_metadata_file() {
    let dir = corpus(false);
    let elsewhere = tempfile::tempdir().unwrap();
    let toml = elsewhere.path().join("speeches.toml");
    std::fs::write(&toml, TOML).unwrap();
    let index = elsewhere.path().join("index");
    communique(dir.path(), &index)
        .arg("--metadata")
        .arg(&toml)
        .arg("index")
        .assert()
        .success()
        .stdout(predicate::str::contains("added 5"))
        .stderr(predicate::str::contains(format!(
            "{}:4: pattern \"{{year}}/{{iso3}}_{{session}}_{{year}}.txt\" does not match \"speeches/2020/notes.txt\"",
            toml.display()
        )));
    communique(dir.path(), &index)
        .args(["search", "--since", "2020", "sanctions"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Belarus, UN General Debate 2020"))
        .stdout(predicate::str::contains("2020-09 · Mr. Vladimir Makei"));
    // A broken metadata file stops the update with its line.
    std::fs::write(&toml, TOML.replace("{Post}", "{Psot}")).unwrap();
    communique(dir.path(), &index)
        .arg("--metadata")
        .arg(&toml)
        .arg("index")
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "{}:12: field \"post\": {{Psot}}",
            toml.display()
        )));
}

// ---------------------------------------------------------------- the real speeches

/// The repository's metadata file for the UN General Debate speeches.
fn ungd_toml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ungd.communique.toml")
}

/// A corpus of links to the speeches of 2019 and 2020 and the speakers table, laid out as in
/// `../shared/data/ungd`.
fn ungd_sample() -> tempfile::TempDir {
    let ungd = common::shared().join("data/ungd");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("speeches")).unwrap();
    for year in ["2019", "2020"] {
        std::os::unix::fs::symlink(
            ungd.join("speeches").join(year),
            root.join("speeches").join(year),
        )
        .unwrap();
    }
    for file in ["speakers_by_session.csv", "SOURCE.md"] {
        std::os::unix::fs::symlink(ungd.join(file), root.join(file)).unwrap();
    }
    dir
}

#[test]
#[ignore = "needs ../shared (COMMUNIQUE_SHARED); .ci/run runs it"]
fn the_un_general_debate_speeches_get_their_title_date_and_speaker() {
    let dir = ungd_sample();
    let corpus = Corpus::new(dir.path()).with_metadata(ungd_toml());
    let scan = corpus.read_all().unwrap();
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    // 195 speeches in 2019, 193 in 2020, and SOURCE.md.
    assert_eq!(scan.articles.len(), 195 + 193 + 1);
    let blr = article(&scan, "speeches/2020/BLR_75_2020.txt");
    assert_eq!(
        blr.title.as_deref(),
        Some("Belarus, UN General Debate 2020")
    );
    assert_eq!(blr.date.as_deref(), Some("2020-09"));
    assert_eq!(blr.metadata["speaker"], "Mr. Vladimir Makei");
    assert_eq!(blr.metadata["post"], "Minister for Foreign Affairs");
    assert_eq!(blr.metadata["session"], "75");
    assert_eq!(
        blr.source.as_deref(),
        Some("Mr. Vladimir Makei, Minister for Foreign Affairs")
    );
    // Every speech is dated and titled; the one without a row in the table (Portugal, 2020)
    // is said, and keeps its title and date.
    for article in scan
        .articles
        .iter()
        .filter(|a| a.id.starts_with("speeches/"))
    {
        let year = &article.id["speeches/".len()..][..4];
        assert_eq!(article.date.as_deref(), Some(format!("{year}-09").as_str()));
        assert!(
            article
                .title
                .as_deref()
                .is_some_and(|t| t.ends_with(&format!(", UN General Debate {year}"))),
            "{}: {:?}",
            article.id,
            article.title
        );
    }
    let warnings = messages(&scan.warnings);
    assert_eq!(
        warnings.len(),
        1,
        "one speech of 2019-2020 has no speaker row: {warnings:#?}"
    );
    assert!(
        warnings[0].contains("ISO Code = \"PRT\"") && warnings[0].contains("PRT_75_2020.txt"),
        "{}",
        warnings[0]
    );

    // Indexed: --since and the timeline see the dates.
    let index = Index::in_memory().unwrap();
    index.update(&corpus).unwrap();
    let query = Query::parse("multilateralism").unwrap();
    let since = communique::corpus::parse_date("2020").unwrap();
    let hits = index
        .search(&query, &SearchOptions::new().since(since).limit(500))
        .unwrap();
    assert!(hits.len() > 20, "{} speeches of 2020", hits.len());
    assert!(
        hits.iter()
            .all(|h| h.article.date.as_deref() == Some("2020-09"))
    );
    let years = index
        .timeline(&query, &SearchOptions::new(), Period::Year)
        .unwrap();
    let years: Vec<&str> = years.iter().map(|(y, _)| y.as_str()).collect();
    assert_eq!(years, ["2019", "2020"]);
    let facets = index.facets(&query, &SearchOptions::new()).unwrap();
    assert!(
        !facets.years.iter().any(|(y, _)| y == "undated"),
        "{:?}",
        facets.years
    );
}
