//! Saved searches over HTTP: an Atom 1.0 feed of each (`/feeds/NAME.atom`) and the JSON API of
//! the page (`GET /api/follows`, `GET /api/follows/NAME`, `POST /api/follows/NAME/read`).
//!
//! A feed lists the newest matches of a saved search, read or not: a feed reader keeps its own
//! read state. The page shows the unread counts and marks as read what it has shown. The
//! matches themselves are recorded by the catch-up after each commit (`index`, `watch`, the
//! service's own watcher); nothing here evaluates a saved search.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use communique::follow::{Follows, NewMatch, SavedSearch, Summary};
use communique::{Error, Hit, Index};
use serde_json::{Value, json};

use super::Service;
use super::api::{ApiError, Params, blocking};

/// Entries of a feed unless `limit` says otherwise.
const FEED_ENTRIES: usize = 50;
/// Characters of the best passage an entry shows around its highlights.
const SUMMARY_CHARS: usize = 600;

/// The saved searches of the index, or `None` for an index in memory (it has none).
fn store(index: &Index) -> Option<Follows> {
    Follows::of(index).ok()
}

fn unknown(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no saved search named `{name}` (`GET /api/follows` or `communique follow list` \
             lists them; `communique follow add {name} QUERY` saves one)"
        ),
    )
}

/// The matches of a saved search, newest first: unread only unless `all`.
fn newest(follows: &Follows, name: &str, all: bool) -> Result<Vec<NewMatch>, Error> {
    let mut news = follows.news(Some(name), all)?;
    news.sort_by(|a, b| b.seq.cmp(&a.seq).then_with(|| a.id.cmp(&b.id)));
    Ok(news)
}

/// `GET /feeds/NAME.atom`: the newest matches of a saved search as an Atom 1.0 feed (`limit`
/// entries, 50 by default), each with its article's title, a link to the article on the page,
/// the best passage with the matched words marked, and the time of the commit that brought it.
pub async fn feed(
    State(service): State<Arc<Service>>,
    Path(file): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw, &["limit"])?;
    let limit = params.number("limit", FEED_ENTRIES, 1, service.limits.max_limit)?;
    let Some(name) = file.strip_suffix(".atom") else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no feed `/feeds/{file}`: the feed of a saved search is `/feeds/NAME.atom` \
                 (`GET /api/follows` lists them)"
            ),
        ));
    };
    let name = name.to_string();
    let wanted = name.clone();
    let found = blocking(&service, move |index| {
        let Some(follows) = store(index) else {
            return Ok(None);
        };
        let Some(search) = follows.get(&wanted)? else {
            return Ok(None);
        };
        let mut news = newest(&follows, &wanted, true)?;
        news.truncate(limit);
        let hits = follows.hits(index, &search, &news, limit)?;
        Ok(Some((search, news, hits)))
    })
    .await?;
    let Some((search, news, hits)) = found else {
        return Err(unknown(&name));
    };
    let body = atom(&base_url(&headers), &search, &news, &hits);
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response())
}

/// `GET /api/follows`: every saved search with its counts, its feed and the page's search for
/// it: `[{"name", "query", "filters", "created", "since_seq", "unread", "reported", "feed",
/// "search"}]`.
pub async fn list(
    State(service): State<Arc<Service>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(raw, &[])?;
    let list = blocking(&service, |index| match store(index) {
        Some(follows) => follows.list(),
        None => Ok(Vec::new()),
    })
    .await?;
    let items: Vec<Value> = list.iter().map(summary_json).collect();
    Ok(axum::Json(items).into_response())
}

