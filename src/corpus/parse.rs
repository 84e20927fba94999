//! Reading corpus files: decoding, front matter, JSON and JSON Lines, wire attributions.

use std::path::Path;

use serde_json::{Map, Value};

use super::{Article, Warning, article::parse_date};
use crate::{Error, Result};

/// The largest `.txt`, `.md` or `.json` file read whole (64 MiB); larger ones are skipped.
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// The largest JSON Lines file (1 GiB); its lines are read one at a time.
pub const MAX_JSONL_BYTES: u64 = 1 << 30;
/// The longest line of a JSON Lines file (16 MiB); a longer record is skipped.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The formats the corpus reads, by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// `.txt` or `.md`: optional front matter, then the body.
    Text,
    /// `.json`: one article object (or an array of them).
    Json,
    /// `.jsonl`: one article object per line.
    JsonLines,
    /// `.html` or `.htm`: a web page (see [`super::html`]).
    Html,
}

impl Format {
    pub(crate) fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "md" | "markdown" => Some(Format::Text),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}

/// What one file gave: its articles, warnings (the article is still indexed) and errors (the
/// record or the file is skipped).
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub articles: Vec<Article>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<Error>,
}

/// Parses the bytes of one corpus file. `path` is used in messages, `rel` (the
/// corpus-relative path, `/`-separated) for ids.
pub(crate) fn parse(path: &Path, rel: &str, format: Format, bytes: &[u8]) -> Parsed {
    let mut parsed = Parsed::default();
    let text = match decode(path, bytes) {
        Ok(text) => text,
        Err(e) => {
            parsed.errors.push(e);
            return parsed;
        }
    };
    match format {
        Format::Text => match parse_text(path, rel, &text, &mut parsed.warnings) {
            Ok(article) => parsed.articles.push(article),
            Err(e) => parsed.errors.push(e),
        },
        Format::Json => parse_json(path, rel, &text, &mut parsed),
        Format::Html => match super::html::parse_html(path, rel, &text, &mut parsed.warnings) {
            Ok(article) => parsed.articles.push(article),
            Err(e) => parsed.errors.push(e),
        },
        Format::JsonLines => {
            for (index, line) in text.split('\n').enumerate() {
                let number = index + 1;
                if line.trim().is_empty() {
                    continue;
                }
                if line.len() > MAX_LINE_BYTES {
                    parsed.errors.push(Error::parse(
                        path,
                        Some(number),
                        format!(
                            "line is {} bytes, over the {MAX_LINE_BYTES}-byte limit",
                            line.len()
                        ),
                    ));
                    continue;
                }
                let record = serde_json::from_str::<Value>(line)
                    .map_err(|e| Error::parse(path, Some(number), format!("invalid JSON: {e}")))
                    .and_then(|value| {
                        let id = format!("{rel}#{number}");
                        from_json(path, Some(number), rel, id, value, &mut parsed.warnings)
                    });
                match record {
                    Ok(article) => parsed.articles.push(article),
                    Err(e) => parsed.errors.push(e),
                }
            }
        }
    }
    parsed
}

/// Decodes a file's bytes into text with `\n` line endings.
///
/// UTF-8 with or without a BOM is read as is; UTF-16 with a BOM is decoded; a file holding NUL
/// bytes is binary and refused; any other invalid byte is an error naming its offset.
pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<String> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        utf8(path, rest, 3)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(path, rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(path, rest, u16::from_be_bytes)?
    } else {
        utf8(path, bytes, 0)?
    };
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

