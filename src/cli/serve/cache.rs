//! Answers to repeated read requests (search, facets, timeline), kept until the index changes.
//!
//! A shared server answers the same few questions many times over (every reader of a link, the
//! page asking for hits, facets and timeline of one query). An answer is kept under the request's
//! URI and the generation of the index view it was computed on ([`communique::Index::generation`]
//! changes whenever the server picks up a commit), so an entry is never served once a batch of new
//! articles is searchable: after each commit every request computes its answer afresh. Only
//! successful answers are kept, the least recently used go first, and the total size is bounded.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// The cache of answers; disabled when made with no room.
pub struct Cache {
    entries: Option<Mutex<Entries>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What `/api/health` reports about the cache.
#[derive(Clone, Debug, Serialize)]
pub struct CacheStats {
    /// Answers kept now.
    pub entries: usize,
    /// Requests answered from the cache since the start.
    pub hits: u64,
    /// Requests computed (and kept when they succeeded) since the start.
    pub misses: u64,
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
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
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
    pub fn get(&self, generation: u64, uri: &str) -> Option<Response> {
        let mut entries = self.lock()?;
        let key = (generation, uri.to_string());
        let Some(entry) = entries.lru.get(&key) else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        self.hits.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::new(Body::from(entry.body.clone()));
        *response.headers_mut() = entry.headers.clone();
        response
            .headers_mut()
            .insert(HEADER, HeaderValue::from_static("hit"));
        Some(response)
    }

    /// Keeps a successful answer (if small enough) and gives it back as a response.
    pub fn put(
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

    /// Entries, hits and misses.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.lock().map_or(0, |e| e.lru.len()),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}