/// `GET /api/follows/NAME`: the unread matches of a saved search (every reported one with
/// `all=true`), newest first: `{"follow": {as in the list}, "total", "hits": [hit as in
/// /api/search, with "seq", "read", "committed"]}`. Reading them does not mark them read.
pub async fn news(
    State(service): State<Arc<Service>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw, &["all", "limit"])?;
    let all = params.flag("all", false)?;
    let limit = params.number("limit", 20, 1, service.limits.max_limit)?;
    let wanted = name.clone();
    let found = blocking(&service, move |index| {
        let Some(follows) = store(index) else {
            return Ok(None);
        };
        let Some(summary) = follows
            .list()?
            .into_iter()
            .find(|s| s.search.name == wanted)
        else {
            return Ok(None);
        };
        let mut news = newest(&follows, &wanted, all)?;
        let total = news.len();
        news.truncate(limit);
        let hits = follows.hits(index, &summary.search, &news, limit)?;
        Ok(Some((summary, total, news, hits)))
    })
    .await?;
    let Some((summary, total, news, hits)) = found else {
        return Err(unknown(&name));
    };
    let mut out = Vec::with_capacity(hits.len());
    for m in &news {
        let Some(hit) = hits.iter().find(|h| h.article.id == m.id) else {
            continue; // removed from the index since
        };
        let mut value = serde_json::to_value(hit)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        if let Some(object) = value.as_object_mut() {
            object.insert("seq".into(), m.seq.into());
            object.insert("read".into(), m.read.into());
            object.insert("committed".into(), json!(m.committed));
        }
        out.push(value);
    }
    Ok(axum::Json(json!({
        "follow": summary_json(&summary),
        "total": total,
        "hits": out,
    }))
    .into_response())
}

/// `POST /api/follows/NAME/read`: marks the unread matches of a saved search as read, those of
/// commits up to `through` only when given (what the page has shown): `{"marked", "unread"}`.
/// Refused (403) from another site's page.
pub async fn mark_read(
    State(service): State<Arc<Service>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    let params = Params::parse(raw, &["through"])?;
    let through = params.number("through", usize::MAX, 0, usize::MAX)? as u64;
    let wanted = name.clone();
    let done = blocking(&service, move |index| {
        let Some(follows) = store(index) else {
            return Ok(None);
        };
        if follows.get(&wanted)?.is_none() {
            return Ok(None);
        }
        let news: Vec<NewMatch> = follows
            .news(Some(&wanted), false)?
            .into_iter()
            .filter(|m| m.seq <= through)
            .collect();
        follows.mark_read(&news)?;
        let unread = follows
            .list()?
            .into_iter()
            .find(|s| s.search.name == wanted)
            .map_or(0, |s| s.unread);
        Ok(Some((news.len(), unread)))
    })
    .await?;
    let Some((marked, unread)) = done else {
        return Err(unknown(&name));
    };
    Ok(axum::Json(json!({ "marked": marked, "unread": unread })).into_response())
}

/// A state-changing request must come from the page itself, not from another site's page.
fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let forbidden = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "marking news read is only possible from this service's own page".to_string(),
        )
    };
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return Err(forbidden());
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin = origin.to_str().unwrap_or("");
        let host_of_origin = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        if host.is_empty() || host_of_origin != Some(host) {
            return Err(forbidden());
        }
    }
    Ok(())
}

fn summary_json(summary: &Summary) -> Value {
    let mut value = serde_json::to_value(summary).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "feed".into(),
            format!("/feeds/{}.atom", summary.search.name).into(),
        );
        object.insert("search".into(), search_url(&summary.search).into());
    }
    value
}

/// The page's address of a saved search's query and filters (those the page has).
fn search_url(search: &SavedSearch) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    url.append_pair("q", &search.query);
    for entity in &search.filters.entities {
        if let Some((kind, value)) = entity.split_once(':') {
            url.append_pair(kind, value);
        }
    }
    if let Some(source) = &search.filters.source {
        url.append_pair("source", source);
    }
    for (key, seconds) in [
        ("since", search.filters.since),
        ("until", search.filters.until),
    ] {
        if let Some(day) = seconds.and_then(day_of) {
            url.append_pair(key, &day);
        }
    }
    format!("/?{}", url.finish())
}

fn day_of(seconds: i64) -> Option<String> {
    let t = jiff::Timestamp::from_second(seconds).ok()?;
    Some(t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
}

/// `http://HOST` from the request, for the absolute links a feed needs.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// A time as RFC 3339 in whole seconds (UTC), as Atom wants it.
fn rfc3339(t: jiff::Timestamp) -> String {
    t.round(jiff::Unit::Second).unwrap_or(t).to_string()
}

/// When a match was committed, if known.
fn committed(m: &NewMatch) -> Option<jiff::Timestamp> {
    m.committed
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
}

/// The Atom 1.0 document of a saved search: one entry per match, newest first.
fn atom(base: &str, search: &SavedSearch, news: &[NewMatch], hits: &[Hit]) -> String {
    let created = search
        .created
        .parse::<jiff::Timestamp>()
        .unwrap_or_else(|_| jiff::Timestamp::now());
    let updated = news.iter().filter_map(committed).max().unwrap_or(created);
    let feed_url = format!("{base}/feeds/{}.atom", search.name);
    let page_url = format!("{base}{}", search_url(search));
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    push_element(&mut out, "id", &feed_url);
    push_element(
        &mut out,
        "title",
        &format!("communique: {} ({})", search.name, search.query),
    );
    push_element(
        &mut out,
        "subtitle",
        &format!(
            "New statements matching {} since {}",
            search.query,
            rfc3339(created)
        ),
    );
    push_element(&mut out, "updated", &rfc3339(updated));
    out.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&feed_url)
    ));
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&page_url)
    ));
    out.push_str("<author><name>communique</name></author>\n");
    out.push_str("<generator>communique</generator>\n");
    for m in news {
        // An article removed from the index since it was reported has no entry.
        if let Some(hit) = hits.iter().find(|h| h.article.id == m.id) {
            push_entry(&mut out, base, search, m, hit, updated);
        }
    }
    out.push_str("</feed>\n");
    out
}

