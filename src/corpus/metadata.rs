//! Folder metadata (`communique.toml`): the title, date, source and other fields of a corpus's
//! files, read from their paths and from a table beside them (CSV or JSON Lines), for
//! collections whose files do not say them (`ungd/2020/BLR_75_2020.txt` is Belarus, 75th
//! session, 2020; `speakers_by_session.csv` says who spoke).
//!
//! ```toml
//! [[files]]
//! under = "speeches"                      # the folder the rule reads (default: the whole corpus)
//! pattern = "{iso3}_{session}_{year}.txt" # the file name ("/" in it: the path below `under`)
//! table = { file = "speakers_by_session.csv", key = { "Year" = "{year}", "ISO Code" = "{iso3}" } }
//!
//! [files.fields]
//! title = ["{iso3|name}, UN General Debate {year}", "{Country}, UN General Debate {year}"]
//! date = "{year}-09"
//! speaker = "{Name of Person Speaking}"
//! ```
//!
//! A field is a template, or a list of templates of which the first that can be filled is
//! used: `{name}` is a part of the path captured by the pattern or a column of the table's row;
//! `{name|name}` is the first name of the alias-table entity with that id (`BLR` → Belarus);
//! `{{` and `}}` are braces. `title`, `date`, `source` and `url` are the article's own fields;
//! any other goes to its metadata. What a file says itself (front matter, JSON fields) wins.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;
use toml::Spanned;

use super::{Article, Warning, parse_date};
use crate::{Error, Result};

/// The name of the metadata file a corpus folder may hold.
pub const METADATA_FILE: &str = "communique.toml";

/// How a corpus reads its files' metadata: the rules of a `communique.toml`.
///
/// # Example
/// ```
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir(dir.path().join("2020"))?;
/// std::fs::write(dir.path().join("2020/BLR_75_2020.txt"), "Mr. President, …")?;
/// std::fs::write(dir.path().join("speakers.csv"), "Year,ISO Code,Speaker\n2020,BLR,Vladimir Makei\n")?;
/// std::fs::write(dir.path().join("communique.toml"), r#"
/// [[files]]
/// pattern = "{iso3}_{session}_{year}.txt"
/// table = { file = "speakers.csv", key = { "Year" = "{year}", "ISO Code" = "{iso3}" } }
/// fields = { title = "{iso3|name}, UN General Debate {year}", date = "{year}-09", speaker = "{Speaker}" }
/// "#)?;
/// let scan = communique::Corpus::new(dir.path()).read_all()?;
/// let article = &scan.articles[0];
/// assert_eq!(article.title.as_deref(), Some("Belarus, UN General Debate 2020"));
/// assert_eq!(article.date.as_deref(), Some("2020-09"));
/// assert_eq!(article.metadata["speaker"], "Vladimir Makei");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Metadata {
    path: PathBuf,
    rules: Vec<Rule>,
    /// The metadata file and its tables, with their modification times.
    inputs: Vec<(PathBuf, Option<SystemTime>)>,
}

/// What the metadata says about one file: its fields, and the problems found on the way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileMetadata {
    /// Field name -> value (`title`, `date`, `source`, `url`, or any other name).
    pub fields: BTreeMap<String, String>,
    /// A pattern that does not match the file, a table without its row, a field that could
    /// not be filled: the file is indexed without those fields.
    pub warnings: Vec<Warning>,
}

#[derive(Debug)]
struct Rule {
    /// The folder it reads, `/`-separated, without a trailing `/` (empty: the whole corpus).
    under: String,
    pattern: Template,
    pattern_line: usize,
    table: Option<Table>,
    fields: Vec<Field>,
}

#[derive(Debug)]
struct Field {
    name: String,
    templates: Vec<Template>,
}

#[derive(Debug)]
struct Table {
    /// As written in the metadata file.
    name: String,
    line: usize,
    key: Vec<(String, Template)>,
    columns: HashMap<String, usize>,
    rows: Vec<Vec<String>>,
    lines: Vec<usize>,
    /// Key values -> rows, in table order.
    index: HashMap<Vec<String>, Vec<usize>>,
}

/// `{name}` or `{name|filter}` in literal text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Template {
    text: String,
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value { name: String, alias_name: bool },
}

// ---------------------------------------------------------------- the file as written

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    files: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    under: Option<Spanned<String>>,
    pattern: Spanned<String>,
    table: Option<Spanned<RawTable>>,
    #[serde(default)]
    fields: BTreeMap<String, Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    file: Spanned<String>,
    key: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Fields that the metadata may not set: they are what identifies and holds the article.
const RESERVED: &[&str] = &["id", "body", "path"];

