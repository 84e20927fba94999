//! Rebuilding an index from scratch beside the live one, then swapping it in atomically.

use std::path::{Path, PathBuf};

use tantivy::Directory;
use tantivy::directory::{INDEX_WRITER_LOCK, MmapDirectory};

use super::{Index, META_FILE, UpdateOptions, UpdateReport};
use crate::{Corpus, Error, Result};

/// Rebuilds an index (see [`Index::rebuild`]).
pub(crate) fn run(
    path: impl AsRef<Path>,
    corpus: &Corpus,
    options: &UpdateOptions<'_>,
) -> Result<(Index, UpdateReport)> {
    let path = path.as_ref();
    corpus.files()?;
    if options.dry_run {
        let scratch = Index::in_memory()?;
        let report = scratch.update_with(corpus, options)?;
        return Ok((scratch, report));
    }
    let exists = path.join(META_FILE).exists();
    // Hold the live index's writer lock while we build, whatever its state.
    let _lock = if exists {
        let directory = MmapDirectory::open(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Some(
            directory
                .acquire_lock(&INDEX_WRITER_LOCK)
                .map_err(|_| Error::Locked {
                    path: path.to_path_buf(),
                })?,
        )
    } else {
        None
    };
    let staging = sibling(path, "rebuild");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    let report = {
        let fresh = Index::create(&staging)?;
        fresh.update_with(corpus, options)?
    };
    // What the folder holds besides the index (the saved searches, a notification queue, a
    // README) moves with it.
    if path.is_dir() {
        keep_the_rest(path, &staging)?;
    }
    if exists {
        exchange(&staging, path)?;
        // The old index now sits in the staging folder; readers that have it open keep
        // their memory maps until they are done.
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    } else {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        if path.exists() {
            // A folder without an index (such as `index/` holding only its README).
            move_contents(&staging, path)?;
        } else {
            std::fs::rename(&staging, path).map_err(|e| Error::io(path, e))?;
        }
    }
    let index = Index::open(path)?;
    Ok((index, report))
}

/// Copies into `to` every file of `from` that is not part of the index itself.
fn keep_the_rest(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let name = entry.file_name();
        let target = to.join(&name);
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && !is_index_file(&name.to_string_lossy()) && !target.exists() {
            std::fs::copy(entry.path(), &target).map_err(|e| Error::io(&target, e))?;
        }
    }
    Ok(())
}

/// Whether a file name is one of the index's own: tantivy's `meta.json`, hidden files (its
/// lists and locks), segment files (a 32-digit hexadecimal id, then extensions) and our
/// manifests.
fn is_index_file(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    name == META_FILE
        || name.starts_with('.')
        || name.starts_with("communique-manifest-")
        || (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `dir/.name.what-PID`: a folder beside `path`, on the same file system.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Swaps two folders atomically (Linux), or as two renames elsewhere.
fn exchange(a: &Path, b: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // File systems without RENAME_EXCHANGE fall back to two renames.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(Error::io(b, e.into())),
        }
    }
    let aside = sibling(b, "old");
    std::fs::rename(b, &aside).map_err(|e| Error::io(b, e))?;
    std::fs::rename(a, b).map_err(|e| Error::io(b, e))?;
    std::fs::rename(&aside, a).map_err(|e| Error::io(a, e))?;
    Ok(())
}

/// Moves every entry of `from` into `to` (which holds no index), `meta.json` last so that no
/// reader sees a half-moved index, then removes `from`.
fn move_contents(from: &Path, to: &Path) -> Result<()> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        names.push(entry.map_err(|e| Error::io(from, e))?.file_name());
    }
    names.sort_by_key(|name| name == META_FILE);
    for name in names {
        let target = to.join(&name);
        std::fs::rename(from.join(&name), &target).map_err(|e| Error::io(&target, e))?;
    }
    std::fs::remove_dir(from).map_err(|e| Error::io(from, e))
}

#[cfg(test)]
mod tests {
    use crate::{Corpus, Index};

    #[test]
    fn a_rebuild_keeps_what_the_folder_holds_besides_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "The grain corridor reopened.").unwrap();
        let path = dir.path().join("index");
        let index = Index::create(&path).unwrap();
        index.update(&Corpus::new(&corpus)).unwrap();
        drop(index);
        std::fs::write(path.join("README.md"), "What this folder is.").unwrap();
        std::fs::write(corpus.join("b.txt"), "Grain shipments resumed.").unwrap();

        let (index, report) =
            Index::rebuild(&path, &Corpus::new(&corpus), &Default::default()).unwrap();
        assert_eq!(report.added, 2);
        assert_eq!(
            std::fs::read_to_string(path.join("README.md")).unwrap(),
            "What this folder is."
        );
        assert!(index.contains("b.txt").unwrap());
    }

    #[test]
    fn index_files_are_told_from_the_rest() {
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            "communique-manifest-3.json",
            "0123456789abcdef0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef.12.del",
        ] {
            assert!(super::is_index_file(name), "{name}");
        }
        for name in ["README.md", "communique-follow.redb", "notes.txt"] {
            assert!(!super::is_index_file(name), "{name}");
        }
    }
}
