//! Feeds and the saved-search API, called in process on an index of the project corpus.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use communique::follow::Follows;
use communique::{Article, Corpus, Index, SearchOptions};
use serde_json::Value;

#[path = "../../../tests/common/tree.rs"]
mod tree;

use super::super::tests::{call, get, get_json};
use super::super::{Limits, Service};

/// The statement held back from the first indexing: it arrives after the search is saved.
const ARRIVING: &str = "dprk/2024-12-24-north-korean-casualties-kursk.md";

fn project_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

struct Setup {
    /// The folder of the corpus and the index, removed when dropped.
    dir: tempfile::TempDir,
    corpus: PathBuf,
    index: Index,
}

/// The project corpus but one statement, indexed on disk, with `kursk` saved; then the
/// statement arrives and the saved searches catch up, as after a batch of `serve`'s watcher.
fn kursk_arrives() -> (Setup, jiff::Timestamp, jiff::Timestamp) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    tree::copy_dir(&project_corpus(), &corpus);
    std::fs::remove_file(corpus.join(ARRIVING)).unwrap();
    let index = Index::create(dir.path().join("index")).unwrap();
    index.update(&Corpus::new(&corpus)).unwrap();
    let follows = Follows::of(&index).unwrap();
    follows
        .add(&index, "kursk", "Kursk", &SearchOptions::new())
        .unwrap();
    follows
        .add(
            &index,
            "grain",
            "\"grain corridor\"",
            &SearchOptions::new().since(communique::corpus::parse_date("2023-01-01").unwrap()),
        )
        .unwrap();
    assert!(follows.catch_up(&index).unwrap().is_empty());

    let before = jiff::Timestamp::now();
    std::fs::copy(project_corpus().join(ARRIVING), corpus.join(ARRIVING)).unwrap();
    let report = index.update(&Corpus::new(&corpus)).unwrap();
    assert_eq!(report.added, 1);
    let news = follows.catch_up(&index).unwrap();
    let after = jiff::Timestamp::now();
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(news[0].search, "kursk");
    (Setup { dir, corpus, index }, before, after)
}

/// The service over [`kursk_arrives`]'s index, with the folder that holds it.
fn kursk_service() -> (tempfile::TempDir, Arc<Service>) {
    let (setup, _, _) = kursk_arrives();
    let service = Service::new(Arc::new(setup.index), Limits::default());
    (setup.dir, service)
}

async fn post_json(service: &Arc<Service>, uri: &str, origin: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::post(uri).header(header::HOST, "127.0.0.1:7700");
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    let (status, _, body) = call(service, request.body(Body::empty()).unwrap()).await;
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"));
    (status, value)
}

fn title_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("title: "))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_feed_of_a_saved_search_has_the_statement_that_arrived() {
    let (setup, before, after) = kursk_arrives();
    let service = Service::new(Arc::new(setup.index), Limits::default());

    let (status, headers, body) = get(&service, "/feeds/kursk.atom").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "http://127.0.0.1:7700/feeds/kursk.atom");
    assert!(feed.title.unwrap().content.contains("kursk"));
    // Only the statement that arrived after the search was saved: the four other Kursk
    // statements of the corpus were there before.
    assert_eq!(feed.entries.len(), 1, "{body}");
    let entry = &feed.entries[0];
    assert_eq!(
        entry.title.as_ref().unwrap().content,
        title_of(&setup.corpus.join(ARRIVING))
    );
    let link = &entry.links[0].href;
    assert!(
        link.starts_with("http://127.0.0.1:7700/?q=Kursk&article="),
        "{link}"
    );
    let id: String = form_urlencoded::byte_serialize(ARRIVING.as_bytes()).collect();
    assert!(link.contains(&id), "{link} has no {id}");
    // The best passage, as HTML, with the matched word marked.
    let summary = &entry.summary.as_ref().unwrap().content;
    assert!(summary.contains("<mark>Kursk</mark>"), "{summary}");
    assert!(summary.contains("North Korean"), "{summary}");
    // Updated: the commit that brought it; published: the statement's date.
    let updated = jiff::Timestamp::from_second(entry.updated.unwrap().timestamp()).unwrap();
    assert!(
        updated >= before.round(jiff::Unit::Second).unwrap() - jiff::SignedDuration::from_secs(1)
            && updated <= after + jiff::SignedDuration::from_secs(1),
        "{updated} not between {before} and {after}"
    );
    assert_eq!(
        entry.published.unwrap().date_naive().to_string(),
        "2024-12-24"
    );
    assert_eq!(
        entry.authors[0].name.as_deref(),
        Some("Communique briefing notes")
    );

    // Nothing new for the other saved search: a valid feed without entries.
    let (status, _, body) = get(&service, "/feeds/grain.atom").await;
    assert_eq!(status, StatusCode::OK);
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    assert!(feed.entries.is_empty());

    // Reading the news on the page does not empty the feed.
    let (status, _) = post_json(&service, "/api/follows/kursk/read", None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, body) = get(&service, "/feeds/kursk.atom").await;
    assert_eq!(
        feed_rs::parser::parse(body.as_bytes())
            .unwrap()
            .entries
            .len(),
        1
    );
}