impl Metadata {
    /// Reads a metadata file and the tables it names. Relative table paths are read from
    /// `corpus_root`. An error names the file and the line (`communique.toml:4: …`).
    pub fn load(path: &Path, corpus_root: &Path) -> Result<Metadata> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let loader = Loader {
            path,
            corpus_root,
            text: &text,
        };
        let raw: RawFile = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| loader.line_of(s.start));
            Error::parse(path, line, e.message().trim().to_string())
        })?;
        let mut inputs = vec![(path.to_path_buf(), modified(path))];
        let mut rules = Vec::new();
        for raw_rule in &raw.files {
            let (pattern, captures) = loader.pattern(&raw_rule.pattern)?;
            let table = match &raw_rule.table {
                None => None,
                Some(raw_table) => {
                    let table = loader.table(raw_table, &pattern, &captures)?;
                    let table_path = corpus_root.join(&table.name);
                    inputs.push((table_path.clone(), modified(&table_path)));
                    Some(table)
                }
            };
            let fields = raw_rule
                .fields
                .iter()
                .map(|(name, value)| loader.field(name, value, &pattern, &captures, table.as_ref()))
                .collect::<Result<Vec<_>>>()?;
            rules.push(Rule {
                under: raw_rule
                    .under
                    .as_ref()
                    .map(|u| u.get_ref().trim_matches('/').to_string())
                    .unwrap_or_default(),
                pattern_line: loader.line_of(raw_rule.pattern.span().start),
                pattern,
                table,
                fields,
            });
        }
        Ok(Metadata {
            path: path.to_path_buf(),
            rules,
            inputs,
        })
    }

    /// The metadata file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The files the metadata is read from (the metadata file and its tables).
    pub fn inputs(&self) -> impl Iterator<Item = &Path> {
        self.inputs.iter().map(|(path, _)| path.as_path())
    }

    /// The latest modification time of the metadata file and its tables.
    pub(crate) fn modified(&self) -> Option<SystemTime> {
        self.inputs.iter().filter_map(|(_, time)| *time).max()
    }

    /// Does a rule read this corpus-relative path?
    fn covers<'a>(rule: &Rule, rel: &'a str) -> Option<&'a str> {
        if rule.under.is_empty() {
            return Some(rel);
        }
        rel.strip_prefix(rule.under.as_str())?.strip_prefix('/')
    }

    /// What the metadata says about the file at this corpus-relative path (`/`-separated):
    /// `None` when no rule reads its folder.
    pub fn for_file(&self, rel: &str) -> Option<FileMetadata> {
        let mut first_covering = None;
        for rule in &self.rules {
            let Some(below) = Metadata::covers(rule, rel) else {
                continue;
            };
            first_covering.get_or_insert(rule);
            let subject = if rule.pattern.text.contains('/') {
                below
            } else {
                below.rsplit('/').next().unwrap_or(below)
            };
            if let Some(captures) = rule.pattern.matches(subject) {
                return Some(self.fields_of(rule, rel, &captures));
            }
        }
        let rule = first_covering?;
        Some(FileMetadata {
            fields: BTreeMap::new(),
            warnings: vec![Warning::new(
                &self.path,
                Some(rule.pattern_line),
                format!(
                    "pattern {:?} does not match {rel:?}: the file is indexed without the fields of this rule",
                    rule.pattern.text
                ),
            )],
        })
    }

    fn fields_of(&self, rule: &Rule, rel: &str, captures: &[(String, String)]) -> FileMetadata {
        let mut out = FileMetadata::default();
        let mut row: Option<&[String]> = None;
        let mut no_row = None;
        if let Some(table) = &rule.table {
            let lookup = |name: &str| {
                captures
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            };
            let key: Vec<String> = table
                .key
                .iter()
                .map(|(_, t)| t.render(&lookup).unwrap_or_default())
                .collect();
            let described = table
                .key
                .iter()
                .zip(&key)
                .map(|((column, _), value)| format!("{column} = {value:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            match table.index.get(&key).map(Vec::as_slice) {
                None | Some([]) => {
                    no_row = Some(format!("no row of {} has {described}", table.name))
                }
                Some([one]) => row = Some(&table.rows[*one]),
                Some(several) => {
                    row = Some(&table.rows[several[0]]);
                    let lines: Vec<String> = several
                        .iter()
                        .map(|&i| table.lines[i].to_string())
                        .collect();
                    out.warnings.push(Warning::new(
                        &self.path,
                        Some(table.line),
                        format!(
                            "{} rows of {} (lines {}) have {described}: {rel:?} takes the first",
                            several.len(),
                            table.name,
                            lines.join(", ")
                        ),
                    ));
                }
            }
        }
        let lookup = |name: &str| -> Option<String> {
            if let Some((_, value)) = captures.iter().find(|(n, _)| n == name) {
                return Some(value.clone());
            }
            let table = rule.table.as_ref()?;
            let value = &row?[*table.columns.get(name)?];
            Some(value.clone())
        };
        let mut missing = Vec::new();
        for field in &rule.fields {
            match field.templates.iter().find_map(|t| t.render(&lookup)) {
                Some(value) => {
                    out.fields.insert(field.name.clone(), value);
                }
                None => missing.push(field.name.as_str()),
            }
        }
        if !missing.is_empty() {
            let why = no_row.unwrap_or_else(|| "a value it needs is empty".to_string());
            out.warnings.push(Warning::new(
                &self.path,
                Some(rule.table.as_ref().map_or(rule.pattern_line, |t| t.line)),
                format!("{why}: {rel:?} is indexed without {}", missing.join(", ")),
            ));
        }
        out
    }
}

