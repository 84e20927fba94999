//! `communique serve`: the index over HTTP (a JSON API and a search page), kept current by the
//! watcher, with its checksums verified in the background.
//!
//! Searches run on tokio's blocking threads, as many at once as there are cores (the others
//! wait their turn in order); the watcher, the reloader (which picks up the
//! commits of other processes) and the verifier are plain threads. Everything the service
//! knows about the index's state lives in [`Service`].

mod api;
mod assets;
mod cache;
mod follows;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use clap::Args;
use communique::index::{WatchEvent, WatchOptions};
use communique::{Corpus, Index};
use serde::Serialize;

use super::Paths;

pub use api::router;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Only this machine can connect to 127.0.0.1; another address makes
    /// the index readable by anyone who can reach it.
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "IP:PORT")]
    addr: SocketAddr,
    /// Serve the index as it is: do not watch the corpus for new articles.
    #[arg(long)]
    no_watch: bool,
    /// Quiet time, in milliseconds, after the last change before a batch is applied.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    debounce: u64,
    /// Apply a batch at the latest this many milliseconds after its first change.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    max_delay: u64,
    /// Searches admitted at once (running or waiting their turn); beyond, a request gets 503
    /// (try again).
    #[arg(long, default_value_t = 64, value_name = "N")]
    max_searches: usize,
    /// Searches running at once, each on a thread of its own; the others wait their turn.
    /// [default: the number of cores]
    #[arg(long, value_name = "N")]
    search_threads: Option<usize>,
    /// Answers to search, facet and timeline requests kept until the index changes (the
    /// least recently used go first); 0 computes every answer.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    cache: usize,
    /// After each commit, compute this many of the answers most recently asked (at most) on
    /// the new view of the index before answering from it; 0 answers from it at once.
    #[arg(long, default_value_t = 64, value_name = "N")]
    warm: usize,
    /// Time budget of one search, in milliseconds; a slower one answers 503.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    search_timeout: u64,
    /// Verify every index file against its checksum at least this often, in hours (also at
    /// start and after the segments change).
    #[arg(long, default_value_t = 24.0, value_name = "HOURS")]
    verify_every: f64,
    /// Post each batch of saved-search news to this URL as JSON (retried, queued on disk).
    #[arg(long, value_name = "URL", conflicts_with = "no_watch")]
    notify_url: Option<String>,
}

/// Limits on the work one request may cause.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Searches (and facet, timeline, article requests) admitted at once: running, or waiting
    /// for a thread.
    pub max_searches: usize,
    /// Searches running at once (the threads they run on).
    pub workers: usize,
    /// Time budget of one search.
    pub search_timeout: Duration,
    /// The most hits one request may ask for.
    pub max_limit: usize,
    /// Answers to read requests kept until the index changes (0: none).
    pub cache_entries: usize,
    /// Answers computed on a new view of the index before it is published (0: none).
    pub warm_answers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_searches: 64,
            workers: cores(),
            search_timeout: Duration::from_secs(2),
            max_limit: 100,
            cache_entries: 1024,
            warm_answers: 64,
        }
    }
}

/// The state the handlers share.
pub struct Service {
    /// The index folder (for messages), or `(memory)`.
    pub index_path: PathBuf,
    index: RwLock<State>,
    /// Caps the searches admitted (running or waiting).
    pub searches: Arc<tokio::sync::Semaphore>,
    /// Caps the searches running: one turn per thread; the others wait, first come first
    /// served.
    pub workers: Arc<tokio::sync::Semaphore>,
    /// Per-request limits.
    pub limits: Limits,
    /// Answers to repeated read requests, until the index changes.
    pub cache: cache::Cache,
    health: Mutex<Health>,
    /// Set to ask the verifier for a verification now (after the segments change, or to stop).
    verify_request: Mutex<bool>,
    /// Wakes the verifier.
    verify_now: Condvar,
}

/// Whether the index can answer, and if not why.
#[derive(Clone)]
enum Availability {
    Ready(Arc<Index>),
    Unavailable(String),
}

