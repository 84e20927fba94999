//! The `communique` binary end to end: first use, exit codes, output formats, errors.

mod common;
#[path = "cli/hostile.rs"]
mod hostile;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;

/// The binary with a clean environment, pointed at `corpus` and `index`.
fn communique(corpus: &Path, index: &Path) -> Command {
    let mut cmd = Command::cargo_bin("communique").unwrap();
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COMMUNIQUE_CORPUS")
        .env_remove("COMMUNIQUE_INDEX")
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        // A hang is a failure, never a CI run that waits forever.
        .timeout(std::time::Duration::from_secs(300));
    cmd
}

/// A temporary folder holding an index of the project corpus, built through the CLI.
fn indexed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    communique(&common::project_corpus(), &dir.path().join("index"))
        .arg("index")
        .assert()
        .success();
    dir
}

fn json_lines(output: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8(output.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn first_search_builds_the_index_then_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    communique(&common::project_corpus(), &index)
        .args(["search", "Security Council"])
        .assert()
        .success()
        .stderr(predicate::str::contains("building it from"))
        .stdout(predicate::str::contains("Security Council"));
    assert!(index.join("meta.json").is_file());
    communique(&common::project_corpus(), &index)
        .args(["search", "Security Council"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn exit_codes_follow_grep() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    communique(&corpus, &index)
        .args(["search", "Kursk"])
        .assert()
        .code(0);
    communique(&corpus, &index)
        .args(["search", "zzqqxxunmatched"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "communique: nothing matches `zzqqxxunmatched`",
        ));
    communique(&corpus, &index)
        .args(["search", "\"Security Council"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("column 1"))
        .stderr(predicate::str::contains("closing quote"))
        .stderr(predicate::str::contains("  \"Security Council\n  ^"));
    communique(&corpus, &index)
        .args(["search", "kursk AND"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("column 7"));
    communique(&corpus, &index)
        .args(["search", "(kursk"])
        .assert()
        .code(2);
    communique(&corpus, &index)
        .args(["search", "AND"])
        .assert()
        .code(2);
    communique(&corpus, &index)
        .args(["search", "kursk", "--since", "last week"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since"));
    communique(&corpus, &index)
        .args(["search", "kursk", "--limit", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("limit"));
}

#[test]
fn json_lines_have_the_documented_shape() {
    let dir = indexed();
    let output = communique(&common::project_corpus(), &dir.path().join("index"))
        .args([
            "search",
            "\"ballistic missiles\"",
            "--json",
            "--limit",
            "50",
            "--passages",
            "2",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let hits = json_lines(&output.stdout);
    assert!(hits.len() > 3);
    for (i, hit) in hits.iter().enumerate() {
        assert_eq!(hit["rank"], i + 1);
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        let article = hit["article"].as_object().unwrap();
        for key in ["id", "title", "date", "source", "url", "path"] {
            assert!(article.contains_key(key), "{key}");
        }
        for passage in hit["passages"].as_array().unwrap() {
            let text = passage["text"].as_str().unwrap();
            assert!(
                passage["end"].as_u64().unwrap() - passage["start"].as_u64().unwrap()
                    == text.len() as u64
            );
            for pair in passage["highlights"].as_array().unwrap() {
                let (s, e) = (
                    pair[0].as_u64().unwrap() as usize,
                    pair[1].as_u64().unwrap() as usize,
                );
                assert_eq!(text[s..e].to_lowercase(), "ballistic missiles");
            }
        }
    }
    // Unknown fields are null, not missing: wire copy has no title or date.
    assert!(
        hits.iter()
            .any(|h| h["article"]["title"].is_null() && h["article"]["date"].is_null())
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = indexed();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--index")
        .arg(dir.path().join("index"))
        .args([
            "search",
            "Security Council",
            "--limit",
            "100",
            "--passages",
            "5",
            "--max-chars",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty());
    // The read end is closed here, as `| head -1` does.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    let plain = communique(&corpus, &index)
        .args(["search", "Kursk"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\x1b'));
    let coloured = communique(&corpus, &index)
        .args(["--color", "always", "search", "Kursk"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&coloured.stdout);
    assert!(text.contains("\x1b[1m\x1b[31mKursk"), "{text}");
    let never = communique(&corpus, &index)
        .env("NO_COLOR", "1")
        .args(["search", "Kursk"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stdout).contains('\x1b'));
}

#[test]
fn human_output_shows_rank_title_meta_and_passage() {
    let dir = indexed();
    let output = communique(&common::project_corpus(), &dir.path().join("index"))
        .args([
            "search",
            "title:Kursk",
            "--limit",
            "2",
            "--passages",
            "2",
            "--explain",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(" 1. ") && lines[0].contains("Kursk"),
        "{text}"
    );
    assert!(
        lines[1].contains(" · ") && lines[1].contains("20"),
        "date · source · id: {text}"
    );
    assert!(text.contains(" 2. "));
    // Explanations in our words: the word as typed and analysed, its view and share.
    assert!(
        text.contains("100.0%") && text.contains("word in the title view: Kursk (as kursk)"),
        "explanations: {text}"
    );
    assert!(!text.contains("TermQuery"), "explanations: {text}");
}

#[test]
fn index_reports_and_is_incremental() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "---\ntitle: A\n---\nA statement about Kursk.",
    )
    .unwrap();
    std::fs::write(corpus.join("b.md"), "A statement about grain.").unwrap();
    let index = dir.path().join("index");
    communique(&corpus, &index)
        .arg("index")
        .assert()
        .success()
        .stdout("added 2, updated 0, removed 0, unchanged 0, skipped 0\n");
    communique(&corpus, &index)
        .arg("index")
        .assert()
        .success()
        .stdout("added 0, updated 0, removed 0, unchanged 2, skipped 0\n");

    std::fs::write(corpus.join("c.txt"), b"Caf\xe9 in Latin-1").unwrap();
    std::fs::write(corpus.join("d.txt"), "A third statement.").unwrap();
    communique(&corpus, &index)
        .args(["index", "--dry-run"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("would add d.txt"))
        .stdout(predicate::str::contains(
            "dry run: added 1, updated 0, removed 0, unchanged 2, skipped 1",
        ))
        .stderr(predicate::str::contains("c.txt"));
    // The dry run wrote nothing.
    communique(&corpus, &index)
        .args(["search", "third"])
        .assert()
        .code(1);
    let output = communique(&corpus, &index)
        .args(["index", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "a skipped file makes the exit code 1"
    );
    let report = &json_lines(&output.stdout)[0];
    assert_eq!(report["added"], 1);
    assert_eq!(report["unchanged"], 2);
    assert!(
        report["skipped"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("c.txt")
    );
    assert_eq!(report["changes"][0]["kind"], "added");
    communique(&corpus, &index)
        .args(["search", "third"])
        .assert()
        .code(0);
}

#[test]
fn environment_variables_name_the_folders() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("communique").unwrap();
    cmd.env("COMMUNIQUE_CORPUS", common::project_corpus())
        .env("COMMUNIQUE_INDEX", dir.path().join("elsewhere"))
        .args(["index"])
        .assert()
        .success();
    assert!(dir.path().join("elsewhere/meta.json").is_file());
}

#[test]
fn stats_and_completions() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    communique(&corpus, &index)
        .arg("stats")
        .assert()
        .success()
        .stdout(predicate::str::contains("articles"))
        .stdout(predicate::str::contains("Communique desk"));
    let output = communique(&corpus, &index)
        .args(["stats", "--json"])
        .output()
        .unwrap();
    let stats = &json_lines(&output.stdout)[0];
    let articles = stats["articles"].as_u64().unwrap();
    assert!(articles >= 30);
    assert!(stats["passages"].as_u64().unwrap() > articles);
    assert!(stats["size_bytes"].as_u64().unwrap() > 0);
    Command::cargo_bin("communique")
        .unwrap()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("communique"));
}

#[test]
fn clear_errors_for_missing_folders_and_a_busy_index() {
    let dir = tempfile::tempdir().unwrap();
    communique(&dir.path().join("no-corpus"), &dir.path().join("index"))
        .arg("index")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-corpus"));
    communique(&common::project_corpus(), &dir.path().join("no-index"))
        .arg("stats")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index at"));

    let index_dir = dir.path().join("busy");
    let index = communique::Index::create(&index_dir).unwrap();
    let _writer = index.writer().unwrap();
    communique(&common::project_corpus(), &index_dir)
        .arg("index")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("being updated by another process"))
        .stderr(predicate::str::contains("busy"));
    // Searching is fine while another process writes.
    communique(&common::project_corpus(), &index_dir)
        .args(["search", "kursk"])
        .assert()
        .code(1);
}

#[test]
#[ignore = "needs ../shared/data; .ci/run runs it"]
fn real_data_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    communique(common::real_corpus(), &index)
        .arg("index")
        .assert()
        .success()
        .stdout(format!(
            "added {}, updated 0, removed 0, unchanged 0, skipped 0\n",
            common::REAL_ARTICLES
        ));
    let output = communique(common::real_corpus(), &index)
        .args(["search", "Kursk", "--json", "--limit", "1"])
        .output()
        .unwrap();
    let hit = &json_lines(&output.stdout)[0];
    assert_eq!(hit["article"]["id"], "seed/000_b491b3170320ace1.txt");
    assert_eq!(hit["article"]["source"], "VOA (A2 Televizion)");
    communique(common::real_corpus(), &index)
        .args([
            "search",
            "\"Security Council\"",
            "--since",
            "2022-03-01",
            "--until",
            "2022-03",
            "--source",
            "Spokesperson",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("2022-03-"));
}

// ---------------------------------------------------------------- updates, watch, crashes

/// Writes `count` distinct articles, numbered from `first`, made from the project corpus.
fn generate(root: &Path, first: usize, count: usize) {
    let scan = communique::Corpus::new(common::project_corpus())
        .read_all()
        .unwrap();
    std::fs::create_dir_all(root).unwrap();
    for n in first..first + count {
        let article = &scan.articles[n % scan.articles.len()];
        let text = format!(
            "---\ntitle: Generated {n}\ndate: 2024-01-{:02}\n---\n{}\n\nReference marker{n} closes this copy.",
            n % 28 + 1,
            article.body
        );
        std::fs::write(root.join(format!("g{n:05}.txt")), text).unwrap();
    }
}

fn ranked_ids(corpus: &Path, index: &Path, query: &str) -> Vec<String> {
    let output = communique(corpus, index)
        .args(["search", query, "--json", "--limit", "20"])
        .output()
        .unwrap();
    json_lines(&output.stdout)
        .iter()
        .map(|h| h["article"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn kill_9_at_any_moment_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    generate(&corpus, 0, 500);
    let initial = dir.path().join("initial");
    communique(&corpus, &initial)
        .arg("index")
        .assert()
        .success();
    generate(&corpus, 500, 2500);
    let clean = dir.path().join("clean");
    communique(&corpus, &clean).arg("index").assert().success();
    let clean_stats = communique::Index::open(&clean).unwrap().stats().unwrap();
    assert_eq!(clean_stats.articles, 3000);

    let mut interrupted = 0;
    for (i, delay) in [10u64, 60, 150, 300, 500, 800, 1200, 2000]
        .into_iter()
        .enumerate()
    {
        let index = dir.path().join(format!("run{i}"));
        common::copy_dir(&initial, &index);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .arg("index")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();

        // The index opens and answers from a commit: the old one or the new one, whole.
        let opened = communique::Index::open(&index)
            .unwrap_or_else(|e| panic!("after kill at {delay} ms: {e}"));
        let articles = opened.stats().unwrap().articles;
        assert!(
            articles == 500 || articles == 3000,
            "after kill at {delay} ms: {articles} articles"
        );
        if articles == 500 && !finished {
            interrupted += 1;
        }
        assert_eq!(
            ranked_ids(&corpus, &index, "marker7")
                .first()
                .map(String::as_str),
            Some("g00007.txt")
        );
        drop(opened);

        // Running the update again completes it, with no duplicate and nothing lost.
        communique(&corpus, &index).arg("index").assert().success();
        let stats = communique::Index::open(&index).unwrap().stats().unwrap();
        assert_eq!(
            (stats.articles, stats.passages),
            (clean_stats.articles, clean_stats.passages),
            "kill at {delay} ms"
        );
        for query in ["marker2999", "\"Security Council\" Kursk", "grain corridor"] {
            assert_eq!(
                ranked_ids(&corpus, &index, query),
                ranked_ids(&corpus, &clean, query),
                "{query}, kill at {delay} ms"
            );
        }
    }
    assert!(
        interrupted >= 2,
        "only {interrupted} kills landed during the update"
    );
}

/// The news of every saved search, as (search, id, copies), from `follow news --all --json`.
fn all_news(corpus: &Path, index: &Path) -> Vec<(String, String, u64)> {
    let output = communique(corpus, index)
        .args(["follow", "news", "--all", "--json", "--limit", "10000"])
        .output()
        .unwrap();
    assert!(
        output.status.code() != Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut news: Vec<(String, String, u64)> = json_lines(&output.stdout)
        .iter()
        .map(|h| {
            (
                h["search"].as_str().unwrap().to_string(),
                h["article"]["id"].as_str().unwrap().to_string(),
                h["duplicates"].as_u64().unwrap(),
            )
        })
        .collect();
    news.sort();
    news
}

#[test]
fn kill_9_neither_loses_nor_repeats_a_saved_search_match() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    generate(&corpus, 0, 200);
    let initial = dir.path().join("initial");
    communique(&corpus, &initial)
        .arg("index")
        .assert()
        .success();
    for (name, query) in [
        ("kursk", "Kursk"),
        ("council", "\"Security Council\""),
        ("m", "marker1999"),
    ] {
        communique(&corpus, &initial)
            .args(["follow", "add", name, query])
            .assert()
            .success();
    }
    generate(&corpus, 20, 1980);
    let clean = dir.path().join("clean");
    common::copy_dir(&initial, &clean);
    communique(&corpus, &clean).arg("index").assert().success();
    let expected = all_news(&corpus, &clean);
    // Many news (short articles are never folded), and the one article `m` names.
    assert!(expected.len() > 10, "{expected:?}");
    assert!(expected.contains(&("m".to_string(), "g01999.txt".to_string(), 0)));

    for (i, delay) in [20u64, 400, 1200, 2500, 4000].into_iter().enumerate() {
        let index = dir.path().join(format!("run{i}"));
        common::copy_dir(&initial, &index);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .arg("index")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        // Whatever the moment, the news after the work completes are exactly the clean run's.
        communique(&corpus, &index)
            .arg("index")
            .assert()
            .code(predicate::in_iter([0, 1]));
        assert_eq!(all_news(&corpus, &index), expected, "kill at {delay} ms");
        // And a second pass reports nothing twice.
        communique(&corpus, &index).arg("index").assert().success();
        assert_eq!(
            all_news(&corpus, &index),
            expected,
            "again after kill at {delay} ms"
        );
    }
}

#[test]
fn rebuild_from_the_command_line_repairs_a_damaged_index() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    std::fs::write(index.join("meta.json"), "{ truncated").unwrap();
    communique(&corpus, &index)
        .args(["search", "kursk"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("index --rebuild"));
    communique(&corpus, &index)
        .args(["index", "--rebuild"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("added 4"));
    communique(&corpus, &index)
        .args(["search", "kursk"])
        .assert()
        .success();
}

#[test]
fn watch_posts_news_to_a_hook_and_retries_until_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    generate(&corpus, 0, 5);
    let index = dir.path().join("index");
    communique(&corpus, &index).arg("index").assert().success();
    communique(&corpus, &index)
        .args(["follow", "add", "m", "marker7"])
        .assert()
        .success();
    let (url, received) = common::hook(1);
    let _watch = KillOnDrop(
        std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(["watch", "--debounce", "200", "--notify-url", &url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    generate(&corpus, 5, 5);
    let wait = std::time::Duration::from_secs(60);
    let ids = |body: &serde_json::Value| -> Vec<String> {
        body["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                format!(
                    "{}:{}",
                    m["search"].as_str().unwrap(),
                    m["id"].as_str().unwrap()
                )
            })
            .collect()
    };
    // The first post fails: its news come again in the next one.
    let first = ids(&received.recv_timeout(wait).expect("a first post"));
    assert_eq!(first, ["m:g00007.txt"]);
    let second = ids(&received.recv_timeout(wait).expect("a retry"));
    assert_eq!(second, first);
    let queue = index.join("communique-notify-queue.jsonl");
    let deadline = std::time::Instant::now() + wait;
    while std::fs::read_to_string(&queue).unwrap_or_default().trim() != "" {
        assert!(
            std::time::Instant::now() < deadline,
            "the queue never emptied"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A child process killed when the test ends, even by a failed assertion.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_applies_bursts_in_few_batches_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    generate(&corpus, 0, 5);
    let index = dir.path().join("index");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .args(["watch", "--debounce", "300"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, receive) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let wait = std::time::Duration::from_secs(60);
    let first = receive.recv_timeout(wait).expect("the first batch");
    assert!(first.contains("added 5,"), "{first}");

    // Another process may update the index between batches: watch does not hold the writer.
    communique(&corpus, &index).arg("index").assert().success();

    // A burst of 300 files becomes a few batches, not 300.
    generate(&corpus, 5, 300);
    let mut added = 0;
    let mut batches = 0;
    while added < 300 {
        let line = receive.recv_timeout(wait).expect("a batch");
        let count: usize = line
            .split("added ")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        added += count;
        batches += 1;
    }
    assert_eq!(added, 300);
    assert!(batches <= 5, "{batches} batches for one burst");
    // Read-your-writes: a search right after the batch sees it.
    assert_eq!(
        ranked_ids(&corpus, &index, "marker304")
            .first()
            .map(String::as_str),
        Some("g00304.txt")
    );

    std::fs::remove_file(corpus.join("g00304.txt")).unwrap();
    let line = receive.recv_timeout(wait).expect("a batch for the delete");
    assert!(line.contains("removed 1"), "{line}");

    std::process::Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    assert!(String::from_utf8_lossy(&output.stderr).contains("stopped"));
}

#[test]
fn facets_timeline_and_alias_flags() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    communique(&corpus, &index)
        .args(["facets", "Kursk"])
        .assert()
        .success()
        .stdout(predicate::str::contains("articles match"))
        .stdout(predicate::str::contains("PRK"));
    let output = communique(&corpus, &index)
        .args(["facets", "Kursk", "--json"])
        .output()
        .unwrap();
    let facets = &json_lines(&output.stdout)[0];
    assert!(
        facets["signatories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s[0] == "KOR")
    );
    let output = communique(&corpus, &index)
        .args(["timeline", "Kursk", "--by", "year", "--json"])
        .output()
        .unwrap();
    let years = &json_lines(&output.stdout)[0];
    assert!(
        years
            .as_array()
            .unwrap()
            .iter()
            .any(|y| y["period"] == "2024" && y["passages"].as_u64().unwrap() > 0)
    );
    communique(&corpus, &index)
        .args(["timeline", "Kursk"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-12"))
        .stdout(predicate::str::contains("█"));
    // DPRK finds North Korea only through the alias table.
    communique(&corpus, &index)
        .args(["search", "DPRK"])
        .assert()
        .success();
    communique(&corpus, &index)
        .args(["search", "--explain", "DPRK"])
        .assert()
        .stdout(predicate::str::contains("added by alias DPRK → "))
        .stdout(predicate::str::contains("TermQuery").not());
    communique(&corpus, &index)
        .args(["search", "--country", "PRK", "--org", "UNSC", "veto"])
        .assert()
        .success();
    let table = dir.path().join("aliases.tsv");
    std::fs::write(&table, "ZZ\torg\tzanzibar council\tZZC\t\n").unwrap();
    communique(&corpus, &index)
        .args(["search", "--aliases"])
        .arg(&table)
        .arg("UNSC")
        .assert()
        .code(1);
    std::fs::write(&table, "ZZ\tplanet\tmars\t\t\n").unwrap();
    communique(&corpus, &index)
        .args(["search", "--aliases"])
        .arg(&table)
        .arg("UNSC")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("aliases.tsv:1"));
}

#[test]
fn search_like_an_article_on_the_command_line() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    let id = "dprk/2024-12-16-ten-country-statement-kursk.txt";
    let out = communique(&corpus, &index)
        .args(["search", "--like", id, "--json", "-n", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let hits = json_lines(&out.stdout);
    assert_eq!(hits.len(), 5);
    let found: Vec<&str> = hits
        .iter()
        .map(|h| h["article"]["id"].as_str().unwrap())
        .collect();
    assert!(!found.contains(&id), "{found:?}");
    assert!(
        !found.contains(&"dprk/2024-12-17-wire-copy-kursk-statement.md"),
        "{found:?}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("kursk"), "{stderr}");
    // Plain output, and a query with --like is refused.
    communique(&corpus, &index)
        .args(["search", "--like", id])
        .assert()
        .success()
        .stdout(predicate::str::contains("Kursk"));
    communique(&corpus, &index)
        .args(["search", "Kursk", "--like", id])
        .assert()
        .failure();
    // An unknown id: an error naming it.
    communique(&corpus, &index)
        .args(["search", "--like", "no/such-article"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no/such-article"));
}

#[test]
fn quotes_and_collapsed_copies_on_the_command_line() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    // The project corpus holds a wire copy of the ten-country statement report: one hit, that
    // says so; `--no-collapse` shows both.
    let query = ["search", "ten countries Kursk joint statement", "-n", "20"];
    let collapsed = communique(&corpus, &index).args(query).output().unwrap();
    let collapsed = String::from_utf8(collapsed.stdout).unwrap();
    assert!(collapsed.contains("also in 1 other article"), "{collapsed}");
    assert!(!collapsed.contains("(wire copy)") || !collapsed.contains("Ten countries and the EU"));
    let all = communique(&corpus, &index)
        .args(query)
        .arg("--no-collapse")
        .output()
        .unwrap();
    let all = String::from_utf8(all.stdout).unwrap();
    assert!(
        all.contains("(wire copy)") && all.contains("Ten countries and the EU"),
        "{all}"
    );

    // `--quotes`: only what was said, with who said it.
    let tmp = tempfile::tempdir().unwrap();
    let quoted = tmp.path().join("corpus");
    std::fs::create_dir_all(&quoted).unwrap();
    std::fs::write(
        quoted.join("said.txt"),
        "“The grain corridor must stay open,” said the Secretary-General on Monday.",
    )
    .unwrap();
    std::fs::write(
        quoted.join("told.txt"),
        "The grain corridor was closed on Monday, officials said without comment.",
    )
    .unwrap();
    let qindex = tmp.path().join("index");
    communique(&quoted, &qindex)
        .args(["search", "--quotes", "grain corridor", "--color", "never"])
        .assert()
        .success()
        .stdout(predicate::str::contains("said.txt"))
        .stdout(predicate::str::contains("— Secretary-General"))
        .stdout(predicate::str::contains("told.txt").not());
    let output = communique(&quoted, &qindex)
        .args(["search", "--quotes", "grain", "--json"])
        .output()
        .unwrap();
    let hit = &json_lines(&output.stdout)[0];
    assert_eq!(
        hit["passages"][0]["quotes"][0]["speaker"],
        "Secretary-General"
    );
    assert_eq!(hit["duplicates"], 0);
}

#[test]
fn a_misspelled_word_is_corrected_with_a_notice_unless_exact() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = common::project_corpus();
    let output = communique(&corpus, &index)
        .args(["search", "Kursc", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("searched for kursk instead of Kursc; --exact to search as typed"),
        "{stderr}"
    );
    let hits = json_lines(&output.stdout);
    assert!(!hits.is_empty());
    for hit in &hits {
        assert_eq!(hit["corrections"][0]["typed"], "Kursc");
        assert_eq!(hit["corrections"][0]["searched"][0], "kursk");
        assert_eq!(hit["corrections"][0]["kept"], false);
    }
    // --exact: as typed, nothing matches; no notice.
    communique(&corpus, &index)
        .args(["search", "--exact", "Kursc"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("instead of").not());
    // A word spelled right: an empty list.
    let output = communique(&corpus, &index)
        .args(["search", "Kursk", "--json", "-n", "1"])
        .output()
        .unwrap();
    assert_eq!(
        json_lines(&output.stdout)[0]["corrections"],
        serde_json::json!([])
    );
}

/// `eval --no-aliases` ranks without the alias table: `DPRK` then misses the G7 communiqué that
/// only says "North Korea", which the alias table finds.
#[test]
fn eval_no_aliases_turns_off_the_alias_table() {
    let dir = tempfile::tempdir().unwrap();
    let queries = dir.path().join("queries.jsonl");
    std::fs::write(
        &queries,
        r#"{"id": "q1", "query": "DPRK", "relevant": [{"article": "g7-nato/2023-05-21-g7-hiroshima-summit.md", "grade": 2}]}"#,
    )
    .unwrap();
    let recall = |extra: &[&str]| {
        let output = communique(&common::project_corpus(), &dir.path().join("index"))
            .arg("eval")
            .arg("--queries")
            .arg(&queries)
            .arg("--json")
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let metrics: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        metrics["recall_100"].as_f64().unwrap()
    };
    assert_eq!(recall(&[]), 1.0);
    assert_eq!(recall(&["--no-aliases"]), 0.0);
}
