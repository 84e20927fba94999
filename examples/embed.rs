//! # Embedding communique in another program
//!
//! This example shows the library used without the CLI: build an index in a temporary folder
//! from articles that come from anywhere (here, built in code), search it, and print the best
//! passage of each hit with its highlights marked `[like this]`.
//!
//! Run it with `cargo run --example embed`; `cargo test` builds it.

use communique::{Article, Index, Query, SearchOptions};

fn main() -> Result<(), communique::Error> {
    let dir = tempfile::tempdir().map_err(|e| communique::Error::Io {
        path: std::env::temp_dir(),
        source: e,
    })?;
    let index = Index::open_or_create(dir.path().join("index"))?;

    // Articles can come from a feed, a database, a message queue: anything that gives text.
    let mut writer = index.writer()?;
    writer.add(
        &Article::new(
            "g7-2024-06-14",
            "Leaders of the Group of Seven met in Apulia.\n\n\
             They agreed to support Ukraine with a loan backed by the proceeds of immobilised \
             Russian sovereign assets.",
        )
        .with_title("G7 summit in Apulia")
        .with_date("2024-06-14")?
        .with_source("Communique desk"),
    )?;
    writer.add(
        &Article::new(
            "unsc-2024-03-28",
            "Russia vetoed the renewal of the panel of experts that monitored the sanctions on \
             North Korea.\n\nThe Security Council could not adopt the draft resolution.",
        )
        .with_title("Veto ends the DPRK sanctions panel")
        .with_date("2024-03-28")?,
    )?;
    writer.commit()?;

    let query: Query = "\"Security Council\" OR sanctions".parse()?;
    for hit in index.search(&query, &SearchOptions::new().limit(5))? {
        let passage = &hit.passages[0];
        let mut marked = String::new();
        let mut at = 0;
        for range in &passage.highlights {
            marked.push_str(&passage.text[at..range.start]);
            marked.push('[');
            marked.push_str(&passage.text[range.clone()]);
            marked.push(']');
            at = range.end;
        }
        marked.push_str(&passage.text[at..]);
        println!(
            "{}. {} ({:.2})\n   {}",
            hit.rank,
            hit.article.display_title(),
            hit.score,
            marked
        );
    }
    Ok(())
}