impl FileMetadata {
    /// Fills in the fields of an article that it does not give itself. A date that cannot be
    /// read is left out, with a warning.
    pub fn apply(&self, article: &mut Article, metadata_file: &Path) -> Vec<Warning> {
        let mut warnings = Vec::new();
        for (name, value) in &self.fields {
            let slot = match name.as_str() {
                "title" => &mut article.title,
                "source" => &mut article.source,
                "url" => &mut article.url,
                "date" => {
                    if article.date.is_none() {
                        match parse_date(value) {
                            Ok(_) => article.date = Some(value.trim().to_string()),
                            Err(e) => warnings.push(Warning::new(
                                metadata_file,
                                None,
                                format!(
                                    "date of {}: {e}; the article is indexed undated",
                                    article.path.as_deref().unwrap_or(&article.id)
                                ),
                            )),
                        }
                    }
                    continue;
                }
                _ => {
                    article
                        .metadata
                        .entry(name.clone())
                        .or_insert_with(|| serde_json::Value::String(value.clone()));
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(value.clone());
            }
        }
        warnings
    }
}

/// A table as read: its columns (name -> position), its rows, and the line of each row.
type TableData = (HashMap<String, usize>, Vec<Vec<String>>, Vec<usize>);

/// Reads a table: its columns, its rows (cells trimmed, runs of white space made one space) and
/// the line of each row. CSV with a header line, or JSON Lines.
fn read_table(path: &Path) -> Result<TableData> {
    let clean = |cell: &str| cell.split_whitespace().collect::<Vec<_>>().join(" ");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut columns: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    match ext.as_str() {
        "csv" => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_path(path)
                .map_err(|e| csv_error(path, e))?;
            let headers = reader.headers().map_err(|e| csv_error(path, e))?.clone();
            for (i, header) in headers.iter().enumerate() {
                let header = clean(header);
                if !header.is_empty() {
                    columns.entry(header).or_insert(i);
                }
            }
            for record in reader.records() {
                let record = record.map_err(|e| csv_error(path, e))?;
                let line = record.position().map_or(0, |p| p.line() as usize);
                let row: Vec<String> = (0..headers.len())
                    .map(|i| record.get(i).map(clean).unwrap_or_default())
                    .collect();
                rows.push(row);
                lines.push(line);
            }
        }
        "jsonl" | "ndjson" => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let mut objects = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let value: serde_json::Value = serde_json::from_str(line)
                    .map_err(|e| Error::parse(path, Some(i + 1), format!("invalid JSON: {e}")))?;
                let serde_json::Value::Object(object) = value else {
                    return Err(Error::parse(
                        path,
                        Some(i + 1),
                        "a row must be a JSON object",
                    ));
                };
                for key in object.keys() {
                    let next = columns.len();
                    columns.entry(key.clone()).or_insert(next);
                }
                objects.push(object);
                lines.push(i + 1);
            }
            for object in objects {
                let mut row = vec![String::new(); columns.len()];
                for (key, value) in object {
                    row[columns[&key]] = match value {
                        serde_json::Value::String(s) => clean(&s),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                }
                rows.push(row);
            }
        }
        _ => {
            return Err(Error::parse(
                path,
                None,
                "a metadata table must be .csv (with a header line) or .jsonl",
            ));
        }
    }
    Ok((columns, rows, lines))
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        kind => Error::parse(path, line, format!("CSV: {kind:?}")),
    }
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let mut names: Vec<&String> = names.collect();
    names.sort();
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Template {
    fn parse(text: &str) -> std::result::Result<Template, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => {
                    return Err(format!(
                        "{text:?}: `}}` at {at} closes nothing (write `}}}}` for a brace)"
                    ));
                }
                '{' => {
                    let rest = &text[at + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err(format!("{text:?}: `{{` at {at} is not closed"));
                    };
                    let inside = &rest[..end];
                    let (name, filter) = match inside.split_once('|') {
                        Some((name, filter)) => (name.trim(), Some(filter.trim())),
                        None => (inside.trim(), None),
                    };
                    if name.is_empty() || name.contains('{') {
                        return Err(format!("{text:?}: a field name is missing at {at}"));
                    }
                    let alias_name = match filter {
                        None => false,
                        Some("name") => true,
                        Some(other) => {
                            return Err(format!(
                                "{text:?}: unknown filter {other:?} (the one filter is `name`: {{iso3|name}} is the name of the country with that code)"
                            ));
                        }
                    };
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Value {
                        name: name.to_string(),
                        alias_name,
                    });
                    while chars.peek().is_some_and(|&(i, _)| i <= at + 1 + end) {
                        chars.next();
                    }
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template {
            text: text.to_string(),
            pieces,
        })
    }

    /// The names of the values it uses.
    fn names(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Value { name, .. } => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// The text with its values filled in; `None` when a value is missing or empty.
    fn render(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Value { name, alias_name } => {
                    let value = lookup(name).filter(|v| !v.is_empty())?;
                    if *alias_name {
                        let group = crate::domain::Aliases::builtin().group(&value)?;
                        out.push_str(group.names.first()?);
                    } else {
                        out.push_str(&value);
                    }
                }
            }
        }
        let out = out.trim().to_string();
        (!out.is_empty()).then_some(out)
    }

    /// The values captured when the pattern matches all of `subject`: each field is at least
    /// one character and holds no `/`; a field named twice must have the same value.
    fn matches(&self, subject: &str) -> Option<Vec<(String, String)>> {
        let mut captures = Vec::new();
        match_from(&self.pieces, subject, &mut captures).then_some(captures)
    }
}