fn utf8(path: &Path, bytes: &[u8], base: usize) -> Result<String> {
    if let Some(nul) = memchr_nul(bytes) {
        return Err(Error::parse(
            path,
            None,
            format!("binary file (NUL byte at offset {}), not text", nul + base),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let offset = e.valid_up_to();
            let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(Error::parse(
                path,
                Some(line),
                format!(
                    "not valid UTF-8 (byte 0x{:02X} at offset {}); convert the file to UTF-8",
                    bytes[offset],
                    offset + base
                ),
            ))
        }
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

fn utf16(path: &Path, bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::parse(
            path,
            None,
            "UTF-16 file with an odd number of bytes",
        ));
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
    let text = String::from_utf16(&units)
        .map_err(|_| Error::parse(path, None, "invalid UTF-16 (unpaired surrogate)"))?;
    if text.contains('\0') {
        return Err(Error::parse(
            path,
            None,
            "binary file (NUL character), not text",
        ));
    }
    Ok(text)
}

/// Parses a `.txt` or `.md` article: optional front matter, then the body.
fn parse_text(path: &Path, rel: &str, text: &str, warnings: &mut Vec<Warning>) -> Result<Article> {
    let mut article = Article {
        id: rel.to_string(),
        path: Some(rel.to_string()),
        ..Article::default()
    };
    let body = match front_matter(text) {
        FrontMatter::None => text,
        FrontMatter::Unclosed => {
            return Err(Error::parse(
                path,
                Some(1),
                "front matter opened with `---` on line 1 is never closed (no closing `---` line)",
            ));
        }
        FrontMatter::Block { lines, body } => {
            for (index, line) in lines.lines().enumerate() {
                let number = index + 2;
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let Some((key, value)) = line.split_once(':') else {
                    warnings.push(Warning::new(
                        path,
                        Some(number),
                        format!("front matter line without `key: value` ignored: `{line}`"),
                    ));
                    continue;
                };
                let key = key.trim().to_ascii_lowercase();
                let value = unquote(value.trim()).to_string();
                set_field(
                    &mut article,
                    path,
                    Some(number),
                    &key,
                    Value::String(value),
                    warnings,
                )?;
            }
            body
        }
    };
    article.body = body.trim_matches('\n').to_string();
    if article.source.is_none() {
        article.source = trailing_attribution(&article.body);
    }
    check_body(path, None, &article)?;
    Ok(article)
}

enum FrontMatter<'a> {
    None,
    Unclosed,
    Block { lines: &'a str, body: &'a str },
}

/// Splits a `---` fenced front matter block from the body.
fn front_matter(text: &str) -> FrontMatter<'_> {
    let Some(rest) = text.strip_prefix("---\n") else {
        return FrontMatter::None;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return FrontMatter::Block {
                lines: &rest[..offset],
                body: &rest[offset + line.len()..],
            };
        }
        offset += line.len();
    }
    FrontMatter::Unclosed
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// A wire-style attribution at the end of the last line, such as `… troops. /VOA (A2 Televizion)`.
fn trailing_attribution(body: &str) -> Option<String> {
    let last_line = body.trim_end().rsplit('\n').next()?;
    let slash = last_line.rfind('/')?;
    let before = &last_line[..slash];
    let after = last_line[slash + 1..].trim();
    let first = after.chars().next()?;
    let starts_ok = before.is_empty() || before.ends_with(char::is_whitespace);
    let short = after.len() <= 80 && after.split_whitespace().count() <= 8;
    (starts_ok && short && first.is_uppercase()).then(|| after.to_string())
}

/// Parses a `.json` file: one article object, or an array of them.
fn parse_json(path: &Path, rel: &str, text: &str, parsed: &mut Parsed) {
    let value = match serde_json::from_str::<Value>(text) {
        Ok(value) => value,
        Err(e) => {
            parsed.errors.push(Error::parse(
                path,
                Some(e.line()),
                format!("invalid JSON (column {}): {e}", e.column()),
            ));
            return;
        }
    };
    match value {
        Value::Array(items) => {
            for (index, item) in items.into_iter().enumerate() {
                let id = format!("{rel}#{}", index + 1);
                match from_json(path, None, rel, id, item, &mut parsed.warnings) {
                    Ok(article) => parsed.articles.push(article),
                    Err(e) => parsed.errors.push(e),
                }
            }
        }
        value => match from_json(
            path,
            None,
            rel,
            rel.to_string(),
            value,
            &mut parsed.warnings,
        ) {
            Ok(article) => parsed.articles.push(article),
            Err(e) => parsed.errors.push(e),
        },
    }
}

