//! The corpus: a folder of articles (`.txt`, `.md`, `.json`, `.jsonl`, `.html`) read into
//! [`Article`]s.
//!
//! Files are found recursively in a stable order (sorted by name; hidden files and folders are
//! skipped; symbolic links are followed, loops reported). A file that cannot be read or parsed
//! is reported with its path (and line, for JSON Lines) and skipped; everything else is read.
//! A `communique.toml` in the folder (or named with [`Corpus::with_metadata`]) fills in the
//! fields that the files do not give (see [`Metadata`]).

mod article;
mod html;
mod metadata;
mod parse;
mod passage;

pub use article::{Article, parse_date};
pub use metadata::{FileMetadata, METADATA_FILE, Metadata};
pub use parse::{MAX_FILE_BYTES, MAX_JSONL_BYTES, MAX_LINE_BYTES};
pub use passage::{PassageConfig, split_passages, split_passages_with};

pub(crate) use article::lead;
pub(crate) use parse::Format;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::{Error, Result};

/// A folder of articles.
///
/// # Example
/// ```
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("a.txt"), "---\ntitle: G7\n---\nLeaders met.")?;
/// let scan = communique::Corpus::new(dir.path()).read_all()?;
/// assert_eq!(scan.articles[0].id, "a.txt");
/// assert_eq!(scan.articles[0].title.as_deref(), Some("G7"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Corpus {
    root: PathBuf,
    /// The metadata file, when not the folder's own `communique.toml`.
    metadata: Option<PathBuf>,
}

/// A file of the corpus, as found by the walk (not yet read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusFile {
    /// Where it is.
    pub path: PathBuf,
    /// The corpus-relative path, `/`-separated: the basis of path ids.
    pub rel: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, when the file system gives one. For a file that a metadata
    /// rule reads, the latest of its own and those of the metadata file and its tables, so that
    /// the file is read again when they change.
    pub modified: Option<SystemTime>,
    /// What the metadata says about it, and the metadata file.
    pub(crate) metadata: Option<std::sync::Arc<(PathBuf, FileMetadata)>>,
}

/// A problem that did not stop an article from being indexed (an unreadable date, a front
/// matter line that is not `key: value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Warning {
    pub(crate) fn new(path: &Path, line: Option<usize>, message: impl Into<String>) -> Warning {
        Warning {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything read from a corpus: the articles, and what went wrong on the way.
#[derive(Debug, Default)]
pub struct CorpusScan {
    /// The articles, in file order then line order.
    pub articles: Vec<Article>,
    /// Problems that did not stop an article from being read.
    pub warnings: Vec<Warning>,
    /// Files or records that were skipped, with why.
    pub errors: Vec<Error>,
}

/// One file read and parsed, with the hash of its bytes.
#[derive(Debug)]
pub(crate) struct FileRead {
    /// blake3 of the raw bytes, hex.
    pub hash: String,
    pub articles: Vec<Article>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<Error>,
}

impl Corpus {
    /// A corpus rooted at `root`. Nothing is read until asked.
    pub fn new(root: impl Into<PathBuf>) -> Corpus {
        Corpus {
            root: root.into(),
            metadata: None,
        }
    }

    /// Reads the files' metadata from this file instead of the folder's own
    /// [`METADATA_FILE`] (for a folder that cannot hold one). Its tables are still found from
    /// the corpus folder.
    pub fn with_metadata(mut self, path: impl Into<PathBuf>) -> Corpus {
        self.metadata = Some(path.into());
        self
    }

    /// The metadata of the corpus: the file given to [`Corpus::with_metadata`], else the
    /// folder's `communique.toml` if there is one, read with its tables.
    pub fn metadata(&self) -> Result<Option<Metadata>> {
        let path = match &self.metadata {
            Some(path) => path.clone(),
            None => {
                let path = self.root.join(METADATA_FILE);
                if !path.is_file() {
                    return Ok(None);
                }
                path
            }
        };
        Metadata::load(&path, &self.root).map(Some)
    }

    /// The corpus folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks, without walking it, what [`Corpus::files`] fails on: the corpus folder is
    /// there and its metadata file (if any) can be read. Returns the metadata.
    pub fn check(&self) -> Result<Option<Metadata>> {
        if !self.root.is_dir() {
            return Err(Error::CorpusMissing {
                path: self.root.clone(),
            });
        }
        self.metadata()
    }

    /// The article files, sorted by path, and the folders or entries that could not be walked.
    ///
    /// Fails when the corpus folder itself is missing, or when its metadata file cannot be read.
    pub fn files(&self) -> Result<(Vec<CorpusFile>, Vec<Error>)> {
        let metadata = self.check()?;
        let mut found = (Vec::new(), Vec::new());
        self.walk(&self.root, metadata.as_ref(), &mut found);
        Ok(found)
    }

    /// [`Corpus::files`] under `paths` only (files or folders inside the corpus folder; a path
    /// that is gone, hidden or outside the folder gives nothing), each file once, sorted by path.
    pub(crate) fn files_under(&self, paths: &[PathBuf]) -> Result<(Vec<CorpusFile>, Vec<Error>)> {
        let metadata = self.check()?;
        let mut found = (Vec::new(), Vec::new());
        for path in paths {
            let Ok(rel) = path.strip_prefix(&self.root) else {
                continue;
            };
            let hidden = rel
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
            if !hidden && path.exists() {
                self.walk(path, metadata.as_ref(), &mut found);
            }
        }
        // The order of the whole walk (names compared folder by folder).
        let (files, _) = &mut found;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.rel == b.rel);
        Ok(found)
    }

    /// Walks `start` (the corpus folder or a file or folder in it) into `found`: the article
    /// files, and the entries that could not be walked.
    fn walk(
        &self,
        start: &Path,
        metadata: Option<&Metadata>,
        (files, errors): &mut (Vec<CorpusFile>, Vec<Error>),
    ) {
        let walk = walkdir::WalkDir::new(start)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
            });
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().unwrap_or(start).to_path_buf();
                    let message = if let Some(ancestor) = e.loop_ancestor() {
                        format!("symbolic link loop back to {}", ancestor.display())
                    } else {
                        e.io_error()
                            .map_or_else(|| e.to_string(), ToString::to_string)
                    };
                    errors.push(Error::io(path, std::io::Error::other(message)));
                    continue;
                }
            };
            if !entry.file_type().is_file() || Format::of(entry.path()).is_none() {
                continue;
            }
            // A metadata table (JSON Lines) is not an article file.
            if metadata.is_some_and(|m| m.inputs().any(|input| input == entry.path())) {
                continue;
            }
            let stat = match entry.metadata() {
                Ok(stat) => stat,
                Err(e) => {
                    errors.push(Error::io(
                        entry.path(),
                        std::io::Error::other(e.to_string()),
                    ));
                    continue;
                }
            };
            let rel = relative(&self.root, entry.path());
            let mut modified = stat.modified().ok();
            let of_file = metadata.and_then(|m| {
                let of_file = m.for_file(&rel)?;
                modified = modified.max(m.modified());
                Some(std::sync::Arc::new((m.path().to_path_buf(), of_file)))
            });
            files.push(CorpusFile {
                path: entry.path().to_path_buf(),
                rel,
                size: stat.len(),
                modified,
                metadata: of_file,
            });
        }
    }

    /// Reads and parses every article file.
    pub fn read_all(&self) -> Result<CorpusScan> {
        let (files, errors) = self.files()?;
        let mut scan = CorpusScan {
            errors,
            ..CorpusScan::default()
        };
        for file in &files {
            match read_file(file) {
                Ok(read) => {
                    scan.articles.extend(read.articles);
                    scan.warnings.extend(read.warnings);
                    scan.errors.extend(read.errors);
                }
                Err(e) => scan.errors.push(e),
            }
        }
        Ok(scan)
    }
}

