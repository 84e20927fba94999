//! The JSON API (`/api/…`) and the routes of the page, with the same shapes as `--json`.
//!
//! Every query parameter is checked: an unknown name, a number out of range or a broken query
//! is a 400 that names the parameter (and the column, for a query). Searches run on blocking
//! threads, one per core at a time with the others queued, at most
//! [`Limits::max_searches`](super::Limits) admitted at once and each within its time budget;
//! beyond either, 503.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use communique::search::{MAX_PASSAGES, Period};
use communique::{Error, Index, Query, SearchOptions};
use serde_json::{Value, json};

use super::{Service, assets, follows};

/// The routes: the page and its assets, and the API.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/", get(assets::index_html))
        .route("/app.js", get(assets::app_js))
        .route("/style.css", get(assets::style_css))
        .route("/favicon.svg", get(assets::favicon))
        .merge(
            Router::new()
                .route("/api/search", get(search))
                .route("/api/facets", get(facets))
                .route("/api/timeline", get(timeline))
                .route_layer(axum::middleware::from_fn_with_state(
                    service.clone(),
                    cached,
                )),
        )
        .route("/api/stats", get(stats))
        .route("/api/articles/{id}", get(article))
        .route("/api/health", get(health))
        .route("/api/follows", get(follows::list))
        .route("/api/follows/{name}", get(follows::news))
        .route("/api/follows/{name}/read", post(follows::mark_read))
        .route("/feeds/{file}", get(follows::feed))
        .fallback(not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(service)
}

/// The view of the index a read request is answered from: the published one, or the next one
/// for the answers [`super::refresh`] prepares before publishing it.
#[derive(Clone)]
pub(super) struct View(pub Arc<Index>);

/// Answers a read request from the cache when the same request was answered on the same view
/// of the index; otherwise computes it on that view and keeps a successful answer.
async fn cached(
    State(service): State<Arc<Service>>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let view = match request.extensions().get::<View>() {
        Some(view) => view.0.clone(),
        None => match service.index() {
            Ok(view) => view,
            Err(reason) => return ApiError::unavailable(&reason).into_response(),
        },
    };
    // The answer is computed on this view and kept under its generation.
    let generation = view.generation();
    request.extensions_mut().insert(View(view));
    if !service.cache.enabled() {
        return next.run(request).await;
    }
    let uri = request.uri().to_string();
    service
        .cache
        .answer(generation, &uri, next.run(request))
        .await
}

/// The page may run its own script and style only: nothing inline, nothing from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page".to_string())
}

/// An error answer: a status and a JSON body `{"error": …}` (plus `column`, `position` and
/// `query` for a query error, `remedy` when the index cannot answer).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: String) -> ApiError {
        ApiError {
            status,
            body: json!({ "error": message }),
        }
    }

    pub(super) fn bad_request(message: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn unavailable(reason: &str) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({
                "error": format!("the index cannot answer now: {reason}"),
                "reason": reason,
                "remedy": "wait for the index to be built or rebuilt, or run `communique index --rebuild`",
            }),
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        match &error {
            Error::Query(q) => ApiError {
                status: StatusCode::BAD_REQUEST,
                body: json!({
                    "error": error.to_string(),
                    "message": q.message,
                    "column": q.column(),
                    "position": q.position,
                    "query": q.query,
                }),
            },
            Error::InvalidArgument(_) => ApiError::bad_request(error.to_string()),
            Error::UnknownArticle { .. } => ApiError::new(StatusCode::NOT_FOUND, error.to_string()),
            Error::IndexMissing { .. }
            | Error::IncompatibleIndex { .. }
            | Error::Corrupt { .. } => ApiError::unavailable(&error.to_string()),
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The query string, decoded, with the names each endpoint accepts.
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(raw: Option<String>, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        if let Some((name, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(ApiError::bad_request(format!(
                "unknown parameter `{name}` (this endpoint takes: {})",
                allowed.join(", ")
            )));
        }
        Ok(Params(pairs))
    }

    /// The last value of a parameter, if given and not empty.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn number(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        let n: usize = text.trim().parse().map_err(|_| {
            ApiError::bad_request(format!("`{name}` must be a whole number, not `{text}`"))
        })?;
        if n < min || n > max {
            return Err(ApiError::bad_request(format!(
                "`{name}` must be between {min} and {max}, not {n}"
            )));
        }
        Ok(n)
    }

    pub(super) fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name).map(str::trim) {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(ApiError::bad_request(format!(
                "`{name}` must be true or false, not `{other}`"
            ))),
        }
    }

    /// The query (`q`), parsed; a broken one is a 400 with its column.
    fn query(&self) -> Result<Query, ApiError> {
        let text = self
            .get("q")
            .ok_or_else(|| ApiError::bad_request("the query `q` is empty".to_string()))?;
        Ok(text.parse::<Query>().map_err(Error::from)?)
    }

    /// The filters shared by search, facets and timeline, as `communique search` reads them.
    fn filters(&self) -> Result<SearchOptions, ApiError> {
        let mut options = SearchOptions::new().aliases(self.flag("aliases", true)?);
        if let Some(since) = self.get("since") {
            let t = communique::corpus::parse_date(since)
                .map_err(|m| ApiError::bad_request(format!("`since`: {m}")))?;
            options = options.since(t);
        }
        if let Some(until) = self.get("until") {
            let t = crate::cli::search::end_of(until)
                .map_err(|m| ApiError::bad_request(format!("`until`: {m}")))?;
            options = options.until(t);
        }
        if let Some(source) = self.get("source") {
            options = options.source(source.to_string());
        }
        for code in self.all("country") {
            options = options.country(code);
        }
        for id in self.all("org") {
            options = options.org(id);
        }
        for id in self.all("signatory") {
            options = options.signatory(id);
        }
        Ok(options.quotes(self.flag("quotes", false)?))
    }
}

