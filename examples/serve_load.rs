//! # Load on `communique serve` over loopback, while articles arrive through its watcher
//!
//! ```text
//! cargo build --release
//! cargo run --release --example serve_load -- --shared ../shared --clients 32 --seconds 60
//! ```
//!
//! It links the real corpus of `--shared` (the State Department press releases, the UN General
//! Debate speeches and the seed article) into a corpus folder in a temporary directory, builds
//! the index with `communique index`, starts `communique serve --addr 127.0.0.1:0` (the release
//! binary beside this example, or `--bin`), and then, for `--seconds`:
//!
//! - `--clients` threads send searches in a loop over keep-alive connections: a mix of words,
//!   phrases, operators, prefixes, fuzzy words, filters and pages;
//! - one thread writes `--arrivals` new articles into the corpus at a steady pace, each with a
//!   unique marker word, and times how long each takes to be found by `/api/search` (the batch
//!   is applied after the watcher's 500 ms of quiet).
//!
//! Every answer is checked: status 200, the number of matching articles the same as before the
//! run (the arrivals share no word with the mix), as many hits as asked for (or as match),
//! ranks in order, and every highlight inside its passage on character boundaries. It prints
//! searches per second, latency percentiles, errors, wrong answers, arrival delays and the
//! server's peak resident memory (VmHWM) and its cache's hits and misses, and exits non-zero if
//! anything was wrong. `--cache N` and `--warm N` are passed to `serve` (`--cache 0`: every answer
//! computed; `--warm 0`: after a commit, no answer computed ahead).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The mix: each is the query string of one `/api/search` request.
const MIX: &[&str] = &[
    "q=Kursk",
    "q=%22Security+Council%22",
    "q=ballistic+missiles+North+Korea",
    "q=sanction*+AND+NOT+Russia",
    "q=climate+change&limit=20",
    "q=Zelensky~1",
    "q=%22human+rights%22&country=UKR",
    "q=nuclear+weapons&offset=10",
    "q=grain+corridor&since=2022",
    "q=refugees&passages=3",
    "q=title:Ukraine",
    "q=(Syria+OR+Yemen)+AND+humanitarian",
    "q=development+goals&org=UN",
    "q=%22General+Assembly%22+reform",
    "q=democracy&source=Spokesperson",
    "q=terrorism&until=2015",
];

struct Args {
    bin: PathBuf,
    shared: PathBuf,
    clients: usize,
    seconds: u64,
    arrivals: usize,
    /// Options passed to `serve`.
    serve: Vec<String>,
}

fn args() -> Result<Args, Error> {
    let exe = std::env::current_exe()?;
    // target/release/examples/serve_load -> target/release/communique
    let default_bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("communique"))
        .unwrap_or_else(|| PathBuf::from("communique"));
    let mut args = Args {
        bin: default_bin,
        shared: PathBuf::from("../shared"),
        clients: 32,
        seconds: 60,
        arrivals: 100,
        serve: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bin" => args.bin = value.into(),
            "--shared" => args.shared = value.into(),
            "--clients" => args.clients = value.parse()?,
            "--seconds" => args.seconds = value.parse()?,
            "--arrivals" => args.arrivals = value.parse()?,
            "--cache" | "--warm" => {
                value.parse::<usize>()?;
                args.serve.extend([flag, value]);
            }
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(args)
}

/// The real corpus as links: the press releases, the speeches' year folders and the seed.
fn link_corpus(shared: &Path, corpus: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(corpus)?;
    let data = shared.join("data");
    let press = data.join("state-dept-press");
    for entry in std::fs::read_dir(&press)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            std::os::unix::fs::symlink(&path, corpus.join(path.file_name().unwrap()))?;
        }
    }
    let ungd = data.join("ungd/speeches");
    for entry in std::fs::read_dir(&ungd)? {
        let path = entry?.path();
        if path.is_dir() {
            std::os::unix::fs::symlink(&path, corpus.join(path.file_name().unwrap()))?;
        }
    }
    let seed = shared.join("seed/000_b491b3170320ace1.txt");
    std::os::unix::fs::symlink(&seed, corpus.join("000_b491b3170320ace1.txt"))?;
    std::fs::create_dir_all(corpus.join("arrivals"))?;
    Ok(())
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &Path, corpus: &Path, index: &Path, options: &[String]) -> Result<Server, Error> {
    let mut command = Command::new(bin);
    command
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(options);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .ok_or("the server stopped before listening")??;
        if let Some(at) = line.find("http://") {
            let url = line[at..].split_whitespace().next().unwrap_or("");
            break url.trim_end_matches('/').to_string();
        }
    };
    // Keep draining the server's log so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(Server { child, base })
}

fn get(agent: &ureq::Agent, url: &str) -> Result<(u16, serde_json::Value), Error> {
    let mut response = agent.get(url).call()?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string()?;
    Ok((status, serde_json::from_str(&body)?))
}

/// What is wrong with an answer, if anything.
fn check(body: &serde_json::Value, total: u64, limit: u64, offset: u64) -> Option<String> {
    if body["total"].as_u64() != Some(total) {
        return Some(format!("total {} instead of {total}", body["total"]));
    }
    let hits = body["hits"].as_array()?;
    let expected = total.saturating_sub(offset).min(limit);
    if hits.len() as u64 != expected {
        return Some(format!("{} hits instead of {expected}", hits.len()));
    }
    for (i, hit) in hits.iter().enumerate() {
        if hit["rank"].as_u64() != Some(offset + i as u64 + 1) {
            return Some(format!("rank {} at position {i}", hit["rank"]));
        }
        for passage in hit["passages"].as_array()? {
            let text = passage["text"].as_str()?;
            for h in passage["highlights"].as_array()? {
                let (s, e) = (h[0].as_u64()? as usize, h[1].as_u64()? as usize);
                if text.get(s..e).is_none_or(str::is_empty) {
                    return Some(format!("highlight {s}..{e} outside its passage"));
                }
            }
        }
    }
    None
}