/// The `/`-separated path of `path` below `root`.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Reads one file (within the size limits) and parses it.
pub(crate) fn read_file(file: &CorpusFile) -> Result<FileRead> {
    let bytes = read_bytes(file)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update(&bytes);
    let format = Format::of(&file.path).unwrap_or(Format::Text);
    let mut parsed = parse::parse(&file.path, &file.rel, format, &bytes);
    if let Some(metadata) = &file.metadata {
        let (metadata_file, of_file) = metadata.as_ref();
        // The file is what its bytes and its metadata make it.
        for (name, value) in &of_file.fields {
            for part in [name, value] {
                hasher.update(&(part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        parsed.warnings.extend(of_file.warnings.iter().cloned());
        for article in &mut parsed.articles {
            let warnings = of_file.apply(article, metadata_file);
            parsed.warnings.extend(warnings);
        }
    }
    Ok(FileRead {
        hash: hasher.finalize().to_hex().to_string(),
        articles: parsed.articles,
        warnings: parsed.warnings,
        errors: parsed.errors,
    })
}

/// The bytes of a file, refusing files over the limit of their format.
pub(crate) fn read_bytes(file: &CorpusFile) -> Result<Vec<u8>> {
    let limit = match Format::of(&file.path) {
        Some(Format::JsonLines) => MAX_JSONL_BYTES,
        _ => MAX_FILE_BYTES,
    };
    let mut handle = std::fs::File::open(&file.path).map_err(|e| Error::io(&file.path, e))?;
    let size = handle
        .metadata()
        .map_err(|e| Error::io(&file.path, e))?
        .len();
    if size > limit {
        return Err(Error::parse(
            &file.path,
            None,
            format!("file is {size} bytes, over the {limit}-byte limit for its format; split it"),
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    handle
        .by_ref()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&file.path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::parse(
            &file.path,
            None,
            format!("file grew over the {limit}-byte limit for its format while being read"),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_is_sorted_recursive_and_skips_hidden_and_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for name in [
            "z.txt",
            "a.md",
            "b/c/d.jsonl",
            "b/x.json",
            ".hidden.txt",
            ".git/h.txt",
            "img.png",
        ] {
            std::fs::write(root.join(name), "{\"text\": \"x\"}").unwrap();
        }
        let (files, errors) = Corpus::new(root).files().unwrap();
        assert!(errors.is_empty());
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.md", "b/c/d.jsonl", "b/x.json", "z.txt"]);
    }

    #[test]
    fn missing_corpus_is_an_error() {
        let err = Corpus::new("/no/such/folder").files().unwrap_err();
        assert!(err.to_string().contains("/no/such/folder"));
    }
}
