//! # Keeping an index current from a program
//!
//! This example shows the two ways a program keeps a communique index up to date:
//!
//! 1. from a folder: [`Index::update`] applies only what changed since the last update (new,
//!    changed and deleted files), in one commit;
//! 2. from anywhere (a feed poller, a database): the [`Writer`](communique::index::Writer) adds,
//!    replaces and removes articles by id, and `commit` makes them visible together.
//!
//! Run it with `cargo run --example incremental`; `cargo test` builds it.

use communique::{Article, Corpus, Index, Query, SearchOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus_dir)?;
    let index = Index::open_or_create(dir.path().join("index"))?;
    let corpus = Corpus::new(&corpus_dir);

    // 1. A folder: write two statements, update, then change one and update again.
    std::fs::write(
        corpus_dir.join("g7.txt"),
        "---\ntitle: G7 statement\ndate: 2024-06-14\n---\nThe leaders condemned the transfer of ballistic missiles.",
    )?;
    std::fs::write(
        corpus_dir.join("nato.md"),
        "Allies met in Washington for the summit.",
    )?;
    let report = index.update(&corpus)?;
    println!(
        "first update: added {}, unchanged {}",
        report.added, report.unchanged
    );

    std::fs::write(
        corpus_dir.join("nato.md"),
        "Allies met in Washington for the 75th anniversary summit.",
    )?;
    let report = index.update(&corpus)?;
    println!(
        "second update: updated {}, unchanged {}",
        report.updated, report.unchanged
    );

    // 2. A feed: articles by id, without files, committed together.
    let mut writer = index.writer()?;
    writer.add(&Article::new(
        "feed/1",
        "The Security Council met on the situation in Sudan.",
    ))?;
    writer.add(&Article::new(
        "feed/2",
        "Ministers discussed the grain corridor.",
    ))?;
    writer.commit()?;

    let mut writer = index.writer()?;
    writer.replace(&Article::new(
        "feed/1",
        "The Security Council adopted a resolution on Sudan.",
    ))?;
    writer.remove("feed/2")?;
    writer.commit()?;

    // Every commit is visible to the next search (read-your-writes).
    for query in ["resolution Sudan", "grain corridor", "anniversary summit"] {
        let hits = index.search(&Query::parse(query)?, &SearchOptions::new())?;
        let found: Vec<&str> = hits.iter().map(|h| h.article.id.as_str()).collect();
        println!("{query:>20}: {found:?}");
    }
    Ok(())
}
