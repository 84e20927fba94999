//! The service's handlers in process (no socket): the router called with requests.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use communique::{Article, Index};
use serde_json::Value;
use tower::ServiceExt;

use super::{Availability, Limits, Service, router};

/// Articles that exercise what the page must get right: non-ASCII highlights, right-to-left
/// text, markup in titles and bodies, and an id with a slash.
fn articles() -> Vec<Article> {
    vec![
        Article::new(
            "dprk/kursk.txt",
            "Ten countries condemned the deployment of troops from North Korea.\n\n\
             The transfers breached “Security Council” resolutions, the statement said.\n\n\
             Президент Зеленський (Zelenskyy) thanked the partners.",
        )
        .with_title("Ten countries condemn North Korean troops in Kursk")
        .with_source("Communique desk")
        .with_date("2024-12-16")
        .unwrap(),
        Article::new(
            "arabic",
            "The Security Council met again.\n\nمجلس الأمن يعقد اجتماعا طارئا بشأن الوضع في غزة",
        )
        .with_title("Council meets")
        .with_date("2025-01-10")
        .unwrap(),
        Article::new(
            "hostile",
            "A test of escaping: <script>alert('x')</script> and <img src=x onerror=alert(1)> \
             near the Security Council.",
        )
        .with_title("<script>alert('title')</script>"),
    ]
}

fn service(limits: Limits) -> Arc<Service> {
    let index = Index::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for article in articles() {
        writer.add(&article).unwrap();
    }
    writer.commit().unwrap();
    Service::new(Arc::new(index), limits)
}

