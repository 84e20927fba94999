//! Prints an index's size by file kind and by field (tantivy's `Searcher::space_usage`,
//! summed over segments), in MB: `cargo run --release --example space_usage -- INDEX`.

use std::collections::BTreeMap;

use tantivy::space_usage::PerFieldSpaceUsage;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: space_usage INDEX")?;
    let index = tantivy::Index::open_in_dir(&path)?;
    let searcher = index.reader()?.searcher();
    let usage = searcher.space_usage()?;
    let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
    let mut fields: BTreeMap<(String, &str), u64> = BTreeMap::new();
    for segment in usage.segments() {
        let per_field: [(&str, &PerFieldSpaceUsage); 5] = [
            ("term", segment.termdict()),
            ("idx", segment.postings()),
            ("pos", segment.positions()),
            ("fast", segment.fast_fields()),
            ("fieldnorm", segment.fieldnorms()),
        ];
        for (kind, usage) in per_field {
            *kinds.entry(kind).or_default() += usage.total().get_bytes();
            for field in usage.fields() {
                *fields
                    .entry((field.field_name().to_string(), kind))
                    .or_default() += field.total().get_bytes();
            }
        }
        *kinds.entry("store").or_default() += segment.store().total().get_bytes();
        *kinds.entry("deletes").or_default() += segment.deletes().get_bytes();
    }
    let mb = |bytes: u64| bytes as f64 / 1e6;
    println!(
        "total {:.2} MB in {} segments, {} documents",
        mb(usage.total().get_bytes()),
        usage.segments().len(),
        searcher.num_docs()
    );
    for (kind, bytes) in &kinds {
        println!("kind {kind:<10} {:>8.2} MB", mb(*bytes));
    }
    let mut rows: Vec<_> = fields.into_iter().collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    for ((field, kind), bytes) in rows {
        println!("field {field:<18} {kind:<10} {:>8.2} MB", mb(bytes));
    }
    Ok(())
}