fn param(query: &str, name: &str, default: u64) -> u64 {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> Result<(), Error> {
    let args = args()?;
    if !args.bin.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build --release` first, or pass --bin",
            args.bin.display()
        )
        .into());
    }
    let work = tempfile::tempdir()?;
    let corpus = work.path().join("corpus");
    let index = work.path().join("index");
    link_corpus(&args.shared, &corpus)?;
    let built = Instant::now();
    let status = Command::new(&args.bin)
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .arg("index")
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err(format!("communique index failed: {status}").into());
    }
    eprintln!("index built in {:.1} s", built.elapsed().as_secs_f64());
    let server = start(&args.bin, &corpus, &index, &args.serve)?;
    let base = server.base.clone();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();

    // The expected number of matching articles of each request of the mix.
    let mut totals = Vec::new();
    for query in MIX {
        let (status, body) = get(&agent, &format!("{base}/api/search?{query}"))?;
        if status != 200 {
            return Err(format!("{query}: status {status}: {body}").into());
        }
        totals.push(body["total"].as_u64().ok_or("no total")?);
    }
    let totals = Arc::new(totals);

    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let wrong = Arc::new(AtomicU64::new(0));
    let first_problem: Arc<Mutex<Option<String>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<u64>>> = Arc::default();
    let started = Instant::now();
    let mut clients = Vec::new();
    for client in 0..args.clients {
        let (stop, errors, wrong, problem, latencies, totals, base) = (
            stop.clone(),
            errors.clone(),
            wrong.clone(),
            first_problem.clone(),
            latencies.clone(),
            totals.clone(),
            base.clone(),
        );
        clients.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .into();
            let mut mine = Vec::new();
            let mut i = client;
            while !stop.load(Ordering::Relaxed) {
                let which = i % MIX.len();
                i += 1;
                let query = MIX[which];
                let t = Instant::now();
                let answer = get(&agent, &format!("{base}/api/search?{query}"));
                mine.push(t.elapsed().as_micros() as u64);
                let problem_here = match answer {
                    Ok((200, body)) => check(
                        &body,
                        totals[which],
                        param(query, "limit", 10),
                        param(query, "offset", 0),
                    )
                    .map(|p| {
                        wrong.fetch_add(1, Ordering::Relaxed);
                        format!("{query}: wrong answer: {p}")
                    }),
                    Ok((status, body)) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        Some(format!("{query}: status {status}: {body}"))
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        Some(format!("{query}: {e}"))
                    }
                };
                if let Some(p) = problem_here {
                    problem.lock().unwrap().get_or_insert(p);
                }
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }

    // Arrivals: one new article at a time, each timed until it is found.
    let mut delays = Vec::new();
    let mut missing = 0;
    let pace = Duration::from_secs_f64(args.seconds as f64 * 0.8 / args.arrivals.max(1) as f64);
    for n in 0..args.arrivals {
        let marker = format!("zqarrival{n:05}");
        let path = corpus.join("arrivals").join(format!("{marker}.md"));
        let written = Instant::now();
        std::fs::write(
            &path,
            format!(
                "---\ntitle: Arrival {n}\ndate: 2026-12-01\nsource: Load desk\n---\n\nArrival {marker} filed.\n"
            ),
        )?;
        let found = loop {
            let (_, body) = get(&agent, &format!("{base}/api/search?q={marker}"))?;
            if body["total"].as_u64() == Some(1) {
                break true;
            }
            if written.elapsed() > Duration::from_secs(10) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if found {
            delays.push(written.elapsed().as_micros() as u64);
        } else {
            missing += 1;
        }
        let next = written + pace;
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        if started.elapsed() > Duration::from_secs(args.seconds) {
            break;
        }
    }
    if let Some(wait) = Duration::from_secs(args.seconds).checked_sub(started.elapsed()) {
        std::thread::sleep(wait);
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    for client in clients {
        client.join().map_err(|_| "a client panicked")?;
    }
    let peak = peak_rss_mib(server.child.id());
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort_unstable();
    delays.sort_unstable();
    let (errors, wrong) = (
        errors.load(Ordering::Relaxed),
        wrong.load(Ordering::Relaxed),
    );
    println!(
        "clients {}, {:.0} s, searches {}, {:.0} searches/s",
        args.clients,
        elapsed,
        latencies.len(),
        latencies.len() as f64 / elapsed
    );
    println!(
        "latency ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    println!("errors {errors}, wrong answers {wrong}");
    println!(
        "arrivals {} found, {missing} not found within 10 s; write to searchable ms: p50 {:.0}, max {:.0}",
        delays.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 1.0)
    );
    println!("server peak RSS {peak:.0} MiB");
    if let Ok((200, health)) = get(&agent, &format!("{base}/api/health")) {
        let cache = &health["cache"];
        println!(
            "server cache: {} hits, {} misses ({} of them computed on a new view before it was published)",
            cache["hits"], cache["misses"], cache["warmed"]
        );
    }
    if let Some(problem) = first_problem.lock().unwrap().take() {
        println!("first problem: {problem}");
    }
    drop(server);
    if errors > 0 || wrong > 0 || missing > 0 {
        return Err("errors, wrong answers or lost arrivals".into());
    }
    Ok(())
}