const FILTERS: [&str; 9] = [
    "q",
    "since",
    "until",
    "source",
    "country",
    "org",
    "signatory",
    "aliases",
    "quotes",
];

/// Runs `work` on a blocking thread, within the concurrency cap and the time budget.
///
/// At most [`Limits::max_searches`](super::Limits) requests are admitted at once (beyond, 503);
/// of those, at most [`Limits::workers`](super::Limits) (the cores) run, and the others wait
/// their turn in order: on a few cores, dozens of searches at once would only take turns
/// slowly and make every one late. The time budget counts the wait.
pub(super) async fn blocking<T: Send + 'static>(
    service: &Arc<Service>,
    work: impl FnOnce(&Index) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let index = service
        .index()
        .map_err(|reason| ApiError::unavailable(&reason))?;
    blocking_on(service, index, work).await
}

/// [`blocking`] on a given view of the index.
async fn blocking_on<T: Send + 'static>(
    service: &Arc<Service>,
    index: Arc<Index>,
    work: impl FnOnce(&Index) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let admitted = service.searches.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "too many searches at once (the limit is {}): try again in a moment",
                service.limits.max_searches
            ),
        )
    })?;
    let workers = service.workers.clone();
    let run = async move {
        // Dropping this future while it waits (the budget is spent) gives the turn back.
        let turn = workers
            .acquire_owned()
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        // The permits go with the work: a search past its budget still counts until it ends.
        let task = tokio::task::spawn_blocking(move || {
            let result = work(&index);
            drop((turn, admitted));
            result
        });
        task.await.map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the search failed: {e}"),
            )
        })
    };
    let budget = service.limits.search_timeout;
    match tokio::time::timeout(budget, run).await {
        Ok(Ok(result)) => Ok(result?),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the search took longer than its budget of {} ms: narrow the query",
                budget.as_millis()
            ),
        )),
    }
}

/// `GET /api/search`: `{"query", "total", "offset", "limit", "corrections", "hits": [hit as
/// in --json]}` (`corrections`: what was searched otherwise than typed, as in a hit),
/// or CSV with `format=csv`. With `like=ID` instead of `q`: the articles most like that one
/// (`query` is then the words searched; an unknown id is a 404).
async fn search(
    State(service): State<Arc<Service>>,
    Extension(View(view)): Extension<View>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut allowed = FILTERS.to_vec();
    allowed.extend(["limit", "offset", "passages", "collapse", "format", "like"]);
    let params = Params::parse(raw, &allowed)?;
    // `like=ID`: the articles most like that one, instead of a query.
    let ask = match params.get("like") {
        Some(_) if params.get("q").is_some() => {
            return Err(ApiError::bad_request(
                "give either a query `q` or an article `like`, not both".to_string(),
            ));
        }
        Some(id) => Err(id.to_string()),
        None => Ok(params.query()?),
    };
    let limit = params.number("limit", 10, 1, service.limits.max_limit)?;
    let offset = params.number("offset", 0, 0, communique::search::MAX_RESULTS - 1)?;
    let passages = params.number("passages", 1, 1, MAX_PASSAGES.min(10))?;
    let csv = match params.get("format") {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "`format` must be json or csv, not `{other}`"
            )));
        }
    };
    let options = params
        .filters()?
        .limit(limit)
        .offset(offset)
        .passages(passages)
        .collapse(params.flag("collapse", true)?);
    // One view of the index, one compilation, and the matches counted in one pass.
    // What was searched otherwise than typed (respelled words, phrases in other word forms),
    // said even when nothing matched, as the command line does.
    let (text, communique::search::Results { hits, total }, corrections) =
        blocking_on(&service, view, move |index| match ask {
            Ok(query) => {
                let results = index.search_with_total(&query, &options)?;
                let corrections = match results.hits.first() {
                    Some(hit) => hit.corrections.clone(),
                    None => index.corrections(&query, &options)?,
                };
                Ok((query.as_str().to_string(), results, corrections))
            }
            Err(id) => Ok((
                index.like_query(&id)?.as_str().to_string(),
                index.similar(&id, &options)?,
                Vec::new(),
            )),
        })
        .await?;
    if csv {
        let mut body = Vec::new();
        crate::cli::output::write_hits_csv(&mut body, &hits)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("CSV: {e}")))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"communique-search.csv\"",
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(axum::Json(json!({
        "query": text,
        "total": total,
        "offset": offset,
        "limit": limit,
        "corrections": corrections,
        "hits": hits,
    }))
    .into_response())
}