#[tokio::test]
async fn an_unknown_feed_is_404_and_says_why() {
    let (_dir, service) = kursk_service();
    let (status, _, body) = get(&service, "/feeds/crimea.atom").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("no saved search named `crimea`"), "{body}");
    let (status, _, body) = get(&service, "/feeds/kursk.rss").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("/feeds/NAME.atom"), "{body}");
    let (status, _, body) = get(&service, "/feeds/kursk.atom?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("`limit` must be between 1 and 100"), "{body}");
}

#[tokio::test]
async fn markup_in_an_article_stays_text_in_the_feed() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::create(dir.path().join("index")).unwrap();
    let follows = Follows::of(&index).unwrap();
    follows
        .add(
            &index,
            "council",
            "\"Security Council\"",
            &SearchOptions::new(),
        )
        .unwrap();
    let mut writer = index.writer().unwrap();
    writer
        .add(
            &Article::new(
                "hostile",
                "A test of escaping: <script>alert('x')</script> & <b>bold</b> near the \
                 Security Council.\u{1}",
            )
            .with_title("<script>alert('title')</script> & Co"),
        )
        .unwrap();
    writer.commit().unwrap();
    assert_eq!(follows.catch_up(&index).unwrap().len(), 1);
    let service = Service::new(Arc::new(index), Limits::default());
    let (status, _, body) = get(&service, "/feeds/council.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<script>"), "{body}");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"));
    let entry = &feed.entries[0];
    // The title is text: the same characters as the article's.
    assert_eq!(
        entry.title.as_ref().unwrap().content,
        "<script>alert('title')</script> & Co"
    );
    // The summary is HTML in which the article's markup is text and only the marks are tags.
    let summary = &entry.summary.as_ref().unwrap().content;
    assert!(
        summary.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &lt;b&gt;"),
        "{summary}"
    );
    assert!(
        summary.contains("<mark>Security Council</mark>"),
        "{summary}"
    );
}

#[tokio::test]
async fn the_api_lists_saved_searches_with_their_news_counts_and_links() {
    let (_dir, service) = kursk_service();
    let (status, list) = get_json(&service, "/api/follows").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["grain", "kursk"]);
    let kursk = &list[1];
    assert_eq!(
        (kursk["unread"].as_u64(), kursk["reported"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(kursk["feed"], "/feeds/kursk.atom");
    assert_eq!(kursk["search"], "/?q=Kursk");
    assert_eq!(
        list[0]["search"],
        "/?q=%22grain+corridor%22&since=2023-01-01"
    );
}

/// The one piece of news of `kursk`, checked: the statement that arrived, unread, with the
/// matched word highlighted. Returns the commit it arrived in.
async fn kursk_news(service: &Arc<Service>) -> u64 {
    let (status, news) = get_json(service, "/api/follows/kursk").await;
    assert_eq!(status, StatusCode::OK, "{news}");
    assert_eq!(news["total"], 1);
    let hit = &news["hits"][0];
    assert_eq!(hit["article"]["id"], ARRIVING);
    assert_eq!(hit["read"], false);
    let passage = &hit["passages"][0];
    let text = passage["text"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| passage["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "Kursk");
    hit["seq"].as_u64().unwrap()
}

#[tokio::test]
async fn the_api_shows_the_news_of_a_saved_search_highlighted() {
    let (_dir, service) = kursk_service();
    kursk_news(&service).await;
}

#[tokio::test]
async fn news_are_marked_read_through_a_commit_by_the_page_of_the_same_site_only() {
    let (_dir, service) = kursk_service();
    let seq = kursk_news(&service).await;
    // Another site's page cannot mark them read.
    let (status, body) = post_json(
        &service,
        "/api/follows/kursk/read",
        Some("http://elsewhere.example"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Up to an earlier commit: nothing to mark.
    let (status, body) = post_json(
        &service,
        &format!("/api/follows/kursk/read?through={}", seq - 1),
        Some("http://127.0.0.1:7700"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["marked"].as_u64(), body["unread"].as_u64()),
        (Some(0), Some(1))
    );
    let (status, body) = post_json(
        &service,
        &format!("/api/follows/kursk/read?through={seq}"),
        Some("http://127.0.0.1:7700"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["marked"].as_u64(), body["unread"].as_u64()),
        (Some(1), Some(0))
    );

    let (_, list) = get_json(&service, "/api/follows").await;
    assert_eq!(list[1]["unread"], 0);
    assert_eq!(list[1]["reported"], 1);
    let (_, unread) = get_json(&service, "/api/follows/kursk").await;
    assert_eq!(unread["total"], 0);
    assert!(unread["hits"].as_array().unwrap().is_empty());
    let (_, all) = get_json(&service, "/api/follows/kursk?all=true").await;
    assert_eq!(all["hits"][0]["article"]["id"], ARRIVING);
    assert_eq!(all["hits"][0]["read"], true);
}

#[tokio::test]
async fn the_api_answers_an_unknown_saved_search_with_404_and_a_bad_flag_with_400() {
    let (_dir, service) = kursk_service();
    let (status, body) = get_json(&service, "/api/follows/crimea").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"].as_str().unwrap().contains("`crimea`"),
        "{body}"
    );
    let (status, _) = post_json(&service, "/api/follows/crimea/read", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = get_json(&service, "/api/follows/kursk?all=perhaps").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn an_index_in_memory_has_no_saved_searches() {
    let service = Service::new(Arc::new(Index::in_memory().unwrap()), Limits::default());
    let (status, list) = get_json(&service, "/api/follows").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, serde_json::json!([]));
    let (status, _, _) = get(&service, "/feeds/kursk.atom").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
