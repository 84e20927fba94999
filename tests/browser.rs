//! The search page in a real headless browser (Debian's `chromium` and `chromium-driver`,
//! driven over WebDriver with fantoccini): typing, highlights in non-ASCII text, a facet, the
//! article view, and escaping of hostile articles. `#[ignore]`d because it needs chromium;
//! `.ci/run` installs it and runs the ignored tests. It fails, not skips, without it.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// A child process killed when dropped, with its process group when it leads one (chromedriver
/// and the browsers it starts, even when a failed assertion skips closing the session).
struct Killed(Child, bool);

impl Drop for Killed {
    fn drop(&mut self) {
        if self.1
            && let Some(pid) = rustix::process::Pid::from_raw(self.0.id() as i32)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(corpus: &Path, index: &Path) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .args(["serve", "--no-watch", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start communique serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("communique serve stopped before listening")
            .unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..]
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Killed(child, false), base)
}

fn start_chromedriver() -> (Killed, String) {
    for tool in ["chromium", "chromedriver"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{tool} is missing: install it with `apt-get install -y chromium chromium-driver` \
             (.ci/run does)"
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen on {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (Killed(child, true), format!("http://127.0.0.1:{port}"))
}

async fn browser(driver: &str, profile: &Path, width: u32, height: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={width},{height}"),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a WebDriver session with headless chromium")
}

/// Runs a script in the page and returns its value.
async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Waits until `script` returns something truthy (10 s at most).
async fn until(client: &Client, what: &str, script: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = js(client, script).await;
        let truthy = match &value {
            Value::Null | Value::Bool(false) => false,
            Value::Array(a) => !a.is_empty(),
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "waited 10 s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

/// The texts of the highlights in the results.
const MARKS: &str =
    "return Array.from(document.querySelectorAll('#results mark')).map(m => m.textContent)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver (.ci/run installs them)"]
async fn the_page_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::copy_dir(&common::project_corpus(), &corpus);
    std::fs::write(
        corpus.join("i18n.md"),
        "---\ntitle: Statement in three scripts\ndate: 2025-02-01\nsource: Test desk\n---\n\n\
         The ministers called on the “Security Council” to act.\n\n\
         Президент Зеленський подякував партнерам за підтримку.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("arabic.md"),
        "---\ntitle: بيان مجلس الأمن\ndate: 2025-02-01\nsource: Test desk\n---\n\n\
         مجلس الأمن يعقد اجتماعا طارئا بشأن الوضع الإنساني\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("hostile.md"),
        "---\ntitle: <img src=x onerror=\"document.title='pwned'\">Hostile title\ndate: 2025-02-02\nsource: Test desk\n---\n\n\
         Xylophone <script>document.title='pwned'</script> and <img src=x onerror=\"document.title='pwned'\"> in the text.\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let (_server, base) = start_server(&corpus, &index);
    let (_driver, driver_url) = start_chromedriver();
    let client = browser(&driver_url, &dir.path().join("profile"), 1280, 900).await;

    // Type a query: results come as you type, with highlights, and the query goes in the URL.
    client.goto(&format!("{base}/")).await.unwrap();
    let input = client.wait().for_element(Locator::Css("#q")).await.unwrap();
    input.send_keys("Security Council").await.unwrap();
    let marks = until(&client, "highlights", MARKS).await;
    // A name of the Security Council in any of the six UN languages (the alias table), or a
    // word of the query in any inflection.
    let council = communique::domain::Aliases::builtin()
        .group("UNSC")
        .expect("the Security Council in the alias table");
    for mark in marks.as_array().unwrap() {
        let word = mark.as_str().unwrap().to_lowercase();
        let alias = council.names.iter().any(|name| name.to_lowercase() == word);
        assert!(
            word.contains("secur") || word.contains("council") || alias,
            "{mark}"
        );
    }
    let url = client.current_url().await.unwrap();
    assert!(url.as_str().contains("q=Security+Council"), "{url}");
    assert!(
        js(
            &client,
            "return document.querySelectorAll('#results .hit').length"
        )
        .await
        .as_u64()
        .unwrap()
            > 0
    );
    screenshot(&client, "browser-results.png").await;

    // Click a country facet: the results are filtered, and the facet shows as pressed.
    let before = js(
        &client,
        "return document.getElementById('status').textContent",
    )
    .await;
    let facet = client
        .find(Locator::Css("button.facet[data-kind='country']"))
        .await
        .unwrap();
    let code = facet.attr("data-value").await.unwrap().unwrap();
    facet.click().await.unwrap();
    until(
        &client,
        "the country filter in the URL",
        &format!("return location.search.includes('country={code}')"),
    )
    .await;
    until(
        &client,
        "the facet pressed",
        &format!("return document.querySelector(\"button.facet[data-kind='country'][data-value='{code}']\")?.getAttribute('aria-pressed') === 'true'"),
    )
    .await;
    until(&client, "filtered results", MARKS).await;
    let after = js(
        &client,
        "return document.getElementById('status').textContent",
    )
    .await;
    assert!(
        after.as_str().unwrap().contains("match"),
        "{before} -> {after}"
    );

    // Open the first article: the whole text, the hit's passage marked and scrolled into view.
    let passage = js(
        &client,
        "return document.querySelector('#results .passage').textContent",
    )
    .await;
    client
        .find(Locator::Css("#results .hit-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let marked = until(
        &client,
        "the marked passage",
        "return document.querySelector('#article-text p.marked')?.textContent",
    )
    .await;
    assert_eq!(marked, passage, "the marked passage is the hit's passage");
    let visible = js(
        &client,
        "const r = document.querySelector('#article-text p.marked').getBoundingClientRect(); \
         return r.top < innerHeight && r.bottom > 0",
    )
    .await;
    assert_eq!(visible, Value::Bool(true), "the marked passage is in view");
    assert!(
        js(
            &client,
            "return document.querySelectorAll('#article-text p.marked mark').length"
        )
        .await
        .as_u64()
        .unwrap()
            > 0
    );
    screenshot(&client, "browser-article.png").await;

    // Non-ASCII: highlights land on the right characters (byte ranges, not UTF-16 units).
    for (query, expected) in [
        ("%E2%80%9CSecurity+Council%E2%80%9D", "Security Council"),
        (
            "%D0%97%D0%B5%D0%BB%D0%B5%D0%BD%D1%81%D1%8C%D0%BA%D0%B8%D0%B9",
            "Зеленський",
        ),
        ("%D8%B7%D8%A7%D8%B1%D8%A6%D8%A7", "طارئا"),
    ] {
        client.goto(&format!("{base}/?q={query}")).await.unwrap();
        let marks = until(&client, expected, MARKS).await;
        assert!(
            marks
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m.as_str().unwrap().to_lowercase() == expected.to_lowercase()),
            "{query}: {marks}"
        );
    }
    // The Arabic line reads right to left.
    let direction = js(
        &client,
        "return getComputedStyle(document.querySelector('#results mark').closest('.passage')).direction",
    )
    .await;
    assert_eq!(direction, "rtl");
    screenshot(&client, "browser-arabic.png").await;

    // A hostile article renders as text: no element from it, no script run.
    client.goto(&format!("{base}/?q=Xylophone")).await.unwrap();
    until(&client, "the hostile hit", MARKS).await;
    let text = js(
        &client,
        "return document.querySelector('#results .hit').textContent",
    )
    .await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains("<script>document.title='pwned'</script>"),
        "{text}"
    );
    assert!(text.contains("<img src=x onerror="), "{text}");
    assert_eq!(
        js(
            &client,
            "return document.querySelectorAll('#results img, #results script').length"
        )
        .await,
        0
    );
    client
        .find(Locator::Css("#results .hit-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &client,
        "the hostile article",
        "return document.querySelector('#article-text p')?.textContent",
    )
    .await;
    assert_eq!(
        js(
            &client,
            "return document.querySelectorAll('main img, main script').length"
        )
        .await,
        0
    );
    assert_ne!(client.title().await.unwrap(), "pwned");

    // A broken query shows its column; nothing matching says so.
    client
        .goto(&format!("{base}/?q=kursk+%C2%BB"))
        .await
        .unwrap();
    let error = until(
        &client,
        "the query error",
        "const e = document.getElementById('query-error'); return !e.hidden && e.textContent",
    )
    .await;
    assert!(error.as_str().unwrap().contains("column 7"), "{error}");
    client
        .goto(&format!("{base}/?q=zzyzxnothing"))
        .await
        .unwrap();
    let status = until(
        &client,
        "the no-match message",
        "const s = document.getElementById('status').textContent; return s.startsWith('No article') && s",
    )
    .await;
    assert!(status.as_str().unwrap().contains("zzyzxnothing"));

    // A phone's width: the page still shows the results, facets below them.
    client.set_window_size(412, 900).await.unwrap();
    client.goto(&format!("{base}/?q=Kursk")).await.unwrap();
    until(&client, "results on a phone", MARKS).await;
    let stacked = js(
        &client,
        "return document.getElementById('facets').getBoundingClientRect().top > \
         document.getElementById('results').getBoundingClientRect().top",
    )
    .await;
    assert_eq!(stacked, Value::Bool(true));
    screenshot(&client, "browser-phone.png").await;

    client.close().await.unwrap();
}