/// One `<entry>` of the feed: the match `m`, shown by its `hit`; `updated` is the feed's time,
/// for a match whose commit time is unknown.
fn push_entry(
    out: &mut String,
    base: &str,
    search: &SavedSearch,
    m: &NewMatch,
    hit: &Hit,
    updated: jiff::Timestamp,
) {
    out.push_str("<entry>\n");
    let id: String = form_urlencoded::byte_serialize(m.id.as_bytes()).collect();
    push_element(
        out,
        "id",
        &format!("urn:communique:follow:{}:{}:{id}", search.name, m.seq),
    );
    push_element(out, "title", &entry_title(hit));
    let mut link = form_urlencoded::Serializer::new(String::new());
    link.append_pair("q", &search.query);
    link.append_pair("article", &hit.article.id);
    if let Some(passage) = hit.passages.first() {
        link.append_pair("at", &passage.start.to_string());
    }
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&format!("{base}/?{}", link.finish()))
    ));
    push_element(out, "updated", &rfc3339(committed(m).unwrap_or(updated)));
    if let Some(date) = hit
        .article
        .date
        .as_deref()
        .and_then(|d| communique::corpus::parse_date(d).ok())
    {
        push_element(out, "published", &rfc3339(date));
    }
    if let Some(source) = hit
        .article
        .source
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        out.push_str(&format!(
            "<author><name>{}</name></author>\n",
            escape(source)
        ));
    }
    out.push_str(&format!(
        "<summary type=\"html\">{}</summary>\n",
        escape(&summary_html(hit))
    ));
    out.push_str("</entry>\n");
}

/// The article's title, or the first words of its best passage (untitled wire copy), or its id.
fn entry_title(hit: &Hit) -> String {
    if let Some(title) = hit
        .article
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        return title.to_string();
    }
    match hit.passages.first() {
        Some(passage) => {
            let words: Vec<&str> = passage.text.split_whitespace().take(12).collect();
            format!("{}…", words.join(" "))
        }
        None => hit.article.id.clone(),
    }
}

/// The best passage as HTML, every part of it escaped, the matched words in `<mark>`.
fn summary_html(hit: &Hit) -> String {
    let mut html = String::from("<p>");
    if let Some(passage) = hit.passages.first() {
        let excerpt = passage.excerpt(SUMMARY_CHARS);
        if excerpt.cut_before {
            html.push_str("… ");
        }
        let mut at = 0;
        for range in &excerpt.highlights {
            let (Some(before), Some(marked)) = (
                excerpt.text.get(at..range.start),
                excerpt.text.get(range.clone()),
            ) else {
                continue;
            };
            html.push_str(&escape(before));
            html.push_str("<mark>");
            html.push_str(&escape(marked));
            html.push_str("</mark>");
            at = range.end;
        }
        html.push_str(&escape(excerpt.text.get(at..).unwrap_or("")));
        if excerpt.cut_after {
            html.push_str(" …");
        }
    }
    html.push_str("</p>");
    if hit.duplicates > 0 {
        html.push_str(&format!(
            "<p>Also in {} near-duplicate {}.</p>",
            hit.duplicates,
            if hit.duplicates == 1 {
                "copy"
            } else {
                "copies"
            }
        ));
    }
    html
}

fn push_element(out: &mut String, name: &str, text: &str) {
    out.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
}

/// Text as XML character data or attribute value: the five special characters escaped, and
/// the characters XML 1.0 cannot carry (most control characters) left out.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "follows_tests.rs"]
mod tests;