/// Sends `request` through the router; the status, headers and body.
pub(super) async fn call(
    service: &Arc<Service>,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router(service.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// A GET, as a browser on this machine sends it.
pub(super) async fn get(
    service: &Arc<Service>,
    uri: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let request = Request::get(uri)
        .header(axum::http::header::HOST, "127.0.0.1:7700")
        .body(Body::empty())
        .unwrap();
    call(service, request).await
}

/// A GET whose answer is JSON.
pub(super) async fn get_json(service: &Arc<Service>, uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = get(service, uri).await;
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"));
    (status, value)
}

#[tokio::test]
async fn search_gives_hits_as_in_json_lines_and_the_number_of_matching_articles() {
    let service = service(Limits::default());
    let (status, body) = get_json(&service, "/api/search?q=%22Security+Council%22&limit=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(body["limit"], 1);
    let hits = body["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    // The same shape as `communique search --json`: the library's Hit, serialised.
    let hit = &hits[0];
    for key in ["rank", "score", "article", "passages", "duplicates"] {
        assert!(hit.get(key).is_some(), "{key} missing in {hit}");
    }
    let passage = &hit["passages"][0];
    let text = passage["text"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| passage["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "Security Council");
}

#[tokio::test]
async fn search_says_what_it_searched_otherwise_than_typed() {
    let service = service(Limits::default());
    // No passage writes `Security Councils`: the phrase is searched in other word forms.
    let (status, body) = get_json(&service, "/api/search?q=%22Security+Councils%22&limit=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["corrections"][0]["kind"], "word_forms", "{body}");
    assert_eq!(
        body["corrections"][0]["typed"], "Security Councils",
        "{body}"
    );
    assert!(body["total"].as_u64().unwrap() > 0, "{body}");
    // Said when nothing matched too, as the command line does.
    let (_, body) = get_json(&service, "/api/search?q=%22Kursc+offensives%22").await;
    assert_eq!(body["total"], 0, "{body}");
    assert_eq!(body["corrections"][0]["kind"], "word_forms", "{body}");
    let (_, body) = get_json(&service, "/api/search?q=kursk").await;
    assert_eq!(body["corrections"], serde_json::json!([]), "{body}");
}

#[tokio::test]
async fn highlights_are_byte_ranges_in_non_ascii_text() {
    let service = service(Limits::default());
    let (_, body) = get_json(
        &service,
        "/api/search?q=%D0%97%D0%B5%D0%BB%D0%B5%D0%BD%D1%81%D1%8C%D0%BA%D0%B8%D0%B9",
    )
    .await;
    let passage = &body["hits"][0]["passages"][0];
    let text = passage["text"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| passage["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "Зеленський");
    // In UTF-16 units (what JavaScript counts) the range would be elsewhere: bytes it is.
    assert_ne!(text.encode_utf16().count(), text.len());
}

#[tokio::test]
async fn a_broken_query_is_400_with_its_column() {
    let service = service(Limits::default());
    let (status, body) = get_json(&service, "/api/search?q=kursk+%C2%BB").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["column"], 7, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("column 7"),
        "{body}"
    );
    let (status, body) = get_json(&service, "/api/facets?q=%22open").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["column"], 1);
}

#[tokio::test]
async fn parameters_are_checked_and_named() {
    let service = service(Limits::default());
    for (uri, needle) in [
        (
            "/api/search?q=kursk&limit=101",
            "`limit` must be between 1 and 100",
        ),
        (
            "/api/search?q=kursk&limit=ten",
            "`limit` must be a whole number",
        ),
        ("/api/search?q=kursk&limt=5", "unknown parameter `limt`"),
        ("/api/search?q=", "the query `q` is empty"),
        ("/api/search?q=kursk&since=yesterday", "`since`"),
        (
            "/api/search?q=kursk&collapse=maybe",
            "`collapse` must be true or false",
        ),
        (
            "/api/search?q=kursk&format=xml",
            "`format` must be json or csv",
        ),
        (
            "/api/timeline?q=kursk&by=week",
            "`by` must be month or year",
        ),
        (
            "/api/search?q=kursk&offset=9995",
            "results can be paged up to",
        ),
    ] {
        let (status, body) = get_json(&service, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        let message = body["error"].as_str().unwrap();
        assert!(message.contains(needle), "{uri}: {message}");
    }
}

#[tokio::test]
async fn filters_work_as_on_the_command_line() {
    let service = service(Limits::default());
    let (_, all) = get_json(&service, "/api/search?q=Council").await;
    assert_eq!(all["total"], 3);
    let (_, since) = get_json(&service, "/api/search?q=Council&since=2025").await;
    assert_eq!(since["total"], 1);
    assert_eq!(since["hits"][0]["article"]["id"], "arabic");
    let (_, source) = get_json(&service, "/api/search?q=Council&source=Communique+desk").await;
    assert_eq!(source["total"], 1);
    let (_, country) = get_json(&service, "/api/search?q=Council&country=PRK").await;
    assert_eq!(country["total"], 1);
    assert_eq!(country["hits"][0]["article"]["id"], "dprk/kursk.txt");
}

#[tokio::test]
async fn facets_give_names_and_timeline_gives_months() {
    let service = service(Limits::default());
    let (status, facets) = get_json(&service, "/api/facets?q=troops").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(facets["articles"], 1);
    assert!(
        facets["countries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c[0] == "PRK")
    );
    assert_eq!(facets["names"]["PRK"], "North Korea");
    let (status, months) = get_json(&service, "/api/timeline?q=Council").await;
    assert_eq!(status, StatusCode::OK);
    let months = months.as_array().unwrap();
    assert_eq!(months.first().unwrap()["period"], "2024-12");
    assert_eq!(months.last().unwrap()["period"], "2025-01");
    let (_, years) = get_json(&service, "/api/timeline?q=Council&by=year").await;
    assert_eq!(years.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_article_is_whole_with_passages_and_highlights() {
    let service = service(Limits::default());
    let (status, view) = get_json(
        &service,
        "/api/articles/dprk%2Fkursk.txt?q=%22Security+Council%22",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["article"]["id"], "dprk/kursk.txt");
    let text = view["text"].as_str().unwrap();
    assert!(text.starts_with("Ten countries"));
    // The passages cover the text end to end (short paragraphs share a passage).
    let passages: Vec<(u64, u64)> = view["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_u64().unwrap(), p[1].as_u64().unwrap()))
        .collect();
    assert_eq!(passages.first().unwrap().0, 0);
    assert_eq!(passages.last().unwrap().1, text.len() as u64);
    assert!(
        passages.windows(2).all(|w| w[0].1 == w[1].0),
        "{passages:?}"
    );
    let h = &view["highlights"][0];
    let (s, e) = (
        h[0].as_u64().unwrap() as usize,
        h[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], "Security Council");
    // Without a query, no highlights.
    let (_, plain) = get_json(&service, "/api/articles/arabic").await;
    assert_eq!(plain["highlights"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn unknown_articles_and_paths_are_404_and_nothing_is_read_from_disk() {
    let service = service(Limits::default());
    for uri in [
        "/api/articles/nowhere",
        "/api/articles/..%2F..%2F..%2Fetc%2Fpasswd",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/page/app.js",
        "/api/articles/",
    ] {
        let (status, _, body) = get(&service, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        assert!(!body.contains("root:"), "{uri}: {body}");
    }
}

#[tokio::test]
async fn the_page_forbids_inline_script_and_carries_none() {
    let service = service(Limits::default());
    let (status, headers, html) = get(&service, "/").await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("http"), "nothing from another host: {csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    // No inline script or style, no inline handler, nothing from another host.
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<style"));
    assert!(!html.contains(" onclick") && !html.contains(" onload"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    let (_, headers, js) = get(&service, "/app.js").await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    // Text from the index goes in as text only.
    assert!(!js.contains("innerHTML") && !js.contains("insertAdjacentHTML"));
    assert!(!js.contains("document.write"));
}

#[tokio::test]
async fn csv_has_a_header_and_a_row_per_hit() {
    let service = service(Limits::default());
    let (status, headers, body) = get(&service, "/api/search?q=Council&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        crate::cli::output::CSV_HEADER
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    // The hostile title comes through as data, quoted where CSV needs it.
    assert!(
        rows.iter()
            .any(|r| &r[3] == "<script>alert('title')</script>")
    );
}

#[tokio::test]
async fn beyond_the_cap_on_concurrent_searches_the_answer_is_503() {
    let service = service(Limits {
        max_searches: 0,
        ..Limits::default()
    });
    let (status, body) = get_json(&service, "/api/search?q=Council").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("too many searches"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_beyond_the_threads_wait_their_turn_instead_of_failing() {
    let service = service(Limits {
        max_searches: 16,
        workers: 1,
        ..Limits::default()
    });
    let requests: Vec<_> = (0..16)
        .map(|i| {
            let service = service.clone();
            let uri = if i % 2 == 0 {
                "/api/search?q=%22Security+Council%22"
            } else {
                "/api/search?q=Council&limit=1"
            };
            tokio::spawn(async move { get_json(&service, uri).await })
        })
        .collect();
    for request in requests {
        let (status, body) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 3, "{body}");
    }
    // Every turn and admission given back.
    assert_eq!(service.workers.available_permits(), 1);
    assert_eq!(service.searches.available_permits(), 16);
}

#[tokio::test]
async fn the_time_budget_counts_the_wait_for_a_thread() {
    let service = service(Limits {
        workers: 1,
        search_timeout: std::time::Duration::from_millis(200),
        ..Limits::default()
    });
    // The only search thread is taken: the request waits, and its budget runs out.
    let turn = service.workers.clone().acquire_owned().await.unwrap();
    let started = std::time::Instant::now();
    let (status, body) = get_json(&service, "/api/search?q=Council").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("budget of 200 ms"),
        "{body}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // The request that gave up holds nothing; once the thread is free, searches run.
    assert_eq!(
        service.searches.available_permits(),
        service.limits.max_searches
    );
    drop(turn);
    let (status, body) = get_json(&service, "/api/search?q=Council").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 3);
}

#[tokio::test]
async fn an_index_that_cannot_answer_is_503_with_the_reason() {
    let service = service(Limits::default());
    service.set_index(Availability::Unavailable(
        "index /srv/index is being rebuilt".into(),
    ));
    let (status, body) = get_json(&service, "/api/search?q=Council").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["reason"].as_str().unwrap().contains("being rebuilt"));
    let (status, health) = get_json(&service, "/api/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health["status"], "unavailable");
    assert!(health["remedy"].as_str().unwrap().contains("--rebuild"));
}

#[tokio::test]
async fn health_reports_the_last_verification_and_damage_turns_it_503() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let index = Index::create(&path).unwrap();
    let mut writer = index.writer().unwrap();
    for article in articles() {
        writer.add(&article).unwrap();
    }
    writer.commit().unwrap();
    let service = Service::new(Arc::new(index), Limits::default());
    service.verify();
    let (status, health) = get_json(&service, "/api/health").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["verification"]["ok"], true);
    assert_eq!(health["articles"], 3);

    // Damage one byte in the middle of the largest segment file: searches would not notice.
    let victim = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "json" && e != "lock"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&victim, bytes).unwrap();
    service.verify();
    let (status, health) = get_json(&service, "/api/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
    assert_eq!(health["status"], "damaged");
    let name = victim.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        health["reason"].as_str().unwrap().contains(&name),
        "{health}"
    );
    assert!(
        health["remedy"]
            .as_str()
            .unwrap()
            .contains("communique index --rebuild")
    );
}

#[tokio::test]
async fn a_repeated_request_is_answered_from_the_cache_until_the_index_changes() {
    let service = service(Limits::default());
    let uri = "/api/search?q=Kursk+OR+grain";
    let (status, headers, first) = get(&service, uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-cache"], "miss");
    let (_, headers, second) = get(&service, uri).await;
    assert_eq!(headers["x-cache"], "hit");
    assert_eq!(second, first);
    // Cached answers carry the same policy headers as computed ones.
    assert!(headers.contains_key("content-security-policy"));
    assert_eq!(headers["content-type"], "application/json");

    // A commit: requests see the published view until the service publishes the new one.
    let index = service.live().unwrap();
    let mut writer = index.writer().unwrap();
    writer
        .add(&Article::new(
            "grain",
            "The grain corridor reopened on Monday.",
        ))
        .unwrap();
    writer.commit().unwrap();
    let (_, headers, unchanged) = get(&service, uri).await;
    assert_eq!(headers["x-cache"], "hit");
    assert_eq!(unchanged, first);
    // Publishing computes on the new view the answers asked of the old one: the request finds
    // its answer ready, and it has the new article.
    super::refresh(&service, &router(service.clone())).await;
    let (_, headers, third) = get(&service, uri).await;
    assert_eq!(headers["x-cache"], "hit");
    let value: Value = serde_json::from_str(&third).unwrap();
    assert_eq!(value["total"], 2, "{third}");
    let (_, health) = get_json(&service, "/api/health").await;
    assert_eq!(health["cache"]["warmed"], 1, "{health}");
    // Nothing new: publishing again computes nothing.
    super::refresh(&service, &router(service.clone())).await;
    let (_, health) = get_json(&service, "/api/health").await;
    assert_eq!(health["cache"]["warmed"], 1, "{health}");

    // Errors are never kept; facets and timelines are.
    let (status, headers, _) = get(&service, "/api/search?q=%22unclosed").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!headers.contains_key("x-cache"));
    for uri in ["/api/facets?q=Kursk", "/api/timeline?q=Kursk"] {
        get(&service, uri).await;
        let (_, headers, _) = get(&service, uri).await;
        assert_eq!(headers["x-cache"], "hit", "{uri}");
    }
    let (_, health) = get_json(&service, "/api/health").await;
    assert_eq!(health["cache"]["hits"], 5, "{health}");
}

#[tokio::test]
async fn identical_requests_at_once_share_one_computation_and_cache_0_keeps_nothing() {
    let service = service(Limits::default());
    let uri = "/api/search?q=%22Security+Council%22";
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let service = service.clone();
            tokio::spawn(async move { get(&service, uri).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    assert!(
        answers
            .iter()
            .all(|(status, _, body)| *status == StatusCode::OK && *body == answers[0].2)
    );
    let (_, health) = get_json(&service, "/api/health").await;
    assert_eq!(health["cache"]["misses"], 1, "{health}");
    assert_eq!(health["cache"]["hits"], 7, "{health}");

    // `--cache 0`: every answer computed.
    let service = super::tests::service(Limits {
        cache_entries: 0,
        ..Limits::default()
    });
    get(&service, uri).await;
    let (_, headers, _) = get(&service, uri).await;
    assert!(!headers.contains_key("x-cache"));
}
