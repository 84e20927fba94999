//! Answers to repeated read requests (search, facets, timeline), kept until the index changes.
//!
//! A shared server answers the same few questions many times over (every reader of a link, the
//! page asking for hits, facets and timeline of one query). An answer is kept under the request's
//! URI and the generation of the index view it was computed on ([`communique::Index::generation`]
//! changes whenever the server publishes a commit), so an entry is never served once a batch of
//! new articles is searchable. Before a new view is published, the answers most recently used on
//! the old one are computed on it ([`super::refresh`], as Solr autowarms its caches for a new
//! searcher), so that the requests after a commit find them ready instead of all computing them
//! at once. Only successful answers are kept, the least recently used go first, and the total
//! size is bounded. Identical requests that arrive while one of them is being computed wait for
//! that one instead of computing it again.

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use lru::LruCache;
use serde::Serialize;

/// The largest answer kept (a page of 100 hits with passages is well under it).
const MAX_ENTRY_BYTES: usize = 1 << 20;
/// The most bytes of answers kept at once.
const MAX_TOTAL_BYTES: usize = 64 << 20;
/// The header that says whether an answer came from the cache.
pub const HEADER: &str = "x-cache";

/// Which answer: the index view's generation and the request's path and query string.
type Key = (u64, String);

struct Entry {
    headers: HeaderMap,
    body: Bytes,
}

struct Entries {
    lru: LruCache<Key, Entry>,
    bytes: usize,
}

/// An answer as computed once: status, headers and body (or why the body could not be read).
type Computed = Result<(StatusCode, HeaderMap, Bytes), String>;

/// The cache of answers; disabled when made with no room.
pub struct Cache {
    entries: Option<Mutex<Entries>>,
    /// Answers being computed, for identical requests to wait on.
    pending: Mutex<HashMap<Key, Arc<tokio::sync::OnceCell<Computed>>>>,
    hits: AtomicU64,
    misses: AtomicU64,
    warmed: AtomicU64,
}

/// What `/api/health` reports about the cache.
#[derive(Clone, Debug, Serialize)]
pub struct CacheStats {
    /// Answers kept now.
    pub entries: usize,
    /// Requests answered from the cache (or by waiting for an identical request being
    /// computed) since the start.
    pub hits: u64,
    /// Requests computed (and kept when they succeeded) since the start, including those
    /// computed ahead.
    pub misses: u64,
    /// Answers computed on a new view of the index before it was published (the most
    /// recently used answers of the view it replaced), since the start.
    pub warmed: u64,
}

impl Cache {
    /// A cache of at most `entries` answers (none: no cache).
    pub fn new(entries: usize) -> Cache {
        Cache {
            entries: NonZeroUsize::new(entries).map(|n| {
                Mutex::new(Entries {
                    lru: LruCache::new(n),
                    bytes: 0,
                })
            }),
            pending: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            warmed: AtomicU64::new(0),
        }
    }

    /// The answer to `uri` on index view `generation`: kept, being computed for another
    /// identical request (then awaited), or computed by `compute` and kept if it succeeded.
    pub async fn answer(
        &self,
        generation: u64,
        uri: &str,
        compute: impl Future<Output = Response>,
    ) -> Response {
        if let Some(response) = self.get(generation, uri) {
            return response;
        }
        let key = (generation, uri.to_string());
        let cell = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        let mut computed_here = false;
        let computed = cell
            .get_or_init(|| async {
                computed_here = true;
                let (parts, body) = compute.await.into_parts();
                axum::body::to_bytes(body, usize::MAX)
                    .await
                    .map(|bytes| (parts.status, parts.headers, bytes))
                    .map_err(|e| e.to_string())
            })
            .await
            .clone();
        {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            if pending.get(&key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                pending.remove(&key);
            }
        }
        let (status, headers, body) = match computed {
            Ok(computed) => computed,
            Err(e) => {
                let mut response =
                    Response::new(Body::from(format!("the answer could not be read: {e}")));
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                return response;
            }
        };
        if computed_here {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return self.put(generation, uri, status, headers, body);
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        if status == StatusCode::OK {
            response
                .headers_mut()
                .insert(HEADER, HeaderValue::from_static("hit"));
        }
        response
    }

    fn lock(&self) -> Option<std::sync::MutexGuard<'_, Entries>> {
        self.entries
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Whether answers are kept at all.
    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// The kept answer to `uri` on index view `generation`, as a response.
    fn get(&self, generation: u64, uri: &str) -> Option<Response> {
        let mut entries = self.lock()?;
        let key = (generation, uri.to_string());
        let entry = entries.lru.get(&key)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::new(Body::from(entry.body.clone()));
        *response.headers_mut() = entry.headers.clone();
        response
            .headers_mut()
            .insert(HEADER, HeaderValue::from_static("hit"));
        Some(response)
    }

    /// Keeps a successful answer (if small enough) and gives it back as a response.
    fn put(
        &self,
        generation: u64,
        uri: &str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let mut response = Response::new(Body::from(body.clone()));
        *response.status_mut() = status;
        *response.headers_mut() = headers.clone();
        if let Some(mut entries) = self.lock()
            && status == StatusCode::OK
            && body.len() <= MAX_ENTRY_BYTES
        {
            let size = body.len() + uri.len();
            // A replaced or evicted entry gives its room back.
            if let Some(((_, old_uri), old)) = entries
                .lru
                .push((generation, uri.to_string()), Entry { headers, body })
            {
                entries.bytes -= old.body.len() + old_uri.len();
            }
            entries.bytes += size;
            while entries.bytes > MAX_TOTAL_BYTES {
                match entries.lru.pop_lru() {
                    Some(((_, uri), old)) => entries.bytes -= old.body.len() + uri.len(),
                    None => break,
                }
            }
            response
                .headers_mut()
                .insert(HEADER, HeaderValue::from_static("miss"));
        }
        response
    }

    /// Forgets every answer (the index was replaced: its generations start again).
    pub fn clear(&self) {
        if let Some(mut entries) = self.lock() {
            entries.lru.clear();
            entries.bytes = 0;
        }
    }

    /// The URIs of the answers on view `generation`, most recently used first, at most `n`:
    /// the answers worth computing on the next view before it is published.
    pub fn recent(&self, generation: u64, n: usize) -> Vec<String> {
        let Some(entries) = self.lock() else {
            return Vec::new();
        };
        entries
            .lru
            .iter()
            .filter(|((g, _), _)| *g == generation)
            .map(|((_, uri), _)| uri.clone())
            .take(n)
            .collect()
    }

    /// Counts answers computed on a new view before it was published.
    pub fn note_warmed(&self, answers: u64) {
        self.warmed.fetch_add(answers, Ordering::Relaxed);
    }

    /// Entries, hits, misses and answers computed ahead.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.lock().map_or(0, |e| e.lru.len()),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            warmed: self.warmed.load(Ordering::Relaxed),
        }
    }
}
