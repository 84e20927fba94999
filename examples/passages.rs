//! # Passages of a file
//!
//! Prints the passages `communique` cuts a text file into, one per block, with their word
//! counts: `cargo run --example passages -- FILE`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: passages FILE")?;
    let scan =
        communique::Corpus::new(std::path::Path::new(&path).parent().unwrap_or(".".as_ref()))
            .read_all()?;
    let name = std::path::Path::new(&path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let article = scan
        .articles
        .iter()
        .find(|a| a.id == name)
        .ok_or("not found")?;
    for (i, range) in communique::corpus::split_passages(&article.body)
        .into_iter()
        .enumerate()
    {
        let text = &article.body[range.clone()];
        println!(
            "--- {i} ({} words, bytes {range:?})\n{text}",
            text.split_whitespace().count()
        );
    }
    Ok(())
}
