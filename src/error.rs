//! The library's error type: every variant names the file, the line or the query position at fault.

use std::fmt;
use std::path::PathBuf;

/// What went wrong, with enough context to act on it.
///
/// Errors about a file name the file (and the line for JSON Lines); errors about a query name the
/// byte position in the query; errors about the index say which index and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A corpus file could not be parsed as an article.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line, for JSON Lines and front matter.
        line: Option<usize>,
        /// What is wrong, in words.
        message: String,
    },

    /// A query could not be parsed.
    #[error("{0}")]
    Query(#[from] QueryError),

    /// An option passed to the library is out of range (for example a date that cannot be read).
    #[error("{0}")]
    InvalidArgument(String),

    /// The corpus folder does not exist or is not a folder.
    #[error("corpus folder {} does not exist or is not a folder", path.display())]
    CorpusMissing {
        /// The folder that was asked for.
        path: PathBuf,
    },

    /// There is no index at this path.
    #[error("no index at {}: run `communique index` to build one", path.display())]
    IndexMissing {
        /// The index folder.
        path: PathBuf,
    },

    /// Another process holds the index writer.
    #[error(
        "the index in `{}` is being updated by another process (its writer lock is held); try again when it is done",
        path.display()
    )]
    Locked {
        /// The index folder.
        path: PathBuf,
    },

    /// The index was written by an incompatible version of communique.
    #[error(
        "the index in `{}` was written by an incompatible version ({found}; this build reads version {expected}): run `communique index --rebuild`",
        path.display()
    )]
    IncompatibleIndex {
        /// The index folder.
        path: PathBuf,
        /// What the index says it is.
        found: String,
        /// The schema version this build reads and writes.
        expected: u32,
    },

    /// The index is damaged: a file is missing, truncated or fails its checksum.
    #[error("the index in `{}` is damaged ({detail}): run `communique index --rebuild`", path.display())]
    Corrupt {
        /// The index folder.
        path: PathBuf,
        /// What was found.
        detail: String,
    },

    /// No article in the index has this id.
    #[error("no article with id `{id}` in the index")]
    UnknownArticle {
        /// The id asked for.
        id: String,
    },

    /// An error from tantivy that none of the variants above describes.
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parse(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Error {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// A query that cannot be parsed: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// Byte offset in the query where the problem is.
    pub position: usize,
    /// What is wrong, in words.
    pub message: String,
    /// The query as given, to show the position.
    pub query: String,
}

impl QueryError {
    pub(crate) fn new(query: &str, position: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            position: position.min(query.len()),
            message: message.into(),
            query: query.to_string(),
        }
    }

    /// The 1-based column (in characters, not bytes) of the problem, as a person counts it.
    pub fn column(&self) -> usize {
        self.query
            .get(..self.position)
            .map_or(self.position, |head| head.chars().count())
            + 1
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "query error at column {}: {}",
            self.column(),
            self.message
        )
    }
}

impl std::error::Error for QueryError {}