/// Builds an article from one JSON object.
fn from_json(
    path: &Path,
    line: Option<usize>,
    rel: &str,
    default_id: String,
    value: Value,
    warnings: &mut Vec<Warning>,
) -> Result<Article> {
    let Value::Object(object) = value else {
        return Err(Error::parse(
            path,
            line,
            format!("expected an article object, found {}", kind(&value)),
        ));
    };
    let mut article = Article {
        id: default_id,
        path: Some(rel.to_string()),
        ..Article::default()
    };
    let mut object: Map<String, Value> = object;
    // `text` wins over `body`, `source` over `author`: take the preferred ones first.
    let mut text = object.remove("text");
    if matches!(text, None | Some(Value::Null)) {
        text = object.remove("body");
    }
    match text {
        Some(Value::String(body)) => {
            article.body = if body.contains('\r') {
                body.replace("\r\n", "\n").replace('\r', "\n")
            } else {
                body
            }
        }
        None | Some(Value::Null) => {
            return Err(Error::parse(path, line, "no `text` (or `body`) field"));
        }
        Some(other) => {
            return Err(Error::parse(
                path,
                line,
                format!("field `text` must be a string, found {}", kind(&other)),
            ));
        }
    }
    for key in ["id", "title", "date", "source", "author", "url"] {
        if let Some(value) = object.remove(key) {
            set_field(&mut article, path, line, key, value, warnings)?;
        }
    }
    article.metadata.extend(object);
    check_body(path, line, &article)?;
    Ok(article)
}

/// Sets a known field from a front matter or JSON value; other keys go to metadata.
fn set_field(
    article: &mut Article,
    path: &Path,
    line: Option<usize>,
    key: &str,
    value: Value,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let known = [
        "id", "title", "date", "source", "author", "url", "lang", "language",
    ];
    if !known.contains(&key) {
        article.metadata.insert(key.to_string(), value);
        return Ok(());
    }
    let text = match value {
        Value::Null => return Ok(()),
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) if key == "id" => n.to_string(),
        other => {
            let expected = if key == "id" {
                "a string or a number"
            } else {
                "a string"
            };
            return Err(Error::parse(
                path,
                line,
                format!("field `{key}` must be {expected}, found {}", kind(&other)),
            ));
        }
    };
    if text.is_empty() {
        return Ok(());
    }
    match key {
        "id" => article.id = text,
        "title" => article.title = Some(text),
        "url" => article.url = Some(text),
        "source" => article.source = Some(text),
        "author" if article.source.is_none() => article.source = Some(text),
        "author" => {
            article
                .metadata
                .insert("author".into(), Value::String(text));
        }
        "lang" | "language" => match crate::analysis::normalize_code(&text) {
            Some(code) => article.lang = Some(code),
            None => {
                warnings.push(Warning::new(
                    path,
                    line,
                    format!(
                        "`{text}` is not a language code (expected e.g. `fr` or `zh-Hans`); the language will be detected"
                    ),
                ));
                article.metadata.insert(key.into(), Value::String(text));
            }
        },
        "date" => match parse_date(&text) {
            Ok(_) => article.date = Some(text),
            Err(message) => {
                warnings.push(Warning::new(
                    path,
                    line,
                    format!("unreadable date ignored, article indexed without one: {message}"),
                ));
                article.metadata.insert("date".into(), Value::String(text));
            }
        },
        _ => unreachable!("every known key is handled"),
    }
    Ok(())
}