/// `GET /api/facets`: the `--json` of `communique facets`, plus `names`: the name of each
/// country and organisation code that appears.
async fn facets(
    State(service): State<Arc<Service>>,
    Extension(View(view)): Extension<View>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut allowed = FILTERS.to_vec();
    allowed.push("top");
    let params = Params::parse(raw, &allowed)?;
    let query = params.query()?;
    let top = params.number("top", 10, 1, 1000)?;
    let options = params.filters()?;
    let mut facets =
        blocking_on(&service, view, move |index| index.facets(&query, &options)).await?;
    for list in [
        &mut facets.countries,
        &mut facets.orgs,
        &mut facets.signatories,
        &mut facets.sources,
    ] {
        list.truncate(top);
    }
    let mut value = serde_json::to_value(&facets)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let aliases = communique::domain::Aliases::builtin();
    let mut names = serde_json::Map::new();
    for (code, _) in facets
        .countries
        .iter()
        .chain(&facets.orgs)
        .chain(&facets.signatories)
    {
        if let Some(name) = aliases.group(code).and_then(|g| g.names.first()) {
            names.insert(code.clone(), Value::String(name.clone()));
        }
    }
    value["names"] = Value::Object(names);
    Ok(axum::Json(value).into_response())
}

/// `GET /api/timeline`: `[{"period", "passages"}]` as `communique timeline --json`
/// (`by=month`, the default, or `by=year`).
async fn timeline(
    State(service): State<Arc<Service>>,
    Extension(View(view)): Extension<View>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut allowed = FILTERS.to_vec();
    allowed.push("by");
    let params = Params::parse(raw, &allowed)?;
    let query = params.query()?;
    let period = match params.get("by") {
        None | Some("month") => Period::Month,
        Some("year") => Period::Year,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "`by` must be month or year, not `{other}`"
            )));
        }
    };
    let options = params.filters()?;
    let counts = blocking_on(&service, view, move |index| {
        index.timeline(&query, &options, period)
    })
    .await?;
    let periods: Vec<Value> = counts
        .iter()
        .map(|(period, count)| json!({ "period": period, "passages": count }))
        .collect();
    Ok(axum::Json(periods).into_response())
}

/// `GET /api/stats`: the `--json` of `communique stats`.
async fn stats(
    State(service): State<Arc<Service>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(raw, &[])?;
    let stats = blocking(&service, |index| index.stats()).await?;
    Ok(axum::Json(stats).into_response())
}

/// `GET /api/articles/{id}` (the id percent-encoded as one segment): the whole article, its
/// passages' byte ranges, and the highlights of `q` when given.
async fn article(
    State(service): State<Arc<Service>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw, &["q", "aliases", "quotes"])?;
    let query = match params.get("q") {
        Some(_) => Some(params.query()?),
        None => None,
    };
    let options = SearchOptions::new()
        .aliases(params.flag("aliases", true)?)
        .quotes(params.flag("quotes", false)?);
    let wanted = id.clone();
    let view = blocking(&service, move |index| {
        index.article(&wanted, query.as_ref(), &options)
    })
    .await?;
    match view {
        Some(view) => Ok(axum::Json(view).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no article `{id}` in the index"),
        )),
    }
}

/// `GET /api/health`: 200 when the index answers and its last verification found no damage;
/// 503 otherwise, with the reason and the remedy.
async fn health(State(service): State<Arc<Service>>, RawQuery(raw): RawQuery) -> Response {
    if let Err(e) = Params::parse(raw, &[]) {
        return e.into_response();
    }
    let health = service.health();
    let index = service.index();
    let articles = match &index {
        Ok(index) => {
            let index = index.clone();
            tokio::task::spawn_blocking(move || index.stats().map(|s| s.articles).ok())
                .await
                .ok()
                .flatten()
        }
        Err(_) => None,
    };
    let damaged = health.verification.as_ref().is_some_and(|v| !v.ok);
    let (status, state, reason, remedy) = match (&index, damaged) {
        (Err(reason), _) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            Some(reason.clone()),
            Some("wait for the index to be built or rebuilt, or run `communique index --rebuild`"),
        ),
        (Ok(_), true) => {
            let v = health
                .verification
                .as_ref()
                .expect("damaged implies a verification");
            let mut what: Vec<String> = v
                .damaged_files
                .iter()
                .map(|f| format!("{} does not match its checksum", f.display()))
                .collect();
            what.extend(v.problems.iter().cloned());
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "damaged",
                Some(format!("the index is damaged: {}", what.join("; "))),
                Some(
                    "run `communique index --rebuild` (searches may miss or misreport articles until then)",
                ),
            )
        }
        (Ok(_), false) => (StatusCode::OK, "ok", None, None),
    };
    let body = json!({
        "status": state,
        "index": service.index_path,
        "articles": articles,
        "reason": reason,
        "remedy": remedy,
        "watching": health.watching,
        "last_batch": health.last_batch,
        "verification": health.verification,
        "cache": service.cache.stats(),
    });
    (status, axum::Json(body)).into_response()
}
