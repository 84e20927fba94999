//! `communique serve` as a process: the real binary on 127.0.0.1:0 against a copy of the demo
//! corpus, over real sockets. (The handlers are tested in process in `src/cli/serve/tests.rs`.)

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::project_corpus;
use serde_json::Value;

/// A running `communique serve`, stopped (SIGTERM) when dropped.
struct Server {
    child: Child,
    base: String,
    log: std::sync::mpsc::Receiver<String>,
}

impl Server {
    fn start(corpus: &Path, index: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_communique"))
            .arg("--corpus")
            .arg(corpus)
            .arg("--index")
            .arg(index)
            .args(["serve", "--addr", "127.0.0.1:0", "--debounce", "100"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start communique serve");
        let (sender, log) = std::sync::mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let base = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = log
                .recv_timeout(left)
                .expect("communique serve did not say where it listens within 60 s");
            if let Some(at) = line.find("http://") {
                let url = line[at..].split_whitespace().next().unwrap();
                break url.trim_end_matches('/').to_string();
            }
        };
        Server { child, base, log }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut response = agent
            .get(&format!("{}{path}", self.base))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }

    fn json(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.get(path);
        let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        (status, value)
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit within 30 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls a search until it finds `want` articles (or 20 s pass); returns how long it took.
fn wait_for(server: &Server, path: &str, want: u64) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = server.json(path);
        assert_eq!(status, 200, "{body}");
        if body["total"] == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{path}: still {} articles after 20 s",
            body["total"]
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serves_the_demo_corpus_and_new_articles_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::copy_dir(&project_corpus(), &corpus);
    let index = dir.path().join("index");
    let mut server = Server::start(&corpus, &index, &[]);
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );

    let (status, body) = server.json("/api/search?q=%22Security+Council%22&limit=3");
    assert_eq!(status, 200, "{body}");
    assert!(body["total"].as_u64().unwrap() >= 3, "{body}");
    let hit = &body["hits"][0];
    let passage = &hit["passages"][0];
    let text = passage["text"].as_str().unwrap();
    let h = &passage["highlights"][0];
    let range = h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize;
    assert_eq!(&text[range], "Security Council");

    // The article of the hit, by its id percent-encoded as one segment.
    let id = hit["article"]["id"].as_str().unwrap();
    let encoded = id.replace('/', "%2F");

    // More like it: other articles, never itself; an unknown id is a 404 that names it.
    let (status, like) = server.json(&format!("/api/search?like={encoded}&limit=3"));
    assert_eq!(status, 200, "{like}");
    let similar = like["hits"].as_array().unwrap();
    assert!(!similar.is_empty(), "{like}");
    assert!(similar.iter().all(|h| h["article"]["id"] != id), "{like}");
    assert!(!like["query"].as_str().unwrap().is_empty(), "{like}");
    let (status, missing) = server.json("/api/search?like=no%2Fsuch-article");
    assert_eq!(status, 404, "{missing}");
    assert!(
        missing["error"]
            .as_str()
            .unwrap()
            .contains("no/such-article")
    );
    let (status, both) = server.json(&format!("/api/search?like={encoded}&q=Kursk"));
    assert_eq!(status, 400, "{both}");
    let (status, view) = server.json(&format!("/api/articles/{encoded}?q=Kursk"));
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["article"]["id"], id);
    let start = passage["start"].as_u64().unwrap() as usize;
    assert!(
        view["passages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[0].as_u64() == Some(start as u64)),
        "the hit's passage starts a passage of the article"
    );
    assert_eq!(
        &view["text"].as_str().unwrap()[start..start + text.len()],
        text
    );

    // A new article in the corpus folder is searchable after the watcher's next batch.
    let (_, before) = server.json("/api/search?q=Vanuatu+Quokka");
    assert_eq!(before["total"], 0);
    std::fs::write(
        corpus.join("arrival.md"),
        "---\ntitle: Vanuatu and the quokka accord\ndate: 2026-12-01\nsource: Test desk\n---\n\n\
         Vanuatu signed the Quokka accord on Monday.\n",
    )
    .unwrap();
    let took = wait_for(&server, "/api/search?q=Vanuatu+Quokka", 1);
    assert!(took < Duration::from_secs(10), "{took:?}");
    let (_, health) = server.json("/api/health");
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["watching"], true);
    assert!(health["verification"]["ok"] == true, "{health}");

    // SIGTERM: the server stops cleanly.
    let status = server.terminate();
    assert!(status.success(), "{status}");
    let log: Vec<String> = server.log.try_iter().collect();
    assert!(log.iter().any(|l| l.contains("stopped")), "{log:?}");
}