/// The index as the service holds it: the handle that follows every commit (the watcher writes
/// through it, the verifier and the saved searches read it), and the view that requests are
/// answered from, published after each commit once the answers asked most often are computed
/// on it ([`refresh`]).
#[derive(Clone)]
enum State {
    Ready { live: Arc<Index>, view: Arc<Index> },
    Unavailable(String),
}

/// How long a new view may wait for its answers before it is published anyway: a commit stays
/// searchable within its batch's time.
const WARM_BUDGET: Duration = Duration::from_millis(1000);

/// What `/api/health` reports besides the index's availability.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Health {
    /// The last verification of the index's checksums, if one has finished.
    pub verification: Option<Verification>,
    /// Whether new articles are picked up from the corpus.
    pub watching: bool,
    /// The last batch the watcher applied.
    pub last_batch: Option<Batch>,
}

/// One verification of every index file against its checksum.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    /// When it finished (RFC 3339).
    pub at: String,
    /// How long it took, in milliseconds.
    pub took_ms: u128,
    /// Whether every file matched its checksum and the manifest is whole.
    pub ok: bool,
    /// Files that do not match their checksum.
    pub damaged_files: Vec<PathBuf>,
    /// Other problems (missing files, manifest).
    pub problems: Vec<String>,
}

/// One batch of the watcher.
#[derive(Clone, Debug, Serialize)]
pub struct Batch {
    /// When it was committed (RFC 3339).
    pub at: String,
    /// Articles added, updated and removed.
    pub added: usize,
    /// Articles updated.
    pub updated: usize,
    /// Articles removed.
    pub removed: usize,
    /// Files skipped.
    pub skipped: usize,
    /// How long it took, in milliseconds.
    pub took_ms: u128,
}

/// The cores this process may use (1 if unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

impl Service {
    /// A service over an open index.
    pub fn new(index: Arc<Index>, limits: Limits) -> Arc<Service> {
        Arc::new(Service {
            index_path: index
                .path()
                .map_or_else(|| "(memory)".into(), PathBuf::from),
            index: RwLock::new(State::Ready {
                view: Arc::new(index.view()),
                live: index,
            }),
            searches: Arc::new(tokio::sync::Semaphore::new(limits.max_searches)),
            workers: Arc::new(tokio::sync::Semaphore::new(limits.workers.max(1))),
            cache: cache::Cache::new(limits.cache_entries),
            limits,
            health: Mutex::new(Health::default()),
            verify_request: Mutex::new(false),
            verify_now: Condvar::new(),
        })
    }

    /// The view of the index that requests are answered from, or why it cannot answer now.
    pub fn index(&self) -> Result<Arc<Index>, String> {
        match &*self.index.read().unwrap_or_else(|p| p.into_inner()) {
            State::Ready { view, .. } => Ok(view.clone()),
            State::Unavailable(reason) => Err(reason.clone()),
        }
    }

    /// The handle that follows every commit, or why the index cannot be read now.
    fn live(&self) -> Result<Arc<Index>, String> {
        match &*self.index.read().unwrap_or_else(|p| p.into_inner()) {
            State::Ready { live, .. } => Ok(live.clone()),
            State::Unavailable(reason) => Err(reason.clone()),
        }
    }

    /// Serves another index (reopened) or none; requests see its last commit at once.
    fn set_index(&self, availability: Availability) {
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = match availability {
            Availability::Ready(live) => State::Ready {
                view: Arc::new(live.view()),
                live,
            },
            Availability::Unavailable(reason) => State::Unavailable(reason),
        };
        // A new index numbers its views from the start again.
        self.cache.clear();
    }

    /// Answers requests from `view` of `live` from now on, unless the index was replaced
    /// meanwhile.
    fn publish(&self, live: &Arc<Index>, view: Arc<Index>) {
        let mut state = self.index.write().unwrap_or_else(|p| p.into_inner());
        if let State::Ready { live: current, .. } = &*state
            && Arc::ptr_eq(current, live)
        {
            *state = State::Ready {
                live: live.clone(),
                view,
            };
        }
    }