fn check_body(path: &Path, line: Option<usize>, article: &Article) -> Result<()> {
    if article.body.chars().any(char::is_alphanumeric) {
        Ok(())
    } else if article.body.trim().is_empty() {
        Err(Error::parse(path, line, "empty article: no text to index"))
    } else {
        Err(Error::parse(
            path,
            line,
            "no words in the text (only punctuation or symbols)",
        ))
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(rel: &str, text: &str) -> Parsed {
        let format = Format::of(Path::new(rel)).unwrap();
        parse(Path::new(rel), rel, format, text.as_bytes())
    }

    #[test]
    fn front_matter_fields_and_metadata() {
        let parsed = parse_str(
            "a/b.md",
            "---\ntitle: \"G7 statement\"\ndate: 2024-06-14\nsource: G7\nurl: https://example.org/x\ntags: g7, summit\n---\n\nLeaders met in Apulia.\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let article = &parsed.articles[0];
        assert_eq!(article.id, "a/b.md");
        assert_eq!(article.title.as_deref(), Some("G7 statement"));
        assert_eq!(article.date.as_deref(), Some("2024-06-14"));
        assert_eq!(article.source.as_deref(), Some("G7"));
        assert_eq!(article.url.as_deref(), Some("https://example.org/x"));
        assert_eq!(article.metadata["tags"], "g7, summit");
        assert_eq!(article.body, "Leaders met in Apulia.");
    }

    #[test]
    fn unclosed_front_matter_is_an_error_naming_the_file() {
        let parsed = parse_str("x.txt", "---\ntitle: T\nbody without a fence\n");
        assert!(parsed.articles.is_empty());
        let message = parsed.errors[0].to_string();
        assert!(message.starts_with("x.txt:1:"), "{message}");
        assert!(message.contains("never closed"));
    }

    #[test]
    fn unreadable_date_is_a_warning_and_the_article_is_kept() {
        let parsed = parse_str("x.txt", "---\ndate: 16 December 2024\n---\nText here.");
        assert_eq!(parsed.articles.len(), 1);
        assert_eq!(parsed.articles[0].date, None);
        assert!(parsed.warnings[0].to_string().contains("x.txt:2"));
    }

    #[test]
    fn wire_attribution_becomes_the_source() {
        let parsed = parse_str(
            "w.txt",
            "Lead line.\nThe US and South Korea said so. /VOA (A2 Televizion)",
        );
        assert_eq!(
            parsed.articles[0].source.as_deref(),
            Some("VOA (A2 Televizion)")
        );
        let parsed = parse_str("w.txt", "See https://example.org/Page for more.");
        assert_eq!(parsed.articles[0].source, None);
    }

    #[test]
    fn bom_and_crlf() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(b"---\r\ntitle: T\r\n---\r\nLine one.\r\nLine two.\r\n");
        let parsed = parse(Path::new("b.txt"), "b.txt", Format::Text, &bytes);
        let article = &parsed.articles[0];
        assert_eq!(article.title.as_deref(), Some("T"));
        assert_eq!(article.body, "Line one.\nLine two.");
    }

    #[test]
    fn utf16_is_decoded_binary_and_latin1_are_refused() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Kyïv talks.".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let parsed = parse(Path::new("u.txt"), "u.txt", Format::Text, &bytes);
        assert_eq!(parsed.articles[0].body, "Kyïv talks.");

        let parsed = parse(
            Path::new("p.txt"),
            "p.txt",
            Format::Text,
            b"\x89PNG\r\n\x1a\n\0\0\0",
        );
        assert!(parsed.errors[0].to_string().contains("binary file"));

        let parsed = parse(Path::new("l.txt"), "l.txt", Format::Text, b"Caf\xe9 talks");
        let message = parsed.errors[0].to_string();
        assert!(
            message.contains("not valid UTF-8") && message.contains("offset 3"),
            "{message}"
        );
    }

    #[test]
    fn json_fields_types_and_fallbacks() {
        let parsed = parse_str(
            "s.json",
            r#"{"id": 42, "title": "T", "author": "Office of the Spokesperson", "body": "Words here.", "categories": []}"#,
        );
        let article = &parsed.articles[0];
        assert_eq!(article.id, "42");
        assert_eq!(
            article.source.as_deref(),
            Some("Office of the Spokesperson")
        );
        assert_eq!(article.body, "Words here.");
        assert_eq!(article.metadata["categories"], serde_json::json!([]));

        let parsed = parse_str("s.json", r#"{"title": 7, "text": "x"}"#);
        assert!(
            parsed.errors[0]
                .to_string()
                .contains("field `title` must be a string, found a number")
        );

        let parsed = parse_str("s.json", r#"{"title": "T", "text": "x""#);
        assert!(
            parsed.errors[0]
                .to_string()
                .starts_with("s.json:1: invalid JSON")
        );
    }

    #[test]
    fn json_lines_report_bad_lines_and_keep_the_rest() {
        let parsed = parse_str(
            "f.jsonl",
            "{\"id\": \"a\", \"text\": \"First.\"}\n\n{\"text\": \"No id.\"}\n{\"id\": \"c\", \"text\": \"trunc\n[1, 2]\n",
        );
        let ids: Vec<&str> = parsed.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "f.jsonl#3"]);
        assert_eq!(parsed.errors.len(), 2);
        assert!(
            parsed.errors[0]
                .to_string()
                .starts_with("f.jsonl:4: invalid JSON")
        );
        assert!(
            parsed.errors[1]
                .to_string()
                .contains("f.jsonl:5: expected an article object, found an array")
        );
    }

    #[test]
    fn empty_and_wordless_articles_are_errors() {
        assert!(
            parse_str("e.txt", "").errors[0]
                .to_string()
                .contains("empty article")
        );
        assert!(
            parse_str("e.txt", "  \n\t\n").errors[0]
                .to_string()
                .contains("empty article")
        );
        assert!(
            parse_str("e.txt", "… — !").errors[0]
                .to_string()
                .contains("no words")
        );
    }
}