#[test]
fn a_commit_of_communique_index_beside_a_fixed_server_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::copy_dir(&project_corpus(), &corpus);
    let index = dir.path().join("index");
    let server = Server::start(&corpus, &index, &["--no-watch"]);
    let (_, health) = server.json("/api/health");
    assert_eq!(health["watching"], false);
    std::fs::write(
        corpus.join("beside.txt"),
        "The Wombat protocol was signed in Canberra.\n",
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .arg("index")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // A phrase: never corrected, so nothing matches it before the commit.
    wait_for(&server, "/api/search?q=%22Wombat+protocol%22", 1);
}

#[test]
fn listening_beyond_this_machine_is_said_out_loud() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::copy_dir(&project_corpus(), &corpus);
    let index = dir.path().join("index");
    let mut child = Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .args(["serve", "--no-watch", "--addr", "0.0.0.0:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let warning = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("warning"));
    let _ = child.kill();
    let _ = child.wait();
    let warning = warning.expect("a warning on stderr");
    assert!(warning.contains("not only on this machine"), "{warning}");
}

#[test]
fn search_csv_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let output = Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--corpus")
        .arg(project_corpus())
        .arg("--index")
        .arg(&index)
        .args(["search", "--csv", "-n", "3", "Kursk"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("rank,score,id,title,date,source,url,duplicates,passage_start,passage")
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][0], "1");
    assert!(rows.iter().all(|r| r[9].to_lowercase().contains("kursk")));
}

#[test]
fn a_rebuild_beside_the_server_is_swapped_in_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::copy_dir(&project_corpus(), &corpus);
    let index = dir.path().join("index");
    let server = Server::start(&corpus, &index, &["--no-watch"]);
    let (_, before) = server.json("/api/search?q=Kursk");
    std::fs::write(
        corpus.join("rebuilt.txt"),
        "The Narwhal charter was adopted in Reykjavik.\n",
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .args(["index", "--rebuild"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    wait_for(&server, "/api/search?q=Narwhal", 1);
    let (_, after) = server.json("/api/search?q=Kursk");
    assert_eq!(after["total"], before["total"]);
    let (status, health) = server.json("/api/health");
    assert_eq!(status, 200, "{health}");
}

#[test]
fn a_saved_search_has_an_atom_feed_and_its_news_go_to_a_hook() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::copy_dir(&project_corpus(), &corpus);
    let index = dir.path().join("index");
    let communique = |args: &[&str]| {
        let status = Command::new(env!("CARGO_BIN_EXE_communique"))
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "communique {args:?}: {status}");
    };
    communique(&["index"]);
    communique(&["follow", "add", "quokka", "Quokka"]);
    communique(&["follow", "add", "kursk", "Kursk"]);
    // The hook fails once: the news come again in the next post.
    let (url, received) = common::hook(1);
    let server = Server::start(&corpus, &index, &["--notify-url", &url]);

    // Nothing new yet: the Kursk statements were there when the search was saved.
    let (status, body) = server.get("/feeds/kursk.atom");
    assert_eq!(status, 200, "{body}");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    assert!(feed.entries.is_empty(), "{body}");

    std::fs::write(
        corpus.join("arrival.md"),
        "---\ntitle: Vanuatu and the quokka accord\ndate: 2026-12-01\nsource: Test desk\n---\n\n\
         Vanuatu signed the Quokka accord on Monday.\n",
    )
    .unwrap();
    let wait = Duration::from_secs(60);
    let matches = |body: &Value| -> Vec<(String, String)> {
        body["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let field = |k: &str| m[k].as_str().unwrap().to_string();
                (field("search"), field("id"))
            })
            .collect()
    };
    let first = matches(&received.recv_timeout(wait).expect("a post to the hook"));
    assert_eq!(first, [("quokka".to_string(), "arrival.md".to_string())]);
    let again = matches(&received.recv_timeout(wait).expect("a retry"));
    assert_eq!(again, first);

    // The feed over the socket: one entry, linking to the article on this server's page.
    let (status, body) = server.get("/feeds/quokka.atom");
    assert_eq!(status, 200, "{body}");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(feed.entries.len(), 1, "{body}");
    let entry = &feed.entries[0];
    assert_eq!(
        entry.title.as_ref().unwrap().content,
        "Vanuatu and the quokka accord"
    );
    let link = &entry.links[0].href;
    assert!(
        link.starts_with(&format!("{}/?q=Quokka&article=arrival.md", server.base)),
        "{link}"
    );
    let summary = &entry.summary.as_ref().unwrap().content;
    assert!(summary.contains("<mark>Quokka</mark>"), "{summary}");
    let (status, list) = server.json("/api/follows");
    assert_eq!(status, 200, "{list}");
    let quokka = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "quokka")
        .unwrap();
    assert_eq!(quokka["unread"], 1, "{list}");
    let (status, body) = server.get("/feeds/crimea.atom");
    assert_eq!(status, 404);
    assert!(body.contains("no saved search named `crimea`"), "{body}");
}