    /// A copy of the health figures.
    pub fn health(&self) -> Health {
        self.health
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn update_health(&self, change: impl FnOnce(&mut Health)) {
        change(&mut self.health.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Asks the verifier thread for a verification as soon as it can.
    fn request_verification(&self) {
        *self
            .verify_request
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = true;
        self.verify_now.notify_all();
    }

    /// Verifies the index's checksums now and records the result. A failure is confirmed by a
    /// second look a moment later: a merge that has just removed its old segments is not
    /// damage.
    pub fn verify(&self) {
        let Ok(index) = self.live() else {
            return;
        };
        let started = Instant::now();
        let mut report = index.check();
        if !matches!(&report, Ok(r) if r.ok()) {
            std::thread::sleep(Duration::from_millis(500));
            let _ = index.reload();
            report = index.check();
        }
        let verification = match report {
            Ok(report) => Verification {
                at: now(),
                took_ms: started.elapsed().as_millis(),
                ok: report.ok(),
                damaged_files: report.damaged_files,
                problems: report.problems,
            },
            Err(e) => Verification {
                at: now(),
                took_ms: started.elapsed().as_millis(),
                ok: false,
                damaged_files: Vec::new(),
                problems: vec![e.to_string()],
            },
        };
        self.update_health(|h| h.verification = Some(verification));
    }
}

/// Publishes the live handle's last commit to requests. The answers most recently used on the
/// published view (at most [`Limits::warm_answers`]) are first computed on the new view and kept, for at
/// most [`WARM_BUDGET`]; meanwhile requests are still answered from the published view. Without
/// this, every client would ask again at once after each commit, and the slowest answers of the
/// mix would all be computed while they wait.
pub async fn refresh(service: &Arc<Service>, app: &axum::Router) {
    use tower::ServiceExt;

    let (Ok(live), Ok(current)) = (service.live(), service.index()) else {
        return;
    };
    let next = Arc::new(live.view());
    if next.generation() == current.generation() {
        return;
    }
    let mut warming = tokio::task::JoinSet::new();
    for uri in service
        .cache
        .recent(current.generation(), service.limits.warm_answers)
    {
        let Ok(request) = axum::http::Request::get(uri)
            .extension(api::View(next.clone()))
            .body(axum::body::Body::empty())
        else {
            continue;
        };
        let app = app.clone();
        warming.spawn(async move {
            app.oneshot(request)
                .await
                .is_ok_and(|response| response.status().is_success())
        });
    }
    let mut warmed = 0;
    let _ = tokio::time::timeout(WARM_BUDGET, async {
        while let Some(done) = warming.join_next().await {
            warmed += u64::from(matches!(done, Ok(true)));
        }
    })
    .await;
    service.cache.note_warmed(warmed);
    service.publish(&live, next);
}

/// Publishes commits from the service's plain threads (the watcher, the reloader).
#[derive(Clone)]
struct Publisher {
    service: Arc<Service>,
    app: axum::Router,
    runtime: tokio::runtime::Handle,
}

impl Publisher {
    /// [`refresh`], waiting for it.
    fn publish(&self) {
        self.runtime.block_on(refresh(&self.service, &self.app));
    }
}

pub fn run(paths: &Paths, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let corpus = paths.open_corpus();
    let notifier = args
        .notify_url
        .as_deref()
        .map(|url| super::notify::Notifier::start(&paths.index, url))
        .transpose()?;
    let index = if args.no_watch {
        super::search::open_or_build(paths)?
    } else {
        up_to_date(paths, &corpus, notifier.as_ref())?
    };
    let limits = Limits {
        max_searches: args.max_searches.max(1),
        workers: args.search_threads.unwrap_or_else(cores).max(1),
        search_timeout: Duration::from_millis(args.search_timeout.max(1)),
        cache_entries: args.cache,
        warm_answers: args.warm,
        ..Limits::default()
    };
    let service = Service::new(Arc::new(index), limits);
    // Searches take turns on `workers` blocking threads (see `api::blocking`); a few more
    // serve the health check, which must answer while every search thread is busy.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("serve")
        .max_blocking_threads(service.limits.workers + 2)
        .build()?;
    let publisher = Publisher {
        service: service.clone(),
        app: router(service.clone()),
        runtime: runtime.handle().clone(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    // The verifier: at start, after the segments change, and at least every `verify_every`.
    let every = Duration::from_secs_f64((args.verify_every.max(0.001)) * 3600.0);
    let (s, halt) = (service.clone(), stop.clone());
    threads.push(spawn("verify", move || verifier(&s, &halt, every))?);
    // The reloader: sees the commits of another process (`communique index` beside us).
    let (p, halt, path) = (publisher.clone(), stop.clone(), paths.index.clone());
    threads.push(spawn("reload", move || reloader(&p, &halt, &path))?);
    if !args.no_watch {
        let options = WatchOptions {
            debounce: Duration::from_millis(args.debounce),
            max_delay: Duration::from_millis(args.max_delay),
            ..WatchOptions::default()
        };
        service.update_health(|h| h.watching = true);
        let (p, halt) = (publisher.clone(), stop.clone());
        threads.push(spawn("watch", move || {
            watcher(&p, &halt, &corpus, &options, notifier.as_ref())
        })?);
    }

    let result = runtime.block_on(serve(service.clone(), args.addr));
    // In-flight requests have finished; the watcher completes its batch, then everything stops.
    stop.store(true, Ordering::SeqCst);
    service.request_verification();
    for thread in threads {
        let _ = thread.join();
    }
    runtime.shutdown_timeout(Duration::from_secs(5));
    result?;
    eprintln!("communique: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Opens (or creates) the index and brings it up to date before listening, so that the first
/// page a person sees is current; saved searches learn what the update brought.
fn up_to_date(
    paths: &Paths,
    corpus: &Corpus,
    notifier: Option<&super::notify::Notifier>,
) -> anyhow::Result<Index> {
    corpus.files()?;
    let index = Index::open_or_create(&paths.index)?;
    let report = index.update(corpus)?;
    super::output::print_skipped(&report)?;
    eprintln!(
        "communique: index up to date: added {}, updated {}, removed {}, unchanged {}, skipped {}",
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.skipped.len()
    );
    // Saved searches: what this update (or an interrupted process) brought.
    let news = super::follow::catch_up(&index)?;
    if let Some(notifier) = notifier {
        notifier.push(&news)?;
    }
    Ok(index)
}

/// Starts a named thread of the service.
fn spawn(
    name: &str,
    work: impl FnOnce() + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name(name.into()).spawn(work)
}

/// Listens and serves until Ctrl-C or SIGTERM, then lets in-flight requests finish.
async fn serve(service: Arc<Service>, addr: SocketAddr) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        eprintln!(
            "communique: warning: listening on {local}, not only on this machine: anyone who can \
             reach it can read the index (use --addr 127.0.0.1:{} to keep it local)",
            local.port()
        );
    }
    println!(
        "communique: serving {} on http://{local}/ (Ctrl-C stops)",
        service.index_path.display()
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();

    let app = router(service.clone());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // Bounded connections: beyond, new ones wait in the kernel's backlog.
    let connections = Arc::new(tokio::sync::Semaphore::new(1024));
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit?,
            _ = &mut shutdown => break,
        };
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    eprintln!("communique: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            // A client that does not send its request in 10 s is dropped.
            .header_read_timeout(Duration::from_secs(10))
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    eprintln!("communique: stopping: finishing the requests in flight");
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(10)) => {
            eprintln!("communique: some requests did not finish within 10 s");
        }
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// Runs the watcher until `stop`; each batch is logged and may wake the verifier.
/// Saved searches are evaluated after each batch; their news go to `notifier`, if any.
fn watcher(
    publisher: &Publisher,
    stop: &AtomicBool,
    corpus: &Corpus,
    options: &WatchOptions,
    notifier: Option<&super::notify::Notifier>,
) {
    let service = &publisher.service;
    let Ok(index) = service.live() else {
        return;
    };
    let mut segments = segment_count(&index);
    let result = index.watch(corpus, options, stop, |event| match event {
        WatchEvent::Batch {
            report,
            events,
            took,
        } => {
            let _ = super::output::print_skipped(&report);
            println!(
                "{}",
                super::output::batch_line(now(), events, &report, took)
            );
            service.update_health(|h| {
                h.last_batch = Some(Batch {
                    at: now(),
                    added: report.added,
                    updated: report.updated,
                    removed: report.removed,
                    skipped: report.skipped.len(),
                    took_ms: took.as_millis(),
                });
            });
            // Requests see the batch (the answers asked most often computed first), then
            // saved searches learn what it (or an interrupted process) brought.
            publisher.publish();
            match super::follow::catch_up(&index) {
                Ok(news) => {
                    if let Some(notifier) = notifier
                        && let Err(e) = notifier.push(&news)
                    {
                        eprintln!("[{}] news not queued for --notify-url: {e}", now());
                    }
                }
                Err(e) => eprintln!(
                    "[{}] saved searches not evaluated (the next batch retries): {e}",
                    now()
                ),
            }
            // Segments merged or added: verify the new files.
            let now_segments = segment_count(&index);
            if report.changed() || now_segments != segments {
                segments = now_segments;
                service.request_verification();
            }
        }
        WatchEvent::Busy => {
            eprintln!(
                "[{}] the index is being updated by another process; retrying",
                now()
            );
        }
        WatchEvent::Failed(e) => eprintln!("[{}] update failed: {e}", now()),
        _ => {}
    });
    if let Err(e) = result {
        eprintln!("communique: watching stopped: {e}");
        service.update_health(|h| h.watching = false);
    }
}

fn segment_count(index: &Index) -> usize {
    index.stats().map(|s| s.segments).unwrap_or(0)
}

/// Verifies at start, when woken (segments changed) and at least every `every`, at low
/// priority.
fn verifier(service: &Service, stop: &AtomicBool, every: Duration) {
    lower_priority();
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        service.verify();
        let mut requested = service
            .verify_request
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let deadline = Instant::now() + every;
        while !*requested && !stop.load(Ordering::SeqCst) {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            requested = service
                .verify_now
                .wait_timeout(requested, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *requested = false;
        drop(requested);
        // Let a burst of batches settle before reading every file again.
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Nice 10 for this thread (Linux sets priorities per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let tid = rustix::thread::gettid();
        let _ = rustix::process::setpriority_process(Some(tid), 10);
    }
}

/// Picks up commits of other processes (meta.json changes), and notices an index that has
/// gone (being rebuilt) or come back, every 250 ms.
fn reloader(publisher: &Publisher, stop: &AtomicBool, path: &std::path::Path) {
    let service = &publisher.service;
    let meta = path.join("meta.json");
    let mut last = std::fs::read(&meta).ok();
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(250));
        let current = std::fs::read(&meta).ok();
        if current == last {
            continue;
        }
        last = current;
        match service.live() {
            Ok(index) => match index.reload() {
                Ok(()) => publisher.publish(),
                // The index was swapped or damaged under us: open it anew.
                Err(e) => match Index::open(path) {
                    Ok(fresh) => service.set_index(Availability::Ready(Arc::new(fresh))),
                    Err(_) => service.set_index(Availability::Unavailable(format!(
                        "the index cannot be read: {e}"
                    ))),
                },
            },
            Err(_) => match Index::open(path) {
                Ok(fresh) => {
                    service.set_index(Availability::Ready(Arc::new(fresh)));
                    service.request_verification();
                }
                Err(e) => service.set_index(Availability::Unavailable(e.to_string())),
            },
        }
    }
}