fn match_from(pieces: &[Piece], subject: &str, captures: &mut Vec<(String, String)>) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return subject.is_empty();
    };
    match first {
        Piece::Text(text) => subject
            .strip_prefix(text.as_str())
            .is_some_and(|tail| match_from(rest, tail, captures)),
        Piece::Value { name, .. } => {
            if let Some((_, value)) = captures.iter().find(|(n, _)| n == name) {
                let value = value.clone();
                return subject
                    .strip_prefix(value.as_str())
                    .is_some_and(|tail| match_from(rest, tail, captures));
            }
            let limit = subject.find('/').unwrap_or(subject.len());
            for (end, c) in subject[..limit]
                .char_indices()
                .map(|(i, c)| (i + c.len_utf8(), c))
            {
                let _ = c;
                captures.push((name.clone(), subject[..end].to_string()));
                if match_from(rest, &subject[end..], captures) {
                    return true;
                }
                captures.pop();
            }
            false
        }
    }
}

/// The modification time of a file, if it can be read.
fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).ok().and_then(|m| m.modified().ok())
}

/// Reads the parts of one metadata file, with errors that name its file and line.
struct Loader<'a> {
    path: &'a Path,
    corpus_root: &'a Path,
    text: &'a str,
}

impl Loader<'_> {
    /// The line of a byte offset in the file.
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    /// An error at a byte offset in the file.
    fn error(&self, offset: usize, message: String) -> Error {
        Error::parse(self.path, Some(self.line_of(offset)), message)
    }

    /// A rule's file-name pattern, and the names it captures.
    fn pattern(&self, raw: &Spanned<String>) -> Result<(Template, Vec<String>)> {
        let at = raw.span().start;
        let pattern =
            Template::parse(raw.get_ref()).map_err(|m| self.error(at, format!("pattern: {m}")))?;
        let mut captures: Vec<String> = Vec::new();
        for piece in &pattern.pieces {
            match piece {
                Piece::Value {
                    alias_name: true, ..
                } => {
                    return Err(self.error(at, "a pattern has no filters".into()));
                }
                Piece::Value { name, .. } if !captures.contains(name) => {
                    captures.push(name.clone())
                }
                _ => {}
            }
        }
        if pattern
            .pieces
            .windows(2)
            .any(|w| matches!(w[0], Piece::Value { .. }) && matches!(w[1], Piece::Value { .. }))
        {
            return Err(self.error(
                at,
                format!(
                    "pattern {:?}: two fields side by side cannot be told apart; put text between them",
                    pattern.text
                ),
            ));
        }
        Ok((pattern, captures))
    }

    /// A rule's table: its rows read, its key checked against the pattern, and indexed.
    fn table(
        &self,
        raw: &Spanned<RawTable>,
        pattern: &Template,
        captures: &[String],
    ) -> Result<Table> {
        let at = raw.span().start;
        let raw = raw.get_ref();
        let file = raw.file.get_ref();
        let (columns, rows, lines) = read_table(&self.corpus_root.join(file))?;
        let mut key = Vec::new();
        for (column, template) in &raw.key {
            let at = template.span().start;
            if !columns.contains_key(column) {
                return Err(self.error(
                    at,
                    format!(
                        "table {file} has no column {column:?} (its columns: {})",
                        list(columns.keys())
                    ),
                ));
            }
            let template = Template::parse(template.get_ref())
                .map_err(|m| self.error(at, format!("key {column:?}: {m}")))?;
            if let Some(name) = template.names().find(|n| !captures.iter().any(|c| c == n)) {
                return Err(self.error(
                    at,
                    format!(
                        "key {column:?}: {{{name}}} is not a field of the pattern {:?}",
                        pattern.text
                    ),
                ));
            }
            key.push((column.clone(), template));
        }
        if key.is_empty() {
            return Err(self.error(at, format!("table {file} needs a key")));
        }
        let mut index: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let values = key
                .iter()
                .map(|(column, _)| row[columns[column]].clone())
                .collect();
            index.entry(values).or_default().push(i);
        }
        Ok(Table {
            name: file.clone(),
            line: self.line_of(at),
            key,
            columns,
            rows,
            lines,
            index,
        })
    }

    /// One field of a rule: its templates, each naming only captures or table columns.
    fn field(
        &self,
        name: &str,
        value: &Spanned<OneOrMany>,
        pattern: &Template,
        captures: &[String],
        table: Option<&Table>,
    ) -> Result<Field> {
        let at = value.span().start;
        if RESERVED.contains(&name) {
            return Err(self.error(at, format!("field {name:?} cannot be set from metadata")));
        }
        let texts = match value.get_ref() {
            OneOrMany::One(text) => std::slice::from_ref(text),
            OneOrMany::Many(texts) if !texts.is_empty() => texts.as_slice(),
            OneOrMany::Many(_) => {
                return Err(self.error(at, format!("field {name:?}: no template")));
            }
        };
        let mut templates = Vec::new();
        for text in texts {
            let template = Template::parse(text)
                .map_err(|m| self.error(at, format!("field {name:?}: {m}")))?;
            let known = |value: &str| {
                captures.iter().any(|c| c == value)
                    || table.is_some_and(|t| t.columns.contains_key(value))
            };
            if let Some(value) = template.names().find(|v| !known(v)) {
                let table = match table {
                    Some(t) => format!(" nor a column of {}", t.name),
                    None => String::new(),
                };
                return Err(self.error(
                    at,
                    format!(
                        "field {name:?}: {{{value}}} is neither a field of the pattern {:?}{table}",
                        pattern.text
                    ),
                ));
            }
            templates.push(template);
        }
        Ok(Field {
            name: name.to_string(),
            templates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_capture_and_repeat() {
        let t = Template::parse("{iso3}_{session}_{year}.txt").unwrap();
        assert_eq!(
            t.matches("BLR_75_2020.txt").unwrap(),
            [
                ("iso3".to_string(), "BLR".to_string()),
                ("session".to_string(), "75".to_string()),
                ("year".to_string(), "2020".to_string())
            ]
        );
        assert!(t.matches("README.txt").is_none());
        assert!(t.matches("A_B_C.md").is_none());
        let t = Template::parse("{year}/{iso3}_{session}_{year}.txt").unwrap();
        assert!(t.matches("2020/BLR_75_2020.txt").is_some());
        assert!(
            t.matches("2021/BLR_75_2020.txt").is_none(),
            "a field named twice has one value"
        );
        // A field never crosses a folder.
        let t = Template::parse("{name}.txt").unwrap();
        assert!(t.matches("a/b.txt").is_none());
    }

    #[test]
    fn templates_read_braces_and_filters() {
        let t = Template::parse("{{{iso3|name}}}, {year}").unwrap();
        let lookup = |name: &str| match name {
            "iso3" => Some("BLR".to_string()),
            "year" => Some("2020".to_string()),
            _ => None,
        };
        assert_eq!(t.render(&lookup).as_deref(), Some("{Belarus}, 2020"));
        assert_eq!(Template::parse("{speaker}").unwrap().render(&lookup), None);
        for bad in ["{year", "year}", "{}", "{iso3|upper}"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }
}
