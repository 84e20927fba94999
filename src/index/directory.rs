//! The on-disk directory: tantivy's memory-mapped directory, readable on a read-only file
//! system.
//!
//! Readers take tantivy's short-lived meta lock, which means creating a lock file: on a
//! read-only folder that fails and tantivy would refuse to open the index at all. Nothing can
//! write there, so nothing can change the index under a reader: this wrapper grants the meta
//! lock when the file system refuses it as read-only. The writer lock is never faked, so an
//! update still fails, with a clear error.
//!
//! While a writer merges a whole build into one segment ([`CopiedReads`]), files opened for
//! reading are read with `pread` into buffers instead of mapped: a mapping's pages stay
//! resident once read, so a merge that reads every segment through mappings held them all (the
//! peak memory of a build grew by the size of its index); buffers are freed as the merge moves on.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tantivy::HasLen;

use tantivy::Directory;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};

/// [`MmapDirectory`] that can be read on a read-only file system, and that reads files into
/// buffers instead of mapping them while its [`CopiedReads`] says so.
#[derive(Clone, Debug)]
pub(crate) struct DiskDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    copied: CopiedReads,
}

impl DiskDirectory {
    /// Opens the directory in `path`; it copies what it reads while `copied` is on.
    pub(crate) fn open(
        path: &Path,
        copied: CopiedReads,
    ) -> Result<DiskDirectory, OpenDirectoryError> {
        Ok(DiskDirectory {
            inner: MmapDirectory::open(path)?,
            root: path.to_path_buf(),
            copied,
        })
    }
}

/// Whether the [`DiskDirectory`] that shares it reads files opened from now on into buffers
/// (`pread`) rather than through mappings. Off unless a [`CopiedReadsGuard`] is alive.
#[derive(Clone, Debug, Default)]
pub(crate) struct CopiedReads(Arc<CopiedState>);

#[derive(Debug, Default)]
struct CopiedState {
    on: AtomicBool,
    /// How many files were opened for copied reads so far.
    opened: AtomicUsize,
}

impl CopiedReads {
    /// Turns copied reads on until the guard is dropped (for the files opened meanwhile: a
    /// file opened before keeps its mapping, one opened during keeps its `pread` handle).
    pub(crate) fn during(&self) -> CopiedReadsGuard<'_> {
        self.0.on.store(true, Ordering::SeqCst);
        CopiedReadsGuard(self)
    }

    /// How many files were opened for copied reads so far.
    #[cfg(test)]
    pub(crate) fn files_opened(&self) -> usize {
        self.0.opened.load(Ordering::SeqCst)
    }

    fn on(&self) -> bool {
        self.0.on.load(Ordering::SeqCst)
    }
}

/// Keeps copied reads on while it lives (see [`CopiedReads::during`]).
pub(crate) struct CopiedReadsGuard<'a>(&'a CopiedReads);

impl Drop for CopiedReadsGuard<'_> {
    fn drop(&mut self) {
        (self.0).0.on.store(false, Ordering::SeqCst);
    }
}

/// A file read with `pread`: each read is a new buffer, freed with the bytes it returned.
#[derive(Debug)]
struct CopiedFile {
    file: File,
    len: usize,
}

impl HasLen for CopiedFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for CopiedFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let end = range.end.min(self.len);
        let mut buffer = vec![0; end.saturating_sub(range.start)];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

impl DiskDirectory {
    fn copied_file(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let full = self.root.join(path);
        let opened = File::open(&full).and_then(|file| {
            let len = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
            Ok(CopiedFile { file, len })
        });
        match opened {
            Ok(file) => {
                self.copied.0.opened.fetch_add(1, Ordering::SeqCst);
                Ok(Arc::new(file))
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                Err(OpenReadError::FileDoesNotExist(path.to_path_buf()))
            }
            Err(error) => Err(OpenReadError::wrap_io_error(error, full)),
        }
    }
}

fn read_only(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Directory for DiskDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if self.copied.on() {
            return self.copied_file(path);
        }
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(error))
                if lock.filepath == META_LOCK.filepath && read_only(&error) =>
            {
                Ok(DirectoryLock::from(Box::new(ReadOnlyMetaLock(
                    lock.filepath.clone(),
                ))))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// The meta lock granted on a read-only folder (nothing to release).
struct ReadOnlyMetaLock(#[allow(dead_code)] PathBuf);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_reads_return_the_bytes_of_the_file_and_only_while_on() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bin"), b"Kursk region statement").unwrap();
        let copied = CopiedReads::default();
        let directory = DiskDirectory::open(dir.path(), copied.clone()).unwrap();
        let mapped = directory.get_file_handle(Path::new("a.bin")).unwrap();
        assert_eq!(copied.files_opened(), 0);
        let guard = copied.during();
        let read = directory.get_file_handle(Path::new("a.bin")).unwrap();
        assert_eq!(copied.files_opened(), 1);
        for range in [0..5, 6..12, 22..22, 13..22] {
            assert_eq!(
                read.read_bytes(range.clone()).unwrap().as_slice(),
                mapped.read_bytes(range).unwrap().as_slice()
            );
        }
        assert_eq!(read.len(), 22);
        assert!(matches!(
            directory.get_file_handle(Path::new("missing.bin")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
        drop(guard);
        directory.get_file_handle(Path::new("a.bin")).unwrap();
        assert_eq!(copied.files_opened(), 1);
    }
}
