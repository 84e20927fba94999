//! Broken and hostile input: every case gets a clear message naming the file (and line or
//! byte position) or the query position, never a panic, and everything else is indexed.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use predicates::prelude::*;

use super::{communique, indexed, json_lines};

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A corpus of good articles among every kind of bad file.
fn hostile_corpus(root: &Path) {
    let write = |name: &str, bytes: &[u8]| std::fs::write(root.join(name), bytes).unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    write(
        "good.txt",
        b"---\ntitle: Good\n---\nA good statement on the grain corridor.",
    );
    write("latin1.txt", b"Caf\xe9 diplomacy in Latin-1.");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "A statement in UTF-16 about Kyïv.".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    write("utf16.txt", &utf16);
    write("picture.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write("picture-named.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write("archive.zip", b"PK\x03\x04\x14\0\0\0\x08\0");
    write("archive-named.json", b"PK\x03\x04\x14\0\0\0\x08\0");
    write("empty.txt", b"");
    write("blank.md", b"  \n\t\n  ");
    write("truncated.jsonl", b"{\"id\": \"line-one\", \"text\": \"First line about sanctions.\"}\n{\"id\": \"line-two\", \"text\": \"cut off");
    write(
        "types.json",
        b"{\"id\": \"typed\", \"title\": 5, \"text\": \"x\"}",
    );
    write("dup.jsonl", b"{\"id\": \"same\", \"text\": \"The first copy.\"}\n{\"id\": \"same\", \"text\": \"The second copy.\"}\n");
    write(
        "sub/dup-elsewhere.json",
        b"{\"id\": \"same\", \"text\": \"A copy in another file.\"}",
    );
    write(
        "nofence.md",
        b"---\ntitle: Never closed\nA body that never starts.",
    );
    write(
        "odd-date.txt",
        b"---\ndate: 16/12/2024\n---\nA statement with an odd date.",
    );
    write(
        "with space.txt",
        b"A file name with a space, on ceasefire talks.",
    );
    write(
        "non-ascii-\u{e9}t\u{e9}.txt",
        b"A file name with accents, on ceasefire talks.",
    );
    write(
        "new\nline.txt",
        b"A file name with a newline, on ceasefire talks.",
    );
    // A 200 MB file (sparse: it takes no room) is refused by size, before any read.
    std::fs::File::create(root.join("huge.txt"))
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    // A single 10 MB line is read and indexed (under the 64 MiB limit).
    let mut line = std::fs::File::create(root.join("long-line.txt")).unwrap();
    let sentence = "the delegation raised the question of maritime security again ";
    for _ in 0..(10 << 20) / sentence.len() {
        line.write_all(sentence.as_bytes()).unwrap();
    }
    line.write_all(b"and closed with the word zanzibarite.")
        .unwrap();
    std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/file.txt", root.join("dangling.txt")).unwrap();
    // A named pipe is not a regular file: it is passed over, and reading never blocks.
    let fifo = root.join("pipe.txt");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
}

#[test]
fn bad_files_are_reported_by_name_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    hostile_corpus(&corpus);
    let index = dir.path().join("index");
    let started = Instant::now();
    let output = communique(&corpus, &index)
        .args(["index", "--json"])
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "indexing took {:?}",
        started.elapsed()
    );
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "skipped files make the exit code 1: {stderr}"
    );
    let report = &json_lines(&output.stdout)[0];
    let skipped: Vec<String> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} {}",
                s["path"].as_str().unwrap_or(""),
                s["line"],
                s["message"].as_str().unwrap()
            )
        })
        .collect();
    let expect = |file: &str, needle: &str| {
        assert!(
            skipped
                .iter()
                .any(|s| s.contains(file) && s.contains(needle)),
            "no `{needle}` for {file} in {skipped:#?}"
        );
    };
    expect("latin1.txt", "not valid UTF-8 (byte 0xE9 at offset 3)");
    expect("picture-named.txt", "binary file");
    expect("archive-named.json", "binary file");
    expect("empty.txt", "empty article");
    expect("blank.md", "empty article");
    expect("truncated.jsonl", "invalid JSON");
    expect("truncated.jsonl 2", "");
    expect(
        "types.json",
        "field `title` must be a string, found a number",
    );
    expect("dup.jsonl", "duplicate article id `same`");
    expect("dup-elsewhere.json", "duplicate article id `same`");
    expect("nofence.md", "never closed");
    expect("huge.txt", "over the 67108864-byte limit");
    expect("loop", "symbolic link loop");
    expect("dangling.txt", "No such file");
    assert_eq!(skipped.len(), 13, "{skipped:#?}");
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w["path"].as_str().unwrap().ends_with("odd-date.txt") && w["line"] == 2)
    );
    // good, utf16, line-one, same (first copy), odd-date, three odd names, long-line.
    assert_eq!(report["added"], 9, "{report}");

    let ids = |query: &str| -> Vec<String> {
        let output = communique(&corpus, &index)
            .args(["search", query, "--json", "--limit", "20"])
            .output()
            .unwrap();
        json_lines(&output.stdout)
            .iter()
            .map(|h| h["article"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("Kyiv"), ["utf16.txt"]);
    assert_eq!(ids("zanzibarite"), ["long-line.txt"]);
    assert_eq!(ids("\"The first copy\""), ["same"]);
    let mut names = ids("ceasefire");
    names.sort();
    assert_eq!(
        names,
        [
            "new\nline.txt",
            "non-ascii-\u{e9}t\u{e9}.txt",
            "with space.txt"
        ]
    );
}

#[test]
fn hostile_queries_get_a_position_or_a_correct_answer_quickly() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = super::common::project_corpus();
    let ten_thousand_words = vec!["kursk"; 10_000].join(" ");
    let hundred_words = vec!["kursk"; 100].join(" ");
    let hundred_kb = "k".repeat(100 * 1024);
    let long_word = "x".repeat(100);
    let errors: Vec<(&str, &str)> = vec![
        (
            "\"Security Council",
            "column 1: this quote has no closing quote",
        ),
        ("(kursk", "column 1: this parenthesis is never closed"),
        (
            "kursk »",
            "column 7: this closing quote `»` has no opening quote",
        ),
        ("kursk)", "column 6: unmatched closing parenthesis"),
        ("AND", "column 1"),
        ("OR kursk", "column 1"),
        ("kursk NOT", "column 7"),
        (&ten_thousand_words, "the limit is 4096"),
        (&hundred_words, "query has 100 terms; the limit is 64"),
        (&hundred_kb, "the limit is 4096"),
        ("🙂", "no searchable words"),
        (&long_word, "no searchable words"),
        ("foo:bar", "unknown field `foo`"),
        ("kursk~3", "column 6: fuzzy distance must be 0, 1 or 2"),
        ("k*", "too short"),
    ];
    let started = Instant::now();
    for (query, message) in &errors {
        let output = communique(&corpus, &index)
            .args(["search", "--", query])
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{query:.40}: {stderr}");
        assert!(
            stderr.contains(message),
            "{query:.40}: expected `{message}` in {stderr}"
        );
        assert!(!stderr.contains("panicked"));
    }
    let answers: Vec<(String, i32)> = vec![
        ("kursk\u{7}\u{1b}[31m".into(), 0),
        ("مرحبا بالعالم".into(), 1),
        // The UN in Arabic is in the alias table: it finds the English statements.
        ("الأمم المتحدة".into(), 0),
        ("Kursk 🙂".into(), 0),
        ("👩\u{200d}💻 kursk".into(), 0),
        (format!("{long_word} kursk"), 0),
        ("kursk~2".into(), 0),
        ("\u{202e}kursk\u{202c}".into(), 0),
        ("a*b".into(), 2),
    ];
    for (query, code) in &answers {
        let output = communique(&corpus, &index)
            .args(["search", "--", query])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(*code),
            "{query:?}: {}",
            stderr_of(&output)
        );
    }
    communique(&corpus, &index)
        .args(["search", "kursk", "--limit", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("limit must be at least 1"));
    communique(&corpus, &index)
        .args(["search", "kursk", "--offset", "99999999999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("paged up to 10000"));
    communique(&corpus, &index)
        .args(["search", "kursk", "--offset", "9000"])
        .assert()
        .code(1);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn index_faults_are_detected_and_point_to_rebuild() {
    let corpus = super::common::project_corpus();
    // A segment file deleted.
    let dir = indexed();
    let index = dir.path().join("index");
    let store = index_file(&index, "store");
    std::fs::remove_file(&store).unwrap();
    communique(&corpus, &index)
        .args(["search", "kursk"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is damaged"))
        .stderr(predicate::str::contains("missing"))
        .stderr(predicate::str::contains("index --rebuild"));

    // Another index's document store in place of this one's (a file restored from the wrong
    // backup): it opens, but holds fewer passages than the index asks it for.
    let dir = indexed();
    let index = dir.path().join("index");
    let small = tempfile::tempdir().unwrap();
    let one = small.path().join("corpus");
    std::fs::create_dir(&one).unwrap();
    std::fs::copy(
        corpus.join("unsc/2025-02-24-resolution-2774-ukraine.txt"),
        one.join("one.txt"),
    )
    .unwrap();
    communique(&one, &small.path().join("index"))
        .arg("index")
        .assert()
        .success();
    std::fs::copy(
        index_file(&small.path().join("index"), "store"),
        index_file(&index, "store"),
    )
    .unwrap();
    communique(&corpus, &index)
        .args(["search", "Security Council"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is damaged"))
        .stderr(predicate::str::contains("document store"))
        .stderr(predicate::str::contains("index --rebuild"));

    // A file truncated.
    let dir = indexed();
    let index = dir.path().join("index");
    let idx = index_file(&index, "idx");
    let len = std::fs::metadata(&idx).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&idx)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    communique(&corpus, &index)
        .args(["search", "kursk"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is damaged"));

    // Bytes flipped inside a file: `check` finds it by checksum; a search never panics.
    let dir = indexed();
    let index = dir.path().join("index");
    communique(&corpus, &index)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok: 4"));
    for extension in ["fast", "idx", "store", "term", "pos"] {
        let dir = indexed();
        let index = dir.path().join("index");
        let file = index_file(&index, extension);
        let mut bytes = std::fs::read(&file).unwrap();
        let body = bytes.len().saturating_sub(64);
        for i in (0..body).step_by(97) {
            bytes[i] ^= 0x5A;
        }
        std::fs::write(&file, bytes).unwrap();
        // `check` names the file that fails its checksum (or that cannot even be opened).
        communique(&corpus, &index)
            .arg("check")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is damaged"))
            .stderr(predicate::str::contains(format!(".{extension}")))
            .stderr(predicate::str::contains("index --rebuild"));
        for query in [
            "Security Council",
            "kursk",
            "sanction*",
            "\"United Nations\"",
        ] {
            let output = communique(&corpus, &index)
                .args(["search", query])
                .output()
                .unwrap();
            let code = output.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                ".{extension}, {query}: {code:?} {}",
                stderr_of(&output)
            );
            if code == Some(2) {
                assert!(
                    stderr_of(&output).contains("is damaged"),
                    "{}",
                    stderr_of(&output)
                );
            }
            // A panic the library caught and reported as damage is not said a second time.
            assert!(
                !stderr_of(&output).contains("internal error"),
                "{}",
                stderr_of(&output)
            );
        }
    }
}

/// Mounts a tmpfs of `megabytes` at a new temporary folder (needs root).
fn tmpfs(megabytes: u32) -> (tempfile::TempDir, impl Drop) {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
        .arg(dir.path())
        .status()
        .expect("mount");
    assert!(status.success(), "mounting a tmpfs needs root");
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let guard = Unmount(dir.path().to_path_buf());
    (dir, guard)
}

#[test]
#[ignore = "needs root to mount a tmpfs; .ci/run runs it as root"]
fn a_full_disk_leaves_the_last_commit_and_the_next_update_recovers() {
    let (disk, _unmount) = tmpfs(3);
    let index = disk.path().join("index");
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus");
    super::generate(&corpus, 0, 40);
    communique(&corpus, &index).arg("index").assert().success();
    super::generate(&corpus, 40, 3000);
    communique(&corpus, &index)
        .arg("index")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no space left on the device"))
        .stderr(predicate::str::contains(
            "the index is still at its last commit",
        ));
    let stats = communique::Index::open(&index).unwrap().stats().unwrap();
    assert_eq!(stats.articles, 40);
    communique(&corpus, &index).arg("check").assert().success();
    communique(&corpus, &index)
        .args(["search", "marker7"])
        .assert()
        .success();
    // With room again, the next update frees the failed one's files and completes.
    for n in 100..3040 {
        std::fs::remove_file(corpus.join(format!("g{n:05}.txt"))).unwrap();
    }
    communique(&corpus, &index)
        .arg("index")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("added 60,"));
}

#[test]
#[ignore = "needs root to bind-mount read-only; .ci/run runs it as root"]
fn a_read_only_index_answers_searches_and_refuses_updates_clearly() {
    let dir = indexed();
    let index = dir.path().join("index");
    let corpus = super::common::project_corpus();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "mount --bind '{0}' '{0}' && mount -o remount,bind,ro '{0}'",
            index.display()
        ))
        .status()
        .unwrap();
    assert!(status.success(), "read-only bind mount needs root");
    let search = communique(&corpus, &index)
        .args(["search", "kursk"])
        .output()
        .unwrap();
    let update = communique(&corpus, &index).arg("index").output().unwrap();
    let _ = std::process::Command::new("umount").arg(&index).status();
    assert_eq!(search.status.code(), Some(0), "{}", stderr_of(&search));
    assert_eq!(update.status.code(), Some(2));
    let message = stderr_of(&update);
    assert!(
        message.contains("Read-only file system") || message.contains("read-only"),
        "{message}"
    );
    assert!(message.contains(&index.display().to_string()), "{message}");
}

/// The index file of `index` whose extension is `extension` (`store`, `idx`…): an index of one
/// segment has one of each.
fn index_file(index: &Path, extension: &str) -> std::path::PathBuf {
    std::fs::read_dir(index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == extension))
        .unwrap()
}
